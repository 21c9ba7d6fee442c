"""Prometheus metrics at /metrics: the figures of the health page. Counts only: nothing
about any child. Open without sign-in, as scrapers expect; put it behind the network's own
controls, or turn it off (HUB_CONSOLE_METRICS=false).

Read at most once every FRESH_FOR: health opens a Kafka client and counts rows, and
anyone who can reach /metrics could otherwise make the console do both as often as they
liked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from hub.console.context import recent_health

FRESH_FOR = 15.0  # seconds; Prometheus scrapes every 15 to 60 s by custom


def router() -> APIRouter:
    metrics = APIRouter(include_in_schema=False)

    @metrics.get("/metrics")
    async def scrape(request: Request) -> Response:
        found = await recent_health(request.app.state.console, FRESH_FOR)
        registry = CollectorRegistry()

        def gauge(name: str, help_text: str, value: float, **labels: Any) -> None:
            metric = Gauge(name, help_text, list(labels), registry=registry)
            (metric.labels(**labels) if labels else metric).set(value)

        gauge("hub_database_up", "1 if the database answered", float(found.database.ok))
        gauge("hub_broker_up", "1 if the Kafka broker answered", float(found.broker.ok))
        gauge("hub_running", "1 if a hub run is alive for every role", float(found.hub.ok))
        figures = found.figures
        gauge("hub_outbox_backlog", "outbox rows not yet published", figures.outbox_backlog)
        gauge("hub_outbox_failing", "pending rows whose last try failed", figures.outbox_failing)
        gauge(
            "hub_outbox_refused",
            "rows the relay refused (a topic outside the directory), never sent",
            figures.outbox_refused,
        )
        gauge("hub_timers_due", "timers due and not yet fired", figures.timers_due)
        gauge(
            "hub_timers_failed",
            "timers that failed to fire, waiting for ops",
            figures.timers_failed,
        )
        waiting = found.timers_waiting
        gauge(
            "hub_timers_waiting_seconds",
            "how long a live scheduler's timers have waited for the broker (no escalation "
            "sent meanwhile); 0 when not waiting",
            waiting.seconds if waiting is not None else 0.0,
        )
        gauge("hub_refused_open", "refused or dead-lettered messages open", figures.refused_open)
        gauge(
            "hub_dead_letters_open",
            "messages the hub failed to apply (a bug), open until replayed",
            figures.dead_letters,
        )
        gauge("hub_held", "messages held for the event they depend on", figures.held)
        gauge(
            "hub_unroutable_duties",
            "duties held for a party the directory does not know, or a notification not built",
            figures.unroutable,
        )
        expiry = Gauge(
            "hub_certificate_expiry_seconds",
            "when the certificate expires (Unix time): the CA in HUB_KAFKA_CA_FILE, and each "
            "bootstrap broker's as its TLS handshake presents it",
            ["certificate", "source"],
            registry=registry,
        )
        for one in found.certificates_expiry:
            expiry.labels(certificate=one.certificate, source=one.source).set(
                one.not_after.timestamp()
            )
        lag = Gauge(
            "hub_consumer_lag", "inbound records not yet applied", ["topic"], registry=registry
        )
        for topic, behind in found.lag_by_topic.items():
            lag.labels(topic=topic).set(behind)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
