"""Keeping a child's personal data no longer than needed (docs/retention.md).

A missing child's data is never touched while the child is missing. Once a child has been
found, the episode's personal data is kept `personal_data_days` (180 by default: more than
the 90 days over which 7.17 counts repeat episodes, and the monthly 7.28 forum), then:

- the episode leaves the child's state and is kept only as the facts the protocol still
  counts (facts.RetiredEpisode: when it started and when its report was read, whether it
  was high risk, CSE, red);
- its inbound events keep their ids, types, times and codes; every personal field of their
  bodies becomes «redacted» (the contracts' `x-personal-data` marker);
- its routing log keeps every decision, without the child's particulars or what a sender
  wrote where a party's name should be (a held duty's), but the meeting at 18's and its
  escalations' (6.8: their times date the child's birth);
- its timers still pending are cancelled.

Apart from episodes: a sent notification leaves the outbox after `sent_notifications_days`
(its topic kept it 30 days for the recipient); a refused message's raw body and headers go
after `refused_days` (its field-by-field reasons stay; an open one becomes `expired`); the
free-text reason of a reveal after `audit_reason_days` (who revealed what, and when, stay).

Every run that changes anything is recorded in the audit trail with its counts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    ColumnElement,
    Engine,
    String,
    Text,
    bindparam,
    case,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.events import CrossBorderNotice, ReadAround
from hub.contracts.personal import REDACTED, redacted
from hub.contracts.registry import CONTRACTS, UnknownMessageType, contract_for_type
from hub.contracts.vocabulary import CrossBorderNoticeKind
from hub.routing.facts import ChildState, RetiredEpisode
from hub.routing.rules.duties import FOLLOW_UP
from hub.routing.rules.strategy import (
    EIGHTEENTH_BIRTHDAY,
    birthday_follow_ups,
    dated_by_the_birthday,
)
from hub.service.answers import ON_BEHALF
from hub.settings import RetentionSettings
from hub.store.database import among, past, truncate_wal
from hub.store.models import (
    AuditEntry,
    ChildRecord,
    InboundEvent,
    OutboxMessage,
    RejectedMessage,
    RoutingDecision,
    TimerRecord,
    table_of,
)
from hub.store.outbox import NOTIFICATION_PREFIX
from hub.store.outcomes import STATE, derived, load_children

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

log = logging.getLogger(__name__)
CHUNK = 500  # children read at a time: the job's memory stays flat however many there are
SENT_CHUNK = 5_000  # sent notifications deleted per transaction
REASON = "reason: "  # the operator's free text follows (hub.console.actions, hub.service.answers)
REDACTED_REASON = f"{REASON}{REDACTED}"
# What a held duty keeps of the child: the particulars it would have sent, and what the
# sender wrote where an authority's or force's name should be (anything typed there, a
# child's name or address by mistake). Both go as the event's personal fields do; the
# field, and why the duty is held, stay for ops.
KEEPS_PARTICULARS = RoutingDecision.child.is_not(None) & (
    sql_cast(RoutingDecision.child, String) != "null"  # JSON's null, as None is stored
)
KEEPS_WHAT_WAS_WRITTEN = RoutingDecision.unroutable_named.is_not(None) & (
    RoutingDecision.unroutable_named != REDACTED
)
# A decision's values once its event is redacted or its episode retired: no particulars,
# and what the sender wrote for the party redacted, if anything was (the console and `hub
# unroutable` show «redacted»; None would read as nothing written, and a held report naming
# no force be routed to the home force: hub.routing.rerouting).
STRIPPED: dict[str, Any] = {
    "child": None,
    "unroutable_named": case((RoutingDecision.unroutable_named.is_not(None), REDACTED), else_=None),
}


@dataclass
class Retained:
    """What a run did (or, dry, would do)."""

    episodes_retired: int = 0
    events_redacted: int = 0
    decisions_stripped: int = 0
    decisions_deleted: int = 0  # the meeting at 18 and its escalations: they date the birth
    timers_cancelled: int = 0
    notifications_deleted: int = 0
    refusals_emptied: int = 0
    reasons_redacted: int = 0
    children: int = 0  # whose episodes were retired: how many, never who

    def counts(self) -> dict[str, int]:
        """What changed: every figure but `children`, which the episodes already count."""
        return {name: value for name, value in asdict(self).items() if name != "children"}

    @property
    def changed(self) -> bool:
        return any(self.counts().values())

    def render(self) -> str:
        return ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in self.counts().items())


def due_episodes(state: ChildState, cutoff: datetime) -> list[str]:
    """The episodes the child came back from on or before the cutoff (pure): never one the
    child may still be missing from. Some are due exactly when `ChildState.earliest_return`
    is on or before the cutoff: the column a run picks its children by."""
    return [
        episode_id
        for episode_id, back in state.came_back().items()
        if back is not None and back <= cutoff
    ]


def retire(state: ChildState, episode_ids: list[str]) -> ChildState:
    gone = [e for e in state.episodes if e.episode_id in episode_ids]
    return replace(
        state,
        episodes=tuple(e for e in state.episodes if e.episode_id not in episode_ids),
        retired=(*state.retired, *(RetiredEpisode.of(e) for e in gone)),
    )


def redacted_body(ce_type: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body with every personal field «redacted»; a body no contract of today reads
    keeps only its ids."""
    try:
        message = contract_for_type(ce_type).model.model_validate(body)
        if isinstance(message, ReadAround):
            message = message.sent()  # the raw record stays as sent, redacted (docs/contracts.md)
        return redacted(message)
    except (UnknownMessageType, ValueError):
        kept = ("child_id", "episode_id")
        return {name: body[name] for name in kept if name in body} | {"redacted": True}


CROSS_BORDER_NOTICE = next(c.ce_type for c in CONTRACTS if c.model is CrossBorderNotice)
PLACEMENT_NOTIFIED = CrossBorderNoticeKind.PLACEMENT_NOTIFIED.value

# Audit actions whose outcome carries an operator's free-text reason, which may name the
# child: a reveal (issue 13) and an answer recorded on an agency's behalf (issue 14).
FREE_TEXT_REASONS = ("reveal", *ON_BEHALF.values())  # the audit actions, not the answers


def apply_retention(
    sessions: sessionmaker[Session],
    policy: RetentionSettings,
    now: datetime,
    who: str,
    dry_run: bool = False,
) -> Retained:
    retained = Retained()
    cutoff = now - timedelta(days=policy.personal_data_days)
    _retire_episodes(sessions, cutoff, now, dry_run, retained)
    _delete_sent(sessions, now - timedelta(days=policy.sent_notifications_days), dry_run, retained)
    with sessions.begin() as session:
        _redact_without_episode(session, cutoff, now, dry_run, retained)
        _strip_duties_of_redacted_events(session, dry_run, retained)
        _the_rest(session, policy, now, dry_run, retained)
        if retained.changed and not dry_run:
            session.add(
                AuditEntry(
                    at=now,
                    who=who,
                    action="retention",
                    target="personal data",
                    outcome=retained.render(),
                )
            )
    log.info("retention dry run" if dry_run else "retention applied", extra=asdict(retained))
    if not dry_run:  # every run: one whose checkpoint gave up is made good by the next
        _empty_sqlite_wal(sessions)
    return retained


def _engine(sessions: sessionmaker[Session]) -> Engine:
    """The engine the sessions are bound to, for work outside a session's transaction."""
    with sessions() as session:
        bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _empty_sqlite_wal(sessions: sessionmaker[Session]) -> None:
    """On SQLite the write-ahead log still holds the pages as they were before this run (or
    an earlier one whose checkpoint gave up), a child's name among them: copied into the
    file (where secure_delete zeroes what was removed) and emptied, once the run's
    transactions have committed (docs/retention.md)."""
    engine = _engine(sessions)
    if engine.dialect.name == "sqlite" and not truncate_wal(engine):
        log.warning(
            "retention: the SQLite write-ahead log was busy and not emptied; what it held "
            "stays there until the hub's writes overwrite it, or the next run empties it"
        )


def _retire_episodes(
    sessions: sessionmaker[Session],
    cutoff: datetime,
    now: datetime,
    dry_run: bool,
    retained: Retained,
) -> None:
    """A chunk of children at a time, read without locking any: only a child with an
    episode due is locked, then read again and retired, in a transaction of its chunk's. A
    run locked every child it read, 500 at a time, and a consumer's batch with any of them
    waited while it validated all 500 states (the whole store's, at every start of `hub
    run`): a found report applied late.

    Only the children whose row says they came back from an episode on or before the
    cutoff are read (ChildRecord.earliest_return, by its index, in its order): reading and
    validating every state took minutes of a national store's CPU at every run, beside the
    consumer, to find the few due."""
    engine = _engine(sessions)
    children = table_of(ChildRecord).c
    due = children.earliest_return <= cutoff  # NULL, none come back from: never due
    after: tuple[datetime, str] | None = None
    while True:
        query = select(children.child_id, children.earliest_return, children.state.cast(Text))
        query = query.where(due).order_by(children.earliest_return, children.child_id)
        if after is not None:
            # Past the last read, in the index's order: a child retired leaves the range (its
            # next return is after the cutoff, or none), one judged not due stays behind.
            query = query.where(past(children.earliest_return, children.child_id, after))
        # A plain connection reads (on SQLite without the write lock a session takes); the
        # state as text, validated from it in one pass (hub.store.outcomes.load_children).
        with engine.connect() as connection:
            rows = connection.execute(query.limit(CHUNK)).all()
        if not rows:
            return
        after = (rows[-1][1], rows[-1][0])
        candidates = [
            child_id
            for child_id, _, state in rows
            if due_episodes(STATE.validate_json(state), cutoff)
        ]
        if candidates:
            with sessions.begin() as session:
                _retire_children(session, candidates, cutoff, now, dry_run, retained)


def _retire_children(
    session: Session,
    child_ids: list[str],
    cutoff: datetime,
    now: datetime,
    dry_run: bool,
    retained: Retained,
) -> None:
    """Those of the children with episodes due, locked in the consumer's order and judged
    again on the state as it is now: a report read since the chunk was may have changed it."""
    chunk = (
        select(ChildRecord)
        .where(among(session, ChildRecord.child_id, child_ids))
        .order_by(ChildRecord.child_id)
    )
    for row in session.scalars(chunk if dry_run else chunk.with_for_update()).all():
        state = STATE.validate_python(row.state)
        due = due_episodes(state, cutoff)
        if due:
            retained.children += 1
            _retire(session, row, state, due, cutoff, now, dry_run, retained)


def _retire(
    session: Session,
    row: ChildRecord,
    state: ChildState,
    due: list[str],
    cutoff: datetime,
    now: datetime,
    dry_run: bool,
    retained: Retained,
) -> None:
    retained.episodes_retired += len(due)
    # Its events, and those about no episode (a placement notice) once no episode of the
    # child is still missing, if they arrived on or before the cutoff: one since (a
    # placement after the return, 8.9) keeps its time, and the date of birth the state
    # checks the next MISPER report against (docs/retention.md).
    still_missing = any(back is None for e, back in state.came_back().items() if e not in due)
    about: ColumnElement[bool] = InboundEvent.episode_id.in_(due)
    if not still_missing:
        about = or_(about, InboundEvent.episode_id.is_(None) & (InboundEvent.received_at <= cutoff))
    events = session.scalars(
        select(InboundEvent).where(
            InboundEvent.child_id == row.child_id,
            about,
            InboundEvent.redacted_at.is_(None),
        )
    ).all()
    retained.events_redacted += len(events)
    decisions = (
        RoutingDecision.child_id == row.child_id,
        # and the duties a placement notice redacted here led to (7.14: one held for a
        # misspelt authority keeps the child's name and date of birth)
        or_(
            RoutingDecision.episode_id.in_(due),
            RoutingDecision.cause.in_([e.event_id for e in events]),
        ),
        or_(KEEPS_PARTICULARS, KEEPS_WHAT_WAS_WRITTEN),
    )
    dated = _dated_by_the_birthday(state, due)  # mostly none: no statement then
    birthday = (
        RoutingDecision.child_id == row.child_id,
        RoutingDecision.notification_id.in_(dated),
    )
    if dry_run:
        retained.decisions_stripped += _count(session, RoutingDecision, *decisions)
        retained.decisions_deleted += _count(session, RoutingDecision, *birthday) if dated else 0
        retained.timers_cancelled += _count(session, TimerRecord, *_pending(row.child_id, due))
        return
    for event in events:
        state = forget_placed_childs_birth(state, event.ce_type, event.body)
        event.body, event.redacted_at = redacted_body(event.ce_type, event.body), now
    stripped = update(RoutingDecision).where(*decisions).values(**STRIPPED)
    retained.decisions_stripped += _changed(session, stripped)
    # 6.8: decided on the eighteenth birthday, or hours on, their times date the child's
    # birth as the birthday timer's due did: they go with it, the other decisions staying.
    if dated:
        retained.decisions_deleted += _changed(session, delete(RoutingDecision).where(*birthday))
    # Timers another transaction has locked are left to it: fired, a retired episode's
    # decides nothing (engine.fire). The scheduler takes the child's lock first, as here
    # (hub.service.timers), so it holds none of them while this holds the child.
    free = session.scalars(
        select(TimerRecord.timer_id)
        .where(*_pending(row.child_id, due))
        .with_for_update(skip_locked=True)
    ).all()
    cancelling = (
        update(TimerRecord)
        .where(TimerRecord.child_id == row.child_id, TimerRecord.timer_id.in_(free))
        .values(status="cancelled", settled_at=now)
    )
    retained.timers_cancelled += _changed(session, cancelling) if free else 0
    # An eighteenth birthday's due is the child's date of birth: it goes with the rest, and
    # so do the follow-ups of the meeting it decided and of its escalations (6.8), due hours
    # on, which only the episode's duties, leaving the state now, tell from the others.
    session.execute(
        delete(TimerRecord).where(
            TimerRecord.child_id == row.child_id,
            TimerRecord.episode_id.in_(due),
            or_(TimerRecord.name == EIGHTEENTH_BIRTHDAY, _birthday_follow_ups(state, due)),
            TimerRecord.status != "pending",
        )
    )
    kept = retire(state, due)
    row.state, row.updated_at = STATE.dump_python(kept, mode="json"), now
    for name, value in derived(kept).items():  # the next return, after the cutoff, or None
        setattr(row, name, value)


def _dated_by_the_birthday(state: ChildState, due: list[str]) -> list[str]:
    """The notifications of the episodes' meeting at 18 and of its escalations (6.8), as
    their duties tell them (hub.routing.rules.strategy.dated_by_the_birthday)."""
    return [
        duty.notification_id
        for episode in state.episodes
        if episode.episode_id in due
        for duty in episode.duties
        if dated_by_the_birthday(duty, episode)
    ]


def _birthday_follow_ups(state: ChildState, due: list[str]) -> ColumnElement[bool]:
    """The follow-up timers of the episodes' duties that the eighteenth birthday dates: a
    follow-up is numbered by its duty's place among its episode's (hub.routing.rules.duties)."""
    follow_ups = [
        (TimerRecord.episode_id == episode.episode_id) & TimerRecord.sequence.in_(sequences)
        for episode in state.episodes
        if episode.episode_id in due and (sequences := birthday_follow_ups(episode))
    ]
    return (TimerRecord.name == FOLLOW_UP) & or_(false(), *follow_ups)


def _delete_sent(
    sessions: sessionmaker[Session], before: datetime, dry_run: bool, retained: Retained
) -> None:
    """Notifications sent on or before `before`, oldest first, SENT_CHUNK a transaction.
    In one statement, the first round over a large outbox (retention turned on, or a hub
    restarted after a long pause) held one transaction over millions of rows and wrote
    their log in one go, slowing the hub beside it (docs/benchmark.md)."""
    # A row refused (a topic outside the directory) was never sent: it goes in the same time.
    sent = (
        or_(
            (OutboxMessage.status == "sent") & (OutboxMessage.sent_at <= before),
            (OutboxMessage.status == "refused") & (OutboxMessage.created_at <= before),
        ),
    )
    if dry_run:
        with sessions() as session:
            retained.notifications_deleted = _count(session, OutboxMessage, *sent)
        return
    after = 0
    while True:
        with sessions.begin() as session:
            ids = session.scalars(
                select(OutboxMessage.id)
                .where(*sent, OutboxMessage.id > after)
                .order_by(OutboxMessage.id)
                .limit(SENT_CHUNK)
            ).all()
            if ids:
                _mark_sent(session, ids)
                session.execute(delete(OutboxMessage).where(among(session, OutboxMessage.id, ids)))
        retained.notifications_deleted += len(ids)
        if len(ids) < SENT_CHUNK:
            return
        after = ids[-1]


def _mark_sent(session: Session, ids: Sequence[int]) -> None:
    """The routing log keeps that a notification was sent, and when, once its row goes."""
    sent = session.execute(
        select(OutboxMessage.message_id, OutboxMessage.sent_at).where(
            among(session, OutboxMessage.id, ids),
            OutboxMessage.status == "sent",
            OutboxMessage.message_id.startswith(NOTIFICATION_PREFIX, autoescape=True),
        )
    ).all()
    if sent:
        table = table_of(RoutingDecision)
        session.connection().execute(
            table.update()
            .where(table.c.notification_id == bindparam("nid"))
            .values(sent_at=bindparam("at")),
            [{"nid": m.removeprefix(NOTIFICATION_PREFIX), "at": at} for m, at in sent],
        )


def _the_rest(
    session: Session, policy: RetentionSettings, now: datetime, dry_run: bool, retained: Retained
) -> None:
    refused = (
        RejectedMessage.status != "held",  # still waiting for its predecessor: not yet judged
        RejectedMessage.received_at <= now - timedelta(days=policy.refused_days),
        # Not emptied yet: by its headers or its status too, as a record with no body (a
        # tombstone refused as a bad message) has none to go, and kept its headers for ever.
        or_(
            RejectedMessage.value.is_not(None),
            sql_cast(RejectedMessage.headers, String) != "[]",
            RejectedMessage.status == "open",
        ),
    )
    reasons = (
        AuditEntry.action.in_(FREE_TEXT_REASONS),
        AuditEntry.at <= now - timedelta(days=policy.audit_reason_days),
        # A reason, not an answer the engine refused: that line says why, and holds no
        # operator's text to redact (hub.service.answers); rewritten, it read as recorded.
        AuditEntry.outcome.startswith(REASON),
        AuditEntry.outcome != REDACTED_REASON,
    )
    if dry_run:
        retained.refusals_emptied = _count(session, RejectedMessage, *refused)
        retained.reasons_redacted = _count(session, AuditEntry, *reasons)
        return
    session.execute(
        update(RejectedMessage)
        .where(*refused, RejectedMessage.status == "open")
        .values(status="expired")
    )
    emptying = update(RejectedMessage).where(*refused).values(value=None, headers=[])
    retained.refusals_emptied = _changed(session, emptying)
    redacting = update(AuditEntry).where(*reasons).values(outcome=REDACTED_REASON)
    retained.reasons_redacted = _changed(session, redacting)


def _redact_without_episode(
    session: Session, cutoff: datetime, now: datetime, dry_run: bool, retained: Retained
) -> None:
    """Events about no episode of the child (a placement notice, which may name an episode
    the hub never had), received before the cutoff, of a child not missing now; those about
    an episode go when it retires. The duties such a notice led to lose the particulars a
    held one kept (a misspelt authority: the child's name and date of birth)."""
    events = session.scalars(
        select(InboundEvent).where(
            or_(InboundEvent.episode_id.is_(None), InboundEvent.ce_type == CROSS_BORDER_NOTICE),
            InboundEvent.redacted_at.is_(None),
            InboundEvent.received_at <= cutoff,
        )
    ).all()
    # Their children locked at once, in the consumer's order (child id, load_children), and
    # judged on their states as locked: one at a time as their events came, a later child
    # locked before an earlier one deadlocked with a batch holding both (PostgreSQL).
    states = load_children(session, {event.child_id for event in events})
    placement_notices: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for event in events:
        state = states.get(event.child_id, ChildState(event.child_id))
        back = state.came_back()
        if event.episode_id in back or None in back.values():
            continue  # the child missing now, or the notice about an episode still held
        if dry_run and event.episode_id is None and due_episodes(state, cutoff):
            continue  # counted with the child's episodes, as a run redacts it (`_retire`)
        retained.events_redacted += 1
        decisions = (
            RoutingDecision.cause == event.event_id,
            or_(KEEPS_PARTICULARS, KEEPS_WHAT_WAS_WRITTEN),
        )
        if dry_run:
            retained.decisions_stripped += _count(session, RoutingDecision, *decisions)
            continue
        if event.child_id in states:  # a child with no record keeps no placement
            placement_notices.setdefault(event.child_id, []).append((event.ce_type, event.body))
        event.body, event.redacted_at = redacted_body(event.ce_type, event.body), now
        stripped = update(RoutingDecision).where(*decisions).values(**STRIPPED)
        retained.decisions_stripped += _changed(session, stripped)
    _forget_in_store(session, states, placement_notices, now)


def forget_placed_childs_birth(state: ChildState, ce_type: str, body: dict[str, Any]) -> ChildState:
    """8.9: the date of birth the child's state keeps of a placement notice no MISPER report
    has confirmed yet (hub.routing.facts.Placement) goes with the notice it came from (or a
    later one read early); the placement is then no longer taken without the MCT's check."""
    placement = state.placed_here
    if placement is None or placement.date_of_birth is None:
        return state
    if ce_type != CROSS_BORDER_NOTICE or body.get("kind") != PLACEMENT_NOTIFIED:
        return state
    try:
        older = datetime.fromisoformat(str(body["occurred_at"])) < placement.notified_at
    except (KeyError, TypeError, ValueError):
        older = False  # unreadable: forgotten, the least kept
    if older:
        return state  # an older notice: not the one remembered
    return replace(state, placed_here=replace(placement, date_of_birth=None))


def _forget_in_store(
    session: Session,
    states: dict[str, ChildState],
    notices: dict[str, list[tuple[str, dict[str, Any]]]],
    now: datetime,
) -> None:
    """The children whose redacted events may be the placement notice their state keeps a
    date of birth of, as locked and read by this transaction (`load_children`), written as
    every writer of a state writes it."""
    for child_id, bodies in notices.items():
        state = kept = states[child_id]
        for ce_type, body in bodies:
            kept = forget_placed_childs_birth(kept, ce_type, body)
        if kept is not state:
            session.execute(
                update(ChildRecord)
                .where(ChildRecord.child_id == child_id)
                .values(state=STATE.dump_python(kept, mode="json"), updated_at=now, **derived(kept))
            )


def _strip_duties_of_redacted_events(session: Session, dry_run: bool, retained: Retained) -> None:
    """A duty held for ops that still keeps the particulars of an event already redacted:
    before 63a9b30, a placement notice redacted with its child's episode left them there.
    And one ops has routed since: a hub before this one kept them in the row once routed,
    beside the outbox message, as long as the child was missing (docs/notifications.md).
    What its sender wrote for the party it was held for goes once its event is redacted or
    its episode retired: a run before this one kept it when it stripped the particulars."""
    gone = or_(
        exists().where(
            InboundEvent.event_id == RoutingDecision.cause,
            InboundEvent.redacted_at.is_not(None),
        ),
        # a timer's duty (an escalation) has no event for cause: its episode's are redacted
        exists().where(
            InboundEvent.child_id == RoutingDecision.child_id,
            InboundEvent.episode_id == RoutingDecision.episode_id,
            InboundEvent.redacted_at.is_not(None),
        ),
    )
    decisions = (
        RoutingDecision.unroutable_field.is_not(None),  # held when decided: by its index
        or_(
            KEEPS_PARTICULARS & (RoutingDecision.routed_at.is_not(None) | gone),
            KEEPS_WHAT_WAS_WRITTEN & gone,
        ),
    )
    if dry_run:
        retained.decisions_stripped += _count(session, RoutingDecision, *decisions)
        return
    named = case((KEEPS_WHAT_WAS_WRITTEN & gone, REDACTED), else_=RoutingDecision.unroutable_named)
    stripped = update(RoutingDecision).where(*decisions).values(child=None, unroutable_named=named)
    retained.decisions_stripped += _changed(session, stripped)


def _pending(child_id: str, episodes: list[str]) -> tuple[Any, ...]:
    """The episodes' timers not yet settled: pending, or failed and waiting for ops (a
    retired episode's would keep the health page red for ever)."""
    return (
        TimerRecord.child_id == child_id,
        TimerRecord.episode_id.in_(episodes),
        TimerRecord.status.in_(("pending", "failed")),
    )


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _changed(session: Session, statement: Any) -> int:
    return cast("CursorResult[Any]", session.execute(statement)).rowcount
