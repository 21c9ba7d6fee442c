"""After an outage, or a burst while it runs, the hub reads its inbound topics in the order
their records were sent (hub.consumers.read_order): a child's later events wait on the
broker for the MISPER report sent before them instead of being held by the hub, apart from
the first record or so read from each partition before the consumer knows where each
stands."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.consumers.read_order import BACKLOG_BATCHES
from hub.devtools.workload import workload
from hub.kafka.connection import KafkaConnection
from hub.kafka.topics import ensure_topics
from hub.producers.publisher import publish
from hub.runtime import Hub
from hub.store.models import InboundEvent, RejectedMessage
from tests.pipeline.hub_harness import count, eventually, isolated_settings

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)


def held_per_partition(hub: Hub) -> Counter[tuple[str, int]]:
    """How many records the hub held from each partition, released since or not."""
    assert hub.engine is not None
    held = select(RejectedMessage.topic, RejectedMessage.partition).where(
        RejectedMessage.kind == "awaiting_predecessor"
    )
    with hub.engine.connect() as connection:
        return Counter((topic, partition) for topic, partition in connection.execute(held))


async def test_a_backlog_is_read_in_the_order_sent_not_a_topic_at_a_time(
    kafka: KafkaConnection, database_url: str
) -> None:
    # A batch of one record: the consumer steers after every record, and every partition
    # has records waiting for it, as after an outage.
    hub = Hub(build(isolated_settings(database_url, batch_size=1), kafka, ManualClock(START)))
    backlog = workload(150, START, run="outage")
    for phase in backlog.phases:  # sent while the hub is down, a child's events in order
        await publish(kafka, phase, topic_prefix=hub.settings.topic_prefix)
        await asyncio.sleep(0.3)  # each phase sent well apart from the next (WINDOW_MS)
    partitions = 3 * len({event.contract.topic for event in backlog.events})
    await hub.start()
    try:
        await eventually(lambda: count(hub, InboundEvent) == len(backlog), timeout_s=120)
        held = held_per_partition(hub)
        refused = count(hub, RejectedMessage, RejectedMessage.status != "resolved")
    finally:
        await hub.stop()
    assert refused == 0
    # At most one record from each partition before the consumer has read it once.
    assert max(held.values(), default=0) <= 1, held
    assert held.total() < partitions, (held, len(backlog))


async def test_a_burst_while_the_hub_runs_is_read_in_the_order_sent(
    kafka: KafkaConnection, database_url: str
) -> None:
    """A region's systems connect at once and flush what they queued, within milliseconds:
    the partitions the hub had caught up on fall far behind, a backlog again, read in the
    order the events happened (their `ce_time`), not a topic at a time."""
    hub = Hub(build(isolated_settings(database_url, batch_size=1), kafka, ManualClock(START)))
    prefix = hub.settings.topic_prefix
    burst = workload(150, START, run="burst")
    topics = sorted({prefix + event.contract.topic for event in burst.events})
    await ensure_topics(kafka, topics)  # there before the hub subscribes to them
    await hub.start()
    try:
        await publish(kafka, workload(1, START, run="live").phases[0][:1], topic_prefix=prefix)
        await eventually(lambda: count(hub, InboundEvent) == 1)  # every partition caught up
        await publish(kafka, burst.events, topic_prefix=prefix)
        await eventually(lambda: count(hub, InboundEvent) == 1 + len(burst), timeout_s=120)
        held = held_per_partition(hub)
        refused = count(hub, RejectedMessage, RejectedMessage.status != "resolved")
    finally:
        await hub.stop()
    assert refused == 0
    # Unlike an outage's backlog, a burst lands on partitions read live: each may give up
    # to BACKLOG_BATCHES records, read as they came, before the consumer knows it fell
    # behind, and then one more, read to learn where it stands (ReadOrder._progress).
    assert max(held.values(), default=0) <= BACKLOG_BATCHES + 1, held
    # Read a topic at a time, two thirds of a backlog were held (docs/benchmark.md).
    assert held.total() < 3 * len(topics), (held, len(burst))
