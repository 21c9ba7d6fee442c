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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.envelope import ParsedEvent, from_kafka
from hub.contracts.problems import BadMessage, Problem
from hub.producers.messages import Source, rejection_report
from hub.routing.directory import Directory
from hub.routing.engine import decide
from hub.routing.facts import ProtocolViolation
from hub.store.models import InboundEvent, RejectedMessage
from hub.store.outcomes import enqueue, load_child, save_outcome

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


def is_infrastructure(error: BaseException) -> bool:
    """The database is unreachable or failing: wait and retry the whole batch, never
    dead-letter a message for it."""
    return isinstance(error, OperationalError | DBAPIError) and (
        isinstance(error, OperationalError) or error.connection_invalidated
    )


def apply_batch(
    sessions: sessionmaker[Session],
    records: Iterable[Record],
    directory: Directory,
    now: datetime,
) -> BatchResult:
    result = BatchResult()
    with sessions.begin() as session:
        for record in records:
            result.add(_apply_isolated(session, record, directory, now))
    return result


def _apply_isolated(
    session: Session, record: Record, directory: Directory, now: datetime
) -> BatchResult:
    """One record in a savepoint, so a bug in one message cannot undo the others."""
    error: Exception | None = None
    for _ in range(BUG_ATTEMPTS):
        try:
            with session.begin_nested():
                return _apply_record(session, record, directory, now)
        except Exception as caught:
            if is_infrastructure(caught):
                raise
            error = caught
    assert error is not None
    where = traceback.extract_tb(error.__traceback__)[-1]
    # The type and the line, never the message: it could quote a child's details.
    reason = (
        f"failed {BUG_ATTEMPTS} times ({type(error).__name__} at {where.filename}:{where.lineno})"
    )
    log.error("dead-lettered %s: %s", record.source.label, reason)
    with session.begin_nested():
        _reject(session, record, "dead_letter", [Problem("(message)", reason)], None, now)
    return BatchResult(dead_lettered=1)


def _apply_record(
    session: Session,
    record: Record,
    directory: Directory,
    now: datetime,
    held: RejectedMessage | None = None,
) -> BatchResult:
    """Apply one record; `held` is its row when it is a held record being tried again."""
    source = record.source
    if held is None:
        seen = select(RejectedMessage.id).where(
            RejectedMessage.topic == source.topic,
            RejectedMessage.partition == source.partition,
            RejectedMessage.offset == source.offset,
        )
        if session.execute(seen).first() is not None:
            return BatchResult(duplicates=1)  # a redelivery of a message already held back
    try:
        event = from_kafka(list(record.headers), record.key, record.value)
    except BadMessage as bad:
        _reject(session, record, "bad_message", bad.problems, _event_id(record), now, held)
        return BatchResult(rejected=1)
    body = event.body.model_dump(mode="json")
    digest = _digest(event, body)
    earlier = session.get(InboundEvent, event.event_id)
    if earlier is not None:
        if earlier.body_sha256 == digest:
            if held is not None:
                held.status = "resolved"
            return BatchResult(duplicates=1)
        problem = Problem("ce_id", "was already used for a different message; the first stands")
        _reject(session, record, "conflicting_resend", [problem], event.event_id, now, held)
        return BatchResult(rejected=1)
    state = load_child(session, event.key)
    try:
        outcome = decide(state, event.body, directory, now, event.event_id)
    except ProtocolViolation as violation:
        problem = Problem(violation.field, violation.reason)
        if violation.awaiting:
            if held is None:
                _hold(session, record, problem, event.event_id, now)
            return BatchResult(held=1)
        _reject(session, record, "protocol_violation", [problem], event.event_id, now, held)
        return BatchResult(rejected=1)
    session.add(
        InboundEvent(
            event_id=event.event_id,
            ce_type=event.contract.ce_type,
            child_id=event.key,
            episode_id=body.get("episode_id"),
            body_sha256=digest,
            body=body,
            topic=source.topic,
            partition=source.partition,
            offset=source.offset,
            received_at=now,
        )
    )
    queued = save_outcome(session, outcome, now)
    if held is not None:
        held.status = "resolved"
        return BatchResult(applied=1, notifications=queued)
    released = _release_held(session, event.key, directory, now)
    released.add(BatchResult(applied=1, notifications=queued))
    return released


def _release_held(
    session: Session, child_id: str, directory: Directory, now: datetime
) -> BatchResult:
    """Something new was applied for this child: try its held records again, oldest first,
    until none moves (a found report may release a return interview in turn)."""
    result = BatchResult()
    while True:
        waiting = session.scalars(
            select(RejectedMessage)
            .where(RejectedMessage.status == "held", RejectedMessage.key == child_id.encode())
            .order_by(RejectedMessage.id)
        ).all()
        progressed = False
        for row in waiting:
            outcome = _apply_record(session, _record_of(row), directory, now, held=row)
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


def _hold(session: Session, record: Record, problem: Problem, event_id: str, now: datetime) -> None:
    session.add(_stored(record, "awaiting_predecessor", [problem], event_id, now, "held"))


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
    session: Session,
    record: Record,
    kind: str,
    problems: Sequence[Problem],
    event_id: str | None,
    now: datetime,
    held: RejectedMessage | None = None,
) -> None:
    if held is not None:  # a held record that turned out bad: its row becomes the rejection
        held.kind, held.status = kind, "open"
        held.problems = [{"field": p.field, "reason": p.reason} for p in problems]
    else:
        session.add(_stored(record, kind, problems, event_id, now, "open"))
    enqueue(session, rejection_report(record.source, kind, list(problems), event_id, now), now)
    log.warning(
        "rejected %s (%s): %s",
        record.source.label,
        kind,
        "; ".join(f"{p.field}: {p.reason}" for p in problems),
    )
