"""Tables. Every row the pipeline writes for one inbound message is written in one
transaction, so a crash leaves either all of it or none of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

MESSAGE_ID_LIMIT = 128  # the outbox's notification or report id


class Stamp(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back aware: SQLite keeps no time zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: its zone is unknown")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Kafka offsets and row ids outgrow 32 bits in a long-lived deployment (at offset 2^31 a
# 32-bit column would stop the hub for ever). SQLite's INTEGER is 64-bit already, and must
# stay INTEGER for its row ids to autoincrement.
Int64 = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: Stamp(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def table_of(model: type[Base]) -> Table:
    """A model's Core table, for statements on a hot path that need no ORM objects (an ORM
    select took 0.27 ms of CPU, the same in Core 0.23 ms)."""
    return cast("Table", model.__table__)


class InboundEvent(Base):
    """An event that met its contract and the protocol, and was applied. Its id de-duplicates
    redeliveries and resends; its body hash tells a resend from a conflicting reuse."""

    __tablename__ = "inbound_events"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    ce_type: Mapped[str] = mapped_column(String(200))
    child_id: Mapped[str] = mapped_column(String(128), index=True)
    episode_id: Mapped[str | None] = mapped_column(String(128), index=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]
    topic: Mapped[str] = mapped_column(String(255))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(Int64)
    received_at: Mapped[datetime]
    redacted_at: Mapped[datetime | None] = mapped_column(default=None)  # hub.store.retention
    # The sender's own reference for the case, when it gave one (issue 14: ops search by it).
    case_reference: Mapped[str | None] = mapped_column(String(64), index=True, default=None)


class ChildRecord(Base):
    """The engine's state for one child (hub.routing.facts.ChildState), as JSON."""

    __tablename__ = "child_states"

    __table_args__ = (
        # The children who may still be missing, a few among the store's hundreds of
        # thousands, the longest missing first: the console's Still missing reads these alone
        # (migration 0019, hub.console.views.still_missing_page).
        Index(
            "ix_child_states_missing",
            "missing_since",
            "child_id",
            postgresql_where=text("missing_since IS NOT NULL"),
            sqlite_where=text("missing_since IS NOT NULL"),
        ),
        # The children with an episode come back from, by when: retention reads those whose
        # return is past its cutoff alone (migration 0021, hub.store.retention), not every
        # state of a national store at every run.
        Index(
            "ix_child_states_returned",
            "earliest_return",
            "child_id",
            postgresql_where=text("earliest_return IS NOT NULL"),
            sqlite_where=text("earliest_return IS NOT NULL"),
        ),
    )

    child_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    # When the earliest episode the child may still be missing from began, no later than
    # the hub read its report (`ChildState.missing_since`), written with the
    # state; None: none.
    missing_since: Mapped[datetime | None] = mapped_column(default=None)
    # When the child came back from the first episode it still holds, personal data and
    # all (`ChildState.earliest_return`), written with the state; None: none come back from.
    earliest_return: Mapped[datetime | None] = mapped_column(default=None)


class RoutingDecision(Base):
    """The routing log: one duty owed to one recipient, and why. A duty whose recipient the
    directory could not name is `unroutable` (its field, what the sender wrote, the reason)
    until ops replays it, when `routed_at` is set and it is queued like any other."""

    __tablename__ = "routing_decisions"
    __table_args__ = (
        Index("ix_routing_unroutable", "unroutable_field", "routed_at"),
        # The meetings at 18 (6.8), a few among the log's millions, found without reading
        # the Assistant Director's many 6.8 notices (migration 0018, hub.console.views).
        Index(
            "ix_routing_meeting_at_18",
            "notification_id",
            postgresql_where=text("action = 'hold_missing_child_meeting'"),
            sqlite_where=text("action = 'hold_missing_child_meeting'"),
        ),
    )

    notification_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(128), index=True)
    episode_id: Mapped[str] = mapped_column(String(128), index=True)
    recipient: Mapped[str] = mapped_column(String(64), index=True)
    authority: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(100))
    paragraph: Mapped[str] = mapped_column(String(64), index=True)
    cause: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(Stamp(), index=True)
    due: Mapped[datetime | None]
    details: Mapped[dict[str, Any]]
    # The particulars of a held duty, for its delivery; none for one routed at once (its
    # outbox message carries them).
    child: Mapped[dict[str, Any] | None]
    unroutable_field: Mapped[str | None] = mapped_column(String(64))
    unroutable_named: Mapped[str | None] = mapped_column(String(100))
    unroutable_reason: Mapped[str | None] = mapped_column(Text)
    routed_at: Mapped[datetime | None]
    # The duty's answers (issue 14), as the engine's state has them (hub.routing.rules.duties):
    # who picked it up, who did it, when it was escalated or stood down, and its deadline now
    # (a strategy meeting held moves its minutes' deadline, 7.20).
    duty_due: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by: Mapped[str | None] = mapped_column(String(200), default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    stood_down_at: Mapped[datetime | None] = mapped_column(default=None)
    # When its notification was sent, copied from the outbox row as retention deletes it
    # (hub.store.retention): the row alone says so until then.
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def held(self) -> bool:
        """Waiting for ops to replay it once the directory knows its recipient."""
        return self.unroutable_field is not None and self.routed_at is None


class OutboxMessage(Base):
    """A message to publish: a notification, or a report on the rejected topic. A row that
    keeps failing stays visible with its last error; a sent one is deleted only by the
    retention policy, after HUB_RETENTION_SENT_NOTIFICATIONS_DAYS (hub.store.retention)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "status", "id"),
        # The relay's claim, oldest pending row first (migration 0014): an index of the
        # pending rows alone, so that no plan reads past the sent ones to find a batch.
        Index(
            "ix_outbox_claimable",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        # The few rows backing off, by topic and key: a later row for the same child on the
        # same topic waits for them (hub.producers.relay).
        Index(
            "ix_outbox_backing_off",
            "topic",
            "key",
            "id",
            postgresql_where=text("next_attempt_at IS NOT NULL"),
            sqlite_where=text("next_attempt_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Int64, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_LIMIT), unique=True)
    topic: Mapped[str] = mapped_column(String(255))
    key: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[list[Any]]  # [[name, text]]: CloudEvents attributes, a content type
    value: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None]
    # A row that failed on its own (its topic refuses it, say) is not tried before this:
    # it backs off alone, and every other row keeps its latency.
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class TimerRecord(Base):
    """A deadline the engine must come back to (hub.routing.facts.Timer)."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due"),)

    child_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    timer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    episode_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending, fired, cancelled, failed
    settled_at: Mapped[datetime | None]
    counted_from: Mapped[datetime | None] = mapped_column(default=None)  # a ladder's (7.22)


class RejectedMessage(Base):
    """A message the hub did not apply, with why and where it came from. Bad input is never
    dropped: the raw bytes are kept for replay once the cause is fixed."""

    __tablename__ = "rejected_messages"
    __table_args__ = (
        # A record is stored once however often it is read; a topic made again numbers its
        # records from 0, and a new one where an old one was is another record.
        UniqueConstraint(
            "topic", "partition", "offset", "record_sha256", name="uq_rejected_source"
        ),
        # A child's held records, looked up for every record of a child that has some: a
        # scan of the whole table each time made a backlog's drain quadratic.
        Index(
            "ix_rejected_held",
            "key",
            "id",
            postgresql_where=text("status = 'held'"),
            sqlite_where=text("status = 'held'"),
        ),
    )

    id: Mapped[int] = mapped_column(Int64, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    problems: Mapped[list[Any]]
    topic: Mapped[str] = mapped_column(String(255))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(Int64)
    key: Mapped[bytes | None] = mapped_column(LargeBinary)
    value: Mapped[bytes | None] = mapped_column(LargeBinary)
    headers: Mapped[list[Any]]
    # its key and value hashed (hub.service.batch.Record.digest); None: stored before 0016
    record_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    event_id: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")


class ConsoleUser(Base):
    """Someone who signs in to the ops console, with one role (hub.console.access)."""

    __tablename__ = "console_users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id; never the password
    role: Mapped[str] = mapped_column(String(16))  # viewer, operator, admin
    created_at: Mapped[datetime]
    # Sessions begun before this are over: signing out ends every session of the user.
    signed_out_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    """Who looked at a child's record, revealed personal data, retried or replayed, and
    when. Written in the same transaction as what it records; never deleted, and updated
    only to redact a reveal's free-text reason after its time (hub.store.retention)."""

    __tablename__ = "audit_log"
    # Who saw an episode's record: one target's lines, newest first, read off the index
    # alone, not the whole trail, kept for ever (hub.console.access.audit_trail; 0024).
    __table_args__ = (Index("ix_audit_log_target", "target", "id"),)

    id: Mapped[int] = mapped_column(Int64, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(Stamp(), index=True)
    who: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))  # view_episode, reveal, retry, replay, ...
    target: Mapped[str] = mapped_column(String(255))  # an episode, outbox row or rejection
    outcome: Mapped[str] = mapped_column(Text)


class HubProcess(Base):
    """A running `hub run`, and when it last said so. The console reads it to tell "all
    well" from "no hub is running": a store with nothing pending looks the same either way."""

    __tablename__ = "hub_processes"

    instance: Mapped[str] = mapped_column(String(128), primary_key=True)  # host:pid:random
    roles: Mapped[str] = mapped_column(String(64))  # consumer,relay,scheduler
    started_at: Mapped[datetime]
    last_seen: Mapped[datetime] = mapped_column(Stamp(), index=True)
    # The scheduler's timers waiting for the broker (hub.scheduler.TimersWaiting): since
    # when (wall clock) and why, so the console can tell a wait from a stuck scheduler.
    timers_waiting_since: Mapped[datetime | None] = mapped_column(Stamp(), default=None)
    timers_waiting_reason: Mapped[str | None] = mapped_column(String(32), default=None)
