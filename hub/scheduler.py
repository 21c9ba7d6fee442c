"""The timer scheduler's loop: fires the timers that have fallen due (hub.service.timers)
every half second, and at once again while a round finds a full batch; and the retention
job beside it (hub.store.retention)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError, KafkaTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import Clock
from hub.kafka.offsets import InboundOffsets
from hub.metrics import HubMetrics
from hub.retrying import ROUNDS, Stopped, until_done
from hub.routing.directory import Directory
from hub.service.heartbeat import (
    BACKLOG_UNAPPLIED,
    BROKER_UNANSWERING,
    REFUSED,
    TimersWaiting,
)
from hub.service.refusals import HOLD
from hub.service.timers import fire_due_timers, next_due
from hub.settings import RetentionSettings
from hub.store.retention import apply_retention

log = logging.getLogger(__name__)

# Each reading of the backlog connects an admin and a consumer client: while a large backlog
# drains, reading it every half second would take CPU from the consumer draining it.
CATCH_UP_POLL_SECONDS = 2.0
# A reading takes well under a second. A broker that has not answered one in PROBE_SECONDS
# is out (frozen, or unreachable) for the timers.
PROBE_SECONDS = 3.0
# How often a round checks the broker, or whether anything is due, before it decides.
CHECK_EVERY_SECONDS = 10.0
FAR = datetime.max.replace(tzinfo=UTC)


def an_outage(error: BaseException) -> bool:
    """The broker out of reach (down, frozen, a partition leaderless), not refusing: a
    refusal that stays (an ACL missing for the hub's group) must not keep the timers waiting
    for ever, escalations and meetings with them; it waits `catch_up_seconds`, as before."""
    if isinstance(error, KafkaTimeoutError | TimeoutError | OSError):
        return True
    return isinstance(error, KafkaError) and bool(error.retriable)


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
        inbound: Callable[[], Awaitable[InboundOffsets]] | None = None,
        catch_up_seconds: float = 300.0,
        check_every_seconds: float = CHECK_EVERY_SECONDS,
    ) -> None:
        """`inbound` reads how far the consumer group has applied the inbound topics: after
        the hub was down, its database or its broker, the timers wait for the records
        published meanwhile, which may answer or end what they are about: while the broker
        cannot be read, and then at most `catch_up_seconds`."""
        self.hold, self.metrics = hold, metrics
        self.sessions, self.directory, self.clock = sessions, directory, clock
        self.batch_size, self.poll_seconds = batch_size, poll_seconds
        self.inbound, self.catch_up_seconds = inbound, catch_up_seconds
        self.after_outage = True  # a start is one: the hub was down
        # When a round last checked the broker (it answered): rounds within
        # `check_every_seconds` of it decide without checking again (loop time).
        self.check_every_seconds = check_every_seconds
        self.checked_at = float("-inf")
        self.quiet_until: datetime | None = None  # the hub's clock: nothing due before it
        # Set while the timers wait for the broker: no escalation is sent meanwhile, and ops
        # must tell that from a stuck scheduler (the heartbeat writes it, the metric says it).
        self.waiting: TimersWaiting | None = None
        if metrics is not None:
            metrics.timers_waiting.set_function(self.waiting_seconds)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                fired = await until_done("scheduler round", lambda: self._round(stop), stop, ROUNDS)
            except Stopped:
                return  # the due timers are still pending: the next start fires them
            if fired < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)

    async def _round(self, stop: asyncio.Event) -> int:
        now = self.clock.now()  # one moment for the broker's check and the round it allows
        if not self.after_outage:
            self.after_outage = True  # until known otherwise: failing here met an outage
            # A broker outage is an outage too: the timers wait for what it held.
            self.after_outage = await self._broker_unanswering(now)
        if self.after_outage:
            await self._backlog_applied(stop)
            if stop.is_set():
                # Stopped while waiting: fired now, the timers were decided before the records
                # they wait for, an acknowledgement sent in time read after its duty was
                # escalated. They stay pending; the next start waits for them again.
                return 0
            now = self.clock.now()
        self.after_outage = True  # until the round is done: a failed one was an outage
        fired = await asyncio.to_thread(self.fire_due, now)
        self.after_outage = False
        return fired

    async def _broker_unanswering(self, now: datetime) -> bool:
        """Before a round that would decide something: whether the broker fails to answer,
        or answers with records published and not yet applied. While it does not answer,
        the consumer applies nothing: an acknowledgement (6.7, 6.8) or a found report
        (7.18) sent meanwhile is read only once it is back, and a timer fired now would
        escalate the duty it answered, or call a child found to a meeting (the database
        answering, the round would succeed)."""
        if self.inbound is None or self.catch_up_seconds == 0:  # 0: the timers never wait
            return False
        loop = asyncio.get_running_loop()
        if loop.time() - self.checked_at < self.check_every_seconds:
            # Answered a moment ago: a round decides on a picture at most that old. Asked
            # every round (0.5 s), the check's query cost the consumer beside it a third of
            # its throughput in one process (docs/benchmark.md).
            return False
        if self.quiet_until is not None and now < self.quiet_until:
            return False  # nothing due until then, as a round found a moment ago
        due = await asyncio.to_thread(next_due, self.sessions, self.hold)
        if due is None or due > now:
            # Nothing to decide until then: not asked again before (a timer the consumer
            # schedules meanwhile, due sooner, it read while the broker answered)
            self.quiet_until = min(due or FAR, now + timedelta(seconds=self.check_every_seconds))
            return False
        try:
            reading = await asyncio.wait_for(self.inbound(), timeout=PROBE_SECONDS)
        except (KafkaError, OSError, TimeoutError) as error:
            if not an_outage(error):  # answered, refusing: the round goes on, as before
                self.checked_at = loop.time()
                return False
            log.warning(
                "timers wait: the broker does not answer", extra={"failure": type(error).__name__}
            )
            self._wait(BROKER_UNANSWERING)
            return True
        self.checked_at = loop.time()
        # Answering, it may be back from an outage no round asked it about (nothing fell
        # due), or just thawed: what it held is published, not yet applied (the consumer
        # rejoining its group), and an answer sent in time (6.7) or a found report (7.18)
        # would be read after the timer it ends. Waited for, bounded, as after any outage.
        if reading.has_applied(reading.published):
            return False
        self._wait(BACKLOG_UNAPPLIED)
        return True

    def _wait(self, reason: str) -> None:
        """The timers wait (again) for `reason`, since the wait began."""
        since = datetime.now(UTC) if self.waiting is None else self.waiting.since
        self.waiting = TimersWaiting(reason, since)

    def waiting_seconds(self) -> float:
        """How long the timers have waited for the broker; 0 when they do not."""
        if self.waiting is None:
            return 0.0
        return max((datetime.now(UTC) - self.waiting.since).total_seconds(), 0.0)

    async def _backlog_applied(self, stop: asyncio.Event) -> None:
        """Wait until the inbound records published so far are applied. A timer fired
        before them is fired against a state they would change: an acknowledgement sent in
        time, read after the outage, would be escalated up to the Assistant Director, and a
        child found meanwhile called to a strategy meeting."""
        if self.inbound is None or self.catch_up_seconds == 0:  # 0: not even for the broker
            return
        if self.waiting is None:
            # Until the first reading says otherwise (it may take a client's timeout to fail
            # against a frozen broker): a start, or a round that failed, waits for what the
            # broker holds.
            self._wait(BACKLOG_UNAPPLIED)
        try:
            await self._until_backlog_applied(stop)
        finally:
            if self.waiting is not None and self.waiting_seconds() >= 1:
                log.info(
                    "timers no longer wait for the broker",
                    extra={
                        "waited_s": round(self.waiting_seconds()),
                        "reason": self.waiting.reason,
                    },
                )
            self.waiting = None

    async def _until_backlog_applied(self, stop: asyncio.Event) -> None:
        assert self.inbound is not None
        loop = asyncio.get_running_loop()
        # Counted from the first reading: the broker may still be out.
        deadline: float | None = None
        published: dict[TopicPartition, int] | None = None  # as the first reading found it
        failure = None
        while True:
            try:
                reading = await self.inbound()
                published = reading.published if published is None else published
                deadline = loop.time() + self.catch_up_seconds if deadline is None else deadline
                self.checked_at = loop.time()
                if reading.has_applied(published):
                    return
                self._wait(BACKLOG_UNAPPLIED)
            except (KafkaError, OSError, TimeoutError) as error:  # the coordinator loading
                failure = type(error).__name__
                outage = an_outage(error)
                self._wait(BROKER_UNANSWERING if outage else REFUSED)
                if deadline is None and not outage:  # refused: waited for, bounded
                    deadline = loop.time() + self.catch_up_seconds
            # While the inbound topics cannot be read (the broker out) nothing fires: the
            # timers stay pending, the picture they would be decided on is stale.
            if deadline is not None and loop.time() >= deadline:
                log.warning(
                    "timers fired before the inbound backlog was applied",
                    extra={"waited_s": self.catch_up_seconds, "last_error": failure},
                )
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=CATCH_UP_POLL_SECONDS)
            if stop.is_set():
                return

    def fire_due(self, now: datetime | None = None) -> int:
        """One round: the timers due by `now`, by default the clock's."""
        now = self.clock.now() if now is None else now
        fired = fire_due_timers(self.sessions, self.directory, now, self.batch_size, self.hold)
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
