"""The hub makes its topics with the deployment's settings, and the broker makes none by
itself: a topic named by mistake (or by a sender) never comes to exist."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaTimeoutError, UnknownTopicOrPartitionError

from hub.kafka.connection import KafkaConnection
from hub.kafka.topics import TopicConfig, ensure_topics


async def test_a_topic_the_hub_makes_has_the_deployments_retention_and_isr(
    kafka: KafkaConnection,
) -> None:
    name = f"t{uuid.uuid4().hex[:8]}.notify.luton.host_authority"
    config = TopicConfig(partitions=2, min_insync_replicas=1, retention_ms=7 * 24 * 3600 * 1000)
    await ensure_topics(kafka, [name], config)
    admin = AIOKafkaAdminClient(**kafka.options())
    await admin.start()
    try:
        [described] = await admin.describe_topics([name])
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    finally:
        await admin.close()
    assert len(described["partitions"]) == 2
    values = {entry[0]: entry[1] for entry in response.resources[0][4]}
    assert values["retention.ms"] == str(7 * 24 * 3600 * 1000)
    assert values["min.insync.replicas"] == "1"


async def test_the_broker_never_makes_a_topic_by_itself(kafka: KafkaConnection) -> None:
    name = f"t{uuid.uuid4().hex[:8]}.notify.evil-collector.mash"
    client = AIOKafkaProducer(**kafka.options(), request_timeout_ms=3000)
    await client.start()
    try:
        with pytest.raises((KafkaTimeoutError, UnknownTopicOrPartitionError)):
            await client.send_and_wait(name, b"{}", key=b"CF-1")
    finally:
        await client.stop()
    admin = AIOKafkaAdminClient(**kafka.options())
    await admin.start()
    try:
        assert name not in await admin.list_topics()
    finally:
        await admin.close()
