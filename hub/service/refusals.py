"""What was not applied: a refused record is stored exactly as it arrived, with why, and
its sender is told once; a held record (waiting for the event it depends on) is stored
the same way and rejected if that event never comes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.access.senders import arrival, party_to_every_episode
from hub.contracts.problems import Problem
from hub.routing.directory import Directory
from hub.routing.rules.episode_access import NO_MISPER_REPORT
from hub.service.batch import Batch, Record
from hub.store.models import RejectedMessage
from hub.store.outbox import Outgoing, held_report, rejection_report
from hub.store.outcomes import enqueue_new

log = logging.getLogger(__name__)
HOLD = timedelta(hours=24)  # how long a record waits for the event it depends on
_AWAITING_MISPER_REPORT = Problem("data.episode_id", NO_MISPER_REPORT)


def expire_held(session: Session, now: datetime, hold: timedelta, directory: Directory) -> int:
    """A held record whose missing predecessor never came is rejected and reported. One a
    batch holds (hub.service.batch: its predecessor may have come) is left to it: a later
    round expires it if the batch did not release it."""
    expired = session.scalars(
        select(RejectedMessage)
        .where(RejectedMessage.status == "held", RejectedMessage.received_at <= now - hold)
        .with_for_update(skip_locked=True)
    ).all()
    reports = []
    for row in expired:
        row.kind, row.status = "protocol_violation", "open"
        problems = [Problem(p["field"], p["reason"]) for p in row.problems]
        record = record_of(row)
        reports.append(
            rejection_report(
                record.source, row.kind, problems, row.event_id, now, directory, record.digest()
            )
        )
    # One held again by a replay, expiring a second time, was reported the first.
    enqueue_new(session, reports, now)
    return len(expired)


def held_notice(
    record: Record, problem: Problem, event_id: str | None, batch: Batch
) -> Outgoing | None:
    """What a sender party to every episode (the home force, the home authority and its
    areas) is told at once of its record held for want of its episode's MISPER report, or
    None. Its id mistyped, the child's real episode would run on a day unchecked (meetings,
    chases and escalations for a child found; a day of the return interview's 72 hours,
    5.12) before the refusal told it. Any other sender is told nothing until the hold
    expires: a stranger must not learn which episodes the hub has (`stranger_problem`)."""
    sender = arrival(record.topic).sender
    if problem != _AWAITING_MISPER_REPORT or sender is None:
        return None
    if not party_to_every_episode(sender, batch.directory):
        return None
    hours = int(HOLD.total_seconds() // 3600)
    told = Problem(
        problem.field,
        f"{problem.reason}: held, not applied; it is applied when that MISPER report arrives, "
        f"or refused after {hours} hours. Check the episode id now",
    )
    return held_report(record.source, told, event_id, batch.now, batch.directory, record.digest())


def record_of(row: RejectedMessage) -> Record:
    headers = [
        (name, None if value is None else bytes.fromhex(value)) for name, value in row.headers
    ]
    return Record(row.topic, row.partition, row.offset, row.key, row.value, headers)


def stored(
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
        headers=[[name, None if value is None else value.hex()] for name, value in record.headers],
        record_sha256=record.digest(),
        event_id=event_id,
        received_at=now,
        status=status,
    )


def reject(
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
        batch.writes.refused.append(stored(record, kind, problems, event_id, batch.now, "open"))
    if not reported:
        batch.writes.reports.append(
            rejection_report(
                record.source,
                kind,
                list(problems),
                event_id,
                batch.now,
                batch.directory,
                record.digest(),
            )
        )
    log.warning(
        "message refused",
        extra={
            "source": record.source.label,
            "refusal": kind,
            "event_id": event_id,
            "problems": [{"field": p.field, "reason": p.reason} for p in problems],
        },
    )
