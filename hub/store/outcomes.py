"""Writing what the engine decided: each child's new state, the routing log, one outbox row
per notification, the timers to schedule or cancel, and the messages refused. Gathered in a
`Writes` for a record or a whole batch and written with one statement per table, because a
statement per row is what limits the hub's throughput. Called inside the caller's
transaction; nothing here commits."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any, Literal, cast

import psycopg
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json
from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    String,
    Text,
    bindparam,
    column,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine

from hub.contracts.problems import without_input
from hub.routing.facts import ChildState, Decision, Duty, Outcome, Timer
from hub.routing.rerouting import held_as_not_built
from hub.store.database import among, on_postgresql
from hub.store.models import (
    Base,
    ChildRecord,
    InboundEvent,
    OutboxMessage,
    RejectedMessage,
    RoutingDecision,
    TimerRecord,
    table_of,
)
from hub.store.outbox import NOT_BUILT, NOTIFY, Outgoing, not_built, notification_message
from hub.tracing import context_headers

log = logging.getLogger(__name__)


class States:
    """Child states to and from what the store holds (pydantic's TypeAdapter), whose
    validation errors never quote the input: a stored state that no longer validates (one
    an older hub wrote, say) raised an error quoting the child's name, for a traceback or a
    log line to repeat. pydantic hides the input only by a model's own configuration
    (hub.contracts.base.Message), which a dataclass given to a TypeAdapter cannot have."""

    def __init__(self) -> None:
        self.adapter = TypeAdapter(ChildState)

    def validate_python(self, stored: Any) -> ChildState:
        try:
            return self.adapter.validate_python(stored)
        except ValidationError as error:
            hidden = without_input(error)
        raise hidden  # outside the handler: the error with the input is not its context

    def validate_json(self, stored: str | bytes) -> ChildState:
        try:
            return self.adapter.validate_json(stored)
        except ValidationError as error:
            hidden = without_input(error)
        raise hidden

    def dump_python(self, state: ChildState, mode: Literal["json", "python"] = "python") -> Any:
        return self.adapter.dump_python(state, mode=mode)

    def dump_json(self, state: ChildState) -> bytes:
        return self.adapter.dump_json(state)


STATE = States()
# A duty's answers, by the names the duty and the routing log share (and duty_due, the
# duty's `due`, which a strategy meeting held may have moved).
_ANSWERS = (
    "acknowledged_at",
    "acknowledged_by",
    "done_at",
    "done_by",
    "escalated_at",
    "stood_down_at",
)
PENDING, CANCELLED = "pending", "cancelled"


# The tables a batch reads and writes, for Core statements.
CHILDREN, TIMERS = table_of(ChildRecord), table_of(TimerRecord)

# The columns of a child's row worked out from its state, written in the same statement by
# every writer of a state (the batch write, retention) and mended by `hub migrate
# --fill-derived` (hub.store.missing_since): Still missing reads the first, retention the
# second, each by its index, instead of every state.
DERIVED: dict[str, Callable[[ChildState], datetime | None]] = {
    "missing_since": ChildState.missing_since,
    "earliest_return": ChildState.earliest_return,
}


def derived(state: ChildState) -> dict[str, datetime | None]:
    """The child's derived columns, as they are to be written with its state."""
    return {name: work_out(state) for name, work_out in DERIVED.items()}


def load_child(session: Session, child_id: str) -> ChildState:
    """The child's state, locked for this transaction on PostgreSQL (a second hub instance
    handed the partition in a rebalance waits rather than interleaving)."""
    found = load_children(session, [child_id])
    return found.get(child_id) or ChildState(child_id)


def load_children(session: Session, child_ids: Iterable[str]) -> dict[str, ChildState]:
    """Those of the children that have a record, read afresh and locked (FOR UPDATE)."""
    wanted = sorted(set(child_ids))  # one lock order for every instance: no deadlocks
    if not wanted:
        return {}
    # Read as text and validated from it in one pass: decoding to Python objects first,
    # then validating those, took twice as long (a child's state is some 10 KB).
    children = CHILDREN.c
    rows = session.execute(
        select(children.child_id, children.state.cast(Text))
        .where(among(session, children.child_id, wanted))
        .order_by(children.child_id)
        .with_for_update()
    )
    return {child_id: STATE.validate_json(state) for child_id, state in rows}


@dataclass
class Writes:
    """Everything one record, or one batch, changes in the store, not yet written."""

    now: datetime
    inbound: list[dict[str, Any]] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # event id -> body digest
    children: dict[str, ChildState] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    timers: dict[tuple[str, str], tuple[Timer, str]] = field(default_factory=dict)
    cancels: set[tuple[str, str]] = field(default_factory=set)
    refused: list[RejectedMessage] = field(default_factory=list)
    held: dict[bytes, list[RejectedMessage]] = field(default_factory=dict)  # among `refused`
    reports: list[Outgoing] = field(default_factory=list)
    # A held record's notice to its sender, queued only if it is still held once the
    # records after it were applied (its MISPER report may come in the same batch).
    notices: list[tuple[RejectedMessage, Outgoing]] = field(default_factory=list)
    duties: dict[str, Duty] = field(default_factory=dict)  # notification id -> its answers

    def event(self, row: dict[str, Any]) -> None:
        """An inbound event applied (its `inbound_events` row)."""
        self.digests[row["event_id"]] = row["body_sha256"]
        self.inbound.append(row)

    def hold(self, row: RejectedMessage, child_key: bytes) -> None:
        """A record stored to wait for the event it depends on; a later record of this
        batch may release it before it is written."""
        self.refused.append(row)
        self.held.setdefault(child_key, []).append(row)

    def outcome(self, outcome: Outcome) -> None:
        child_id = outcome.state.child_id
        self.children[child_id] = outcome.state
        self.decisions.extend(outcome.decisions)
        for timer in outcome.cancel:
            key = (child_id, timer.timer_id)
            if key in self.timers:  # scheduled by an earlier record of this batch
                self.timers[key] = (self.timers[key][0], CANCELLED)
            self.cancels.add(key)
        for timer in outcome.schedule:
            self.timers[(child_id, timer.timer_id)] = (timer, PENDING)
        for duty in outcome.duties:
            self.duties[duty.notification_id] = duty

    def write(
        self,
        session: Session,
        check_logged: bool = True,
        stored_children: Collection[str] | None = None,
    ) -> int:
        """Write it all; returns how many notifications were queued. `check_logged=False`
        skips looking for notifications already in the routing log, for a caller that lets
        the log's unique key catch them instead; `stored_children`, if known, the children
        that have a record already."""
        if self.inbound:
            _insert(session, InboundEvent, self.inbound)
        # The routing log's rows first: a duty whose notification cannot be built is marked
        # so in its child's state, written next.
        decided, notifications = self._decided(session, check_logged)
        self._write_children(session, stored_children)
        if decided:
            _insert(session, RoutingDecision, decided)
        self._write_duties(session)
        self._write_timers(session)
        session.add_all(self.refused)
        trace = context_headers()  # the span applying the batch or firing the timers
        notices = [notice for row, notice in self.notices if row.status == "held"]
        outgoing = [
            message.row(self.now, trace) for message in (*notifications, *self.reports, *notices)
        ]
        if outgoing:
            _insert(session, OutboxMessage, outgoing)
            if on_postgresql(session):
                session.execute(text(NOTIFY))  # wakes the relays when this commits
        session.flush()
        return len(notifications)

    def _write_children(self, session: Session, stored: Collection[str] | None) -> None:
        """`stored`: those of the children known to have a record already (a batch read
        them at its start), else looked up."""
        if not self.children:
            return
        if stored is None:
            stored = set(
                session.scalars(
                    select(ChildRecord.child_id).where(
                        among(session, ChildRecord.child_id, self.children)
                    )
                )
            )
        updates = [child_id for child_id in self.children if child_id in stored]
        inserts = [child_id for child_id in self.children if child_id not in stored]
        postgresql = on_postgresql(session)
        if updates and postgresql:
            new = self._states(updates)
            session.execute(
                CHILDREN.update()
                .where(CHILDREN.c.child_id == new.c.child_id)
                .values(
                    state=new.c.state,
                    updated_at=self.now,
                    **{name: new.c[name] for name in DERIVED},
                )
            )
        elif updates:
            session.execute(update(ChildRecord), [self._child_row(c) for c in updates])
        # A plain insert: two instances creating one child collide, not overwrite.
        if inserts and postgresql:
            new = self._states(inserts)
            now = bindparam(None, self.now, type_=CHILDREN.c.updated_at.type)
            session.execute(
                CHILDREN.insert().from_select(
                    ["child_id", "state", "updated_at", *DERIVED],
                    select(new.c.child_id, new.c.state, now, *(new.c[name] for name in DERIVED)),
                )
            )
        elif inserts:
            _insert(session, ChildRecord, [self._child_row(c) for c in inserts])

    def _states(self, child_ids: list[str]) -> TableValuedAlias:
        """The children's states as one JSON document coded by pydantic, as a table
        (PostgreSQL): a statement per child cost psycopg more than the state it sent, and
        an array of texts would have psycopg escape every quote of every state. Coding a
        state to Python objects for the driver to encode took three times as long or more."""
        document = b"[%s]" % b",".join(
            # the derived columns' object, its braces off: `"missing_since":...,...`
            b'{"child_id":%s,"state":%s,%s}'
            % (to_json(c), STATE.dump_json(state), to_json(derived(state))[1:-1])
            for c in child_ids
            for state in (self.children[c],)
        )
        return (
            func.json_to_recordset(bindparam(None, document.decode(), Text()).cast(JSON))
            .table_valued(
                column("child_id", String),
                column("state", JSON),
                *(column(name, DateTime(timezone=True)) for name in DERIVED),
            )
            .render_derived(with_types=True)
        )

    def _child_row(self, child_id: str) -> dict[str, Any]:
        state = self.children[child_id]
        return {
            "child_id": child_id,
            "state": STATE.dump_python(state, mode="json"),
            "updated_at": self.now,
            **derived(state),
        }

    def _decided(
        self, session: Session, check_logged: bool
    ) -> tuple[list[dict[str, Any]], list[Outgoing]]:
        """The routing log's rows and the notifications to queue, once per notification id:
        ids are deterministic, so a duty decided twice (never expected) is logged and sent
        once."""
        ids = [decision.notification_key for decision in self.decisions]
        logged = (
            set(
                session.scalars(
                    select(RoutingDecision.notification_id).where(
                        among(session, RoutingDecision.notification_id, ids)
                    )
                )
            )
            if ids and check_logged
            else set()
        )
        rows: list[dict[str, Any]] = []
        notifications: list[Outgoing] = []
        for decision, notification_id in zip(self.decisions, ids, strict=True):
            if notification_id in logged:
                continue
            logged.add(notification_id)
            held = decision.unroutable
            row: dict[str, Any] = {
                "notification_id": notification_id,
                "child_id": decision.child_id,
                "episode_id": decision.episode_id,
                "recipient": decision.recipient,
                "authority": decision.authority,
                "action": decision.action,
                "paragraph": decision.paragraph,
                "cause": decision.cause,
                "summary": decision.summary,
                "decided_at": decision.at,
                "due": decision.due,
                "details": dict(decision.details),
                "child": dict(decision.child) if held else None,
                "unroutable_field": held.field if held else None,
                "unroutable_named": held.named[:100] if held and held.named else None,
                "unroutable_reason": held.reason if held else None,
                "routed_at": None,
                "duty_due": decision.due,
            }
            rows.append(row)
            if held is None:  # a held duty is queued for no one until ops replays it
                try:
                    notifications.append(notification_message(decision))
                except ValidationError as error:
                    _hold_unbuilt(row, decision, not_built(error))
                    self._not_built(decision)
        return rows, notifications

    def _not_built(self, decision: Decision) -> None:
        """Its duty, if it is one, marked in its child's state as held unbuilt: escalated
        if left undone, as any duty, but as never received (hub.routing.rules.duties)."""
        state = self.children.get(decision.child_id)
        if state is not None and decision.due is not None:
            self.children[decision.child_id] = held_as_not_built(
                state, decision.episode_id, decision.notification_key
            )

    def _write_duties(self, session: Session) -> None:
        """The answers to duties, on their routing log rows: one statement for them all."""
        if not self.duties:
            return
        table = table_of(RoutingDecision)
        session.connection().execute(
            table.update()
            .where(table.c.notification_id == bindparam("duty_id"))
            .values(duty_due=bindparam("moved_due"), **{n: bindparam(n) for n in _ANSWERS}),
            [
                {"duty_id": duty_id, "moved_due": duty.due}
                | {name: getattr(duty, name) for name in _ANSWERS}
                for duty_id, duty in sorted(self.duties.items())
            ],
        )

    def _write_timers(self, session: Session) -> None:
        # Cancels first: a timer cancelled and then scheduled again in one batch ends pending.
        if self.cancels:
            session.execute(
                TIMERS.update()
                .where(_pairs(session, sorted(self.cancels)), TIMERS.c.status == PENDING)
                .values(status=CANCELLED, settled_at=self.now)
            )
        if not self.timers:
            return
        rows = [
            {
                "child_id": child_id,
                "timer_id": timer.timer_id,
                "episode_id": timer.episode_id,
                "name": timer.name,
                "sequence": timer.sequence,
                "paragraph": timer.paragraph,
                "due": timer.due,
                "counted_from": timer.counted_from,
                "status": status,
                "settled_at": self.now if status == CANCELLED else None,
            }
            for (child_id, _), (timer, status) in self.timers.items()
        ]
        if on_postgresql(session):
            compiled = _timer_upsert(session.connection().dialect)
            session.connection().exec_driver_sql(
                compiled.sql,
                {name: compiled.bind(name, [r[name] for r in rows]) for name in _TIMER_COLUMNS},
            )
            return
        upsert = sqlite.insert(TimerRecord)
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=["child_id", "timer_id"],
                set_={name: upsert.excluded[name] for name in _TIMER_CHANGED},
            ),
            rows,
        )


_TIMER_CHANGED = (
    "episode_id",
    "name",
    "sequence",
    "paragraph",
    "due",
    "counted_from",
    "status",
    "settled_at",
)
_TIMER_COLUMNS = ("child_id", "timer_id", *_TIMER_CHANGED)


def _hold_unbuilt(row: dict[str, Any], decision: Decision, reason: str) -> None:
    """A notification its contract refuses (a rule's fault) is held for ops alone, with the
    particulars it is to be delivered with: dead-lettering its event would leave every
    other party to the child's event untold until the hub is mended."""
    row.update(child=dict(decision.child), unroutable_field=NOT_BUILT, unroutable_reason=reason)
    log.error(
        "notification not built; held for ops",
        extra={
            "notification_id": row["notification_id"],
            "action": decision.action,
            "paragraph": decision.paragraph,
            "reason": reason,
        },
    )


@dataclass(frozen=True)
class _Compiled:
    """A statement compiled once, and each parameter's bind processing (a Stamp's UTC
    check), to run as the driver's own SQL."""

    sql: str
    processors: dict[str, Callable[[Any], Any] | None]

    def bind(self, name: str, value: Any) -> Any:
        process = self.processors[name]
        return process(value) if process else value


@functools.cache
def _timer_upsert(dialect: Dialect) -> _Compiled:
    """The timers of a batch in one upsert, its rows as one array per column (PostgreSQL:
    psycopg sent an executemany's rows one statement each, 23,000 for 5,000 events).
    Compiled once: SQLAlchemy caches no PostgreSQL INSERT (its Insert sets inherit_cache
    False), and compiling this one anew cost some 1 ms of each batch, a batch of one event
    taking 9 ms in all."""
    columns = TIMERS.columns
    types = {name: postgresql.ARRAY(columns[name].type) for name in _TIMER_COLUMNS}
    new = (
        func.unnest(*(bindparam(name, type_=kind) for name, kind in types.items()))
        .table_valued(*_TIMER_COLUMNS)
        .render_derived()
    )
    upsert = postgresql.insert(TimerRecord).from_select(list(_TIMER_COLUMNS), select(new))
    statement = upsert.on_conflict_do_update(
        index_elements=["child_id", "timer_id"],
        set_={name: upsert.excluded[name] for name in _TIMER_CHANGED},
    )
    return _Compiled(
        statement.compile(dialect=dialect).string,
        {name: kind.bind_processor(dialect) for name, kind in types.items()},
    )


def _unnested(**columns: tuple[TypeEngine[Any], list[Any]]) -> TableValuedAlias:
    """Rows given as one array per column (PostgreSQL), as a table: `unnest` of them all,
    its columns named as given. `columns`: name -> (its type, its values)."""
    arrays = [
        bindparam(None, values, type_=postgresql.ARRAY(kind)) for kind, values in columns.values()
    ]
    return func.unnest(*arrays).table_valued(*columns).render_derived()


def _pairs(session: Session, pairs: list[tuple[str, str]]) -> ColumnElement[bool]:
    """`(child_id, timer_id) IN pairs`, in one statement for a whole batch: an UPDATE per
    timer cost PostgreSQL a millisecond each, more than all the batch's other writes. On
    PostgreSQL the pairs are two array parameters, unnested."""
    key = tuple_(TIMERS.c.child_id, TIMERS.c.timer_id)
    if not on_postgresql(session):
        return key.in_(pairs)
    children, timers = zip(*pairs, strict=True)
    wanted = _unnested(
        child_id=(TIMERS.c.child_id.type, list(children)),
        timer_id=(TIMERS.c.timer_id.type, list(timers)),
    )
    return key.in_(select(wanted.c.child_id, wanted.c.timer_id))


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Many rows at once, straight to the driver: on PostgreSQL by COPY (an INSERT per row,
    or psycopg converting a huge multi-row INSERT's text, costs several times the hub's
    throughput), elsewhere by the driver's executemany (SQLAlchemy's own executemany spent
    some 13% of a SQLite hub's applying on processing each row's parameters)."""
    table, connection = table_of(model), session.connection()
    dialect = connection.dialect
    columns = [column for column in table.columns if column.name in rows[0]]
    # Each column's own bind processing (a Stamp's UTC check, JSON encoding; on SQLite a
    # time as the text SQLAlchemy reads and compares, which only the dialect's own type
    # writes) still applies, to the columns that have one: a row's values are read in one
    # call, and only those few of its values (of some twenty) are processed one by one.
    processing = [
        (place, process)
        for place, column in enumerate(columns)
        if (process := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    values_of = itemgetter(*(column.name for column in columns))

    def values(row: dict[str, Any]) -> list[Any]:
        read = list(values_of(row)) if len(columns) > 1 else [values_of(row)]
        for place, process in processing:
            read[place] = process(read[place])
        return read

    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    raw = connection.connection.dbapi_connection
    if not on_postgresql(session):
        # Every row has the same columns (the ORM's bulk insert split rows into runs by the
        # columns set, which a nullable deadline defeated); sqlite3's placeholders are "?".
        places = ", ".join("?" * len(columns))
        # The table's own name and columns, quoted by the dialect: nothing a sender wrote.
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({places})"  # noqa: S608
        lite = cast("sqlite3.Connection", raw).cursor()
        try:
            lite.executemany(statement, map(values, rows))
        finally:
            lite.close()
        return
    pg = cast("psycopg.Connection[Any]", raw)
    with pg.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(values(row))


def save_outcome(session: Session, outcome: Outcome, now: datetime) -> int:
    """One outcome (a timer fired), written at once; returns how many notifications were
    queued."""
    writes = Writes(now)
    writes.outcome(outcome)
    return writes.write(session)


def enqueue(session: Session, outgoing: Outgoing, now: datetime) -> None:
    writes = Writes(now)
    writes.reports.append(outgoing)
    writes.write(session)


def enqueue_new(session: Session, reports: Sequence[Outgoing], now: datetime) -> None:
    """Reports not queued already: a report's id is its record's, and a record reported once
    (its hold expired, say) and again (held again by a replay) would break the outbox's key."""
    ids = [report.message_id for report in reports]
    queued: set[str] = set()
    if ids:
        queued.update(
            session.scalars(
                select(OutboxMessage.message_id).where(
                    among(session, OutboxMessage.message_id, ids)
                )
            )
        )
    for report in reports:
        if report.message_id not in queued:
            queued.add(report.message_id)
            enqueue(session, report, now)


def timer_of(row: TimerRecord) -> Timer:
    """The timer a row holds, as the child's state holds it (`engine.fire` fires only that)."""
    return Timer(row.name, row.episode_id, row.due, row.paragraph, row.sequence, row.counted_from)
