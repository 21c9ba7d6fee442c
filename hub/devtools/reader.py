"""Reading given records back from Kafka (used by the demo and tests to show what arrived)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from hub.kafka.connection import KafkaConnection


async def read_records(
    kafka: KafkaConnection, positions: Iterable[tuple[str, int, int]], timeout_s: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Fetch the records at exact (topic, partition, offset) positions, in the order asked."""
    wanted = list(positions)
    consumer = kafka.consumer(
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


async def _partitions_of(kafka: KafkaConnection, prefix: str) -> list[TopicPartition]:
    admin = kafka.admin()
    try:
        await admin.start()
        topics = sorted(t for t in await admin.list_topics() if t.startswith(prefix))
        described = await admin.describe_topics(topics) if topics else []
        return [
            TopicPartition(topic["topic"], partition["partition"])
            for topic in described
            for partition in topic["partitions"]
        ]
    finally:
        await admin.close()


async def read_topics(
    kafka: KafkaConnection, prefix: str, timeout_s: float = 10.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record now in the topics whose name starts with `prefix`, read from the start
    of each partition to its current end (what a recipient would have received)."""
    consumer = kafka.consumer(enable_auto_commit=False, group_id=None)
    try:
        await consumer.start()
        partitions = await _partitions_of(kafka, prefix)
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=int(timeout_s * 1000))
            if not batch:
                raise TimeoutError(f"could not read {len(remaining)} partitions to their end")
            for tp, got in batch.items():
                records += got
                if got and got[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        return records
    finally:
        await consumer.stop()
