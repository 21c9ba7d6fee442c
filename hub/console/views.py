"""What ops staff look at, read from the store: the routing log, an episode's timeline, the
deadlines, the children still missing, the outbox, the messages refused, and the hub's
health. Each view is a function of a session (or of the children's states) and the time,
where it matters, returning a pydantic model, so the web page, the JSON API and the command
line show the same thing. Nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal, Self, cast, get_args

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import ColumnElement, Select, Text, and_, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, defer, load_only

from hub.access.senders import arrival
from hub.console.masking import masked_body
from hub.contracts.actions import Action
from hub.contracts.registry import contract_for_type
from hub.contracts.vocabulary import LegalStatus, RiskLevel
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, ProtocolViolation, duty_status
from hub.routing.placing import Placing, placing_of
from hub.routing.rerouting import AUTHORITY_GONE
from hub.routing.rules.duties import FOLLOW_UP, MEETING_DUTIES, RETURN_INTERVIEW_DUTIES
from hub.routing.rules.strategy import (
    EIGHTEENTH_BIRTHDAY,
    birthday_follow_ups,
    dated_by_the_birthday,
)
from hub.service.rerouting import count_held, held_duties
from hub.store.database import past
from hub.store.models import (
    ChildRecord,
    InboundEvent,
    OutboxMessage,
    RejectedMessage,
    RoutingDecision,
    TimerRecord,
    table_of,
)
from hub.store.outbox import NOT_BUILT, NOTIFICATION_PREFIX
from hub.store.outcomes import STATE

# unroutable: held until the directory knows its recipient (hub.service.rerouting)
Delivery = Literal["queued", "failing", "sent", "none", "unroutable"]


def _its_outbox_row() -> ColumnElement[bool]:
    """A decision's notification in the outbox (hub.store.outbox)."""
    return (
        OutboxMessage.message_id == literal(NOTIFICATION_PREFIX) + RoutingDecision.notification_id
    )


def delivery_of(
    status: str | None, last_error: str | None, retired_sent: datetime | None = None
) -> Delivery:
    """`retired_sent`: the decision's record that its notification was sent, kept when
    retention deleted the outbox row (RoutingDecision.sent_at)."""
    if status is None:
        return "sent" if retired_sent is not None else "none"
    if status == "sent":
        return "sent"
    return "failing" if last_error else "queued"


# -- the routing log -------------------------------------------------------------------


_EARLIEST, _LATEST = datetime.min + timedelta(days=1), datetime.max - timedelta(days=1)


class FormQuery(BaseModel):
    """A query a web form sends: its empty fields are empty strings, meaning no filter."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: object) -> object:
        """A web form sends its empty fields as empty strings: no filter."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data


class LogFilter(FormQuery):
    """Which decisions to show; every field optional, combined with AND."""

    child_id: str | None = Field(default=None, max_length=128)
    episode_id: str | None = Field(default=None, max_length=128)
    recipient: str | None = Field(default=None, max_length=64)
    authority: str | None = Field(default=None, max_length=64)
    paragraph: str | None = Field(default=None, max_length=64)
    case_reference: str | None = Field(
        default=None, max_length=64, description="the sending agency's own reference"
    )
    since: datetime | None = None
    until: datetime | None = None

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        """An ISO 8601 date-time, as the API documents; pydantic alone would also take a
        number of seconds. Without a zone, the deployment's local time (`in_zone`)."""
        if value is None:
            return value
        moment = value
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
        if not isinstance(moment, datetime):
            raise ValueError("must be an ISO 8601 date-time, e.g. 2026-11-20T18:00:00Z")
        # Compared in UTC, after a zone's offset (under a day) is applied: a moment within a
        # day of the calendar's ends may fall off it (OverflowError, a server error).
        if not _EARLIEST <= moment.replace(tzinfo=None) <= _LATEST:
            raise ValueError("must be between the years 1 and 9999")
        return moment

    def in_zone(self, zone: tzinfo) -> Self:
        """The filter with its times in `zone`, those written without a zone read there (the
        console's date fields are the user's local time, Europe/London). One given with a
        zone is the same moment, written as `zone`'s local time: the page's date fields
        show it so, and read it back as it was."""
        return self.model_copy(
            update={
                name: value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
                for name in ("since", "until")
                if (value := getattr(self, name)) is not None
            }
        )


class LogEntry(BaseModel):
    notification_id: str
    decided_at: datetime
    child_id: str
    episode_id: str
    recipient: str
    authority: str
    action: str
    paragraph: str
    cause: str
    summary: str
    due: datetime | None
    delivery: Delivery
    attempts: int
    last_error: str | None
    sent_at: datetime | None


# The routing log counts its decisions up to this many (or to the end of the page asked
# for, if further): a count of every row read the whole log, 560 ms for each first page on
# 2.25 million decisions (PostgreSQL), and its number went on growing for years.
COUNT_CAP = 10_000


class LogPage(BaseModel):
    entries: list[LogEntry]
    total: int = Field(description="The decisions the filter selects; with `more`, at least")
    page: int
    per_page: int
    more: bool = Field(
        default=False, description="The count stopped at `total`: more decisions than that"
    )

    @property
    def pages(self) -> int:
        """The pages counted, and one more past them if the count stopped."""
        return max(1, -(-self.total // self.per_page) + self.more)


def _filtered(query: Select[Any], wanted: LogFilter) -> Select[Any]:
    # Without a reveal, what the child's birth dates is left out, as in the timeline: even
    # undated, its place among the others (or a since/until filter) would give the date.
    query = query.where(_not_dated_by_the_child())
    exact = {
        RoutingDecision.child_id: wanted.child_id,
        RoutingDecision.episode_id: wanted.episode_id,
        RoutingDecision.recipient: wanted.recipient,
        RoutingDecision.authority: wanted.authority,
        RoutingDecision.paragraph: wanted.paragraph,
    }
    for column, value in exact.items():
        if value:
            query = query.where(column == value)
    if wanted.case_reference:  # the episodes of the events that carried it
        referenced = select(InboundEvent.episode_id).where(
            InboundEvent.case_reference == wanted.case_reference
        )
        query = query.where(RoutingDecision.episode_id.in_(referenced))
    if wanted.since is not None:
        query = query.where(RoutingDecision.decided_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(RoutingDecision.decided_at < wanted.until)
    return query


def routing_log(session: Session, wanted: LogFilter, page: int = 1, per_page: int = 50) -> LogPage:
    """Decisions newest first, with each notification's delivery."""
    cap = max(COUNT_CAP, page * per_page)
    counted = _filtered(select(RoutingDecision.notification_id), wanted).limit(cap + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    query = _filtered(
        select(
            RoutingDecision,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.sent_at,
        ).outerjoin(OutboxMessage, _its_outbox_row()),
        wanted,
    )
    rows = session.execute(
        query.order_by(RoutingDecision.decided_at.desc(), RoutingDecision.notification_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    entries = [
        LogEntry(
            notification_id=decision.notification_id,
            decided_at=decision.decided_at,
            child_id=decision.child_id,
            episode_id=decision.episode_id,
            recipient=decision.recipient,
            authority=decision.authority,
            action=decision.action,
            paragraph=decision.paragraph,
            cause=decision.cause,
            summary=decision.summary,
            due=decision.due,
            delivery="unroutable"
            if decision.held
            else delivery_of(status, last_error, decision.sent_at),
            attempts=attempts or 0,
            last_error=decision.unroutable_reason if decision.held else last_error,
            sent_at=sent_at or decision.sent_at,
        )
        for decision, status, attempts, last_error, sent_at in rows
    ]
    return LogPage(
        entries=entries, total=min(total, cap), page=page, per_page=per_page, more=total > cap
    )


# -- an episode's timeline -------------------------------------------------------------

Happening = Literal[
    "event_received",
    "decision",
    "timer_scheduled",
    "timer_fired",
    "timer_cancelled",
    "timer_failed",
    "delivered",
    # A notification owed that has not reached its recipient (yet): the relay retries it
    # (waiting, failing), or ops replays it once the directory names its recipient (held).
    "delivery_waiting",
    "delivery_failing",
    "delivery_held",
]
_UNDELIVERED: dict[Delivery, Happening] = {
    "queued": "delivery_waiting",
    "failing": "delivery_failing",
    "unroutable": "delivery_held",
}
_SETTLED: dict[str, Happening] = {"fired": "timer_fired", "failed": "timer_failed"}
# Timers whose due is personal data: shown only with the episode's personal data (reveal),
# as are the decisions they fired.
DATED_BY_THE_CHILD = frozenset({EIGHTEENTH_BIRTHDAY})
# What the birthday timer decides (hub.routing.rules.strategy): an index of these alone
# finds them without reading the Assistant Director's other 6.8 notices, hundreds of
# thousands on a large store (migration 0018).
_DATED_BY_THE_CHILD_ACTION = Action.HOLD_MISSING_CHILD_MEETING.value


def _logged(session: Session, notification_ids: set[str]) -> set[str]:
    """Those of the notifications the routing log has. One it has not is the meeting at
    18's or an escalation's, whose decision retention deleted with the episode (6.8: its
    time dates the birth, hub.store.retention): an answer to it, picked up hours on, or its
    row still waiting in the outbox, dates the birth as the decision did."""
    if not notification_ids:
        return set()
    return set(
        session.scalars(
            select(RoutingDecision.notification_id).where(
                RoutingDecision.notification_id.in_(sorted(notification_ids))
            )
        )
    )


def dated_in_the_outbox(session: Session, message_ids: Iterable[str]) -> set[str]:
    """Of these outbox rows' message ids, the meeting at 18's and its escalations' (6.8):
    those `dated_by_the_child` names, and those whose decisions the routing log no longer
    has, deleted when retention retired their episode."""
    waiting = {
        m.removeprefix(NOTIFICATION_PREFIX): m
        for m in message_ids
        if m.startswith(NOTIFICATION_PREFIX)
    }
    if not waiting:
        return set()
    dated = dated_by_the_child(session) | (set(waiting) - _logged(session, set(waiting)))
    return {waiting[n] for n in dated if n in waiting}


def _dated_by_the_child(cause: str) -> bool:
    """A decision fired by such a timer (its cause `timer:<episode>:<name>:<sequence>`)."""
    return cause.startswith("timer:") and cause.split(":")[-2] in DATED_BY_THE_CHILD


def _fired_by_the_child(cause: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """`_dated_by_the_child(cause)`, in SQL."""
    return or_(
        *(
            cause.startswith("timer:") & cause.contains(f":{name}:", autoescape=True)
            for name in sorted(DATED_BY_THE_CHILD)
        )
    )


def _dated_by_the_child_ids() -> Select[tuple[str]]:
    """The notification ids of the decisions the child's birth dates: those such a timer
    fired (the meetings at 18, found by an index of them alone), and every escalation of
    them, at every level (hub.routing.rules.duties). An escalation is decided when the duty
    it escalates goes unanswered, hours after it: its time, and its own deadline and
    escalation, date the birthday within a day (6.8)."""
    fired = aliased(RoutingDecision)
    chain = (
        select(fired.notification_id, fired.child_id, fired.episode_id)
        .where(fired.action == _DATED_BY_THE_CHILD_ACTION)
        # The birthday timer decides nothing else: the cause keeps the same rows, but
        # PostgreSQL then expects a few, not the hundreds its statistics give the action,
        # which made every page costly enough to compile (JIT, 200 ms more on the count).
        .where(_fired_by_the_child(fired.cause))
        .cte("dated_by_the_child", recursive=True)
    )
    # An escalation names the duty it escalates, of its own child and episode.
    up = aliased(RoutingDecision)
    chain = chain.union(
        select(up.notification_id, up.child_id, up.episode_id).join(
            chain,
            and_(
                up.child_id == chain.c.child_id,
                up.episode_id == chain.c.episode_id,
                up.action == Action.DUTY_ESCALATED.value,
                up.details["duty_notification_id"].as_string() == chain.c.notification_id,
            ),
        )
    )
    return select(chain.c.notification_id)


def dated_by_the_child(session: Session) -> set[str]:
    """The notification ids `_dated_by_the_child_ids` selects: a few, one chain for each
    child still missing at 18."""
    return set(session.scalars(_dated_by_the_child_ids()))


def _not_dated_by_the_child() -> ColumnElement[bool]:
    """Neither fired by such a timer nor an escalation of what one fired, in SQL."""
    return and_(
        ~_fired_by_the_child(RoutingDecision.cause),
        RoutingDecision.notification_id.not_in(_dated_by_the_child_ids()),
    )


class TimelineEntry(BaseModel):
    at: datetime
    happening: Happening
    what: str
    paragraph: str | None = None
    recipient: str | None = None
    due: datetime | None = None
    body: dict[str, Any] | str | None = None  # an event's body, personal data masked
    delivery: Delivery | None = Field(
        default=None, description="A delivery's state, as the outbox and the routing log show it"
    )
    attempts: int | None = Field(default=None, description="A delivery's tries so far")
    last_error: str | None = Field(
        default=None,
        description="Why a delivery failing failed last, or why a held one waits for ops",
    )


class Timeline(BaseModel):
    episode_id: str
    child_id: str | None
    entries: list[TimelineEntry]
    revealed: bool = False


def episode_timeline(session: Session, episode_id: str, reveal: bool = False) -> Timeline:
    """Everything the hub knows of one episode, oldest first. With `reveal`, event bodies
    are shown whole: the caller must be allowed to, and must have recorded that it did."""
    entries: list[TimelineEntry] = []
    child_id: str | None = None
    events = session.scalars(
        select(InboundEvent).where(InboundEvent.episode_id == episode_id)
    ).all()
    dated = set() if reveal else dated_by_the_child(session)
    logged = _logged(session, {str(a) for e in events if (a := e.body.get("notification_id"))})
    for event in events:
        child_id = event.child_id
        answered = event.body.get("notification_id")
        if answered is not None and (str(answered) in dated or str(answered) not in logged):
            continue  # an answer to the meeting at 18 or its escalations: picked up hours on
        entries.append(
            TimelineEntry(
                at=event.received_at,
                happening="event_received",
                what=f"{_contract_name(event.ce_type)} ({event.event_id})",
                body=event.body if reveal else masked_body(event.ce_type, event.body),
            )
        )
    decisions = session.execute(
        select(RoutingDecision, OutboxMessage)
        .outerjoin(OutboxMessage, _its_outbox_row())
        .options(load_only(*_DELIVERY_COLUMNS))  # not the notification's bytes
        .where(RoutingDecision.episode_id == episode_id)
        # One order whatever the plan: before and after retention drops the outbox rows,
        # ops see the same timeline (PostgreSQL returns a join's rows in the plan's order).
        .order_by(RoutingDecision.decided_at, RoutingDecision.notification_id)
    )
    for decision, row in decisions:
        child_id, cause = decision.child_id, decision.cause
        if not reveal and (decision.notification_id in dated or _dated_by_the_child(cause)):
            continue  # decided on the child's eighteenth birthday, or escalated hours on
        entries.append(
            TimelineEntry(
                at=decision.decided_at,
                happening="decision",
                what=f"{decision.action}: {decision.summary}",
                paragraph=decision.paragraph,
                recipient=f"{decision.authority}/{decision.recipient}",
                due=decision.due,
            )
        )
        delivery = _delivery_entry(decision, row)
        if delivery is not None:
            entries.append(delivery)
    timers = session.scalars(select(TimerRecord).where(TimerRecord.episode_id == episode_id))
    following: dict[str, set[int]] = {}  # each child's follow-ups of those duties
    for timer in timers:
        if timer.name in DATED_BY_THE_CHILD and not reveal:
            continue  # its due is the child's date of birth, 18 years on
        if timer.name == FOLLOW_UP and not reveal:
            if timer.child_id not in following:
                following[timer.child_id] = _followed_up(session, timer)
            if timer.sequence in following[timer.child_id]:
                continue  # due when the meeting at 18's answer was, hours after the birthday
        child_id = timer.child_id
        label = f"{timer.name} #{timer.sequence}" if timer.sequence > 1 else timer.name
        happening: Happening = "timer_scheduled"
        at, what = timer.due, f"{label} due"
        if timer.status != "pending" and timer.settled_at is not None:
            happening = _SETTLED.get(timer.status, "timer_cancelled")
            at, what = timer.settled_at, f"{label} {timer.status}"
        entries.append(
            TimelineEntry(
                at=at, happening=happening, what=what, paragraph=timer.paragraph, due=timer.due
            )
        )
    order = {name: n for n, name in enumerate(get_args(Happening))}
    entries.sort(key=lambda entry: (entry.at, order[entry.happening]))
    return Timeline(episode_id=episode_id, child_id=child_id, entries=entries, revealed=reveal)


_DELIVERY_COLUMNS = (
    OutboxMessage.status,
    OutboxMessage.attempts,
    OutboxMessage.last_error,
    OutboxMessage.created_at,
    OutboxMessage.last_attempt_at,
    OutboxMessage.sent_at,
)


def _why_held(decision: RoutingDecision) -> str:
    if decision.unroutable_field == NOT_BUILT:
        return "the hub could not build it"
    if decision.unroutable_field == AUTHORITY_GONE:
        return "its authority no longer in the directory"
    return "its recipient unknown"


def _delivery_entry(decision: RoutingDecision, row: OutboxMessage | None) -> TimelineEntry | None:
    """Where a decision's notification is: delivered, or owed and not yet delivered, as the
    outbox (its attempts, its last error) and the routing log (a held duty) show it. Ops
    see a notification stuck on the child's episode, not by its absence."""
    recipient = f"{decision.authority}/{decision.recipient}"
    status = row.status if row is not None else None
    sent_at = row.sent_at if row is not None else None
    if row is None and decision.sent_at is not None:  # its outbox row retired
        status, sent_at = "sent", decision.sent_at
    if status == "sent":
        if sent_at is None:
            return None
        what = f"{decision.action} delivered"
        return TimelineEntry(at=sent_at, happening="delivered", what=what, recipient=recipient)
    if decision.held:
        reason = decision.unroutable_reason
        return TimelineEntry(
            at=decision.decided_at,
            happening="delivery_held",
            what=f"{decision.action} held, {_why_held(decision)}: {reason}",
            recipient=recipient,
            delivery="unroutable",
            attempts=0,
            last_error=reason,
        )
    if row is None:
        return None  # nothing queued: nothing owed to deliver
    delivery = delivery_of(row.status, row.last_error)
    if delivery == "failing":  # shown when it was last tried, and failed
        at = row.last_attempt_at or row.created_at
        what = (
            f"{decision.action} failing to be delivered after {_attempts(row.attempts)}: "
            f"{row.last_error}"
        )
    else:
        at, what = row.created_at, f"{decision.action} waiting to be delivered"
    return TimelineEntry(
        at=at,
        happening=_UNDELIVERED[delivery],
        what=what,
        recipient=recipient,
        delivery=delivery,
        attempts=row.attempts,
        last_error=row.last_error,
    )


def _attempts(count: int) -> str:
    return f"{count} attempt{'' if count == 1 else 's'}"


def _followed_up(session: Session, timer: TimerRecord) -> set[int]:
    """The sequences of the follow-up timers of the timer's episode whose duties the child's
    birthday dates (`dated_by_the_birthday`): a follow-up is numbered by its duty's place
    among the episode's duties in the child's state (hub.routing.rules.duties). A retired
    episode's go with its birthday timer (hub.store.retention)."""
    found = session.scalar(select(ChildRecord.state).where(ChildRecord.child_id == timer.child_id))
    if found is None:
        return set()
    state = STATE.validate_python(found)
    holder = state.episode(timer.episode_id) or state.notice(timer.episode_id)
    if holder is None:
        return set()
    return birthday_follow_ups(holder)


def _contract_name(ce_type: str) -> str:
    try:
        return contract_for_type(ce_type).name
    except LookupError:
        return ce_type


# -- deadlines -------------------------------------------------------------------------

STRATEGY_MEETING_DUTIES = MEETING_DUTIES | {"receive_strategy_meeting_minutes"}


OpenState = Literal["overdue", "acknowledged", "owed"]


class Deadline(BaseModel):
    """A duty not yet done (issue 14): owed, acknowledged or overdue, and whether the hub has
    escalated it for want of an answer."""

    due: datetime | None = Field(
        description="None: the meeting at 18 (6.8), whose times are the child's eighteenth "
        "birthday, and its escalations, decided hours on; the episode's revealed timeline "
        "has them"
    )
    state: OpenState
    kind: Literal["return_interview", "strategy_meeting", "other"]
    action: str
    recipient: str
    authority: str
    paragraph: str
    episode_id: str
    child_id: str
    notification_id: str
    acknowledged_at: datetime | None = Field(
        description="None too for the meeting at 18 and its escalations"
    )
    acknowledged_by: str | None
    acknowledged: bool
    escalated_at: datetime | None = Field(
        description="None too for the meeting at 18 and its escalations"
    )
    escalated: bool


class TeamDeadlines(BaseModel):
    authority: str
    recipient: str
    overdue: int
    due_soon: int
    deadlines: list[Deadline]


def deadlines(
    session: Session, now: datetime, within: timedelta = timedelta(hours=48)
) -> list[TeamDeadlines]:
    """Duties not yet done that are overdue or due within `within`, per team and authority,
    from what each duty's recipient has answered (hub.routing.rules.duties). A duty done, or
    stood down (a meeting once the child is found, 7.22; an episode closed, 7.24), is gone."""
    D = RoutingDecision
    open_duties = session.scalars(
        select(D)
        .where(D.duty_due.is_not(None), D.duty_due <= now + within)
        .where(D.done_at.is_(None), D.stood_down_at.is_(None))
        .order_by(D.duty_due)
    ).all()
    teams: dict[tuple[str, str], list[Deadline]] = defaultdict(list)
    dated = dated_by_the_child(session) if open_duties else set()
    for d in open_duties:
        assert d.duty_due is not None
        state = duty_status(d.decided_at, d.duty_due, d.acknowledged_at, None, None, now)
        # Shown without a reveal: the meeting at 18's deadline, and its escalation hours on,
        # are the child's birthday (6.8), kept back as the timeline keeps them back; so are
        # those of the meeting's escalations, decided when it went unanswered.
        undated = d.notification_id in dated or _dated_by_the_child(d.cause)
        teams[(d.authority, d.recipient)].append(
            Deadline(
                due=None if undated else d.duty_due,
                state=cast(OpenState, state),  # the query leaves out done and stood down
                kind=_kind(d.action),
                action=d.action,
                recipient=d.recipient,
                authority=d.authority,
                paragraph=d.paragraph,
                episode_id=d.episode_id,
                child_id=d.child_id,
                notification_id=d.notification_id,
                acknowledged_at=None if undated else d.acknowledged_at,
                acknowledged_by=d.acknowledged_by,
                acknowledged=d.acknowledged_at is not None,
                escalated_at=None if undated else d.escalated_at,
                escalated=d.escalated_at is not None,
            )
        )
    return [
        TeamDeadlines(
            authority=authority,
            recipient=recipient,
            overdue=sum(1 for d in items if d.state == "overdue"),
            due_soon=sum(1 for d in items if d.state != "overdue"),
            # one undated goes last: its place among the dated would date it
            deadlines=sorted(items, key=lambda d: d.due is None),
        )
        for (authority, recipient), items in sorted(teams.items())
    ]


def _kind(action: str) -> Literal["return_interview", "strategy_meeting", "other"]:
    if action in RETURN_INTERVIEW_DUTIES:
        return "return_interview"
    return "strategy_meeting" if action in STRATEGY_MEETING_DUTIES else "other"


# -- the children still missing -------------------------------------------------------


class MissingEpisode(BaseModel):
    """An episode the child may still be missing from: neither found nor returned as the
    host authority said (8.4), nor back under a later episode (hub.store.retention's
    `came_back`, whose episodes keep their data). No name, birth date or place."""

    episode_id: str
    child_id: str
    missing_since: datetime
    missing_for: timedelta
    risk_level: RiskLevel
    cse_risk: bool
    legal_status: LegalStatus
    placing: Placing | None = Field(
        description="None: the directory shows neither authority to be ours (1.5)"
    )
    reporting_force: str | None = Field(
        description="The force's code; as the report wrote it if the directory does not "
        "know it; None: not named, the home force's"
    )
    closed_at: datetime | None = Field(
        description="Closed by joint decision (7.24), the child not found: still missing"
    )
    open_duties: int
    next_due: datetime | None = Field(
        description="The earliest deadline among the open duties; the meeting at 18's, and "
        "its escalations', are left out (6.8: they date the child's birthday)"
    )
    missing_again_in: str | None = Field(
        default=None,
        description="A later episode of the child's, also not come back from: the child was "
        "reported missing again (1.4: missing once at a time), never reported found from this",
    )


def still_missing(
    states: Iterable[ChildState], directory: Directory, now: datetime
) -> list[MissingEpisode]:
    """Every episode a child may still be missing from, oldest first (pure): the same that
    retention never touches (docs/retention.md), so one closed under 7.24, or whose duties
    are all answered, is here too."""
    return [missing for _, missing in _still_missing(states, directory, now)]


def _still_missing(
    states: Iterable[ChildState], directory: Directory, now: datetime
) -> list[tuple[datetime, MissingEpisode]]:
    """`still_missing`, each with when it began as the engine counts (its order)."""
    found: list[tuple[datetime, MissingEpisode]] = []  # oldest first, as the engine counts
    for state in states:
        back = state.came_back()
        open_episodes = [e for e in state.episodes if back.get(e.episode_id) is None]
        for episode in open_episodes:
            report = episode.report
            try:
                placing: Placing | None = placing_of(episode, directory)
            except ProtocolViolation:
                placing = None
            duties = [d for d in episode.duties if not d.settled]
            dated = [d.due for d in duties if not dated_by_the_birthday(d, episode)]
            # Missing from when the child went missing, no later than the hub read the
            # report (`clock_started`, as the engine counts it): a start typed ahead must
            # not show a child missing for no time, last, or overtaken by the next episode.
            started = episode.clock_started
            later = [e for e in open_episodes if e.clock_started > started]
            found.append(
                (
                    started,
                    MissingEpisode(
                        episode_id=episode.episode_id,
                        child_id=state.child_id,
                        missing_since=episode.started_at,  # as the report gave it
                        missing_for=max(now - started, timedelta(0)),
                        risk_level=episode.risk_level,
                        cse_risk=episode.cse_risk,
                        legal_status=report.legal_status,
                        placing=placing,
                        reporting_force=directory.resolve_force(
                            report.reporting_force, only_forces=True
                        )
                        or report.reporting_force,
                        closed_at=episode.closed_at,
                        open_duties=len(duties),
                        next_due=min(dated, default=None),
                        missing_again_in=max(later, key=lambda e: e.clock_started).episode_id
                        if later
                        else None,
                    ),
                )
            )
    found.sort(key=_missing_order)
    return found


def _missing_order(found: tuple[datetime, MissingEpisode]) -> tuple[datetime, str, str]:
    return found[0], found[1].child_id, found[1].episode_id


class MissingPage(BaseModel):
    """A page of `still_missing`, in its order: the longest missing first."""

    episodes: list[MissingEpisode]
    page: int
    per_page: int
    children: int = Field(description="The children who may still be missing, on every page")
    more: bool = Field(description="Another page follows")


def still_missing_page(
    session: Session, directory: Directory, now: datetime, page: int = 1, per_page: int = 100
) -> MissingPage:
    """A page of `still_missing`, read from the children who may still be missing alone
    (ChildRecord.missing_since, by its index), longest missing first: reading and
    validating every child's state took seconds on a store of years.

    A child is read in the order of its earliest episode still open (as the engine counts
    its start, `ChildState.missing_since`); a later one of its
    own may belong further down, after other children's. So children are read, a chunk at
    a time, until the episodes placed for good, those begun before every episode of the
    children still unread, fill the pages up to this one and one more (is there a next
    page)."""
    children = table_of(ChildRecord).c
    wanted = page * per_page + 1
    missing = children.missing_since.is_not(None)
    listed: list[tuple[datetime, MissingEpisode]] = []
    after: tuple[datetime, str] | None = None
    while True:
        query = select(children.child_id, children.missing_since, children.state.cast(Text))
        query = query.where(missing).order_by(children.missing_since, children.child_id)
        if after is not None:
            query = query.where(past(children.missing_since, children.child_id, after))
        rows = session.execute(query.limit(wanted + 1)).all()
        listed.extend(_still_missing((STATE.validate_json(r[2]) for r in rows), directory, now))
        if len(rows) <= wanted:  # every child still missing read
            break
        after = rows[-1][1], rows[-1][0]
        # by time alone: the database may order the ids as Python does not
        if sum(1 for started, _ in listed if started < after[0]) >= wanted:
            break
    listed.sort(key=_missing_order)
    first = (page - 1) * per_page
    return MissingPage(
        episodes=[missing for _, missing in listed[first : first + per_page]],
        page=page,
        per_page=per_page,
        children=session.scalar(select(func.count()).where(missing)) or 0,
        more=len(listed) > first + per_page,
    )


# -- the outbox ------------------------------------------------------------------------


class OutboxEntry(BaseModel):
    id: int | None = Field(
        description="None for the meeting at 18's and its escalations' (6.8): the numbers run "
        "in queuing order, so the neighbours' times would date it; retried by `message_id`"
    )
    message_id: str = Field(description="What a retry names a row by, for every row")
    topic: str
    created_at: datetime | None = Field(
        description="None: a notification the child's eighteenth birthday dates, the meeting "
        "at 18 (6.8) and its escalations, queued when decided; the episode's revealed "
        "timeline has when"
    )
    delivery: Delivery
    attempts: int | None = Field(
        description="None too for those: the relay's backoff makes the count tell how long "
        "ago it was queued"
    )
    last_error: str | None
    last_attempt_at: datetime | None = Field(description="None too for those")
    next_attempt_at: datetime | None = Field(
        default=None,
        description="A failed row backs off on its own: not tried before this. None too for those",
    )


class RecipientBacklog(BaseModel):
    """One recipient topic's deliveries not yet made: with one recipient failing, which one,
    and why, however long the outbox is (the rows' list shows the oldest only)."""

    topic: str
    waiting: int = Field(description="pending rows, failing ones included")
    failing: int = Field(description="pending rows whose last try failed")
    refused: int = Field(description="never sent: a topic outside the directory")
    last_error: str | None = Field(
        description="the error of the topic's latest failed try; no time is shown: a stuck "
        "row of the meeting at 18 (6.8) would date the birthday"
    )


def outbox_by_recipient(session: Session) -> list[RecipientBacklog]:
    """The outbox by recipient topic, failing ones first, then the longest. Counts and an
    error only: the rows' times stay with the rows, where the meeting at 18's are withheld."""
    status, error = OutboxMessage.status, OutboxMessage.last_error
    pending = status == "pending"
    counted = session.execute(
        select(
            OutboxMessage.topic,
            func.count().filter(pending),
            func.count().filter(pending, error.is_not(None)),
            func.count().filter(status == "refused"),
        )
        .where(status.in_(("pending", "refused")))
        .group_by(OutboxMessage.topic)
    ).all()
    topics = []
    for topic, waiting, failing, refused in counted:
        last = None
        if failing:
            last = session.scalar(
                select(error)
                .where(OutboxMessage.topic == topic, pending, error.is_not(None))
                .order_by(OutboxMessage.last_attempt_at.desc().nulls_last())
                .limit(1)
            )
        topics.append(
            RecipientBacklog(
                topic=topic, waiting=waiting, failing=failing, refused=refused, last_error=last
            )
        )
    return sorted(topics, key=lambda t: (-t.failing, -t.waiting - t.refused, t.topic))


def outbox(
    session: Session, only_failing: bool = False, limit: int = 200
) -> tuple[int, list[OutboxEntry]]:
    """Deliveries not yet made, oldest first (failing ones only, if asked), and how many
    are pending in all. Sent rows are in the routing log."""
    pending = OutboxMessage.status == "pending"
    # Refused: a topic outside the directory, never sent (hub.producers.relay).
    query = select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "refused")))
    if only_failing:
        query = query.where(OutboxMessage.last_error.is_not(None))
    rows = session.scalars(query.order_by(OutboxMessage.id).limit(limit)).all()
    backlog = session.scalar(select(func.count()).select_from(OutboxMessage).where(pending))
    dated = dated_in_the_outbox(session, [row.message_id for row in rows])
    entries = []
    for row in rows:
        # Shown without a reveal, still failing and retriable: the meeting at 18 is queued
        # on the birthday, its escalations hours on (6.8); when each was queued, tried, and
        # how often, would date the child's birth, as the deadlines' times would, and so
        # would its number, between its neighbours'. Retried by its message id.
        undated = row.message_id in dated
        entries.append(
            OutboxEntry(
                id=None if undated else row.id,
                message_id=row.message_id,
                topic=row.topic,
                created_at=None if undated else row.created_at,
                delivery=delivery_of(row.status, row.last_error),
                attempts=None if undated else row.attempts,
                last_error=row.last_error,
                last_attempt_at=None if undated else row.last_attempt_at,
                next_attempt_at=None if undated else row.next_attempt_at,
            )
        )
    # one undated goes last: its place among the dated would date it
    return backlog or 0, sorted(entries, key=lambda e: e.created_at is None)


# -- rejected and dead-lettered messages -----------------------------------------------


class Refusal(BaseModel):
    id: int
    kind: str
    status: str
    source: str  # topic/partition@offset
    event_id: str | None
    received_at: datetime
    problems: list[dict[str, str]]
    size: int  # bytes of the value; the value itself is hidden (hub.console.masking)


class RefusalGroup(BaseModel):
    """Refusals with one cause from one sender: the same kind and the same first problem,
    on the topics of the same agency (issue 14: who to call about them)."""

    cause: str
    kind: str
    sender: str  # the agency whose topic it came on, or "(shared topic)", "(unknown topic)"
    count: int
    refusals: list[Refusal]


def sender_of(topic: str) -> str:
    """The agency a message came from, known from its topic (hub.access.senders)."""
    arrived = arrival(topic)
    if arrived.sender is not None:
        return arrived.sender
    return "(shared topic)" if arrived.contract_topic is not None else "(unknown topic)"


def cause_of(kind: str, problems: list[Any]) -> str:
    if not problems:
        return kind
    first = problems[0]
    return f"{kind}: {first.get('field', '?')}: {first.get('reason', '?')}"


def _not_applied(session: Session, include_resolved: bool) -> Select[Any]:
    """Every refusal not yet applied (or every one), oldest first, its bytes left unread:
    only their size is shown."""
    query = select(RejectedMessage, func.coalesce(func.length(RejectedMessage.value), 0))
    query = query.options(defer(RejectedMessage.value))
    if not include_resolved:
        query = query.where(RejectedMessage.status != "resolved")
    return query.order_by(RejectedMessage.id)


def refusals(
    session: Session, include_resolved: bool = False, limit: int = 1000
) -> list[RefusalGroup]:
    """Messages not applied, grouped by cause, biggest group first. Held ones (waiting for
    the event they depend on) are shown too: they are not applied yet. Every group is
    there with its whole count; each lists its oldest `limit` refusals."""
    groups: dict[tuple[str, str], RefusalGroup] = {}
    rows = session.execute(
        _not_applied(session, include_resolved).execution_options(yield_per=1000)
    )
    for row, size in rows:
        cause, sender = cause_of(row.kind, row.problems), sender_of(row.topic)
        group = groups.setdefault(
            (cause, sender),
            RefusalGroup(cause=cause, kind=row.kind, sender=sender, count=0, refusals=[]),
        )
        group.count += 1
        if len(group.refusals) < limit:
            group.refusals.append(refusal_of(row, size))
    return sorted(groups.values(), key=lambda g: (-g.count, g.cause, g.sender))


def refusal_ids(session: Session, cause: str, sender: str | None = None) -> list[int]:
    """Every refusal not yet applied with this cause (from this sender, or from any): a
    group replayed whole, however many it holds."""
    rows = session.execute(
        select(
            RejectedMessage.id,
            RejectedMessage.kind,
            RejectedMessage.problems,
            RejectedMessage.topic,
        )
        .where(RejectedMessage.status != "resolved")
        .order_by(RejectedMessage.id)
        .execution_options(yield_per=1000)
    )
    return [
        id_
        for id_, kind, problems, topic in rows
        if cause_of(kind, problems) == cause and sender in (None, sender_of(topic))
    ]


def refusal_of(row: RejectedMessage, size: int | None = None) -> Refusal:
    return Refusal(
        id=row.id,
        kind=row.kind,
        status=row.status,
        source=f"{row.topic}/{row.partition}@{row.offset}",
        event_id=row.event_id,
        received_at=row.received_at,
        problems=[
            {"field": str(p.get("field")), "reason": str(p.get("reason"))} for p in row.problems
        ],
        size=len(row.value or b"") if size is None else size,
    )


# -- duties held for a party the directory does not know -------------------------------


class HeldDuty(BaseModel):
    """A duty decided and logged but not yet deliverable: the directory could not name its
    recipient from what the sender wrote."""

    notification_id: str
    decided_at: datetime
    child_id: str
    episode_id: str
    recipient: str
    action: str
    paragraph: str
    due: datetime | None
    field: str  # the field that should have named the party
    named: str | None  # what the sender wrote there
    reason: str


def unroutable(session: Session, limit: int = 500) -> tuple[int, list[HeldDuty]]:
    """Held duties, oldest first, and how many there are in all."""
    return count_held(session), [
        HeldDuty(
            notification_id=row.notification_id,
            decided_at=row.decided_at,
            child_id=row.child_id,
            episode_id=row.episode_id,
            recipient=row.recipient,
            action=row.action,
            paragraph=row.paragraph,
            due=row.due,
            field=row.unroutable_field or "",
            named=row.unroutable_named,
            reason=row.unroutable_reason or "",
        )
        for row in held_duties(session, limit)
    ]


# -- timers that failed to fire ----------------------------------------------------------


class FailedTimer(BaseModel):
    child_id: str
    episode_id: str
    timer_id: str
    name: str
    paragraph: str
    due: datetime | None  # None: the eighteenth birthday's, which is the child's birth's
    failed_at: datetime | None


def failed_timers(session: Session) -> list[FailedTimer]:
    """Timers whose firing failed for a reason of their own (hub.service.timers), oldest
    due first: each is a deadline the protocol set that decided nothing yet."""
    rows = session.scalars(
        select(TimerRecord).where(TimerRecord.status == "failed").order_by(TimerRecord.due)
    ).all()
    following = {
        (row.child_id, row.episode_id): _followed_up(session, row)
        for row in rows
        if row.name == FOLLOW_UP
    }
    failed = []
    for row in rows:
        # The birthday's, or a follow-up of the meeting at 18 or of its escalation, hours
        # after the birthday: it failed when it fell due, so neither time is shown.
        undated = row.name in DATED_BY_THE_CHILD or (
            row.name == FOLLOW_UP and row.sequence in following[(row.child_id, row.episode_id)]
        )
        failed.append(
            FailedTimer(
                child_id=row.child_id,
                episode_id=row.episode_id,
                timer_id=row.timer_id,
                name=row.name,
                paragraph=row.paragraph,
                due=None if undated else row.due,
                failed_at=None if undated else row.settled_at,
            )
        )
    # one undated goes last: its place among the dated would date it
    return sorted(failed, key=lambda f: f.due is None)
