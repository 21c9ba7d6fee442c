"""`hub bench`: the hub's throughput, latency and memory on a real broker, with PostgreSQL and
with SQLite, beside a bare aiokafka pass-through on the same broker in the same run.

- Throughput: a workload (hub.workload) published phase by phase, each phase as fast as the
  producer goes, the next once the hub has applied it; from the first publish until every
  notification is acknowledged on its recipient topic. The baseline consumes the same
  events and produces each one on (acks=all, idempotent, committing after), driven the
  same way.
- Latency: events offered at a fixed rate; for each notification, from just before its
  event was sent to its arrival at a consumer of the recipient topics.
- Memory: the peak resident set (VmHWM) of the `hub run` process.

The hub runs as `hub run` in its own process, as in production; this process publishes,
consumes and measures. Both share the machine's cores with the broker and the database."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hub.contracts.envelope import ParsedEvent
from hub.contracts.registry import INBOUND_TOPICS, REJECTED_TOPIC
from hub.infra.topics import ensure_topics
from hub.producers.publisher import producer, send_events
from hub.store.database import count_rows, make_engine, migrate
from hub.store.models import InboundEvent, OutboxMessage
from hub.workload import Workload, workload


@dataclass(frozen=True)
class Throughput:
    events: int
    notifications: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


@dataclass(frozen=True)
class Latency:
    events: int
    offered_per_second: float
    samples_ms: list[float]

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[p - 1]


@dataclass(frozen=True)
class HubFigures:
    database: str
    throughput: Throughput
    latency: Latency
    peak_rss_mb: float


class Sender:
    """One long-lived producer, as a police system would keep; remembers when each event
    was handed to it."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.client: AIOKafkaProducer = producer(bootstrap)
        self.prefix = prefix
        self.sent_at: dict[str, float] = {}

    async def send(self, events: Sequence[ParsedEvent]) -> None:
        sent_at = time.monotonic()
        self.sent_at.update((event.event_id, sent_at) for event in events)
        await send_events(self.client, events, self.prefix)


async def _until(reached: Callable[[], bool], timeout_s: float = 600.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await asyncio.to_thread(reached):
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark run did not finish in time")
        await asyncio.sleep(0.02)


Send = Callable[[Sequence[ParsedEvent]], Awaitable[object]]
Wait = Callable[[Callable[[], bool]], Awaitable[None]]


async def drive(
    send: Send,
    load: Workload,
    applied: Callable[[], int],
    done: Callable[[], bool],
    wait: Wait = _until,
) -> float:
    """Publish phase after phase, each once the hub has applied the one before (so a
    child's events keep their order across topics); returns the seconds until `done`.
    The fault tests drive the hub the same way."""
    start = time.monotonic()
    total = applied()
    for phase in load.phases:
        await send(phase)
        total += len(phase)
        await wait(lambda target=total: applied() >= target)  # type: ignore[misc]
    await wait(done)
    return time.monotonic() - start


async def offer(sender: Sender, load: Workload, rate: float, applied: Callable[[], int]) -> None:
    """Each phase at `rate` events a second, in ticks of 10 ms; a child's next event only
    once its last is applied (the phases)."""
    total = applied()
    started = time.monotonic()
    sent = 0
    for phase in load.phases:
        index = 0
        while index < len(phase):
            due = int((time.monotonic() - started) * rate) - sent
            if due > 0:
                chunk = phase[index : index + due]
                await sender.send(chunk)
                index += len(chunk)
                sent += len(chunk)
            await asyncio.sleep(0.01)
        total += len(phase)
        await _until(lambda target=total: applied() >= target)  # type: ignore[misc]


class Arrivals:
    """A consumer of the recipient topics, noting when each notification arrives."""

    def __init__(self, bootstrap: str, prefix: str, sent_at: dict[str, float]) -> None:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="latest",
            metadata_max_age_ms=500,
            fetch_max_wait_ms=5,
        )
        self.pattern = f"^{prefix.replace('.', '[.]')}notify[.].*"
        self.sent_at = sent_at
        self.samples_ms: list[float] = []
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        self.consumer.subscribe(pattern=self.pattern)
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=100)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    cause = json.loads(record.value or b"{}").get("cause", "")
                    if cause in self.sent_at:
                        self.samples_ms.append((now - self.sent_at[cause]) * 1000)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await self.consumer.stop()


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bench_hub(
    bootstrap: str,
    database: str,
    database_url: str,
    events: int,
    rate: float,
    latency_events: int,
    workdir: Path,
) -> HubFigures:
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    migrate(database_url)
    engine = make_engine(database_url)
    await ensure_topics(bootstrap, [prefix + t for t in (*INBOUND_TOPICS, REJECTED_TOPIC)], 3)
    env = {
        **os.environ,
        "HUB_KAFKA_BOOTSTRAP": bootstrap,
        "HUB_DATABASE_URL": database_url,
        "HUB_TOPIC_PREFIX": prefix,
        "HUB_GROUP_ID": f"{prefix}hub",
    }
    log = (workdir / f"hub-{database}.log").open("ab")
    hub = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub", "run", env=env, stderr=log
    )
    sender = Sender(bootstrap, prefix)
    await sender.client.start()
    applied = lambda: count_rows(engine, InboundEvent)  # noqa: E731
    drained = lambda: count_rows(engine, OutboxMessage, OutboxMessage.status != "sent") == 0  # noqa: E731
    try:
        start = datetime.now(UTC) - timedelta(minutes=30)
        warm = workload(200, start, run=f"{prefix}warm")  # the hub joins its group, loads
        await drive(sender.send, warm, applied, drained)
        load = workload(events, start, seed=2, run=f"{prefix}load")
        before = count_rows(engine, OutboxMessage)
        seconds = await drive(sender.send, load, applied, drained)
        throughput = Throughput(len(load), count_rows(engine, OutboxMessage) - before, seconds)
        arrivals = Arrivals(bootstrap, prefix, sender.sent_at)
        await arrivals.start()
        await asyncio.sleep(2)  # the consumer finds the recipient topics
        paced = workload(latency_events, start, seed=3, run=f"{prefix}paced")
        await offer(sender, paced, rate, applied)
        await _until(drained)
        await asyncio.sleep(1)
        await arrivals.stop()
        latency = Latency(len(paced), rate, arrivals.samples_ms)
        peak = _peak_rss_mb(hub.pid)
    finally:
        await sender.client.stop()
        hub.terminate()
        await asyncio.wait_for(hub.wait(), timeout=60)
        log.close()
        engine.dispose()
    return HubFigures(database, throughput, latency, peak)


async def bench_baseline(bootstrap: str, events: int) -> Throughput:
    """A bare aiokafka pass-through: consume, produce each record on (acks=all, idempotent),
    commit after the acknowledgements; driven like the hub."""
    prefix = f"base-{uuid.uuid4().hex[:8]}."
    topics = [prefix + t for t in INBOUND_TOPICS]
    await ensure_topics(bootstrap, [*topics, f"{prefix}out"], 3)
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"{prefix}group",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=500,
    )
    out = producer(bootstrap)
    passed = 0

    async def pass_through() -> None:
        nonlocal passed
        while True:
            batches = await consumer.getmany(timeout_ms=50, max_records=500)
            futures = [
                await out.send(f"{prefix}out", value=r.value, key=r.key, headers=list(r.headers))
                for records in batches.values()
                for r in records
            ]
            await asyncio.gather(*futures)
            if futures:
                await consumer.commit()
                passed += len(futures)

    await consumer.start()
    await out.start()
    sender = Sender(bootstrap, prefix)
    await sender.client.start()
    task = asyncio.create_task(pass_through())
    try:
        start = datetime.now(UTC) - timedelta(minutes=30)
        await drive(
            sender.send, workload(200, start, run=f"{prefix}warm"), lambda: passed, lambda: True
        )
        load = workload(events, start, seed=2, run=f"{prefix}load")
        seconds = await drive(sender.send, load, lambda: passed, lambda: True)
    finally:
        task.cancel()
        await sender.client.stop()
        await out.stop()
        await consumer.stop()
    return Throughput(len(load), len(load), seconds)


def report(baseline: Throughput, figures: list[HubFigures]) -> list[str]:
    lines = [
        f"baseline, bare aiokafka consume-and-produce: {baseline.events} events in "
        f"{baseline.seconds:.1f}s = {baseline.per_second:,.0f} events/s",
        "",
    ]
    for hub in figures:
        t, lat = hub.throughput, hub.latency
        lines += [
            f"{hub.database}:",
            f"  throughput  {t.events} events, {t.notifications} notifications out, in "
            f"{t.seconds:.1f}s = {t.per_second:,.0f} events/s "
            f"({t.per_second / baseline.per_second:.0%} of the baseline)",
            f"  latency     {lat.events} events offered at {lat.offered_per_second:.0f}/s, "
            f"{len(lat.samples_ms)} notifications: p50 {lat.percentile(50):.0f} ms, "
            f"p95 {lat.percentile(95):.0f} ms, p99 {lat.percentile(99):.0f} ms",
            f"  memory      peak resident set of `hub run`: {hub.peak_rss_mb:.0f} MB",
            "",
        ]
    lines.append("targets: >= 1,000 events/s on PostgreSQL, p99 < 250 ms at 200 events/s, < 300 MB")
    return lines


async def run_bench(
    bootstrap: str,
    postgres_url: str,
    events: int = 10_000,
    rate: float = 200.0,
    latency_events: int = 4_000,
) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    baseline = await bench_baseline(bootstrap, events)
    figures = [
        await bench_hub(
            bootstrap, "PostgreSQL", postgres_url, events, rate, latency_events, workdir
        ),
        await bench_hub(
            bootstrap,
            "SQLite",
            f"sqlite:///{workdir / 'bench.db'}",
            events,
            rate,
            latency_events,
            workdir,
        ),
    ]
    return [
        f"hub benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"broker {bootstrap}; hub logs in {workdir}",
        "",
        *report(baseline, figures),
    ]
