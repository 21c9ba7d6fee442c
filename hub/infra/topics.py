"""Creating the hub's topics up front, with enough partitions for per-child ordering to
spread across consumers (auto-creation would give one-off defaults and noisy warnings)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from hub.contracts.registry import INBOUND_TOPICS, REJECTED_TOPIC


async def ensure_topics(
    bootstrap: str,
    names: Iterable[str] = (*INBOUND_TOPICS, REJECTED_TOPIC),
    partitions: int = 3,
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [n for n in dict.fromkeys(names) if n not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in missing]
            )
    finally:
        await admin.close()
