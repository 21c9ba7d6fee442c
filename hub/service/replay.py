"""Replaying a refused or held message once its cause is fixed (the console and the CLI)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.problems import Problem
from hub.errors import Failure, classify
from hub.routing.directory import Directory
from hub.service.applying import apply_record, release_held
from hub.service.batch import Batch, Record
from hub.service.refusals import record_of
from hub.store.models import RejectedMessage
from hub.store.outbox import rejection_report
from hub.store.outcomes import enqueue_new

log = logging.getLogger(__name__)


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
    fails again its row says why; its sender is told then if it was held and never told
    (a refusal's sender was told when it first arrived).
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
    if row.status in ("resolved", "expired"):  # expired: retention emptied its body
        return Replayed(refusal_id, "not_open")
    record = record_of(row)
    was_held = row.status == "held"
    batch = Batch.open(session, [record], directory, now)
    try:
        with session.begin_nested():
            result = apply_record(batch, record, held=row)
            if result.applied and record.key is not None and batch.held_of(record.key):
                result.add(release_held(batch, record.key))
            result.notifications = batch.write()
    except Exception as error:
        if classify(error) is Failure.TRANSIENT:
            raise
        batch.forget()
        where = traceback.extract_tb(error.__traceback__)[-1]
        reason = f"failed again ({type(error).__name__} at {where.filename}:{where.lineno})"
        row.kind, row.status = "dead_letter", "open"
        row.problems = [{"field": "(message)", "reason": reason}]
        if was_held:
            _report(session, row, record, reason, directory, now)
        log.error("replay failed", extra={"refusal_id": refusal_id, "reason": reason})
        return Replayed(refusal_id, "refused_again", (Problem("(message)", reason),))
    if result.applied:
        return Replayed(refusal_id, "applied", notifications=result.notifications)
    if result.duplicates:
        return Replayed(refusal_id, "duplicate")
    if result.held:
        return Replayed(refusal_id, "held")
    problems = tuple(Problem(p["field"], p["reason"]) for p in row.problems)
    return Replayed(refusal_id, "refused_again", problems)


def _report(
    session: Session,
    row: RejectedMessage,
    record: Record,
    reason: str,
    directory: Directory,
    now: datetime,
) -> None:
    """A held record that failed when replayed: its sender, not told while it was held, is
    told now, unless it was told already (held again by an earlier replay after its hold
    expired): the report's id is the record's, and queued twice it breaks the outbox's key."""
    report = rejection_report(
        record.source,
        row.kind,
        [Problem("(message)", reason)],
        row.event_id,
        now,
        directory,
        record.digest(),
    )
    enqueue_new(session, [report], now)
