"""One transaction's worth of inbound records: the records as they arrived, what was
looked up once for all of them, and what applying them changes (hub.service.applying)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.contracts.base import is_identifier
from hub.contracts.envelope import EVENT_ID_LIMIT
from hub.routing.directory import Directory
from hub.routing.facts import ChildState
from hub.store.database import among
from hub.store.models import InboundEvent, RejectedMessage, table_of
from hub.store.outbox import Source
from hub.store.outcomes import Writes, load_children

# Core tables for the reads every batch makes (hub.store.outcomes: an ORM statement costs
# more); the held records are read as ORM rows, since a batch may release them.
INBOUND, REJECTED = table_of(InboundEvent), table_of(RejectedMessage)


@dataclass(frozen=True)
class Record:
    """One Kafka record as it arrived: nothing decoded yet."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes | None]]  # Kafka allows a header with no value

    @property
    def source(self) -> Source:
        return Source(self.topic, self.partition, self.offset, self.key)

    def digest(self) -> str:
        """Its key, value and headers, hashed: the same record read again has the same, and
        a new record where an old one was (a topic made again numbers from 0) another.
        Migration 0016 computes it as here for the refusals stored before it."""
        hashed = hashlib.sha256()
        parts = [self.key, self.value]
        for name, value in self.headers:
            parts += [name.encode("utf-8", errors="surrogateescape"), value]
        for part in parts:
            hashed.update(b"-" if part is None else len(part).to_bytes(8, "big") + part)
        return hashed.hexdigest()


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    dead_lettered: int = 0
    held: int = 0  # early: waiting for the event it depends on (a MISPER report)
    notifications: int = 0

    def add(self, other: BatchResult) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Batch:
    """One transaction's worth of records, what was looked up once for all of them rather
    than once per record, and what they change (`writes`), written together at the end."""

    session: Session
    directory: Directory
    now: datetime
    # already stored as refused or held: each source's records, by digest (None: stored
    # before digests were, taken for any record there)
    refused_sources: dict[tuple[str, int, int], set[str | None]]
    held: dict[bytes, list[RejectedMessage]]  # each child's held records, oldest first
    digests: dict[str, str | None]  # event id -> body digest stored (None: not stored)
    children: dict[str, ChildState | None]  # as stored and locked (None: no record yet)
    writes: Writes

    @classmethod
    def open(
        cls,
        session: Session,
        records: list[Record],
        directory: Directory,
        now: datetime,
    ) -> Batch:
        partitions: dict[tuple[str, int], list[int]] = {}
        for record in records:
            partitions.setdefault((record.topic, record.partition), []).append(record.offset)
        rejected = REJECTED.c
        in_batch = [
            (rejected.topic == topic)
            & (rejected.partition == partition)
            & rejected.offset.between(min(offsets), max(offsets))
            for (topic, partition), offsets in partitions.items()
        ]
        keys = {record.key for record in records if record.key is not None}
        batch = cls(session, directory, now, {}, {}, {}, {}, Writes(now))
        if not in_batch:
            return batch
        # The children first, locked: what is read after sees what another instance still
        # applying these records committed before it let go of them. Read before, the
        # records' ids looked new, and a second instance handed the partition in a
        # rebalance applied a found report again after the first (refused: "the child was
        # found").
        # Only keys an event could have: one no child's id could be is refused later, and
        # looked up it could fail the batch for ever (PostgreSQL's text holds no NUL).
        decoded = (key.decode("utf-8", errors="replace") for key in keys)
        child_ids = {key for key in decoded if is_identifier(key)}
        batch.children = dict.fromkeys(child_ids)
        batch.children.update(load_children(session, child_ids))
        refused = session.execute(
            select(
                rejected.topic, rejected.partition, rejected.offset, rejected.record_sha256
            ).where(or_(*in_batch))
        )
        for topic, partition, offset, digest in refused:
            batch.refused_sources.setdefault((topic, partition, offset), set()).add(digest)
        # Whole rows: a record applied here may release them, in this same write. Locked, so
        # that a scheduler's round expiring holds leaves them to this batch (expire_held):
        # both, a found report was applied and its sender told it was refused.
        held = session.scalars(
            select(RejectedMessage)
            .where(RejectedMessage.status == "held", among(session, RejectedMessage.key, keys))
            .order_by(RejectedMessage.id)
            .with_for_update()
        )
        for row in held:
            batch.held.setdefault(row.key or b"", []).append(row)
        ids = {event_id for record in records if (event_id := event_id_of(record)) is not None}
        ids.update(row.event_id for rows in batch.held.values() for row in rows if row.event_id)
        batch.digests = dict.fromkeys(ids)
        if ids:
            inbound = INBOUND.c
            stored = session.execute(
                select(inbound.event_id, inbound.body_sha256).where(
                    among(session, inbound.event_id, ids)
                )
            )
            batch.digests.update({event_id: digest for event_id, digest in stored})
        return batch

    def already_refused(self, record: Record) -> bool:
        """Whether the record is one already stored as refused or held, read again."""
        digests = self.refused_sources.get((record.topic, record.partition, record.offset))
        return digests is not None and (None in digests or record.digest() in digests)

    def digest_of(self, event_id: str) -> str | None:
        """The body digest already stored (or applied in this batch) under this id."""
        if event_id in self.writes.digests:
            return self.writes.digests[event_id]
        if event_id not in self.digests:  # a held record's id, not among those looked up
            self.digests[event_id] = self.session.scalar(
                select(InboundEvent.body_sha256).where(InboundEvent.event_id == event_id)
            )
        return self.digests[event_id]

    def state_of(self, child_id: str) -> ChildState:
        if child_id in self.writes.children:
            return self.writes.children[child_id]
        if child_id not in self.children:
            self.children[child_id] = load_children(self.session, [child_id]).get(child_id)
        return self.children[child_id] or ChildState(child_id)

    def held_of(self, child_key: bytes) -> list[RejectedMessage]:
        """The child's records still held, oldest first: those stored before this batch and
        those held by its records so far (not yet written)."""
        rows = [*self.held.get(child_key, ()), *self.writes.held.get(child_key, ())]
        return [row for row in rows if row.status == "held"]

    def write(self, check_logged: bool = True) -> int:
        """Write what the records changed; returns how many notifications were queued."""
        # The children read at the batch's start, or since by state_of: whether each has a
        # record is known, and need not be looked up again.
        stored = None
        if self.writes.children.keys() <= self.children.keys():
            stored = {child_id for child_id, state in self.children.items() if state is not None}
        return self.writes.write(self.session, check_logged, stored)

    def remember(self) -> None:
        """What was written is now committed (its savepoint released): later records see it."""
        self.digests.update(self.writes.digests)
        self.children.update(self.writes.children)
        for row in self.writes.refused:
            source = (row.topic, row.partition, row.offset)
            self.refused_sources.setdefault(source, set()).add(row.record_sha256)
            if row.status == "held" and row.key is not None:
                self.held.setdefault(row.key, []).append(row)
        self.writes = Writes(self.now)

    def forget(self) -> None:
        """What was written was rolled back with its savepoint."""
        self.writes = Writes(self.now)


def event_id_of(record: Record) -> str | None:
    """The record's CloudEvents id as sent, if it is one (the de-duplication key even of a
    record that is refused). Anything else is not repeated, in a log line, a refusal or its
    report: a sender's id field could hold anything, a child's name included."""
    raw = dict(record.headers).get("ce_id")
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if is_identifier(text, EVENT_ID_LIMIT) else None
