"""A header whose name is not UTF-8, on the real broker. aiokafka's reader raised on it: the
records before it in the fetch were skipped, and nothing after it was ever read."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from hub.kafka.connection import KafkaConnection
from hub.store.models import InboundEvent, RejectedMessage
from tests.consumer.test_header_names import RawName, python_builder
from tests.pipeline.hub_harness import all_sent, count, eventually, in_process_hub
from tests.pipeline.test_poison_messages import good

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)


async def test_a_report_with_a_stray_header_name_not_utf8_is_applied_and_so_are_the_rest(
    kafka: KafkaConnection, database_url: str
) -> None:
    hub = in_process_hub(kafka, database_url, START)
    topic = f"{hub.settings.topic_prefix}inbound.misper-report"
    await hub.start()
    producer = AIOKafkaProducer(**kafka.options(), acks="all", enable_idempotence=False)
    await producer.start()
    try:
        key, value, headers = good(2)
        batch = producer.create_batch()
        batch._builder = python_builder(compression=0)
        for k, v, h in (good(1), (key, value, [*headers, (RawName(), b"1")]), good(3)):
            assert batch.append(key=k, value=v, timestamp=None, headers=h) is not None
        batch.close()
        await (await producer.send_batch(batch, topic, partition=0))
        key, value, headers = good(4)
        await producer.send_and_wait(topic, value=value, key=key, headers=headers, partition=0)
        await eventually(lambda: count(hub, InboundEvent) == 4)
        await eventually(lambda: all_sent(hub))
        assert count(hub, RejectedMessage) == 0
    finally:
        await producer.stop()
        await hub.stop()
