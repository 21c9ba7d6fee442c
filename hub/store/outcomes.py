"""Writing what the engine decided: the child's new state, the routing log, one outbox row
per notification, and the timers to schedule or cancel. Called inside the caller's
transaction; nothing here commits."""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.producers.messages import Outgoing, notification_message
from hub.routing.facts import ChildState, Outcome, Timer
from hub.store.models import ChildRecord, OutboxMessage, RoutingDecision, TimerRecord

STATE = TypeAdapter(ChildState)


def load_child(session: Session, child_id: str) -> ChildState:
    """The child's state, locked for this transaction on PostgreSQL (a second hub instance
    handed the partition in a rebalance waits rather than interleaving)."""
    row = session.get(ChildRecord, child_id, with_for_update=True)
    return STATE.validate_python(row.state) if row else ChildState(child_id)


def enqueue(session: Session, outgoing: Outgoing, now: datetime) -> None:
    session.add(
        OutboxMessage(
            message_id=outgoing.message_id,
            topic=outgoing.topic,
            key=outgoing.key,
            headers=[[name, base64.b64encode(value).decode()] for name, value in outgoing.headers],
            value=outgoing.value,
            created_at=now,
            status="pending",
            attempts=0,
        )
    )


def save_outcome(session: Session, outcome: Outcome, now: datetime) -> int:
    """Returns how many notifications were queued."""
    state = outcome.state
    session.merge(
        ChildRecord(
            child_id=state.child_id,
            state=STATE.dump_python(state, mode="json"),
            updated_at=now,
        )
    )
    queued = 0
    ids = [str(decision.notification_id) for decision in outcome.decisions]
    # Ids are deterministic, so a duty decided twice (never expected: events and timers are
    # each applied once) is written once. One query for the lot, not one per decision.
    logged = (
        set(
            session.scalars(
                select(RoutingDecision.notification_id).where(
                    RoutingDecision.notification_id.in_(ids)
                )
            )
        )
        if ids
        else set()
    )
    for decision, notification_id in zip(outcome.decisions, ids, strict=True):
        if notification_id in logged:
            continue
        logged.add(notification_id)
        session.add(
            RoutingDecision(
                notification_id=notification_id,
                child_id=decision.child_id,
                episode_id=decision.episode_id,
                recipient=decision.recipient,
                authority=decision.authority,
                action=decision.action,
                paragraph=decision.paragraph,
                cause=decision.cause,
                summary=decision.summary,
                decided_at=decision.at,
                due=decision.due,
                details=dict(decision.details),
            )
        )
        enqueue(session, notification_message(decision), now)
        queued += 1
    for timer in outcome.cancel:
        session.execute(
            update(TimerRecord)
            .where(
                TimerRecord.child_id == state.child_id,
                TimerRecord.timer_id == timer.timer_id,
                TimerRecord.status == "pending",
            )
            .values(status="cancelled", settled_at=now)
        )
    for timer in outcome.schedule:
        schedule(session, state.child_id, timer)
    session.flush()
    return queued


def schedule(session: Session, child_id: str, timer: Timer) -> None:
    session.merge(
        TimerRecord(
            child_id=child_id,
            timer_id=timer.timer_id,
            episode_id=timer.episode_id,
            name=timer.name,
            sequence=timer.sequence,
            paragraph=timer.paragraph,
            due=timer.due,
            status="pending",
            settled_at=None,
        )
    )


def timer_of(row: TimerRecord) -> Timer:
    return Timer(row.name, row.episode_id, row.due, row.paragraph, row.sequence)
