"""The running hub: the inbound consumer, the outbox relay and the timer scheduler, over one
broker and one database. `hub run` and the demo start it; tests start it in-process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from sqlalchemy import Engine, func, select

from hub import tracing
from hub.bootstrap import HubParts
from hub.consumers.inbound import InboundConsumer, inbound_router
from hub.contracts.registry import INBOUND_TOPICS, REJECTED_TOPIC
from hub.kafka.certificates import look_at_certificates, watch_certificates
from hub.kafka.topics import ensure_topics
from hub.producers.relay import Relay, UnsafeProducer, require_safe
from hub.producers.wakeup import listen
from hub.service.batch import BatchResult
from hub.service.heartbeat import beat, instance_name, keep_beating
from hub.store.database import count_rows, is_sqlite
from hub.store.models import InboundEvent, OutboxMessage, RejectedMessage, TimerRecord

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    applied: int
    not_applied: int  # rejected, dead-lettered or held (a held one released is applied)
    held: int
    outbox_backlog: int
    timers_due: int

    @property
    def handled(self) -> int:
        return self.applied + self.not_applied

    @property
    def idle(self) -> bool:
        return self.outbox_backlog == 0 and self.timers_due == 0


class Hub:
    """The hub's loops over its parts. The inbound subscriber is made at once, so that its
    broker can be run by FastStream (hub.app); start() and stop() run everything else
    around it, or the whole of it for `hub run`, the demo and the tests."""

    def __init__(self, parts: HubParts) -> None:
        self.parts = parts
        self.settings, self.clock, self.directory = parts.settings, parts.clock, parts.directory
        self.engine: Engine | None = None
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.listener: asyncio.Task[None] | None = None
        self.relay: Relay | None = None
        self.broker: KafkaBroker = parts.kafka.broker(
            middlewares=[
                KafkaPrometheusMiddleware(registry=parts.metrics.registry),
                # the consume span; hub.tracing makes the rest
                KafkaTelemetryMiddleware(tracer_provider=tracing.provider()),
            ]
        )
        self.router: KafkaRouter | None = None
        self.metrics_server: WSGIServer | None = None
        if "consumer" in self.settings.roles:
            consumer = InboundConsumer(
                parts.sessions,
                parts.directory,
                parts.clock,
                self.stop_event,
                self._applied,
                self.settings.batch_size,
            )
            self.router = inbound_router(self.settings, consumer)
            self.broker.include_router(self.router)

    def _applied(self, result: BatchResult, seconds: float) -> None:
        self.parts.metrics.batch_applied(result, seconds)
        if self.relay is not None:  # the relay in this process: woken directly
            self.relay.wake.set()

    async def start(self) -> None:
        await self.start_services()
        if self.router is not None:
            await self.broker.start()
        log.info(
            "hub started",
            extra={
                "bootstrap": self.parts.kafka.bootstrap,
                "sqlite": is_sqlite(self.settings.database_url),
                "roles": sorted(self.settings.roles),
            },
        )

    async def start_services(self) -> None:
        """Everything but the inbound subscriber: the schema migrated, the topics made, the
        heartbeat, the relay and the scheduler (as the roles say)."""
        parts = self.parts
        await asyncio.to_thread(parts.migrate)
        self.engine = parts.engine
        store = parts.sessions
        prefix = self.settings.topic_prefix
        # Said before the first Kafka client, which an expired certificate fails
        zone = ZoneInfo(parts.directory.timezone)  # the dates as ops read them
        await look_at_certificates(parts.kafka, zone, parts.metrics)
        await ensure_topics(
            parts.kafka,
            [prefix + topic for topic in (*INBOUND_TOPICS, REJECTED_TOPIC)],
            self.settings.topic_config(),
        )
        if self.settings.metrics_port is not None:
            parts.metrics.watch_store(store, self.clock)
            self.metrics_server = parts.metrics.serve(
                self.settings.metrics_host, self.settings.metrics_port
            )
        self.tasks.append(
            asyncio.create_task(
                watch_certificates(parts.kafka, zone, parts.metrics, self.stop_event),
                name="certificates",
            )
        )
        roles = self.settings.roles
        instance = instance_name()
        # Made before the heartbeat, which says whether its timers wait for the broker.
        scheduler = parts.scheduler() if "scheduler" in roles else None
        await asyncio.to_thread(beat, store, instance, roles)  # alive before "hub started"
        self.tasks.append(
            asyncio.create_task(
                keep_beating(
                    store,
                    instance,
                    roles,
                    self.stop_event,
                    (lambda: scheduler.waiting) if scheduler is not None else lambda: None,
                ),
                name="heartbeat",
            )
        )
        if "relay" in roles:
            first = parts.kafka.producer()
            await first.start()
            try:
                require_safe(first)  # as the running client reports it, not as configured
            except UnsafeProducer:
                await first.stop()
                raise
            relay = self.relay = parts.relay(first)
            self.tasks.append(asyncio.create_task(relay.run(self.stop_event), name="relay"))
            if not is_sqlite(self.settings.database_url):  # other processes wake it (NOTIFY)
                self.listener = asyncio.create_task(
                    listen(self.settings.database_url, relay.wake, self.stop_event)
                )
        if scheduler is not None:
            self.tasks.append(asyncio.create_task(scheduler.run(self.stop_event), name="scheduler"))
            retention = parts.retention()
            self.tasks.append(asyncio.create_task(retention.run(self.stop_event), name="retention"))

    def progress(self) -> Progress:
        """What the hub has done and what it still owes (for the demo, tests and health)."""
        assert self.engine is not None, "the hub is not started"
        now = self.clock.now()
        with self.engine.connect() as connection:

            def count(model: type, *where: Any) -> int:
                return count_rows(connection, model, *where)

            return Progress(
                applied=count(InboundEvent),
                not_applied=count(RejectedMessage, RejectedMessage.status != "resolved"),
                held=count(RejectedMessage, RejectedMessage.status == "held"),
                outbox_backlog=count(OutboxMessage, OutboxMessage.status == "pending"),
                timers_due=count(
                    TimerRecord, TimerRecord.status == "pending", TimerRecord.due <= now
                ),
            )

    def next_timer_due(self, until: datetime) -> datetime | None:
        """When the first pending timer falls due, if by `until` (the demo's clock)."""
        assert self.engine is not None, "the hub is not started"
        with self.engine.connect() as connection:
            return connection.scalar(
                select(func.min(TimerRecord.due)).where(
                    TimerRecord.status == "pending", TimerRecord.due <= until
                )
            )

    async def wait_until(
        self, reached: Callable[[Progress], bool], timeout_s: float = 60.0
    ) -> Progress:
        """Wait for the hub's progress to satisfy `reached` (the demo and tests)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            progress = await asyncio.to_thread(self.progress)
            if reached(progress):
                return progress
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the hub did not get there in time: {progress}")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Stop consuming (the batch in hand finishes or is left uncommitted), then the relay
        and scheduler finish their round."""
        self.stop_event.set()
        await self.broker.stop()
        await self.stop_services()
        self.close()

    async def stop_services(self) -> None:
        """The relay and the scheduler finish their round; a batch being retried stops."""
        self.stop_event.set()
        if self.listener is not None:
            self.listener.cancel()  # only a wake-up signal: nothing to finish
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.relay is not None:  # its current producer: a broken first one was replaced
            await self.relay.close()  # bounded: a batch never acknowledged is not waited for
        if self.metrics_server is not None:
            await asyncio.to_thread(self.metrics_server.shutdown)
            self.metrics_server.server_close()

    def close(self) -> None:
        self.parts.close()
        log.info("hub stopped")
