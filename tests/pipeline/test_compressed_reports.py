"""Reports compressed by a sender, on the real broker. A police system's Kafka client may
compress with any codec Kafka has; aiokafka reads snappy, lz4 and zstd only with their
library installed, and without it FastStream retried the same fetch for ever."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from hub.kafka.connection import KafkaConnection
from hub.store.models import InboundEvent
from tests.pipeline.hub_harness import all_sent, count, eventually, in_process_hub
from tests.pipeline.test_poison_messages import good

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)
CODECS = ("gzip", "snappy", "lz4", "zstd")


async def test_reports_compressed_with_every_codec_kafka_has_are_applied(
    kafka: KafkaConnection, database_url: str
) -> None:
    hub = in_process_hub(kafka, database_url, START)
    topic = f"{hub.settings.topic_prefix}inbound.misper-report"
    await hub.start()
    try:
        for n, codec in enumerate(CODECS, start=1):
            producer = AIOKafkaProducer(**kafka.options(), acks="all", compression_type=codec)
            await producer.start()
            try:
                key, value, headers = good(n)
                await producer.send_and_wait(topic, value=value, key=key, headers=headers)
            finally:
                await producer.stop()
        await eventually(lambda: count(hub, InboundEvent) == len(CODECS))
        await eventually(lambda: all_sent(hub))
    finally:
        await hub.stop()
