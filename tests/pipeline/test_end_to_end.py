"""End to end on the real broker and both databases: events published through the contracts
reach the hub, and every notification it decides arrives on its recipient's topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hub.clock import ManualClock
from hub.contracts.envelope import ParsedEvent, from_kafka, parse_structured
from hub.contracts.registry import NOTIFICATION
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from hub.routing.engine import decide
from hub.routing.facts import ChildState
from hub.store.models import InboundEvent, RoutingDecision
from tests.helpers import EXAMPLES
from tests.pipeline.hub_harness import (
    all_sent,
    count,
    eventually,
    in_process_hub,
    publish_in_order,
)

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)
STORY = sorted(EXAMPLES.glob("0[1-7]-*.json"))  # one child: missing to return interview


def events() -> list[ParsedEvent]:
    return [parse_structured(path.read_bytes()) for path in STORY]


async def test_every_decision_arrives_on_its_recipients_topic(
    kafka: KafkaConnection, database_url: str
) -> None:
    hub = in_process_hub(kafka, database_url, START)
    prefix = hub.settings.topic_prefix
    await hub.start()
    try:
        await publish_in_order(kafka, hub, events())
        assert hub.engine is not None
        with hub.engine.connect() as connection:
            logged = {
                row.notification_id: row
                for row in connection.execute(select(RoutingDecision)).all()
            }
    finally:
        await hub.stop()

    received = await read_topics(kafka, f"{prefix}notify.")
    arrived = [from_kafka(r.headers, r.key, r.value) for r in received]
    assert sorted(e.event_id for e in arrived) == sorted(logged)  # each exactly once
    for record, event in zip(received, arrived, strict=True):
        decision = logged[event.event_id]
        assert event.contract is NOTIFICATION
        assert record.topic == f"{prefix}notify.{decision.authority}.{decision.recipient}"
        assert record.key == decision.child_id.encode()

    state, expected = ChildState("CF-100231"), set()
    for event in events():
        outcome = decide(state, event.body, hub.directory, START, event.event_id)
        state = outcome.state
        expected |= {str(d.notification_id) for d in outcome.decisions}
    assert set(logged) == expected  # the pipeline decides exactly what the engine decides


async def test_durable_timers_fire_when_the_clock_reaches_them(
    kafka: KafkaConnection, database_url: str
) -> None:
    hub = in_process_hub(kafka, database_url, START)
    await hub.start()
    try:
        await publish(kafka, events()[:1], topic_prefix=hub.settings.topic_prefix)
        await eventually(lambda: count(hub, InboundEvent) == 1)
        assert count(hub, RoutingDecision, RoutingDecision.paragraph == "7.18") == 0
        assert isinstance(hub.clock, ManualClock)
        hub.clock.advance(timedelta(hours=25))
        await eventually(
            lambda: count(hub, RoutingDecision, RoutingDecision.paragraph == "7.18") > 0
        )
        await eventually(lambda: all_sent(hub))
    finally:
        await hub.stop()
