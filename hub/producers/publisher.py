"""The publishing client police and local-authority systems (and `hub publish`) use, with
the producer every hub client uses (hub.kafka.connection: acks=all, idempotent)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from hub.access.senders import sender_topic
from hub.contracts.envelope import ParsedEvent, to_kafka
from hub.kafka.connection import KafkaConnection
from hub.kafka.topics import ensure_topics


@dataclass(frozen=True)
class Published:
    event_id: str
    topic: str
    partition: int
    offset: int
    key: str


async def publish(
    kafka: KafkaConnection,
    events: Sequence[ParsedEvent],
    topic_prefix: str = "",
    agency: str | None = None,
) -> list[Published]:
    """Publish events in order, each to its contract's topic, keyed by the child's id: an
    agency's own topic (`inbound.<type>.<agency>`, made when it was onboarded) when it is
    named, else the shared one. A resend of the same event id is safe: the hub
    de-duplicates on it."""
    topics = [topic_prefix + _topic(event, agency) for event in events]
    if agency is None:
        # The contracts' own topics (never a name from a message), made if this broker has
        # not seen the hub yet: brokers run with auto-creation off.
        await ensure_topics(kafka, sorted(set(topics)))
    client = kafka.producer()
    try:  # stop even when start fails: an unreachable broker must not leak the producer
        await client.start()
        return await send_events(client, events, topic_prefix, agency)
    finally:
        await client.stop()


def _topic(event: ParsedEvent, agency: str | None) -> str:
    return event.contract.topic if agency is None else sender_topic(event.contract, agency)


async def send_events(
    client: AIOKafkaProducer,
    events: Sequence[ParsedEvent],
    topic_prefix: str = "",
    agency: str | None = None,
) -> list[Published]:
    """Send one after another (the idempotent producer keeps each partition's order) and
    await the acknowledgements together: one round trip per batch, not per event."""
    pending = []
    for event in events:
        message = to_kafka(event)
        key = message.key.encode() if isinstance(message.key, str) else message.key
        pending.append(
            await client.send(
                topic_prefix + _topic(event, agency),
                value=message.value,
                key=key,
                headers=list(message.headers.items()),
            )
        )
    acknowledged = await asyncio.gather(*pending)
    return [
        Published(event.event_id, m.topic, m.partition, m.offset, event.key)
        for event, m in zip(events, acknowledged, strict=True)
    ]
