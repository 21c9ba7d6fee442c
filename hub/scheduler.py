"""The timer scheduler's loop: fires the timers that have fallen due (hub.service.timers)
every half second, and at once again while a round finds a full batch; and the retention
job beside it (hub.store.retention)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from hub.clock import Clock
from hub.metrics import HubMetrics
from hub.retrying import ROUNDS, Stopped, until_done
from hub.routing.directory import Directory
from hub.service.timers import HOLD, fire_due_timers
from hub.settings import RetentionSettings
from hub.store.retention import apply_retention

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        directory: Directory,
        clock: Clock,
        batch_size: int = 200,
        poll_seconds: float = 0.5,
        hold: timedelta = HOLD,
        metrics: HubMetrics | None = None,
    ) -> None:
        self.hold, self.metrics = hold, metrics
        self.sessions, self.directory, self.clock = sessions, directory, clock
        self.batch_size, self.poll_seconds = batch_size, poll_seconds

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                fired = await until_done(
                    "scheduler round", lambda: asyncio.to_thread(self.fire_due), stop, ROUNDS
                )
            except Stopped:
                return  # the due timers are still pending: the next start fires them
            if fired < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)

    def fire_due(self) -> int:
        """One round: the timers due by the clock's now."""
        fired = fire_due_timers(
            self.sessions, self.directory, self.clock.now(), self.batch_size, self.hold
        )
        if self.metrics is not None:
            self.metrics.timers_fired.inc(fired)
        return fired


class RetentionJob:
    """Applies the retention policy (hub.store.retention) at start and every
    `every_hours`, beside the timers: a child's personal data is gone within hours of its
    time, whichever `hub run` holds the scheduler role."""

    def __init__(
        self, sessions: sessionmaker[Session], policy: RetentionSettings, clock: Clock
    ) -> None:
        self.sessions, self.policy, self.clock = sessions, policy, clock

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await until_done("applying the retention policy", self._apply, stop, ROUNDS)
            except Stopped:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.policy.every_hours * 3600)

    async def _apply(self) -> None:
        now = self.clock.now()
        await asyncio.to_thread(apply_retention, self.sessions, self.policy, now, "hub:retention")
