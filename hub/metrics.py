"""The running hub's own Prometheus figures (`hub run` with HUB_METRICS_PORT): what it
applied and refused, what it sent and how long a notification took to be acknowledged, the
timers it fired, and, read from the store at each scrape, the outbox's backlog and age and
the timers due. Counts and durations only: no label carries anything about a child (the
recipient label is a team's role, such as `mct`, from a closed list).

The console's /metrics (hub.console.metrics) reports health as seen from outside; these are
the process's own, one set per `hub run`, so a scraper sums them over instances."""

from __future__ import annotations

import logging
from collections import Counter as Tally
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import Clock
from hub.contracts.registry import REJECTED_TOPIC
from hub.errors import failure_of
from hub.store.models import OutboxMessage, TimerRecord

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from hub.service.batch import BatchResult

log = logging.getLogger(__name__)

# From a fraction of a second (the hub keeping up) to hours (a recipient's topic down).
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600)
BATCH_OUTCOMES = ("applied", "duplicates", "rejected", "dead_lettered", "held")


def recipient_of(topic: str) -> str:
    """The label for a row's topic: the recipient team (`notify.<authority>.<team>`), or
    `rejected` for a report to a sender. The authority is left out: a bounded label set."""
    if topic.endswith(REJECTED_TOPIC):
        return "rejected"
    return topic.rsplit(".", 1)[-1]


class HubMetrics:
    """The counters and histograms one hub process keeps, in a registry of its own (so tests
    and several hubs in one process never share a figure)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events = Counter(
            "hub_events", "inbound records handled, by outcome", ["outcome"], registry=r
        )
        self.notifications_queued = Counter(
            "hub_notifications_queued", "notifications written to the outbox", registry=r
        )
        self.batch_seconds = Histogram(
            "hub_batch_apply_seconds", "time to apply one inbound batch and commit", registry=r
        )
        self.sent = Counter(
            "hub_outbox_sent",
            "outbox rows acknowledged by the broker, by recipient team",
            ["recipient"],
            registry=r,
        )
        self.send_failures = Counter(
            "hub_outbox_send_failures",
            "outbox sends that failed and stay pending, by error type",
            ["error"],
            registry=r,
        )
        self.delivery_seconds = Histogram(
            "hub_notification_delivery_seconds",
            "from the event's application (or the timer's firing) that made a row to the "
            "broker's acknowledgement of it, on the hub's clock",
            buckets=DELIVERY_BUCKETS,
            registry=r,
        )
        self.timers_fired = Counter("hub_timers_fired", "timers fired", registry=r)
        # Set by the scheduler (hub.scheduler): 0 in a process without one, or not waiting.
        self.timers_waiting = Gauge(
            "hub_timers_waiting_seconds",
            "how long the timers have waited for the broker (no escalation sent meanwhile); "
            "0 when not waiting",
            registry=r,
        )
        # Set at start and daily (hub.kafka.certificates): renew before it; none in PLAINTEXT.
        self.certificate_expiry = Gauge(
            "hub_certificate_expiry_seconds",
            "when the certificate expires (Unix time): the CA in HUB_KAFKA_CA_FILE, and each "
            "bootstrap broker's as its TLS handshake presents it",
            ["certificate", "source"],
            registry=r,
        )

    def batch_applied(self, result: BatchResult, seconds: float) -> None:
        for outcome in BATCH_OUTCOMES:
            if count := getattr(result, outcome):
                self.events.labels(outcome=outcome).inc(count)
        self.notifications_queued.inc(result.notifications)
        self.batch_seconds.observe(seconds)

    def rows_sent(self, sent: Sequence[tuple[str, datetime]], now: datetime) -> None:
        """`sent`: each acknowledged row's topic and creation time. Counted per recipient
        once a round: a label lookup per row cost more than the rest."""
        for recipient, count in Tally(recipient_of(topic) for topic, _ in sent).items():
            self.sent.labels(recipient=recipient).inc(count)
        observe = self.delivery_seconds.observe
        for _, created_at in sent:
            observe(max((now - created_at).total_seconds(), 0.0))

    def rows_failed(self, errors: Iterable[BaseException]) -> None:
        for error in errors:
            self.send_failures.labels(error=type(error).__name__).inc()

    def watch_store(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        """Add the store's figures, read at each scrape."""
        self.registry.register(StoreFigures(sessions, clock))

    def serve(self, host: str, port: int) -> WSGIServer:
        """Serve /metrics on a thread of its own; the caller shuts the server down."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        log.info("metrics served", extra={"host": host, "port": server.server_port})
        return server


class StoreFigures(Collector):
    """The outbox backlog, the age of its oldest pending row and the timers due, from the
    store at each scrape (two small indexed queries). A store that does not answer leaves
    them out of that scrape, and the console's hub_database_up says why."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions, self.clock = sessions, clock

    def collect(self) -> Iterable[Metric]:
        now = self.clock.now()
        try:
            with self.sessions() as session:
                backlog, oldest = session.execute(
                    select(func.count(), func.min(OutboxMessage.created_at)).where(
                        OutboxMessage.status == "pending"
                    )
                ).one()
                due = session.scalar(
                    select(func.count()).where(
                        TimerRecord.status == "pending", TimerRecord.due <= now
                    )
                )
        except Exception as error:  # the database down: no figures this scrape
            log.warning("store figures not read", extra={"failure": failure_of(error)})
            return
        age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        yield GaugeMetricFamily("hub_outbox_backlog", "outbox rows not yet sent", value=backlog)
        yield GaugeMetricFamily(
            "hub_outbox_oldest_pending_seconds", "age of the oldest pending outbox row", value=age
        )
        yield GaugeMetricFamily("hub_timers_due", "timers due and not yet fired", value=due or 0)
