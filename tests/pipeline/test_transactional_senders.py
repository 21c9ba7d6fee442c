"""A sender that writes in Kafka transactions, on the real broker: what it aborted was never
sent, and the hub never acts on it."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from hub.kafka.connection import KafkaConnection
from hub.kafka.offsets import inbound_offsets
from hub.store.models import InboundEvent
from tests.pipeline.hub_harness import all_sent, count, eventually, in_process_hub
from tests.pipeline.test_poison_messages import good

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)


async def lag(kafka: KafkaConnection, group_id: str, prefix: str) -> dict[str, int]:
    return (await inbound_offsets(kafka, group_id, prefix)).lag_by_topic()


async def test_a_report_in_an_aborted_transaction_is_not_applied(
    kafka: KafkaConnection, database_url: str
) -> None:
    hub = in_process_hub(kafka, database_url, START)
    topic = f"{hub.settings.topic_prefix}inbound.misper-report"
    await hub.start()
    producer = AIOKafkaProducer(
        **kafka.options(), transactional_id=f"{hub.settings.topic_prefix}police-system"
    )
    await producer.start()
    try:
        for n, commit in ((1, False), (2, True)):
            key, value, headers = good(n)
            await producer.begin_transaction()
            await producer.send_and_wait(topic, value, key, partition=0, headers=headers)
            if commit:
                await producer.commit_transaction()
            else:
                await producer.abort_transaction()
        await eventually(
            lambda: count(hub, InboundEvent, InboundEvent.child_id == "CF-GOOD-2") == 1
        )
        await eventually(lambda: all_sent(hub))
        assert hub.engine is not None
        with hub.engine.connect() as connection:
            applied = connection.execute(select(InboundEvent.child_id)).scalars().all()
        # a transaction still open adds no lag: its records may never be sent
        lag_before = await lag(kafka, hub.settings.group_id, hub.settings.topic_prefix)
        await producer.begin_transaction()
        key, value, headers = good(3)
        await producer.send_and_wait(topic, value, key, partition=0, headers=headers)
        lag_open = await lag(kafka, hub.settings.group_id, hub.settings.topic_prefix)
        await producer.abort_transaction()
    finally:
        await producer.stop()
        await hub.stop()
    assert applied == ["CF-GOOD-2"]
    assert lag_open == lag_before
