"""On the real broker and both databases: a MISPER report naming an authority and a police
force the directory does not know reaches every home team; the duties needing the unknown
parties are shown to ops, never sent to a topic named by the sender, and delivered once
the directory knows the name and ops routes them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from hub.clock import ManualClock
from hub.console.actions import route_held_duties
from hub.contracts.envelope import from_kafka, parse_structured
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.routing.directory import Alias
from hub.store.database import sessions
from hub.store.models import RoutingDecision
from tests.helpers import encoded, example
from tests.pipeline.hub_harness import all_sent, eventually, in_process_hub, publish_in_order

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)


async def test_home_duties_arrive_and_the_held_ones_follow_the_corrected_directory(
    kafka: KafkaConnection, database_url: str
) -> None:
    document = example("01-misper-report")
    document["data"].update(residence_authority="wiltshre", reporting_force="evil-collector")
    report = parse_structured(encoded(document))
    hub = in_process_hub(kafka, database_url, START)
    prefix = hub.settings.topic_prefix
    await hub.start()
    try:
        await publish_in_order(kafka, hub, [report])
        assert hub.engine is not None
        store = sessions(hub.engine)
        with store() as session:
            logged = session.scalars(select(RoutingDecision)).all()
        held = {d.notification_id for d in logged if d.held}
        sent = {d.notification_id for d in logged if not d.held}
        assert {d.recipient for d in logged if d.held} == {"host_police", "host_authority"}
        assert {"mash", "mct", "iro"} <= {d.recipient for d in logged if not d.held}

        arrived = await read_topics(kafka, f"{prefix}notify.")
        assert {from_kafka(r.headers, r.key, r.value).event_id for r in arrived} == sent
        assert not [r.topic for r in arrived if "wiltshre" in r.topic or "evil" in r.topic]

        reference = hub.directory.reference
        aliases = {**reference.aliases, "wiltshre": Alias(to=("wiltshire",))}
        corrected = hub.directory.model_copy(
            update={"reference": reference.model_copy(update={"aliases": aliases})}
        )
        routed = route_held_duties(store, "ops", corrected, ManualClock(START))
        assert set(routed.routed) == held
        await eventually(lambda: all_sent(hub))
    finally:
        await hub.stop()
    arrived = await read_topics(kafka, f"{prefix}notify.wiltshire")
    topics = sorted(r.topic for r in arrived)
    assert topics == [
        f"{prefix}notify.wiltshire-police.host_police",
        f"{prefix}notify.wiltshire.host_authority",
    ]
    assert {from_kafka(r.headers, r.key, r.value).event_id for r in arrived} == held
