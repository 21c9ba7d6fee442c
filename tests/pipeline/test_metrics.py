"""`hub run`'s own Prometheus figures, scraped over HTTP from the running hub on the real
broker and both databases: what it applied and refused, what it sent and how long that
took, the timers it fired and what it still owes. Nothing in them names a child."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.contracts.envelope import parse_structured, to_kafka
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from hub.runtime import Hub
from hub.store.models import RejectedMessage, RoutingDecision
from tests.helpers import encoded, example
from tests.pipeline.hub_harness import all_sent, count, eventually, isolated_settings

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return str(response.read().decode())


def samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_the_running_hub_exports_what_it_applied_sent_fired_and_still_owes(
    kafka: KafkaConnection, database_url: str
) -> None:
    hub = Hub(build(isolated_settings(database_url, metrics_port=0), kafka, ManualClock(START)))
    prefix = hub.settings.topic_prefix
    misper = parse_structured(encoded(example("01-misper-report")))
    await hub.start()
    try:
        assert hub.metrics_server is not None
        port = hub.metrics_server.server_port
        await publish(kafka, [misper], topic_prefix=prefix)
        message = to_kafka(misper)  # the same event again: a duplicate, changing nothing
        headers, key = list(message.headers.items()), misper.key.encode()
        producer = kafka.producer()
        await producer.start()
        try:
            topic = f"{prefix}inbound.misper-report"
            await producer.send_and_wait(topic, message.value, key, headers=headers)
            await producer.send_and_wait(topic, b"{not json", key, headers=headers)
        finally:
            await producer.stop()
        await eventually(lambda: count(hub, RejectedMessage) == 1)
        await eventually(lambda: all_sent(hub))
        first = scrape(port)
        assert isinstance(hub.clock, ManualClock)
        hub.clock.advance(timedelta(hours=25))  # the 7.18 strategy meeting falls due
        await eventually(
            lambda: count(hub, RoutingDecision, RoutingDecision.paragraph == "7.18") > 0
        )
        await eventually(lambda: all_sent(hub))
        later = samples(scrape(port))
        sent_rows = count(hub, RoutingDecision) + 1  # every notification, and one report
    finally:
        await hub.stop()

    before = samples(first)
    assert count_of(before, "hub_events_total", outcome="applied") == 1
    assert count_of(before, "hub_events_total", outcome="duplicates") == 1
    assert count_of(before, "hub_events_total", outcome="rejected") == 1
    assert count_of(before, "hub_outbox_sent_total", recipient="rejected") == 1
    assert count_of(before, "hub_outbox_sent_total", recipient="mash") >= 1  # 6.14
    assert count_of(before, "hub_outbox_backlog") == 0
    assert count_of(before, "hub_outbox_oldest_pending_seconds") == 0
    assert count_of(before, "hub_timers_due") == 0
    assert ("hub_timers_waiting_seconds", ()) in before  # the start's catch-up, perhaps
    assert count_of(before, "hub_batch_apply_seconds_count") >= 1
    # FastStream's own figures, from its middleware on the same registry
    assert any(name.startswith("faststream_received_messages") for name, _ in before)

    assert count_of(later, "hub_timers_fired_total") >= 1
    assert count_of(later, "hub_timers_waiting_seconds") == 0  # fired: not waiting
    sent = sum(value for (name, _), value in later.items() if name == "hub_outbox_sent_total")
    assert sent == sent_rows
    assert count_of(later, "hub_notification_delivery_seconds_count") == sent_rows
    assert misper.key not in first  # no child in any label or value


def count_of(found: Samples, name: str, **labels: str) -> float:
    """A sample's value; absent (a counter never incremented) is 0."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)
