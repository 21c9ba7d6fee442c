"""The outbox relay: publishes pending outbox rows to their topics with an idempotent
producer (acks=all) and marks them sent. A row that fails stays pending with its error and
attempt count and backs off on its own (exponential, with jitter, at most ROW_BACKOFF_CAP):
the rounds go on for every other row, so one recipient that refuses everything holds up no
one else. A later row for the same child on the same topic waits behind a row backing off,
so each recipient still reads one child's notifications in order. Nothing is deleted but a
notification for a topic the directory no longer names, held for ops in the routing log
instead (`Relay._refuse`). A round that cannot run at all (the database down)
backs off as a whole (tenacity).

On PostgreSQL several relays can run at once: each claims rows with FOR UPDATE SKIP LOCKED
and holds them until they are marked, and takes an advisory lock on each child's stream
(its rows on one topic) so that one child's rows go out through one relay at a time, in
order. On SQLite, run one hub per database file.

A crash between publishing and marking re-sends those rows: every notification carries a
deterministic id so receivers drop the duplicate.

Some errors leave an idempotent producer unable to go on (PRODUCER_BROKEN: after a broker
restart its sequence numbers no longer match the broker's, and every later send fails the
same way). Given a factory, the relay then stops that producer and starts a fresh one (a
new producer id, sequences from zero) before its next round; the failed rows stayed pending
and are sent by the new one. A failed row the broker had written all the same is sent
twice: at most the rows of that one round, and receivers drop them by notification id.

An idempotent aiokafka producer never gives up on a batch whose partition answers a
retriable error (fewer replicas in sync than min.insync.replicas: NotEnoughReplicas): it
retries it for ever. So a round waits at most ACKNOWLEDGE_WITHIN for its acknowledgements;
a batch not acknowledged by then fails its rows, which back off, and its partition takes
nothing more until the producer settles that batch (delivered after all, its rows are
marked sent when they come round again, not sent twice). Waiting for it, one recipient's topic
stopped every recipient's notifications (seen on three brokers, one of a topic's two
replicas down)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Callable, Collection, Coroutine, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, TypeVar

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, KafkaTimeoutError, UnknownTopicOrPartitionError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from hub import crashpoints, tracing
from hub.clock import Clock, SystemClock
from hub.errors import PRODUCER_BROKEN
from hub.kafka.connection import (
    PRODUCER_REQUEST_TIMEOUT,
    KafkaConnection,
    ProducerGuarantees,
    guarantees_of,
)
from hub.kafka.topics import TopicConfig, TopicsNotCreated, ensure_topics
from hub.metrics import HubMetrics
from hub.retrying import ROUNDS, Stopped, until_done
from hub.routing.directory import Directory
from hub.service.rerouting import hold_refused
from hub.settings import DEFAULT_BATCH_SIZE
from hub.store.database import READ_ONLY, among, not_among, on_postgresql
from hub.store.models import OutboxMessage, table_of

log = logging.getLogger(__name__)
T = TypeVar("T")
ProducerFactory = Callable[[], AIOKafkaProducer]  # returns an unstarted producer
# The outbox as a Core table: the relay's statements skip the ORM, whose loading of the
# claimed rows and bulk update took some 9% of a hub's CPU under load.
OUTBOX = table_of(OutboxMessage)

PARTITIONER = DefaultPartitioner()  # the producer's own: a child keeps its partition
ROW_BACKOFF_FIRST = timedelta(seconds=0.5)
ROW_BACKOFF_CAP = timedelta(seconds=30)
# How long a round waits for the broker to acknowledge its batches: a request's own timeout
# (the producer's request_timeout_ms, within which the broker answers) and a margin.
ACKNOWLEDGE_WITHIN = PRODUCER_REQUEST_TIMEOUT + timedelta(seconds=10)


def row_backoff(attempts: int) -> timedelta:
    """How long a row that has failed `attempts` times waits: doubling from half a second,
    at most ROW_BACKOFF_CAP, with jitter so that many failed rows do not return at once."""
    delay: timedelta = min(ROW_BACKOFF_CAP, ROW_BACKOFF_FIRST * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not a secret)


def _stream() -> ColumnElement[int]:
    """One child's rows on one topic, as a 64-bit advisory lock key (PostgreSQL).

    Several relays claim with SKIP LOCKED, which alone would let a second relay send a
    child's later row while the first is still sending its earlier one. So the claiming
    transaction also takes its streams' advisory locks, held until its rows are marked; a
    stream another relay holds fails the try and is skipped whole, and a child's rows on a
    topic go out through one relay at a time, in order."""
    row = OUTBOX.c
    return func.hashtextextended(func.concat(row.topic, ":", func.encode(row.key, "hex")), 0)


class Pending(NamedTuple):
    """An outbox row claimed for publishing."""

    id: int
    topic: str
    key: bytes
    headers: list[list[str]]
    value: bytes
    attempts: int
    created_at: datetime


def not_behind_another(session: Session, rows: list[Pending]) -> list[Pending]:
    """The claimed rows less those behind an earlier pending row of their stream that this
    round does not send, as a fresh statement sees the outbox now that the streams' locks
    are held (PostgreSQL).

    The claim's own snapshot is taken before its advisory locks: a relay that held a stream
    may have committed in between, a row of it now backing off and the rows it held back
    untouched. The claim sees that row's new version, and drops it, but judged the rows
    behind it on the old one, so without this check it would send a child's later
    notification before the earlier one that failed."""
    claimed = [row.id for row in rows]
    # From the first pending row: bounded below by a value the planner cannot see, the range
    # is a narrow one to it. Bounded only above, it was half the table when a relay had fallen
    # far behind (most rows pending, the sent ones first), and PostgreSQL read the whole
    # outbox for it each round: 250 ms a round, 300,000 rows pending (docs/benchmark.md).
    first_pending = (
        select(func.min(OUTBOX.c.id)).where(OUTBOX.c.status == "pending").scalar_subquery()
    )
    earlier = session.connection().execute(
        select(OUTBOX.c.topic, OUTBOX.c.key, func.min(OUTBOX.c.id))
        .where(
            OUTBOX.c.status == "pending",
            OUTBOX.c.id >= first_pending,
            OUTBOX.c.id < max(claimed),
            not_among(session, OUTBOX.c.id, claimed),
        )
        .group_by(OUTBOX.c.topic, OUTBOX.c.key)
    )
    first_unsent = {(topic, key): first for topic, key, first in earlier}
    return [row for row in rows if row.id < first_unsent.get((row.topic, row.key), row.id + 1)]


@dataclass
class RecordBatch:
    """Rows (their indices in the round) in one record batch for one topic partition."""

    partition: TopicPartition
    builder: BatchBuilder
    rows: list[int]


class HeldBack(Exception):
    """Not sent this round: an earlier row of its stream failed. Left as it was (no
    attempt counted, no backoff): it goes out after that row."""


HELD_BACK = HeldBack()


class NotAcknowledged(KafkaTimeoutError):  # type: ignore[misc]  # aiokafka is untyped
    """The broker did not acknowledge a batch in time, and the producer is still trying: its
    partition may have fewer replicas in sync than it needs (NotEnoughReplicas)."""


class UnsafeProducer(RuntimeError):
    """A started producer that does not do what the relay needs (acks=all, idempotent)."""


def require_safe(producer: AIOKafkaProducer) -> ProducerGuarantees:
    """Check a started producer's guarantees as the client reports them, not as they were
    asked for, and log them: the relay never sends with one that could lose or duplicate."""
    guarantees = guarantees_of(producer)
    if not guarantees.safe:
        raise UnsafeProducer(
            f"the relay's producer runs with acks={guarantees.acks}, idempotent="
            f"{guarantees.idempotent}, producer id {guarantees.producer_id}: it needs acks=all "
            "and idempotence"
        )
    log.info("outbox producer started", extra=asdict(guarantees))
    return guarantees


class DeliveryFailed(Exception):
    """Some rows could not be published this round; they stay pending."""

    def __init__(self, message: str, sent: int = 0) -> None:
        super().__init__(message)
        self.sent = sent


class Relay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        producer: AIOKafkaProducer,
        kafka: KafkaConnection,
        clock: Clock,
        batch_size: int = DEFAULT_BATCH_SIZE,  # `hub run`'s rounds: HUB_BATCH_SIZE's default
        partitions: int | TopicConfig = 3,
        topic_prefix: str = "",
        *,
        publishable: Callable[[str], bool],
        directory: Directory | None = None,
        new_producer: ProducerFactory | None = None,
        wall_clock: Clock | None = None,
        metrics: HubMetrics | None = None,
        acknowledge_within: timedelta = ACKNOWLEDGE_WITHIN,
    ) -> None:
        """`producer` is started; `new_producer` builds its replacement when it breaks
        (without one, a broken producer is kept: a one-shot caller builds its own).
        `wall_clock` times the rows' backoff: real time (the broker's), never a scenario
        clock, which may stand still while a failed row waits. `acknowledge_within`: how
        long a round waits for the broker's acknowledgements. `directory`: the one
        `publishable` reads; given, a notification refused for its topic is held for ops to
        route again (`_refuse`), else (a test's relay) marked refused."""
        # Which topics may be published to (hub.store.outbox.publishable_topic): a row
        # for any other is refused, so no topic is ever created from a sender's string.
        self.publishable, self.directory = publishable, directory
        self.prefix = topic_prefix
        self.sessions, self.producer, self.kafka = sessions, producer, kafka
        self.clock, self.batch_size, self.partitions = clock, batch_size, partitions
        self.known_topics: set[str] = set()
        self.wake = asyncio.Event()
        self.new_producer = new_producer
        self.wall_clock = wall_clock or SystemClock()
        self.broken: str | None = None  # why the producer must be replaced (an error type)
        self.metrics = metrics
        self.acknowledge_within = acknowledge_within.total_seconds()
        # Partitions whose batch the producer is still trying, given up on by a round: sent
        # nothing more until it is settled (each batch would wait as long again behind it).
        self.unacknowledged: dict[TopicPartition, asyncio.Future[Any]] = {}
        # Rows of a batch given up on that the producer delivered after all (its partition's
        # replicas back in sync): marked sent when they come round again, not sent twice.
        self.delivered_late: set[int] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until stopped; back off while the broker or database is failing."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            self.wake.clear()  # before the round: a wake-up during it is not lost
            try:
                sent = await until_done(
                    "outbox relay round", lambda: asyncio.to_thread(self._round, loop), stop, ROUNDS
                )
            except Stopped:
                return  # rows not yet marked stay pending: the next start sends them
            if sent < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=0.2)

    def _round(self, loop: asyncio.AbstractEventLoop) -> int:
        """One round of `run`: failed rows back off on their own, so the round does not."""
        try:
            return self.publish_batch(loop)
        except DeliveryFailed as failed:
            return failed.sent

    def publish_batch(
        self, loop: asyncio.AbstractEventLoop, only: Collection[int] | None = None
    ) -> int:
        """One round, in a worker thread: claim, publish, mark. Raises DeliveryFailed when any
        row failed (after marking the ones that were sent). `only`: these rows, if pending,
        backing off or not (an operator's retry).

        PostgreSQL: the claim is a row lock (FOR UPDATE SKIP LOCKED) held until the rows are
        marked, so several relays share the work. SQLite has one lock for the whole file;
        holding it while Kafka acknowledges would stall the consumer, so the claim is a plain
        read and the marking a short transaction of its own (one relay per SQLite file)."""

        def on_loop(coroutine: Coroutine[Any, Any, T]) -> T:
            return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

        if self.broken is not None and self.new_producer is not None:
            # Only the error's type: a message can carry a child's data.
            log.warning("outbox producer replaced", extra={"after": self.broken})
            on_loop(self._replace_producer(self.new_producer))
        failed = 0
        with self.sessions.begin() as session:
            sqlite = not on_postgresql(session)
            if sqlite:
                session.connection(execution_options=READ_ONLY)
            claimed = self._claim(session, only)
            refused = [row.id for row in claimed if not self.publishable(row.topic)]
            rows = [row for row in claimed if row.id not in set(refused)]
            if refused and not sqlite:
                self._refuse(session, refused)
            if rows and not sqlite:
                failed = self._publish_and_mark(rows, on_loop, session)
        if refused and sqlite:  # the claim was a plain read: mark in a write of its own
            with self.sessions.begin() as marking:
                self._refuse(marking, refused)
        if rows and sqlite:
            failed = self._publish_and_mark(rows, on_loop, None)
        if failed:
            log.warning(
                "outbox rows failed; they stay pending",
                extra={"failed": failed, "claimed": len(rows)},
            )
            raise DeliveryFailed(f"{failed} rows failed", sent=len(rows) - failed)
        return len(rows)

    def _publish_and_mark(
        self,
        rows: list[Pending],
        on_loop: Callable[[Coroutine[Any, Any, Any]], Any],
        session: Session | None,
    ) -> int:
        """Publish the claimed rows and mark them, in the claiming transaction if there is
        one; returns how many failed."""
        new_topics = {self.prefix + row.topic for row in rows} - self.known_topics
        unmade: dict[str, BaseException] = {}
        if new_topics:
            unmade = on_loop(self._make_topics(sorted(new_topics)))
            self.known_topics |= new_topics - unmade.keys()
        crashpoints.reach("relay.claimed")
        outcomes: list[BaseException | None] = on_loop(self._send_all(rows, unmade))
        crashpoints.reach("relay.acknowledged")  # sent (or failed), not yet marked
        fatal = next((e for e in outcomes if isinstance(e, PRODUCER_BROKEN)), None)
        if fatal is not None:
            self.broken = type(fatal).__name__
        if session is not None:
            return self._mark(session, rows, outcomes)
        with self.sessions.begin() as marking:
            return self._mark(marking, rows, outcomes)

    def _mark(
        self, session: Session, rows: list[Pending], outcomes: list[BaseException | None]
    ) -> int:
        now = self.clock.now()
        attempt = {"attempts": OUTBOX.c.attempts + 1, "last_attempt_at": now}
        acknowledged = [row for row, error in zip(rows, outcomes, strict=True) if error is None]
        sent = [row.id for row in acknowledged]
        if sent:
            session.connection().execute(
                OUTBOX.update()
                .where(among(session, OUTBOX.c.id, sent))
                .values(
                    status="sent", sent_at=now, last_error=None, next_attempt_at=None, **attempt
                )
            )
        failures = [
            (row, e)
            for row, e in zip(rows, outcomes, strict=True)
            if e is not None and not isinstance(e, HeldBack)
        ]
        if self.metrics is not None:
            self.metrics.rows_sent([(row.topic, row.created_at) for row in acknowledged], now)
            self.metrics.rows_failed(error for _, error in failures)
        for row, error in failures:
            session.connection().execute(
                OUTBOX.update()
                .where(OUTBOX.c.id == row.id)
                .values(
                    last_error=f"{type(error).__name__}: {error}"[:500],
                    next_attempt_at=self._not_before(row, error, self.wall_clock.now()),
                    **attempt,
                )
            )
        return len(failures)

    @staticmethod
    def _not_before(row: Pending, error: BaseException, now: datetime) -> datetime | None:
        """A row that failed for a reason of its own backs off; one that failed because the
        producer broke is the new producer's at once (the round replaces it first)."""
        if isinstance(error, PRODUCER_BROKEN):
            return None
        return now + row_backoff(row.attempts + 1)

    def _refuse(self, session: Session, refused: list[int]) -> None:
        """Rows for a topic the directory does not name are never sent. A notification in
        the routing log (its authority retired while it waited: docs/directory.md) is held
        there for ops to route again once the directory names the one it goes to
        (hub.service.rerouting.hold_refused); any other row is marked refused."""
        if self.directory is not None:
            held = hold_refused(session, self.directory, self.clock.now(), refused)
            if held:
                log.warning(
                    "outbox notifications held for ops: their authority left the directory",
                    extra={"rows": len(held)},
                )
            refused = [row for row in refused if row not in held]
        if not refused:
            return
        log.error(
            "outbox rows refused: a topic outside the directory", extra={"rows": len(refused)}
        )
        session.connection().execute(
            OUTBOX.update()
            .where(among(session, OUTBOX.c.id, refused))
            .values(status="refused", last_error="not a directory entry's topic: not sent")
        )

    def _claim(self, session: Session, only: Collection[int] | None = None) -> list[Pending]:
        """The oldest pending rows that are due, as plain tuples: only what publishing
        needs. Not a row backing off, nor one behind it for the same child on its topic."""
        claim = select(
            OUTBOX.c.id,
            OUTBOX.c.topic,
            OUTBOX.c.key,
            OUTBOX.c.headers,
            OUTBOX.c.value,
            OUTBOX.c.attempts,
            OUTBOX.c.created_at,
        ).where(OUTBOX.c.status == "pending")
        if only is not None:
            claim = claim.where(among(session, OUTBOX.c.id, only))
        else:
            now = self.wall_clock.now()
            # The streams with a row backing off, found once for the round (a handful of
            # rows, by the partial index) and materialised: probed once per claimed row,
            # PostgreSQL was free to scan every pending row for each, and did when its
            # statistics were stale, 500 times the backlog a round while a backlog drained.
            backing_off = (
                select(
                    OUTBOX.c.topic,
                    OUTBOX.c.key,
                    func.min(OUTBOX.c.id).label("first"),
                )
                .where(
                    OUTBOX.c.next_attempt_at.is_not(None),
                    OUTBOX.c.next_attempt_at > now,
                    OUTBOX.c.status == "pending",
                )
                .group_by(OUTBOX.c.topic, OUTBOX.c.key)
                .cte("backing_off")
                .prefix_with("MATERIALIZED", dialect="postgresql")
            )
            waiting_ahead = exists().where(
                backing_off.c.topic == OUTBOX.c.topic,
                backing_off.c.key == OUTBOX.c.key,
                backing_off.c.first < OUTBOX.c.id,
            )
            claim = claim.where(
                or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= now)
            ).where(~waiting_ahead)
        postgresql = on_postgresql(session)
        if postgresql:
            claim = claim.where(func.pg_try_advisory_xact_lock(_stream()))
        claim = claim.order_by(OUTBOX.c.id).limit(self.batch_size)
        claimed = session.connection().execute(claim.with_for_update(skip_locked=True))
        rows = [Pending(*row) for row in claimed]
        # An operator's retry too: a row chosen never goes before an earlier unsent one of
        # its child on its topic, whichever rows were chosen.
        if (postgresql or only is not None) and rows:
            return not_behind_another(session, rows)
        return rows

    async def close(self) -> None:
        """Stop the producer, its sender and its connections. Its stop first waits for every
        batch it holds, for ever for one its partition never acknowledges: cut short by a
        timeout, it left them running, the producer retrying that batch for ever (one more
        on every replacement). So with a batch a round gave up on, the sender is ended first
        and the batches it held failed, as aiokafka fails them when its sender dies; their
        rows are still pending, and sent again."""
        stuck = any(not future.done() for future in self.unacknowledged.values())
        self.unacknowledged.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop(self.producer, stuck), self.acknowledge_within)

    @staticmethod
    async def _stop(producer: AIOKafkaProducer, stuck: bool) -> None:
        if stuck:  # aiokafka has no other way to drop a batch
            with contextlib.suppress(Exception):  # ended, however it ends
                await producer._sender.close()  # its requests in flight answered first
            abandoned = NotAcknowledged("the producer stopped before it was acknowledged")
            producer._message_accumulator.fail_all(abandoned)
        await producer.stop()

    async def _replace_producer(self, new_producer: ProducerFactory) -> None:
        """Stop the broken producer and start a fresh one. If the start fails (the broker
        still down), `broken` stays set and the next round tries again."""
        with contextlib.suppress(Exception):  # it is discarded: its failure must not stop us
            await self.close()
        fresh = new_producer()
        try:
            await fresh.start()
            require_safe(fresh)
        except BaseException:
            await fresh.stop()  # a producer that failed to start still holds its connections
            raise
        self.producer, self.broken = fresh, None

    async def _make_topics(self, names: list[str]) -> dict[str, BaseException]:
        """Make the round's new topics; returns those not made, with why. A topic the
        cluster cannot make yet (too few brokers up for its replicas, say) fails its own
        rows, which back off, and holds up no other recipient's."""
        try:
            await ensure_topics(self.kafka, names, self.partitions)
        except TopicsNotCreated as refused:  # the controller answered, topic by topic
            return {name: refused for name in refused.refused}
        except KafkaError as failed:  # no answer: none of them is known to be made
            return dict.fromkeys(names, failed)
        return {}

    async def _send_all(
        self, rows: list[Pending], unmade: Mapping[str, BaseException] | None = None
    ) -> list[BaseException | None]:
        """Send the round's rows as one record batch per topic partition, all partitions at
        once, and wait for the acknowledgements. The broker writes a batch whole or not at
        all, so a failure never lets one of a child's notifications overtake an earlier one
        (the producer could fail one record and deliver the next on its partition: a batch
        expired while the broker was frozen).

        A partition's rows that do not fit one batch go in the next wave, once the first is
        acknowledged; a child whose row failed sends nothing more this round (HeldBack). A
        row that failed before goes in a batch of its own, so that one record the broker
        refuses (too large) fails alone and holds up only its own child."""
        outcomes: list[BaseException | None] = [HELD_BACK] * len(rows)
        queues: dict[TopicPartition, deque[int]] = {}
        failed_streams: set[tuple[str, bytes]] = set()
        unmade = unmade or {}
        topics = {self.prefix + row.topic for row in rows} - unmade.keys()
        partitions = {**unmade, **await self._partitions(topics)}
        for index, row in enumerate(rows):
            if row.id in self.delivered_late:  # acknowledged after its round gave up on it
                self.delivered_late.discard(row.id)
                outcomes[index] = None
                continue
            found = partitions[self.prefix + row.topic]
            if isinstance(found, BaseException):  # e.g. no metadata for the topic
                outcomes[index] = found
                failed_streams.add((row.topic, row.key))
                continue
            # The producer's own partitioner: a child keeps its partition.
            partition = TopicPartition(self.prefix + row.topic, PARTITIONER(row.key, found, found))
            queues.setdefault(partition, deque()).append(index)
        while queues:
            # A partition whose batch is still unacknowledged takes nothing: each batch would
            # wait the whole time behind it, and the round with it, every recipient's rows.
            for partition in [p for p in queues if self._unacknowledged(p)]:
                for index in queues.pop(partition):
                    stream = (rows[index].topic, rows[index].key)
                    if stream not in failed_streams:  # else held back behind its failed row
                        outcomes[index] = NotAcknowledged(
                            f"{partition.topic}:{partition.partition} has not acknowledged "
                            "an earlier batch: nothing more is sent to it until it does"
                        )
                        failed_streams.add(stream)
            wave = [self._next_batch(rows, partition, queue, failed_streams)
                    for partition, queue in queues.items()]  # fmt: skip
            wave = [batch for batch in wave if batch.rows]
            queues = {partition: queue for partition, queue in queues.items() if queue}
            for batch, outcome in zip(wave, await self._send_wave(rows, wave), strict=True):
                for index in batch.rows:
                    outcomes[index] = outcome
                    if outcome is not None:
                        failed_streams.add((rows[index].topic, rows[index].key))
        return outcomes

    def _settled(self, ids: list[int], future: asyncio.Future[Any]) -> None:
        """A batch given up on, settled later, unawaited: its outcome is read, not logged;
        acknowledged, its rows were delivered (`delivered_late`); failed for a reason that
        leaves the producer unable to go on, it is replaced before the next round sends
        anything (not after that round's rows failed the same way)."""
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            self.delivered_late.update(ids)
        elif isinstance(error, PRODUCER_BROKEN):
            self.broken = type(error).__name__

    def _unacknowledged(self, partition: TopicPartition) -> bool:
        """Whether the producer still holds a batch for this partition that a round gave up
        waiting for."""
        future = self.unacknowledged.get(partition)
        if future is None:
            return False
        if future.done():
            del self.unacknowledged[partition]
            return False
        return True

    async def _partitions(self, topics: set[str]) -> dict[str, list[int] | BaseException]:
        """Each topic's partitions, looked up at once: a topic missing from the cluster costs
        the round one metadata timeout, not one per row. A topic that is missing although
        made (its creation lost in a broker restart) is made again next round."""
        found = await asyncio.gather(
            *(self.producer.partitions_for(topic) for topic in topics), return_exceptions=True
        )
        answers: dict[str, list[int] | BaseException] = {}
        for topic, partitions in zip(topics, found, strict=True):
            if isinstance(partitions, BaseException):
                answers[topic] = partitions
                if isinstance(partitions, UnknownTopicOrPartitionError):
                    self.known_topics.discard(topic)
            else:
                answers[topic] = sorted(partitions)
        return answers

    def _next_batch(
        self,
        rows: list[Pending],
        partition: TopicPartition,
        queue: deque[int],
        failed_streams: set[tuple[str, bytes]],
    ) -> RecordBatch:
        """The next record batch from a partition's queue, in the outbox's order: as many
        rows as fit, a row that failed before alone. Rows of a child whose row failed this
        round are left out (they stay HeldBack)."""
        batch = RecordBatch(partition, self.producer.create_batch(), [])
        while queue:
            row = rows[queue[0]]
            if (row.topic, row.key) in failed_streams:
                queue.popleft()
                continue
            alone = row.attempts > 0
            if alone and batch.rows:
                break
            headers = [(name, value.encode()) for name, value in row.headers]
            added = batch.builder.append(
                key=row.key, value=row.value, timestamp=None, headers=headers
            )
            if added is None:
                break  # full (an empty batch takes any row)
            batch.rows.append(queue.popleft())
            if alone:
                break
        batch.builder.close()  # nothing else goes in: sent as it is, without lingering
        return batch

    async def _send_wave(
        self, rows: list[Pending], wave: list[RecordBatch]
    ) -> list[BaseException | None]:
        """Each batch to its partition, all acknowledged at once: one outcome per batch."""
        futures: list[asyncio.Future[Any]] = []
        spans = [
            [tracing.publish_span(batch.partition.topic, rows[i].id, rows[i].headers)
             for i in batch.rows]
            for batch in wave
        ]  # fmt: skip
        for batch in wave:
            try:
                futures.append(
                    await self.producer.send_batch(
                        batch.builder, batch.partition.topic, partition=batch.partition.partition
                    )
                )
            except Exception as error:  # e.g. the producer closed: this batch failed
                failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
                failed.set_exception(error)
                futures.append(failed)
        if futures:  # at most acknowledge_within: see the module's docstring
            await asyncio.wait(futures, timeout=self.acknowledge_within)
        outcomes: list[BaseException | None] = []
        for batch, future in zip(wave, futures, strict=True):
            if future.done():
                cancelled = future.cancelled()
                outcomes.append(asyncio.CancelledError() if cancelled else future.exception())
                continue
            self.unacknowledged[batch.partition] = future
            future.add_done_callback(partial(self._settled, [rows[i].id for i in batch.rows]))
            outcomes.append(
                NotAcknowledged(
                    f"not acknowledged within {self.acknowledge_within:.0f}s: the broker may "
                    "have too few replicas of its partition in sync (NotEnoughReplicas)"
                )
            )
        for batch_spans, outcome in zip(spans, outcomes, strict=True):
            for span in batch_spans:
                tracing.end(span, outcome)
        return outcomes
