"""Applying a batch of inbound Kafka records in one database transaction: each record is
recorded (its id de-duplicates), run through the engine, and its decisions, timers and
outbox rows written; or it is rejected, stored with its reason and source, and reported.

Synchronous on purpose: the consumer runs it in a worker thread and commits the Kafka
offsets only after it returns, so a crash at any point leaves the batch to be read again,
and the event ids make the second reading change nothing."""

from __future__ import annotations

import hashlib
import json
import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.envelope import ParsedEvent, from_kafka
from hub.contracts.problems import BadMessage, Problem
from hub.producers.messages import Source, rejection_report
from hub.routing.directory import Directory
from hub.routing.engine import decide
from hub.routing.facts import ChildState, ProtocolViolation
from hub.store.database import among
from hub.store.failures import failure_of, is_infrastructure
from hub.store.models import InboundEvent, RejectedMessage
from hub.store.outcomes import Writes, enqueue, load_children

log = logging.getLogger(__name__)

BUG_ATTEMPTS = 3  # an unexpected failure is retried this often, then dead-lettered


@dataclass(frozen=True)
class Record:
    """One Kafka record as it arrived: nothing decoded yet."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]

    @property
    def source(self) -> Source:
        return Source(self.topic, self.partition, self.offset, self.key)


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    dead_lettered: int = 0
    held: int = 0  # early: waiting for the event it depends on (a MISPER report)
    notifications: int = 0

    def add(self, other: BatchResult) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class OneByOne(Exception):
    """The batch needs the careful path: a record to hold back or held ones to release."""


@dataclass
class Batch:
    """One transaction's worth of records, what was looked up once for all of them rather
    than once per record, and what they change (`writes`), written together at the end."""

    session: Session
    directory: Directory
    now: datetime
    together: bool  # the whole batch in one write; else a savepoint and a write per record
    refused_sources: set[tuple[str, int, int]]  # already stored as refused or held
    children_with_held: set[bytes]  # keys of children with a held record
    digests: dict[str, str | None]  # event id -> body digest stored (None: not stored)
    children: dict[str, ChildState | None]  # as stored and locked (None: no record yet)
    writes: Writes

    @classmethod
    def open(
        cls,
        session: Session,
        records: list[Record],
        directory: Directory,
        now: datetime,
    ) -> Batch:
        partitions: dict[tuple[str, int], list[int]] = {}
        for record in records:
            partitions.setdefault((record.topic, record.partition), []).append(record.offset)
        in_batch = [
            (RejectedMessage.topic == topic)
            & (RejectedMessage.partition == partition)
            & RejectedMessage.offset.between(min(offsets), max(offsets))
            for (topic, partition), offsets in partitions.items()
        ]
        keys = {record.key for record in records if record.key is not None}
        batch = cls(session, directory, now, True, set(), set(), {}, {}, Writes(now))
        if not in_batch:
            return batch
        refused = session.execute(
            select(RejectedMessage.topic, RejectedMessage.partition, RejectedMessage.offset).where(
                or_(*in_batch)
            )
        )
        batch.refused_sources = {(t, p, o) for t, p, o in refused}
        held = session.scalars(
            select(RejectedMessage.key).where(
                RejectedMessage.status == "held", among(session, RejectedMessage.key, keys)
            )
        )
        batch.children_with_held = {key for key in held if key is not None}
        ids = {event_id for record in records if (event_id := _event_id(record)) is not None}
        batch.digests = dict.fromkeys(ids)
        if ids:
            stored = session.execute(
                select(InboundEvent.event_id, InboundEvent.body_sha256).where(
                    among(session, InboundEvent.event_id, ids)
                )
            )
            batch.digests.update({event_id: digest for event_id, digest in stored})
        child_ids = {key.decode("utf-8", errors="replace") for key in keys}
        batch.children = dict.fromkeys(child_ids)
        batch.children.update(load_children(session, child_ids))
        return batch

    def digest_of(self, event_id: str) -> str | None:
        """The body digest already stored (or applied in this batch) under this id."""
        if event_id in self.writes.digests:
            return self.writes.digests[event_id]
        if event_id not in self.digests:  # a held record's id, not among those looked up
            self.digests[event_id] = self.session.scalar(
                select(InboundEvent.body_sha256).where(InboundEvent.event_id == event_id)
            )
        return self.digests[event_id]

    def state_of(self, child_id: str) -> ChildState:
        if child_id in self.writes.children:
            return self.writes.children[child_id]
        if child_id not in self.children:
            self.children[child_id] = load_children(self.session, [child_id]).get(child_id)
        return self.children[child_id] or ChildState(child_id)

    def write(self, check_logged: bool = True) -> int:
        """Write what the records changed; returns how many notifications were queued."""
        return self.writes.write(self.session, check_logged)

    def remember(self) -> None:
        """What was written is now committed (its savepoint released): later records see it."""
        self.digests.update(self.writes.digests)
        self.children.update(self.writes.children)
        for row in self.writes.refused:
            self.refused_sources.add((row.topic, row.partition, row.offset))
            if row.status == "held" and row.key is not None:
                self.children_with_held.add(row.key)
        self.writes = Writes(self.now)

    def forget(self) -> None:
        """What was written was rolled back with its savepoint."""
        self.writes = Writes(self.now)


class _WriteFailed(Exception):
    """The batch's write failed, not for an outage: its transaction is rolled back whole."""


def apply_batch(
    sessions: sessionmaker[Session],
    records: Iterable[Record],
    directory: Directory,
    now: datetime,
) -> BatchResult:
    """The whole batch in one write when it can be; record by record, each in a savepoint,
    when a record must be held back or released, or when deciding or writing fails for a
    reason other than the database being unavailable (a bug in one message must not undo
    the others: it is found and dead-lettered alone).

    The fast path takes no savepoint: deciding writes nothing, so a record that needs the
    careful path is taken there in the same transaction; a failed write rolls the
    transaction back and the careful path starts afresh. A batch of one record costs a
    dozen round trips to the database, and two fewer is a sixth of that."""
    batch_records = list(records)
    try:
        with sessions.begin() as session:
            batch = Batch.open(session, batch_records, directory, now)
            result = BatchResult()
            try:
                for record in batch_records:
                    result.add(_apply_record(batch, record))
            except Exception as error:
                if is_infrastructure(error):
                    raise
                if not isinstance(error, OneByOne):
                    log.warning(
                        "batch not decided (%s); applying record by record", failure_of(error)
                    )
                return _one_by_one(batch, batch_records)
            try:
                # A notification decided twice (never expected) breaks the routing log's
                # unique key here and is caught by the careful path, which looks first.
                result.notifications = batch.write(check_logged=False)
            except Exception as error:
                if is_infrastructure(error):
                    raise
                raise _WriteFailed from error
            return result
    except _WriteFailed as failed:
        log.warning(
            "batch write failed (%s); applying record by record", failure_of(failed.__cause__)
        )
    with sessions.begin() as session:
        return _one_by_one(Batch.open(session, batch_records, directory, now), batch_records)


def _one_by_one(batch: Batch, records: list[Record]) -> BatchResult:
    batch.forget()
    batch.together = False
    result = BatchResult()
    for record in records:
        result.add(_apply_isolated(batch, record))
    return result


def _apply_isolated(batch: Batch, record: Record) -> BatchResult:
    """One record in a savepoint, so a bug in one message cannot undo the others. What the
    batch remembers is updated only once the savepoint has been released."""
    session = batch.session
    error: Exception | None = None
    for _ in range(BUG_ATTEMPTS):
        try:
            with session.begin_nested():
                result = _apply_record(batch, record)
                result.notifications = batch.write()
        except Exception as caught:
            batch.forget()
            if is_infrastructure(caught):
                raise
            error = caught
            continue
        batch.remember()
        return result
    assert error is not None
    where = traceback.extract_tb(error.__traceback__)[-1]
    # The type and the line, never the message: it could quote a child's details.
    reason = (
        f"failed {BUG_ATTEMPTS} times ({type(error).__name__} at {where.filename}:{where.lineno})"
    )
    log.error("dead-lettered %s: %s", record.source.label, reason)
    with session.begin_nested():
        _reject(batch, record, "dead_letter", [Problem("(message)", reason)], None)
        batch.write()
    batch.remember()
    return BatchResult(dead_lettered=1)


def _apply_record(batch: Batch, record: Record, held: RejectedMessage | None = None) -> BatchResult:
    """Apply one record; `held` is its row when it is a held record being tried again."""
    now = batch.now
    source = record.source
    if held is None and (source.topic, source.partition, source.offset) in batch.refused_sources:
        return BatchResult(duplicates=1)  # a redelivery of a message already refused or held
    try:
        event = from_kafka(list(record.headers), record.key, record.value)
    except BadMessage as bad:
        _reject(batch, record, "bad_message", bad.problems, _event_id(record), held)
        return BatchResult(rejected=1)
    contract = event.contract
    if not source.topic.endswith(contract.topic):  # the topic says what a sender may send
        problem = Problem("ce_type", f"a {contract.name} is published on {contract.topic} only")
        _reject(batch, record, "bad_message", [problem], event.event_id, held)
        return BatchResult(rejected=1)
    body = event.body.model_dump(mode="json")
    digest = _digest(event, body)
    earlier = batch.digest_of(event.event_id)
    if earlier is not None:
        if earlier == digest:
            if held is not None:
                held.status = "resolved"
            return BatchResult(duplicates=1)
        problem = Problem("ce_id", "was already used for a different message; the first stands")
        _reject(batch, record, "conflicting_resend", [problem], event.event_id, held)
        return BatchResult(rejected=1)
    if batch.together and record.key in batch.children_with_held:
        raise OneByOne  # applying this may release held records: the careful path
    try:
        outcome = decide(
            batch.state_of(event.key), event.body, batch.directory, now, event.event_id
        )
    except ProtocolViolation as violation:
        problem = Problem(violation.field, violation.reason)
        if violation.awaiting:
            if batch.together:
                raise OneByOne from None  # to be held: the careful path
            if held is None:
                batch.writes.refused.append(
                    _stored(record, "awaiting_predecessor", [problem], event.event_id, now, "held")
                )
            return BatchResult(held=1)
        _reject(batch, record, "protocol_violation", [problem], event.event_id, held)
        return BatchResult(rejected=1)
    batch.writes.event(
        {
            "event_id": event.event_id,
            "ce_type": event.contract.ce_type,
            "child_id": event.key,
            "episode_id": body.get("episode_id"),
            "body_sha256": digest,
            "body": body,
            "topic": source.topic,
            "partition": source.partition,
            "offset": source.offset,
            "received_at": now,
        }
    )
    batch.writes.outcome(outcome)
    if held is not None:
        held.status = "resolved"
        return BatchResult(applied=1)
    applied = BatchResult(applied=1)
    if record.key in batch.children_with_held:  # held records see this one in batch.writes
        applied.add(_release_held(batch, record.key))
    return applied


def _release_held(batch: Batch, child_key: bytes) -> BatchResult:
    """Something new was applied for this child: try its held records again, oldest first,
    until none moves (a found report may release a return interview in turn)."""
    result = BatchResult()
    while True:
        waiting = batch.session.scalars(
            select(RejectedMessage)
            .where(RejectedMessage.status == "held", RejectedMessage.key == child_key)
            .order_by(RejectedMessage.id)
        ).all()
        progressed = False
        for row in waiting:
            outcome = _apply_record(batch, _record_of(row), held=row)
            if row.status != "held":
                progressed = True
                outcome.held = 0
                result.add(outcome)
        if not progressed:
            return result


def expire_held(session: Session, now: datetime, hold: timedelta) -> int:
    """A held record whose missing predecessor never came is rejected and reported."""
    expired = session.scalars(
        select(RejectedMessage).where(
            RejectedMessage.status == "held", RejectedMessage.received_at <= now - hold
        )
    ).all()
    for row in expired:
        row.kind, row.status = "protocol_violation", "open"
        problems = [Problem(p["field"], p["reason"]) for p in row.problems]
        enqueue(
            session,
            rejection_report(_record_of(row).source, row.kind, problems, row.event_id, now),
            now,
        )
    return len(expired)


def _record_of(row: RejectedMessage) -> Record:
    headers = [(name, bytes.fromhex(value)) for name, value in row.headers]
    return Record(row.topic, row.partition, row.offset, row.key, row.value, headers)


def _stored(
    record: Record,
    kind: str,
    problems: Sequence[Problem],
    event_id: str | None,
    now: datetime,
    status: str,
) -> RejectedMessage:
    """The record exactly as it arrived, with why it was not applied."""
    return RejectedMessage(
        kind=kind,
        problems=[{"field": p.field, "reason": p.reason} for p in problems],
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=[[name, value.hex()] for name, value in record.headers],
        event_id=event_id,
        received_at=now,
        status=status,
    )


def _digest(event: ParsedEvent, body: dict[str, object]) -> str:
    canonical = json.dumps([event.contract.ce_type, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _event_id(record: Record) -> str | None:
    raw = dict(record.headers).get("ce_id")
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text[:128] if text.isprintable() else None


def _reject(
    batch: Batch,
    record: Record,
    kind: str,
    problems: Sequence[Problem],
    event_id: str | None,
    held: RejectedMessage | None = None,
) -> None:
    # The sender is told once per message: a replay refused again updates the row the
    # console shows, and the report already sent for this source stands.
    reported = held is not None and held.status == "open"
    if held is not None:  # a held record that turned out bad: its row becomes the rejection
        held.kind, held.status = kind, "open"
        held.problems = [{"field": p.field, "reason": p.reason} for p in problems]
    else:
        batch.writes.refused.append(_stored(record, kind, problems, event_id, batch.now, "open"))
    if not reported:
        batch.writes.reports.append(
            rejection_report(record.source, kind, list(problems), event_id, batch.now)
        )
    log.warning(
        "rejected %s (%s): %s",
        record.source.label,
        kind,
        "; ".join(f"{p.field}: {p.reason}" for p in problems),
    )


@dataclass(frozen=True)
class Replayed:
    """What replaying one refused or held message came to."""

    refusal_id: int
    outcome: str  # applied, duplicate, held, refused_again, not_open, not_found
    problems: tuple[Problem, ...] = ()
    notifications: int = 0


def replay(
    sessions: sessionmaker[Session],
    refusal_id: int,
    directory: Directory,
    now: datetime,
    audit: Callable[[Session, Replayed], None] | None = None,
) -> Replayed:
    """Apply a stored message again, once its cause is fixed, exactly as if it had just
    arrived: the same de-duplication (an event already applied changes nothing), the same
    contract and protocol checks, and held records of the child released after it. If it
    fails again its row says why (the sender was told when it first arrived).
    `audit` records the replay in the same transaction."""
    with sessions.begin() as session:
        replayed = _replay(session, refusal_id, directory, now)
        if audit is not None:
            audit(session, replayed)
        return replayed


def _replay(session: Session, refusal_id: int, directory: Directory, now: datetime) -> Replayed:
    row = session.get(RejectedMessage, refusal_id, with_for_update=True)
    if row is None:
        return Replayed(refusal_id, "not_found")
    if row.status == "resolved":
        return Replayed(refusal_id, "not_open")
    record = _record_of(row)
    batch = Batch.open(session, [record], directory, now)
    batch.together = False
    try:
        with session.begin_nested():
            result = _apply_record(batch, record, held=row)
            if result.applied and record.key in batch.children_with_held:
                result.add(_release_held(batch, record.key))
            result.notifications = batch.write()
    except Exception as error:
        if is_infrastructure(error):
            raise
        batch.forget()
        where = traceback.extract_tb(error.__traceback__)[-1]
        reason = f"failed again ({type(error).__name__} at {where.filename}:{where.lineno})"
        row.kind, row.status = "dead_letter", "open"
        row.problems = [{"field": "(message)", "reason": reason}]
        log.error("replay of refusal %d failed: %s", refusal_id, reason)
        return Replayed(refusal_id, "refused_again", (Problem("(message)", reason),))
    if result.applied:
        return Replayed(refusal_id, "applied", notifications=result.notifications)
    if result.duplicates:
        return Replayed(refusal_id, "duplicate")
    if result.held:
        return Replayed(refusal_id, "held")
    problems = tuple(Problem(p["field"], p["reason"]) for p in row.problems)
    return Replayed(refusal_id, "refused_again", problems)
