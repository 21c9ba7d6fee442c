"""What ops staff do from the console, each recorded in the audit trail with who and when:
look at a child's episode, reveal its personal data, retry a delivery, replay a refused
message. The web page and the command line both call these."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any, cast

from aiokafka.errors import KafkaError
from pydantic import BaseModel, Field
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.bootstrap import HubParts
from hub.clock import Clock
from hub.console.access import record
from hub.console.views import Timeline, dated_in_the_outbox, episode_timeline
from hub.producers.relay import DeliveryFailed
from hub.routing.directory import Directory
from hub.service.replay import Replayed, replay
from hub.service.rerouting import Rerouted, reroute
from hub.store.models import OutboxMessage, TimerRecord
from hub.store.outbox import NOTIFICATION_PREFIX

MIN_REASON = 10


class RevealRequest(BaseModel):
    """Why someone needs to see a child's personal data: kept in the audit trail."""

    reason: str = Field(min_length=MIN_REASON, max_length=500)


def view_episode(
    sessions: sessionmaker[Session], who: str, episode_id: str, now: datetime
) -> Timeline:
    """The episode's timeline, masked; the view is recorded (it is a child's record)."""
    with sessions.begin() as session:
        timeline = episode_timeline(session, episode_id)
        record(session, now, who, "view_episode", episode_id, f"{len(timeline.entries)} entries")
    return timeline


def reveal_episode(
    sessions: sessionmaker[Session], who: str, episode_id: str, reason: str, now: datetime
) -> Timeline:
    """The episode's timeline with personal data shown. The caller checks the role; the
    request and its reason are recorded before anything is shown."""
    with sessions.begin() as session:
        timeline = episode_timeline(session, episode_id, reveal=True)
        record(session, now, who, "reveal", episode_id, f"reason: {reason}")
    return timeline


class ReplayResult(BaseModel):
    refusal_id: int
    outcome: str  # applied, duplicate, held, refused_again, not_open, not_found
    problems: list[dict[str, str]]
    notifications: int


class ReplayReport(BaseModel):
    """A replay of one refusal or of a group: what happened to each, failures included."""

    outcomes: dict[str, int]
    results: list[ReplayResult]


def replay_refusals(
    sessions: sessionmaker[Session],
    who: str,
    refusal_ids: Iterable[int],
    directory: Directory,
    clock: Clock,
    progress: Callable[[Replayed], None] | None = None,
) -> ReplayReport:
    """Each refusal replayed in a transaction of its own, so one that fails again is shown
    with its new reason and does not undo the others."""
    results: list[Replayed] = []
    for refusal_id in refusal_ids:

        def audit(session: Session, replayed: Replayed) -> None:
            why = "; ".join(f"{p.field}: {p.reason}" for p in replayed.problems)
            outcome = replayed.outcome + (f" ({why})" if why else "")
            record(session, clock.now(), who, "replay", f"refusal {replayed.refusal_id}", outcome)

        replayed = replay(sessions, refusal_id, directory, clock.now(), audit)
        results.append(replayed)
        if progress is not None:
            progress(replayed)
    counts: dict[str, int] = {}
    for replayed in results:
        counts[replayed.outcome] = counts.get(replayed.outcome, 0) + 1
    return ReplayReport(
        outcomes=counts,
        results=[
            ReplayResult(
                refusal_id=r.refusal_id,
                outcome=r.outcome,
                problems=[{"field": p.field, "reason": p.reason} for p in r.problems],
                notifications=r.notifications,
            )
            for r in results
        ],
    )


class RetryReport(BaseModel):
    sent: list[int]
    still_failing: dict[int, str]  # row id -> its last error
    not_pending: list[int]  # unknown, already sent, or refused: nothing to retry
    # The rows asked for by message id, reported by it: the meeting at 18's and its
    # escalations' have no number shown (6.8).
    messages_sent: list[str] = []
    messages_still_failing: dict[str, str] = {}  # message id -> its last error
    messages_not_pending: list[str] = []


# A row pending with no error after its retry was not tried: the relay's claim kept it back.
_BEHIND = "waits behind an earlier notification of the same child on its topic: retry that first"


def outbox_message_id(named: str) -> str:
    """An outbox row's message id as an operator may write it: whole ("notification:<id>",
    "rejected:..."), or a notification's id alone."""
    named = named.strip()
    return named if ":" in named else NOTIFICATION_PREFIX + named


async def retry_deliveries(
    parts: HubParts, who: str, row_ids: list[int], message_ids: Collection[str] = ()
) -> RetryReport:
    """Publish these outbox rows now, through the relay's own code (idempotent producer,
    acks=all), and say which went and which still fail. The relay would retry them anyway;
    this is for an operator who has fixed the cause and wants to see it work. Rows are named
    by their number or by their message id (`outbox_message_id`)."""
    sessions, clock = parts.sessions, parts.clock
    asked = sorted({outbox_message_id(m) for m in message_ids})
    waiting = OutboxMessage.status == "pending"
    with sessions() as session:
        by_number = dict(
            session.execute(
                select(OutboxMessage.id, OutboxMessage.message_id).where(
                    OutboxMessage.id.in_(row_ids), waiting
                )
            )
            .tuples()
            .all()
        )
        if row_ids:
            # The meeting at 18's and its escalations' rows, by number, are as a row not
            # there (not tried, not_pending): their numbers run in queuing order, so the
            # one a retry found would date the birthday by its neighbours' times (6.8).
            # By message id they go.
            dated = dated_in_the_outbox(session, by_number.values())
            by_number = {i: m for i, m in by_number.items() if m not in dated}
        by_message = dict(
            session.execute(
                select(OutboxMessage.message_id, OutboxMessage.id).where(
                    OutboxMessage.message_id.in_(asked), waiting
                )
            )
            .tuples()
            .all()
        )
    pending = sorted(set(by_number) | set(by_message.values()))
    if pending:
        await _publish_now(parts, pending)
    with sessions.begin() as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.last_error).where(
                OutboxMessage.id.in_(pending)  # those retried: the rest are only not_pending
            )
        ).all()
        sent = {i for i, status, _ in rows if status == "sent"}
        failing = {i: error or _BEHIND for i, status, error in rows if status != "sent"}
        report = RetryReport(
            sent=sorted(sent & set(by_number)),
            still_failing={i: e for i, e in failing.items() if i in by_number},
            not_pending=sorted(set(row_ids) - set(by_number)),
            messages_sent=[m for m in asked if by_message.get(m) in sent],
            messages_still_failing={
                m: failing[i] for m, i in sorted(by_message.items()) if i in failing
            },
            messages_not_pending=[m for m in asked if m not in by_message],
        )
        outcome = f"{len(sent)} sent, {len(failing)} still failing"
        target = f"outbox {row_ids}" + (f" {asked}" if asked else "")
        record(session, clock.now(), who, "retry", target[:255], outcome)
    return report


class BrokerUnavailable(Exception):
    """The broker could not be reached to retry; nothing was changed."""


async def _publish_now(parts: HubParts, row_ids: list[int]) -> None:
    producer = parts.kafka.producer(request_timeout_ms=10_000)
    try:
        await producer.start()
    except KafkaError as error:
        await producer.stop()
        raise BrokerUnavailable(
            f"broker unreachable at {parts.kafka.bootstrap} ({type(error).__name__})"
        ) from None
    relay = parts.relay(producer, replaceable=False)
    try:
        loop = asyncio.get_running_loop()
        # A round claims at most a batch: the rows asked for, a batch at a time, oldest
        # first, so that a child's earlier row goes before its later one in the next batch.
        ordered = sorted(row_ids)
        for start in range(0, len(ordered), relay.batch_size):
            chosen = ordered[start : start + relay.batch_size]
            with contextlib.suppress(DeliveryFailed):  # the rows say which, below
                await asyncio.to_thread(relay.publish_batch, loop, chosen)
    finally:
        await relay.close()  # bounded: a batch never acknowledged is not waited for


class RerouteReport(BaseModel):
    """Held duties routed again: those delivered now, and those still held, with why."""

    routed: dict[str, str]  # notification id -> the authority it is now sent to
    still_held: dict[str, str]  # notification id -> why it is still held
    # notification id -> why it was routed but not sent: no longer needed (stood down, done,
    # or its episode retired)
    not_sent: dict[str, str] = {}


def route_held_duties(
    sessions: sessionmaker[Session],
    who: str,
    directory: Directory,
    clock: Clock,
    only: Collection[str] | None = None,
) -> RerouteReport:
    """Once the directory knows the party a duty was held for (a new alias, a corrected
    entry), route the held duties again; each one routed is queued for delivery, and the
    whole replay is recorded in the audit trail."""
    now = clock.now()

    def audit(session: Session, results: list[Rerouted]) -> None:
        routed = sum(1 for r in results if r.authority is not None and r.sent)
        unneeded = sum(1 for r in results if r.authority is not None and not r.sent)
        held = len(results) - routed - unneeded
        outcome = f"{routed} routed, {held} still held"
        if unneeded:
            outcome += f", {unneeded} no longer needed (not sent)"
        record(session, now, who, "reroute", f"{len(results)} held duties", outcome)

    results = reroute(sessions, directory, now, only, audit)
    return RerouteReport(
        routed={r.notification_id: r.authority for r in results if r.authority and r.sent},
        still_held={r.notification_id: r.reason or "" for r in results if r.authority is None},
        not_sent={
            r.notification_id: r.reason or ""
            for r in results
            if r.authority is not None and not r.sent  # "": settled, sent to no one
        },
    )


def retry_failed_timers(sessions: sessionmaker[Session], who: str, clock: Clock) -> int:
    """Set every failed timer pending again (its cause fixed): the scheduler's next round
    fires it, decided as of then (3.10: who is on duty then). Recorded in the audit trail;
    returns how many."""
    with sessions.begin() as session:
        retried = cast(
            "CursorResult[Any]",
            session.execute(
                update(TimerRecord)
                .where(TimerRecord.status == "failed")
                .values(status="pending", settled_at=None)
            ),
        ).rowcount
        record(session, clock.now(), who, "retry timers", "failed timers", f"{retried} pending")
    return retried
