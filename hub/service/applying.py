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
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from hub import crashpoints
from hub.access.senders import (
    arrival,
    as_sent_by,
    origin_problems,
    placing_problems,
    standing_problems,
    stranger_problem,
)
from hub.contracts.envelope import ParsedEvent, from_kafka
from hub.contracts.problems import BadMessage, Problem
from hub.errors import Failure, classify, failure_of, type_and_line
from hub.routing.directory import Directory
from hub.routing.engine import decide
from hub.routing.facts import ProtocolViolation
from hub.service.batch import Batch, BatchResult, Record, event_id_of
from hub.service.refusals import held_notice, record_of, reject, stored
from hub.store.models import RejectedMessage
from hub.tracing import within

log = logging.getLogger(__name__)

BUG_ATTEMPTS = 3  # an unexpected failure is retried this often, then dead-lettered


class _NotTogether(Exception):
    """Deciding or writing the batch failed, not for an outage: its transaction is rolled
    back whole and the batch applied again record by record."""


def apply_batch(
    sessions: sessionmaker[Session],
    records: Iterable[Record],
    directory: Directory,
    now: datetime,
) -> BatchResult:
    """The whole batch in one write: records held back to wait for the event they depend on
    and held ones released by it included (after an outage a child's events are read across
    topics out of the order they were sent in, and nearly every batch of a backlog has such
    a child). Record by record, each in a savepoint, only when deciding or writing fails for
    a reason other than the database being unavailable: a bug in one message must not undo
    the others, so it is found and dead-lettered alone.

    Deciding writes nothing, so the together path needs no savepoint: a failure rolls the
    transaction back and the careful path starts afresh. A batch of one record costs a
    dozen round trips to the database, and two fewer is a sixth of that."""
    batch_records = list(records)
    try:
        with sessions.begin() as session:
            batch = Batch.open(session, batch_records, directory, now)
            result = BatchResult()
            try:
                for position, record in enumerate(batch_records, start=1):
                    crashpoints.reach("consumer.mid-batch", position)
                    result.add(apply_record(batch, record))
                # A notification decided twice (never expected) breaks the routing log's
                # unique key here and is caught by the careful path, which looks first.
                result.notifications = batch.write(check_logged=False)
            except Exception as error:
                if classify(error) is Failure.TRANSIENT:
                    raise
                raise _NotTogether from error
            crashpoints.reach("consumer.validated")  # written, not yet committed
            return result
    except _NotTogether as failed:
        log.warning(
            "batch not applied together; applying record by record",
            extra={"failure": failure_of(failed.__cause__), "records": len(batch_records)},
        )
    with sessions.begin() as session:
        return _one_by_one(Batch.open(session, batch_records, directory, now), batch_records)


def _one_by_one(batch: Batch, records: list[Record]) -> BatchResult:
    result = BatchResult()
    for record in records:
        result.add(_apply_isolated(batch, record))
    crashpoints.reach("consumer.validated")
    return result


def _apply_isolated(batch: Batch, record: Record) -> BatchResult:
    """One record in a savepoint, so a bug in one message cannot undo the others. What the
    batch remembers is updated only once the savepoint has been released."""
    session = batch.session
    error: Exception | None = None
    for _ in range(BUG_ATTEMPTS):
        try:
            with session.begin_nested():
                result = apply_record(batch, record)
                result.notifications = batch.write()
        except Exception as caught:
            batch.forget()
            if classify(caught) is Failure.TRANSIENT:
                raise
            error = caught
            continue
        batch.remember()
        return result
    assert error is not None
    reason = f"failed {BUG_ATTEMPTS} times ({type_and_line(error)})"
    log.error("message dead-lettered", extra={"source": record.source.label, "reason": reason})
    with session.begin_nested():
        reject(batch, record, "dead_letter", [Problem("(message)", reason)], None)
        batch.write()
    batch.remember()
    return BatchResult(dead_lettered=1)


def apply_record(batch: Batch, record: Record, held: RejectedMessage | None = None) -> BatchResult:
    """Apply one record; `held` is its row when it is a held record being tried again."""
    now = batch.now
    source = record.source
    if held is None and batch.already_refused(record):
        return BatchResult(duplicates=1)  # a redelivery of a message already refused or held
    try:
        event = from_kafka(list(record.headers), record.key, record.value)
    except BadMessage as bad:
        reject(batch, record, "bad_message", bad.problems, event_id_of(record), held)
        return BatchResult(rejected=1)
    contract = event.contract
    arrived = arrival(source.topic)
    if arrived.contract_topic != contract.topic:  # the topic says what a sender may send
        where = f"{contract.topic} or {contract.topic}.<agency>"
        problem = Problem("ce_type", f"a {contract.name} is published on {where} only")
        reject(batch, record, "bad_message", [problem], event.event_id, held)
        return BatchResult(rejected=1)
    if arrived.sender is not None:  # who sent it is known from the topic alone
        state_of = partial(batch.state_of, event.key)
        problems = origin_problems(
            contract, event.source, event.body, arrived.sender, batch.directory
        )
        if not problems:
            # Before anything is read of the episode: a sender that is no party to it is
            # told nothing of it, held as if the hub had never heard of it.
            stranger = stranger_problem(event.body, arrived.sender, state_of, batch.directory)
            if stranger is not None:
                return _hold(batch, record, stranger, f"{arrived.sender}:{event.event_id}", held)
            problems = placing_problems(
                event.body, arrived.sender, state_of, batch.directory
            ) or standing_problems(event.body, arrived.sender, state_of, batch.directory)
        if problems:
            reject(batch, record, "wrong_sender", problems, event.event_id, held)
            return BatchResult(rejected=1)
        # CloudEvents makes an id unique within its source only: two forces numbering their
        # events alike must not see one's MISPER report refused as a resend of the other's.
        event = replace(event, event_id=f"{arrived.sender}:{event.event_id}")
    body = event.data_as_sent()  # stored as it was sent
    digest = _digest(event, body)
    decided = event.body
    if arrived.sender is not None:
        decided = as_sent_by(decided, arrived.sender, batch.directory)
    earlier = batch.digest_of(event.event_id)
    if earlier is not None:
        if earlier == digest:
            if held is not None:
                held.status = "resolved"
            return BatchResult(duplicates=1)
        problem = Problem("ce_id", "was already used for a different message; the first stands")
        reject(batch, record, "conflicting_resend", [problem], event.event_id, held)
        return BatchResult(rejected=1)
    try:
        with within("decide", event_type=contract.ce_type, event_id=event.event_id):
            outcome = decide(
                batch.state_of(event.key), decided, batch.directory, now, event.event_id
            )
    except ProtocolViolation as violation:
        problem = Problem(violation.field, violation.reason)
        if violation.awaiting:
            return _hold(batch, record, problem, event.event_id, held)
        reject(batch, record, "protocol_violation", [problem], event.event_id, held)
        return BatchResult(rejected=1)
    batch.writes.event(
        {
            "event_id": event.event_id,
            "ce_type": event.contract.ce_type,
            "child_id": event.key,
            "episode_id": body.get("episode_id") or outcome.about,
            "case_reference": body.get("case_reference"),
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
    if record.key is not None and batch.held_of(record.key):  # they see this one in writes
        applied.add(release_held(batch, record.key))
    return applied


def _hold(
    batch: Batch,
    record: Record,
    problem: Problem,
    event_id: str | None,
    held: RejectedMessage | None,
) -> BatchResult:
    """Held until the event it waits for is applied, or refused when the hold expires."""
    if held is None:
        row = stored(record, "awaiting_predecessor", [problem], event_id, batch.now, "held")
        batch.writes.hold(row, record.key or b"")
        # Told once: a record read again is a duplicate, and one tried again is not new.
        notice = held_notice(record, problem, event_id, batch)
        if notice is not None:
            batch.writes.notices.append((row, notice))
    elif held.status != "held":
        # A refusal replayed that still waits (a found report whose MISPER report came
        # after its hold expired, say, replayed before it came): held again, from now, so
        # the event it waits for releases it. Left an open refusal, the replay said "held"
        # and nothing would ever apply it.
        held.kind, held.status, held.received_at = "awaiting_predecessor", "held", batch.now
        held.problems = [{"field": problem.field, "reason": problem.reason}]
    return BatchResult(held=1)


def release_held(batch: Batch, child_key: bytes) -> BatchResult:
    """Something new was applied for this child: try its held records again, oldest first,
    until none moves (a found report may release a return interview in turn). A held record
    that fails for a reason of its own is dead-lettered alone: failing the record that
    released it, it took the child's MISPER report with it."""
    result = BatchResult()
    while True:
        progressed = False
        for row in batch.held_of(child_key):
            outcome = _release(batch, row)
            if row.status != "held":
                progressed = True
                outcome.held = 0
                result.add(outcome)
        if not progressed:
            return result


def _release(batch: Batch, row: RejectedMessage) -> BatchResult:
    """Apply a held record again. Up to its decision nothing is written, and an error
    after it (in the batch's in-memory writes) is not expected; so a failure here leaves
    only the held row to mark."""
    record = record_of(row)
    try:
        return apply_record(batch, record, held=row)
    except Exception as error:
        if classify(error) is Failure.TRANSIENT:
            raise
        reason = f"failed when released ({type_and_line(error)})"
        log.error("held message dead-lettered", extra={"source": record.source.label})
        reject(batch, record, "dead_letter", [Problem("(message)", reason)], row.event_id, row)
        return BatchResult(dead_lettered=1)


def _digest(event: ParsedEvent, body: dict[str, object]) -> str:
    canonical = json.dumps([event.contract.ce_type, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
