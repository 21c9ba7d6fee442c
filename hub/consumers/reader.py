"""Reading given records back from Kafka (used by the demo and tests to show what arrived)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord


async def read_records(
    bootstrap: str, positions: Iterable[tuple[str, int, int]], timeout_s: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Fetch the records at exact (topic, partition, offset) positions, in the order asked."""
    wanted = list(positions)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        auto_offset_reset="earliest",
    )
    try:
        await consumer.start()
        found: dict[tuple[str, int, int], ConsumerRecord[bytes, bytes]] = {}
        for topic, partition, offset in wanted:
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            consumer.seek(tp, offset)
            batch = await consumer.getmany(tp, timeout_ms=int(timeout_s * 1000), max_records=1)
            for record in batch.get(tp, []):
                found[(topic, partition, record.offset)] = record
        return [found[p] for p in wanted if p in found]
    finally:
        await consumer.stop()
