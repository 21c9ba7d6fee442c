"""Refusals that must reach their sender, and a relay that must go on: a report too large
for any broker, a report keyed by a sender's long key, a refusal replayed as held.
On SQLite and PostgreSQL; one test on the real broker."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from aiokafka.errors import NotLeaderForPartitionError
from aiokafka.producer.message_accumulator import BatchBuilder
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock
from hub.contracts.registry import REJECTED_TOPIC
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.producers.relay import DeliveryFailed, Relay
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.service.refusals import expire_held
from hub.service.replay import replay
from hub.service.timers import fire_due_timers
from hub.store.models import InboundEvent, OutboxMessage, RejectedMessage, RoutingDecision
from hub.store.outbox import Outgoing, publishable_topic
from hub.store.outcomes import enqueue
from tests.helpers import example
from tests.pipeline.records import misper_record, raw_record, record_of

DIRECTORY = load_directory()
PUBLISHABLE = partial(publishable_topic, DIRECTORY)
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
Store = sessionmaker[Session]
BROKER_DEFAULT_MAX_BYTES = 1_048_588  # Kafka's message.max.bytes


def flooded(record: Record) -> Record:
    """The record's body with 24,000 fields no contract has: 210 KB, under the hub's limit."""
    data = json.loads(record.value or b"")
    data.update({f"{n:x}": 0 for n in range(24_000)})
    return replace(record, value=json.dumps(data, separators=(",", ":")).encode())


def found_record() -> Record:
    return record_of(example("05-found-report"), topic="inbound.found-report")


def test_a_rejection_report_fits_the_broker_whatever_the_message_had_wrong(
    store: Store,
) -> None:
    """Each unknown field is one problem, and the report listing 24,000 of them was 2.4 MB,
    over every broker's default limit: the relay could never send it (MessageSizeTooLarge),
    and every later report keyed by the same child waited behind it for ever."""
    record = flooded(misper_record())
    assert len(record.value or b"") < 256 * 1024
    assert apply_batch(store, [record], DIRECTORY, NOW).rejected == 1
    with store() as session:
        [report] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == REJECTED_TOPIC)
        ).all()
        [refusal] = session.scalars(select(RejectedMessage)).all()
    assert len(report.value) + len(report.key) < BROKER_DEFAULT_MAX_BYTES // 2
    assert len(refusal.problems) == 24_000  # ops still see every one


async def test_a_flooded_message_is_reported_and_the_childs_next_refusal_too(
    kafka: KafkaConnection, store: Store
) -> None:
    """On the real broker: the report of a message with 24,000 unknown fields, and the report
    of the same child's next bad message, both reach the rejected topic. (The first failed
    with MessageSizeTooLargeError for ever; the second, behind it, was never tried.)"""
    first = flooded(misper_record())
    second = raw_record(b"not json", key=first.key)
    apply_batch(store, [first, second], DIRECTORY, NOW)
    prefix = f"r{uuid.uuid4().hex[:8]}."
    client = kafka.producer()
    await client.start()
    relay = Relay(
        store, client, kafka, ManualClock(NOW), topic_prefix=prefix, publishable=PUBLISHABLE
    )
    try:
        for _ in range(2):
            with contextlib.suppress(DeliveryFailed):
                await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop())
    finally:
        await client.stop()
    with store() as session:
        statuses = session.scalars(select(OutboxMessage.status)).all()
    assert statuses == ["sent", "sent"]
    assert len(await read_topics(kafka, prefix)) == 2


class FailingTopicProducer:
    """Stands in for the relay's producer: every send to `failing` fails as a broker's does
    while a partition's leader moves; every other is acknowledged."""

    def __init__(self, failing: str) -> None:
        self.failing = failing

    async def partitions_for(self, topic: str) -> set[int]:
        return {0}

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(512 * 1024, 0)

    async def send_batch(
        self, batch: BatchBuilder, topic: str, *, partition: int
    ) -> asyncio.Future[Any]:
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if topic == self.failing:
            done.set_exception(NotLeaderForPartitionError())
        else:
            done.set_result(None)
        return done


async def test_a_refusal_keyed_by_a_long_key_that_fails_once_never_stops_the_relay(
    store: Store,
) -> None:
    """A Kafka key is any bytes: 4 KB of them (a serializer's key, say) on a bad message.
    Its report was keyed by them. When that report failed once (a leader moving), marking
    it backing off put the key in the outbox's backing-off index: PostgreSQL refuses an index
    row that large (ProgramLimitExceeded), the round rolled back, the other rows' "sent"
    with it, and every round after sent the same rows again and marked none."""
    apply_batch(store, [raw_record(b"not json", key=os.urandom(4096))], DIRECTORY, NOW)
    with store.begin() as session:
        enqueue(session, Outgoing("fine", "notify.kent.mash", b"CF-2", [], b"{}"), NOW)
    relay = Relay(
        store,
        FailingTopicProducer(REJECTED_TOPIC),
        None,  # type: ignore[arg-type]  # no topic to make: both are known
        ManualClock(NOW),
        publishable=PUBLISHABLE,
    )
    relay.known_topics |= {REJECTED_TOPIC, "notify.kent.mash"}
    with contextlib.suppress(DeliveryFailed):  # the report failed this round: it backs off
        await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop())
    with store() as session:
        found = session.execute(select(OutboxMessage.topic, OutboxMessage.status))
        status: dict[str, str] = {topic: state for topic, state in found}
        waiting = session.scalar(
            select(OutboxMessage.next_attempt_at).where(OutboxMessage.topic == REJECTED_TOPIC)
        )
    assert status == {"notify.kent.mash": "sent", REJECTED_TOPIC: "pending"}
    assert waiting is not None


def expired_found_report(store: Store) -> int:
    """A found report held for its MISPER report, expired after a day: its refusal's id."""
    apply_batch(store, [found_record()], DIRECTORY, NOW)
    with store.begin() as session:
        expire_held(session, NOW + timedelta(hours=25), timedelta(hours=24), DIRECTORY)
    with store() as session:
        [refusal] = session.scalars(select(RejectedMessage.id)).all()
    return refusal


def test_a_found_report_replayed_as_held_is_applied_when_its_misper_report_comes(
    store: Store,
) -> None:
    """Ops replay the expired found report before its MISPER report has come, and are told
    `held`. When the MISPER report comes, the found report must be applied: it stayed an
    open refusal instead, and the found child's timers (strategy meetings, escalations) ran
    on."""
    refusal = expired_found_report(store)
    assert replay(store, refusal, DIRECTORY, NOW + timedelta(hours=26)).outcome == "held"
    apply_batch(store, [misper_record()], DIRECTORY, NOW + timedelta(hours=27))
    with store() as session:
        applied = set(session.scalars(select(InboundEvent.event_id)))
        found_duties = session.scalars(
            select(RoutingDecision).where(RoutingDecision.cause == "evt-police-0005")
        ).all()
        row = session.get(RejectedMessage, refusal)
    assert "evt-police-0005" in applied
    assert found_duties
    assert row is not None
    assert row.status == "resolved"


def test_a_refusal_held_again_by_a_replay_expires_again_without_failing_the_timers(
    store: Store,
) -> None:
    """Held again by a replay, its MISPER report never coming: it expires again in the
    timers' round, and its sender, told the first time, is not told twice (the report's id
    is the record's: queued twice it would break the outbox's unique key, and with it every
    round of every child's timers)."""
    refusal = expired_found_report(store)
    assert replay(store, refusal, DIRECTORY, NOW + timedelta(hours=26)).outcome == "held"
    fire_due_timers(store, DIRECTORY, NOW + timedelta(hours=51))
    with store() as session:
        row = session.get(RejectedMessage, refusal)
        reports = session.scalars(
            select(OutboxMessage.message_id).where(OutboxMessage.topic == REJECTED_TOPIC)
        ).all()
    assert row is not None
    assert (row.kind, row.status) == ("protocol_violation", "open")
    assert len(reports) == 1
