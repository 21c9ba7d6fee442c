"""Firing the timers that have fallen due (the scheduler's use case): each is fired through
the engine as of now, when the hub decides (a timer fired late, after an outage, is decided
for who is on duty now: 3.10), and what it decides is written in the same transaction that
marks it fired. A timer cancelled by a found report is no longer pending and never fires.
Held records whose predecessor never came are expired in the same round.

Locks are taken as the consumer takes them: the child's state first, then its timers. On
PostgreSQL several schedulers can run at once: each skips the children another scheduler
(or a consumer's batch) holds (SKIP LOCKED), and reads their timers again, locked, only once
it holds the child, so a timer fired or cancelled meanwhile is no longer pending. Locking
the timer first and then its child, a scheduler and a consumer cancelling that timer
waited for each other until PostgreSQL aborted one (a deadlock).

A timer whose firing fails for a reason of its own (a bug, never an outage) is marked
`failed` and the round goes on: retried for ever, it was the oldest due and stopped every
child's timers behind it. Ops see it on the health page and in `hub timers`, and set it
pending again once the cause is fixed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import Failure, classify, type_and_line
from hub.routing.directory import Directory
from hub.routing.engine import fire
from hub.service.refusals import HOLD, expire_held
from hub.store.database import among, not_among
from hub.store.models import RejectedMessage, TimerRecord
from hub.store.outcomes import CHILDREN, PENDING, TIMERS, load_child, save_outcome, timer_of
from hub.tracing import span

log = logging.getLogger(__name__)
FAILED = "failed"


def fire_due_timers(
    sessions: sessionmaker[Session],
    directory: Directory,
    now: datetime,
    limit: int = 200,
    hold: timedelta = HOLD,
) -> int:
    """Fire the timers due by `now`, oldest first, at most `limit`, in one transaction;
    returns how many fired. Together first; only if one fails for a reason of its own, the
    round again timer by timer, each in a savepoint (a savepoint each, always, cost a full
    round 15 to 20% more: docs/benchmark.md)."""
    try:
        return _round(sessions, directory, now, limit, hold, _fire_together)
    except Exception as error:
        if classify(error) is Failure.TRANSIENT:
            raise  # an outage: the whole round is tried again
        log.warning("timers not fired together; firing them one by one")
    return _round(sessions, directory, now, limit, hold, _fire_one_by_one)


def _round(
    sessions: sessionmaker[Session],
    directory: Directory,
    now: datetime,
    limit: int,
    hold: timedelta,
    firing: Callable[[Session, list[TimerRecord], Directory, datetime], None],
) -> int:
    with sessions.begin() as session:
        rows = _due(session, now, limit)
        if rows:  # a round that fires something is a trace of its own (hub.tracing)
            with span("fire due timers", timers=len(rows)):
                firing(session, rows, directory, now)
        expire_held(session, now, hold, directory)
    return len(rows)


def next_due(sessions: sessionmaker[Session], hold: timedelta = HOLD) -> datetime | None:
    """When a round would next decide something: the earliest pending timer's due, or the
    earliest held record's hold running out; None: nothing pending (the scheduler checks the
    broker before such a round: hub.scheduler)."""
    with sessions() as session:
        timer = session.scalar(
            select(func.min(TimerRecord.due)).where(TimerRecord.status == PENDING)
        )
        held = session.scalar(
            select(func.min(RejectedMessage.received_at)).where(RejectedMessage.status == "held")
        )
    dues = [due for due in (timer, None if held is None else held + hold) if due is not None]
    return min(dues, default=None)


# A round reads the due timers again at most this many times, each time without those of
# the children another transaction holds.
HELD_REREADS = 3


def _due(session: Session, now: datetime, limit: int) -> list[TimerRecord]:
    """The timers due by `now`, oldest first, at most `limit`, each locked after its child
    (load_children's order), leaving out those of children held by another transaction:
    their place in the round goes to the next due of the others (a child held while its
    timers were the oldest due took the round's whole batch, and the rest waited)."""
    timers, children = TIMERS.c, CHILDREN.c
    free: set[str] = set()  # children this round holds (or that have no record to hold)
    held: set[str] = set()  # children another transaction holds: left to the next round
    for _ in range(HELD_REREADS):
        wanted = select(timers.child_id).where(timers.status == PENDING, timers.due <= now)
        if held:
            wanted = wanted.where(not_among(session, timers.child_id, held))
        child_ids = list(session.scalars(wanted.order_by(timers.due).limit(limit)))
        new = sorted(set(child_ids) - free)
        if not new:
            break
        locked = set(
            session.scalars(
                select(children.child_id)
                .where(among(session, children.child_id, new))
                .order_by(children.child_id)
                .with_for_update(skip_locked=True)
            )
        )
        # Not locked: held by another transaction, or no record to lock (a timer whose
        # child has none fires as before, decides nothing, and is settled).
        skipped = set(
            session.scalars(
                select(children.child_id).where(
                    among(session, children.child_id, set(new) - locked)
                )
            )
            if len(locked) < len(new)
            else ()
        )
        free |= set(new) - skipped
        held |= skipped
        if not skipped or len(child_ids) < limit:
            break
    if not free:
        return []
    # Read again once the children are held: a timer fired or cancelled meanwhile is no
    # longer pending.
    return list(
        session.scalars(
            select(TimerRecord)
            .where(
                among(session, TimerRecord.child_id, free),
                TimerRecord.status == PENDING,
                TimerRecord.due <= now,
            )
            .order_by(TimerRecord.due)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def _fire_one(session: Session, row: TimerRecord, directory: Directory, now: datetime) -> None:
    state = load_child(session, row.child_id)  # held already (_due)
    # Decided now, when the hub decides: fired late after an outage, an escalation due at
    # 20:00 goes at 10:00 to the day team's manager, not to EDT, who is off duty (3.10).
    # Deadlines counted from the timer stay counted from its due. The decisions' ids come
    # from the timer (their cause) and what is decided, not from the moment, and the timer
    # is marked fired in this transaction: a round tried again never fires it twice.
    outcome = fire(state, timer_of(row), directory, now)
    row.status, row.settled_at = "fired", now
    save_outcome(session, outcome, now)
    session.flush()


def _fire_together(
    session: Session, rows: list[TimerRecord], directory: Directory, now: datetime
) -> None:
    for row in rows:
        _fire_one(session, row, directory, now)


def _fire_one_by_one(
    session: Session, rows: list[TimerRecord], directory: Directory, now: datetime
) -> None:
    """Each timer in a savepoint, so that one failing cannot hold up the others."""
    for row in rows:
        try:
            with session.begin_nested():
                _fire_one(session, row, directory, now)
        except Exception as error:
            if classify(error) is Failure.TRANSIENT:
                raise  # an outage: the whole round is tried again
            session.expire(row)  # as the savepoint's rollback left it
            row.status, row.settled_at = FAILED, now
            log.error(
                "timer failed; the others fire",
                extra={"timer": row.name, "reason": type_and_line(error)},
            )
