"""The outbox relay on the real broker: a row that cannot be published stays pending with
its error and is tried again; the rows beside it are sent."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock
from hub.producers.messages import Outgoing
from hub.producers.publisher import producer
from hub.producers.relay import DeliveryFailed, Relay
from hub.store.models import OutboxMessage
from hub.store.outcomes import enqueue

NOW = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)


def row(message_id: str, value: bytes) -> Outgoing:
    return Outgoing(message_id, "notify.northamptonshire.mash", b"CF-1", [], value)


async def test_a_row_that_fails_stays_pending_with_its_error(
    kafka_bootstrap: str, store: sessionmaker[Session]
) -> None:
    with store.begin() as session:
        enqueue(session, row("too-big", b"x" * 2_000_000), NOW)  # over the 1 MB request limit
        enqueue(session, row("fine", b"{}"), NOW)
    client = producer(kafka_bootstrap)
    await client.start()
    try:
        relay = Relay(
            store,
            client,
            kafka_bootstrap,
            ManualClock(NOW),
            topic_prefix=f"r{uuid.uuid4().hex[:8]}.",
        )
        loop = asyncio.get_running_loop()
        with pytest.raises(DeliveryFailed):
            await asyncio.to_thread(relay.publish_batch, loop)
        with pytest.raises(DeliveryFailed):  # tried again next round, still failing
            await asyncio.to_thread(relay.publish_batch, loop)
    finally:
        await client.stop()
    with store() as session:
        rows = {r.message_id: r for r in session.scalars(select(OutboxMessage))}
    assert rows["fine"].status == "sent"
    assert rows["fine"].attempts == 1
    assert rows["too-big"].status == "pending"
    assert rows["too-big"].attempts == 2
    assert rows["too-big"].last_error
    assert "MessageSizeTooLarge" in rows["too-big"].last_error
