"""While a batch is being applied, the running hub's consumer goes on fetching the partitions
that hold nothing unconsumed (hub.consumers.prefetch): aiokafka's prefetch backoff, which
holds every fetch to a broker for 0.1 s after one that returned records, is off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.consumers.prefetch import PREFETCH_BACKOFF_S
from hub.devtools.workload import workload
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from hub.runtime import Hub
from hub.store.models import InboundEvent
from tests.pipeline.hub_harness import count, eventually, isolated_settings

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)


async def test_the_hubs_consumer_fetches_while_a_batch_is_applied(
    kafka: KafkaConnection, tmp_path: Path
) -> None:
    hub = Hub(
        build(isolated_settings(f"sqlite:///{tmp_path / 'hub.db'}"), kafka, ManualClock(START))
    )
    await hub.start()
    try:
        one = workload(1, START, run="prefetch").phases[0][:1]
        await publish(kafka, one, topic_prefix=hub.settings.topic_prefix)
        await eventually(lambda: count(hub, InboundEvent) == 1)
        [subscriber] = hub.broker.subscribers
        consumer = subscriber.consumer  # type: ignore[attr-defined]
        assert isinstance(consumer, AIOKafkaConsumer)
        # The pinned aiokafka's own setting, read where its fetcher reads it.
        backoff = consumer._fetcher._prefetch_backoff
    finally:
        await hub.stop()
    assert backoff == PREFETCH_BACKOFF_S == 0
