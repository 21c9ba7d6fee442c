"""Running the real hub in-process against the test broker and database, with a clock the
test moves and topics of its own (a prefix), so tests never see each other's messages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.contracts.envelope import ParsedEvent
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish, send_events
from hub.runtime import Hub
from hub.settings import HubSettings
from hub.store.database import count_rows
from hub.store.models import InboundEvent, OutboxMessage, RoutingDecision


def isolated_settings(database_url: str, **changes: object) -> HubSettings:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    return HubSettings(
        database_url=database_url,
        topic_prefix=prefix,
        group_id=f"{prefix}hub",
        **changes,  # type: ignore[arg-type]
    )


def in_process_hub(kafka: KafkaConnection, database_url: str, start: datetime) -> Hub:
    return Hub(build(isolated_settings(database_url), kafka, ManualClock(start)))


async def eventually(check: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await asyncio.to_thread(check):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the hub did not get there in time")
        await asyncio.sleep(0.05)


def count(hub: Hub, model: type, *where: object) -> int:
    assert hub.engine is not None
    return count_rows(hub.engine, model, *where)


async def publish_in_order(kafka: KafkaConnection, hub: Hub, story: list[ParsedEvent]) -> None:
    """One event at a time, each once the hub has applied the one before: a deterministic
    order across topics, then wait until every notification is sent."""
    for n, event in enumerate(story, start=1):
        await publish(kafka, [event], topic_prefix=hub.settings.topic_prefix)
        await eventually(lambda n=n: count(hub, InboundEvent) == n)  # type: ignore[misc]
    await eventually(lambda: all_sent(hub))


def all_sent(hub: Hub) -> bool:
    return count(hub, OutboxMessage, OutboxMessage.status != "sent") == 0


class Running:
    """The hub on a scenario clock: each event published at its time, timers fired first.
    Given a started `producer`, every event goes out through it (send_events, as `publish`
    sends), not through a client of its own each: a long story is spared a connection and
    a topic check per event (the hub made its inbound topics as it started)."""

    def __init__(
        self,
        kafka: KafkaConnection,
        hub: Hub,
        clock: ManualClock,
        producer: AIOKafkaProducer | None = None,
    ) -> None:
        self.kafka, self.hub, self.clock, self.producer = kafka, hub, clock, producer

    async def receive(self, event: ParsedEvent) -> None:
        await self.until(event.time)
        handled = (await self.hub.wait_until(lambda p: p.idle)).handled
        prefix = self.hub.settings.topic_prefix
        if self.producer is None:
            await publish(self.kafka, [event], topic_prefix=prefix)
        else:
            await send_events(self.producer, [event], topic_prefix=prefix)
        await self.hub.wait_until(lambda p: p.handled > handled and p.idle)

    async def until(self, moment: datetime) -> None:
        self.clock.set(moment)
        await self.hub.wait_until(lambda p: p.idle)

    def duty(self, recipient: str, action: str) -> RoutingDecision:
        [row] = self.logged(action, recipient)
        return row

    def logged(self, action: str, recipient: str | None = None) -> list[RoutingDecision]:
        query = select(RoutingDecision).where(RoutingDecision.action == action)
        if recipient is not None:
            query = query.where(RoutingDecision.recipient == recipient)
        with Session(self.hub.engine) as session:
            return list(session.scalars(query))
