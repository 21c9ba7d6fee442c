"""Consumer lag on the real broker: the records on the inbound topics that the hub's group
has not yet committed, as health and /metrics report them."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from hub.console.health import consumer_lag
from hub.contracts.registry import INBOUND_TOPICS
from hub.kafka.connection import KafkaConnection
from hub.kafka.topics import ensure_topics


async def test_records_not_yet_committed_by_the_hubs_group_are_its_lag(
    kafka: KafkaConnection,
) -> None:
    prefix = f"lag{uuid.uuid4().hex[:8]}."
    misper = prefix + "inbound.misper-report"
    await ensure_topics(kafka, [prefix + topic for topic in INBOUND_TOPICS], 3)
    client = kafka.producer()
    await client.start()
    try:
        for n in range(7):
            await client.send_and_wait(misper, b"{}", key=f"CF-{n}".encode(), partition=n % 3)
    finally:
        await client.stop()
    group = f"hub-{uuid.uuid4().hex[:8]}"
    committer = AIOKafkaConsumer(**kafka.options(), group_id=group, enable_auto_commit=False)
    committer.assign([TopicPartition(misper, 0), TopicPartition(misper, 1)])
    await committer.start()
    try:
        # A commit of nothing done (offset 0) makes the group known to its coordinator.
        await committer.commit({TopicPartition(misper, 1): OffsetAndMetadata(0, "")})
        lag = await consumer_lag(kafka, group, prefix)
        assert lag[misper] == 7
        assert sum(lag.values()) == 7  # every inbound topic is counted; the others are empty
        # Partition 0 committed to its end (offsets 0, 1, 2: children 0, 3 and 6).
        await committer.commit({TopicPartition(misper, 0): OffsetAndMetadata(3, "")})
        assert (await consumer_lag(kafka, group, prefix))[misper] == 4
    finally:
        await committer.stop()
