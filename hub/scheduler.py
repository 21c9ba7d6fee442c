"""Durable timers: claims the timers that have fallen due, fires each through the engine,
and writes what it decides in the same transaction that marks the timer fired. A timer
cancelled by a found report is no longer pending and never fires. On PostgreSQL several
schedulers can run at once (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import Clock
from hub.consumers.apply import expire_held
from hub.retrying import Stopped, until_done
from hub.routing.directory import Directory
from hub.routing.engine import fire
from hub.store.models import TimerRecord
from hub.store.outcomes import load_child, save_outcome, timer_of

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        directory: Directory,
        clock: Clock,
        batch_size: int = 200,
        poll_seconds: float = 0.5,
        hold: timedelta = timedelta(hours=24),
    ) -> None:
        self.hold = hold
        self.sessions, self.directory, self.clock = sessions, directory, clock
        self.batch_size, self.poll_seconds = batch_size, poll_seconds

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                fired = await until_done(
                    "scheduler round", lambda: asyncio.to_thread(self.fire_due), stop
                )
            except Stopped:
                return  # the due timers are still pending: the next start fires them
            if fired < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)

    def fire_due(self) -> int:
        """Fire the timers due by the clock's now, oldest first, in one transaction."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            due = (
                select(TimerRecord)
                .where(TimerRecord.status == "pending", TimerRecord.due <= now)
                .order_by(TimerRecord.due)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = list(session.scalars(due))
            for row in rows:
                state = load_child(session, row.child_id)
                # Decided as of the moment the timer fell due, so a scheduler that was down
                # for a while decides exactly what it would have decided on time.
                outcome = fire(state, timer_of(row), self.directory, row.due)
                row.status, row.settled_at = "fired", now
                save_outcome(session, outcome, now)
                session.flush()
            expire_held(session, now, self.hold)
        return len(rows)
