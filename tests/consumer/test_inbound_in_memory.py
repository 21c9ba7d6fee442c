"""The inbound consumer's handling on FastStream's in-memory broker (TestKafkaBroker): the
router and handler `hub run` uses, over a real store, without Kafka. The real-broker tests
(tests/pipeline) cover what this tier cannot: offsets, rebalances, outages."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, Mock

import pytest
from aiokafka import ConsumerRecord
from faststream.kafka import TestKafkaBroker
from sqlalchemy import select

from hub.access.senders import inbound_pattern
from hub.bootstrap import build
from hub.clock import ManualClock
from hub.consumers import inbound
from hub.consumers.inbound import InboundConsumer, inbound_router
from hub.contracts.registry import REJECTED_TOPIC
from hub.kafka.connection import KafkaConnection
from hub.logs import JsonLines
from hub.routing.directory import load_directory
from hub.runtime import Hub
from hub.service.applying import apply_batch
from hub.service.batch import BatchResult
from hub.settings import HubSettings
from hub.store.database import count_rows, make_engine, migrate, sessions
from hub.store.models import InboundEvent, OutboxMessage, RejectedMessage
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of
from tests.pipeline.test_apply import stored_state_gone_bad

NOW = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
DIRECTORY = load_directory()


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """The consumer alone, on a store of its own; the broker is never reached."""
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}", roles={"consumer"})
    parts = build(settings, KafkaConnection("127.0.0.1:1"), ManualClock(NOW))
    parts.migrate()
    the_hub = Hub(parts)
    yield the_hub
    parts.close()


async def test_a_misper_report_is_applied_and_its_duties_queued_once(hub: Hub) -> None:
    record = misper_record()
    headers = {name: (value or b"").decode() for name, value in record.headers}
    async with TestKafkaBroker(hub.broker) as broker:
        await broker.publish(record.value, topic=record.topic, key=record.key, headers=headers)
        queued = count_rows(hub.parts.engine, OutboxMessage)
        await broker.publish(record.value, topic=record.topic, key=record.key, headers=headers)
    assert count_rows(hub.parts.engine, InboundEvent) == 1
    assert queued > 0  # MASH, the police, the MCT ... (6.14, 7.1): tests/routing says which
    assert count_rows(hub.parts.engine, OutboxMessage) == queued  # the resend changed nothing


async def test_a_record_that_is_not_a_cloudevent_is_stored_and_reported_not_dropped(
    hub: Hub,
) -> None:
    async with TestKafkaBroker(hub.broker) as broker:
        await broker.publish(b"not json", topic="inbound.found-report", key=b"CF-9")
    with hub.parts.sessions() as session:
        [refusal] = session.scalars(select(RejectedMessage)).all()
        [report] = session.scalars(select(OutboxMessage)).all()
    assert (refusal.kind, refusal.value) == ("bad_message", b"not json")
    assert "ce_type" in {problem["field"] for problem in refusal.problems}
    assert report.topic == REJECTED_TOPIC


async def test_a_header_with_no_value_never_loses_its_batch(hub: Hub) -> None:
    """Kafka allows a header with no value. FastStream's parser decoded it, failed the whole
    batch, and dropped it without calling the hub: every report in it was lost."""
    reports = [
        misper_record(id=f"evt-{n}", data={"child_id": f"CF-{n}", "episode_id": f"EP-{n}"})
        for n in (1, 2)
    ]
    batch = tuple(
        ConsumerRecord(
            r.topic,
            r.partition,
            r.offset,
            0,
            0,
            r.key,
            r.value,
            None,
            0,
            0,
            [*r.headers, ("x-trace", None)],
        )
        for r in reports
    )
    async with TestKafkaBroker(hub.broker):
        [subscriber] = hub.broker.subscribers
        await subscriber.consume(batch)  # as FastStream's consume loop calls it
    assert count_rows(hub.parts.engine, InboundEvent) == 2


async def test_a_cloudevents_time_with_no_value_is_refused_and_the_rest_applied(hub: Hub) -> None:
    """The consumer orders a batch by each record's `ce_time` before anything else: with
    no value there, the batch failed and was read again for ever."""
    good, bad = (
        misper_record(id=f"evt-{n}", data={"child_id": f"CF-{n}", "episode_id": f"EP-{n}"})
        for n in (1, 2)
    )
    no_time = [(name, None if name == "ce_time" else value) for name, value in bad.headers]
    batch = (
        ConsumerRecord(good.topic, 0, good.offset, 0, 0, good.key, good.value, None, 0, 0,
                       list(good.headers)),
        ConsumerRecord(bad.topic, 1, bad.offset, 0, 0, bad.key, bad.value, None, 0, 0, no_time),
    )  # fmt: skip
    async with TestKafkaBroker(hub.broker):
        [subscriber] = hub.broker.subscribers
        await subscriber.consume(batch)
    assert count_rows(hub.parts.engine, InboundEvent) == 1
    with hub.parts.sessions() as session:
        [refused] = session.scalars(select(RejectedMessage)).all()
    assert refused.problems == [{"field": "ce_time", "reason": "header has no value"}]


async def test_an_event_on_another_contracts_topic_is_refused_naming_the_topic(
    hub: Hub,
) -> None:
    record = misper_record()
    headers = {name: (value or b"").decode() for name, value in record.headers}
    async with TestKafkaBroker(hub.broker) as broker:
        await broker.publish(
            record.value, topic="inbound.found-report", key=record.key, headers=headers
        )
    with hub.parts.sessions() as session:
        [refusal] = session.scalars(select(RejectedMessage)).all()
    assert refusal.problems == [
        {
            "field": "ce_type",
            "reason": "a misper-report is published on inbound.misper-report "
            "or inbound.misper-report.<agency> only",
        }
    ]


def test_the_subscriber_reads_every_inbound_topic_under_the_deployments_prefix(
    tmp_path: Path,
) -> None:
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}", topic_prefix="ab.")
    hub = Hub(build(settings, KafkaConnection("127.0.0.1:1")))
    [subscriber] = hub.broker.subscribers  # one consumer group over them all
    addresses = {channel.address for channel in subscriber.schema().values()}
    hub.parts.close()
    assert addresses == {inbound_pattern("ab.")}  # every inbound topic, shared or an agency's


async def test_every_batch_is_applied_on_the_consumers_one_applier_thread(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the shared to_thread pool, whose threads each kept a backlog batch's memory."""
    threads: list[str] = []

    def apply_and_note_thread(*args: Any) -> BatchResult:
        threads.append(threading.current_thread().name)
        return apply_batch(*args)

    monkeypatch.setattr(inbound, "apply_batch", apply_and_note_thread)
    record = misper_record()
    headers = {name: (value or b"").decode() for name, value in record.headers}
    async with TestKafkaBroker(hub.broker) as broker:
        for _ in range(2):  # two batches: the report, then its resend
            await broker.publish(record.value, topic=record.topic, key=record.key, headers=headers)
    assert len(threads) == 2
    assert len(set(threads)) == 1
    assert threads[0].startswith("apply")
    assert count_rows(hub.parts.engine, InboundEvent) == 1


def test_the_consumer_reads_ahead_of_its_batch_by_a_bounded_amount() -> None:
    """aiokafka's defaults (1 MiB a partition, 50 MiB in all) kept a backlog in memory."""
    consumer = InboundConsumer(Mock(), Mock(), ManualClock(NOW), asyncio.Event())
    router = inbound_router(HubSettings(), consumer)
    [subscriber] = router.subscribers
    options = subscriber._connection_args  # type: ignore[attr-defined]  # FastStream private
    assert options["max_partition_fetch_bytes"] == 256 * 1024
    assert options["fetch_max_bytes"] == 4 * 1024 * 1024


def test_a_record_waits_at_most_50_ms_for_a_fetch_asking_after_idle_partitions() -> None:
    """aiokafka's default (500 ms) was the tail of the latency at 200 events/s."""
    consumer = InboundConsumer(Mock(), Mock(), ManualClock(NOW), asyncio.Event())
    [subscriber] = inbound_router(HubSettings(), consumer).subscribers
    options = subscriber._connection_args  # type: ignore[attr-defined]  # FastStream private
    assert options["fetch_max_wait_ms"] == 50


def test_a_consumer_killed_without_leaving_is_given_up_after_the_session_timeout_set() -> None:
    """A `hub run` killed (SIGKILL, its host lost) never leaves the group: its partitions go
    to another instance once its session times out, HUB_CONSUMER_SESSION_TIMEOUT_MS (10 s by
    default, aiokafka's), heartbeats at most a third of it apart."""
    consumer = InboundConsumer(Mock(), Mock(), ManualClock(NOW), asyncio.Event())
    [default] = inbound_router(HubSettings(), consumer).subscribers
    settings = HubSettings(consumer_session_timeout_ms=6000)
    [shorter] = inbound_router(settings, consumer).subscribers
    options = default._connection_args  # type: ignore[attr-defined]  # FastStream private
    assert (options["session_timeout_ms"], options["heartbeat_interval_ms"]) == (10_000, 3000)
    options = shorter._connection_args  # type: ignore[attr-defined]
    assert (options["session_timeout_ms"], options["heartbeat_interval_ms"]) == (6000, 2000)


async def test_a_failure_to_steer_the_partitions_never_reads_an_applied_batch_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Pausing is for speed: if it fails, the batch stays committed and reading goes on."""
    consumer = InboundConsumer(Mock(), Mock(), ManualClock(NOW), asyncio.Event())

    async def applied_and_committed(message: object) -> None:
        return None

    monkeypatch.setattr(consumer, "_apply_and_commit", applied_and_committed)
    kafka_consumer = Mock(spec=["assignment", "highwater", "paused", "pause", "resume"])
    kafka_consumer.assignment.side_effect = RuntimeError("a rebalance under way")
    message = Mock(consumer=kafka_consumer, nack=AsyncMock())
    await consumer.handle(message)
    message.nack.assert_not_awaited()
    assert "inbound partitions not steered; reading them as fetched" in caplog.messages


async def test_a_batch_failing_past_its_retries_is_read_again_a_second_later_never_committed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/pipeline.md: with manual acknowledgement FastStream would move on past a batch
    whose handler failed; anything escaping the handler's own retries rewinds to the batch
    (nack), after a second, so a failing batch is never read again in a tight loop."""
    consumer = InboundConsumer(Mock(), Mock(), ManualClock(NOW), asyncio.Event())

    async def failing(message: object) -> None:
        raise RuntimeError("the offsets' commit failed: a rebalance")

    monkeypatch.setattr(consumer, "_apply_and_commit", failing)
    kafka_consumer = Mock(spec=["assignment", "highwater", "paused", "pause", "resume"])
    kafka_consumer.assignment.return_value = kafka_consumer.paused.return_value = set()
    message = Mock(consumer=kafka_consumer, ack=AsyncMock(), nack=AsyncMock())
    loop = asyncio.get_running_loop()
    started = loop.time()
    await consumer.handle(message)  # never raises: FastStream would go on past the batch
    message.nack.assert_awaited_once()
    message.ack.assert_not_awaited()
    assert loop.time() - started >= 1


async def test_a_batch_meeting_a_stored_state_gone_bad_names_no_child_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The found report's batch fails opening Jordan's stored state (an older hub's, say):
    retried until the hub stops, its every log line (and any traceback) says what failed
    and how, never the child's name."""
    caplog.set_level(logging.INFO)
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    migrate(url)
    engine = make_engine(url)
    store = sessions(engine)
    stored_state_gone_bad(store)
    stopping = asyncio.Event()
    consumer = InboundConsumer(store, DIRECTORY, ManualClock(NOW), stopping)
    found = record_of(example("05-found-report"), "inbound.found-report")
    raw = ConsumerRecord(
        found.topic, found.partition, found.offset, 0, 0, found.key, found.value,
        None, 0, 0, tuple(found.headers),
    )  # fmt: skip
    kafka_consumer = Mock(spec=["assignment", "highwater", "paused", "pause", "resume"])
    kafka_consumer.assignment.return_value = kafka_consumer.paused.return_value = set()
    message = Mock(raw_message=(raw,), consumer=kafka_consumer, ack=AsyncMock(), nack=AsyncMock())
    asyncio.get_running_loop().call_later(1.0, stopping.set)
    await consumer.handle(message)
    engine.dispose()
    message.ack.assert_not_awaited()  # left uncommitted, to be read again
    assert "failed; retrying" in caplog.messages
    written = [JsonLines().format(record) for record in caplog.records]  # as `hub run` writes
    formatted = [*written, caplog.text, *(str(vars(record)) for record in caplog.records)]
    assert not [line for line in formatted if "Jordan" in line]
