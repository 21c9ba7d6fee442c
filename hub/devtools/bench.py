"""`hub bench`: the hub's throughput, latency and memory on a real broker, with PostgreSQL and
with SQLite, beside a bare aiokafka pass-through on the same broker in the same run.

- Throughput: a workload (hub.devtools.workload) published phase by phase, each phase as fast as the
  producer goes, the next once the hub has applied it (its consumer group's committed
  offsets have reached the phase's end); from the first publish until every notification
  the protocol owes for it (the engine's own count, hub.routing.simulate) has arrived on
  its recipient topic. The baseline consumes the same events and produces each one on
  (acks=all, idempotent, committing after), driven the same way; a second baseline
  produces each as many times as the hub's notifications.
- Progress is read from Kafka, never by counting rows in the hub's database: counting a
  growing table fifty times a second cost the database a fifth of a core, taken from the
  hub it was measuring.
- Latency: events offered at a fixed rate, open loop (a child's next event waits only for
  its last one to be applied, never for anyone else's); for each notification, from just
  before its event was sent to its arrival at a consumer of the recipient topics.
- Memory: the peak resident set (VmHWM) of the `hub run` process (summed when the relay
  runs in a process of its own); CPU: its user and system time per event sent.

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
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from hub.contracts.envelope import ParsedEvent
from hub.contracts.registry import INBOUND_TOPICS, REJECTED_TOPIC
from hub.devtools.workload import Workload, workload
from hub.kafka.connection import KafkaConnection
from hub.kafka.topics import ensure_topics
from hub.producers.publisher import Published, send_events
from hub.routing.directory import load_directory
from hub.routing.simulate import simulate
from hub.store.outbox import notification_topic

FAN_OUT_TOPICS = 22  # the recipient topics the benchmark's workload is routed to


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
    held_back: int  # events that waited for their child's previous one to be applied

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[p - 1]


@dataclass(frozen=True)
class HubFigures:
    database: str
    processes: int
    throughput: Throughput
    latency: Latency
    peak_rss_mb: float
    cpu_ms_per_event: float  # the hub process's CPU time over every event it was sent


class Sender:
    """One long-lived producer, as a police system would keep; remembers when each event
    was handed to it."""

    def __init__(self, kafka: KafkaConnection, prefix: str) -> None:
        self.client: AIOKafkaProducer = kafka.producer()
        self.prefix = prefix
        self.sent_at: dict[str, float] = {}

    async def send(self, events: Sequence[ParsedEvent]) -> list[Published]:
        sent_at = time.monotonic()
        self.sent_at.update((event.event_id, sent_at) for event in events)
        return await send_events(self.client, events, self.prefix)


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


async def offer(sender: Sender, load: Workload, rate: float, committed: Committed) -> int:
    """The events at `rate` a second, in ticks of 10 ms, open loop: no pause between
    phases. A child's next event waits only until the hub has applied its last one (its
    offset committed), so each child's events keep their order without holding back
    anyone else's. Returns how many events had to wait so."""
    started = time.monotonic()
    queue = [event for phase in load.phases for event in phase]
    last: dict[str, Published] = {}  # each child's last event sent
    waiting: list[ParsedEvent] = []
    held_back: set[str] = set()
    index = 0
    while index < len(queue) or waiting:
        due = max(int((time.monotonic() - started) * rate) - index, 0)
        waiting += queue[index : index + due]
        index += due
        ready, still, held = [], [], set()
        for event in waiting:
            before = last.get(event.key)
            if event.key in held or (before is not None and not committed.applied(before)):
                held.add(event.key)  # after its predecessor, and before its successors
                held_back.add(event.event_id)
                still.append(event)
            else:
                ready.append(event)
        waiting = still
        if ready:
            for published in await sender.send(ready):
                last[published.key] = published
        await asyncio.sleep(0.01)
    return len(held_back)


class Arrivals:
    """A consumer of the recipient topics (from their start): counts the distinct
    notifications that have arrived for each cause, and notes how long each took from the
    moment its event was sent."""

    def __init__(
        self, kafka: KafkaConnection, topics: Sequence[str], sent_at: dict[str, float]
    ) -> None:
        # The topics by name (a pattern would fetch the whole cluster's metadata again and
        # again); a fetch returns as soon as a record arrives, so waiting up to 50 ms for one
        # costs the measurement nothing and saves polling an idle broker.
        self.consumer = kafka.consumer(
            *topics,
            group_id=None,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=50,
        )
        self.sent_at = sent_at
        self.seen: set[str] = set()
        self.run_of: dict[str, str] = {}  # cause -> the run it belongs to
        self.per_run: Counter[str] = Counter()  # distinct notifications arrived
        self.samples_ms: dict[str, list[float]] = defaultdict(list)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        self.task = asyncio.create_task(self._run())

    def watch(self, run: str, causes: Iterable[str]) -> None:
        """Count the notifications these events cause under `run` (a constant-time check
        for a waiting loop that polls fifty times a second)."""
        self.run_of.update(dict.fromkeys(causes, run))

    def latencies(self, causes: Iterable[str]) -> list[float]:
        return [ms for cause in causes for ms in self.samples_ms[cause]]

    async def _run(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=100)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    body = json.loads(record.value or b"{}")
                    notification_id, cause = body.get("notification_id"), body.get("cause", "")
                    if notification_id in self.seen or cause not in self.sent_at:
                        continue  # a raw duplicate, or not this run's
                    self.seen.add(notification_id)
                    self.per_run[self.run_of.get(cause, "")] += 1
                    self.samples_ms[cause].append((now - self.sent_at[cause]) * 1000)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await self.consumer.stop()


class Committed:
    """How many inbound records a consumer group has committed (applied, for the hub: it
    commits only after its database commit), polled from the broker in the background."""

    def __init__(self, kafka: KafkaConnection, group_id: str) -> None:
        self.admin = kafka.admin()
        self.group_id = group_id
        self.latest = 0
        self.offsets: dict[tuple[str, int], int] = {}
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.admin.start()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        coordinator = await self.admin.find_coordinator(self.group_id)
        while True:
            offsets = await self.admin.list_consumer_group_offsets(self.group_id, coordinator)
            self.offsets = {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}
            self.latest = sum(max(offset, 0) for offset in self.offsets.values())
            await asyncio.sleep(0.02)

    def applied(self, event: Published) -> bool:
        return self.offsets.get((event.topic, event.partition), -1) > event.offset

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await self.admin.close()


@dataclass(frozen=True)
class Owed:
    """What the protocol owes for a workload, by the engine's own reckoning."""

    run: Workload
    notifications: int
    topics: frozenset[str]


def owed(run: Workload) -> Owed:
    decisions = simulate(load_directory(), run.events).decisions
    topics = frozenset(notification_topic(d.authority, d.recipient) for d in decisions)
    return Owed(run, len(decisions), topics)


async def delete_topics(kafka: KafkaConnection, prefix: str) -> None:
    """A run's topics, deleted when it ends: a broker that keeps every run's topics answers
    each client's metadata requests more slowly, run after run."""
    admin = kafka.admin()
    try:
        await admin.start()
        mine = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


def _cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bench_hub(
    kafka: KafkaConnection,
    database: str,
    database_url: str,
    events: int,
    rate: float,
    latency_events: int,
    workdir: Path,
    processes: Sequence[str] = ("consumer,relay,scheduler",),
) -> HubFigures:
    """The hub as `hub run` processes, one per entry of `processes` (its HUB_ROLES)."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    await ensure_topics(kafka, [prefix + t for t in (*INBOUND_TOPICS, REJECTED_TOPIC)], 3)
    env = {
        **os.environ,
        **kafka.environment(),
        "HUB_DATABASE_URL": database_url,
        "HUB_TOPIC_PREFIX": prefix,
        "HUB_GROUP_ID": f"{prefix}hub",
    }
    start = datetime.now(UTC) - timedelta(minutes=30)
    warm = owed(workload(200, start, run=f"{prefix}warm"))  # the hub joins its group, loads
    load = owed(workload(events, start, seed=2, run=f"{prefix}load"))
    paced = owed(workload(latency_events, start, seed=3, run=f"{prefix}paced"))
    recipients = sorted(prefix + t for t in warm.topics | load.topics | paced.topics)
    await ensure_topics(kafka, recipients, 3)
    log = (workdir / f"hub-{prefix.rstrip('.')}.log").open("ab")
    hubs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hub", "run", env={**env, "HUB_ROLES": roles}, stderr=log
        )
        for roles in processes
    ]
    sender = Sender(kafka, prefix)
    committed = Committed(kafka, f"{prefix}hub")
    arrivals = Arrivals(kafka, recipients, sender.sent_at)
    await sender.client.start()
    await committed.start()
    await arrivals.start()
    applied = lambda: committed.latest  # noqa: E731

    def delivered(owing: Owed) -> Callable[[], bool]:
        run = owing.run.events[0].event_id  # any id names the run
        arrivals.watch(run, (event.event_id for event in owing.run.events))
        return lambda: arrivals.per_run[run] >= owing.notifications

    # Watched before anything is sent, so no arrival goes uncounted.
    warm_delivered, load_delivered, paced_delivered = map(delivered, (warm, load, paced))
    try:
        await drive(sender.send, warm.run, applied, warm_delivered)
        seconds = await drive(sender.send, load.run, applied, load_delivered)
        throughput = Throughput(len(load.run), load.notifications, seconds)
        held_back = await offer(sender, paced.run, rate, committed)
        await _until(paced_delivered)
        causes = [event.event_id for event in paced.run.events]
        latency = Latency(len(paced.run), rate, arrivals.latencies(causes), held_back)
        peak = sum(_peak_rss_mb(hub.pid) for hub in hubs)
        sent = len(warm.run) + len(load.run) + len(paced.run)
        cpu_ms = sum(_cpu_seconds(hub.pid) for hub in hubs) * 1000 / sent
    finally:
        await arrivals.stop()
        await committed.stop()
        await sender.client.stop()
        for hub in hubs:
            hub.terminate()
            await asyncio.wait_for(hub.wait(), timeout=60)
        log.close()
        await delete_topics(kafka, prefix)
    return HubFigures(database, len(hubs), throughput, latency, peak, cpu_ms)


async def bench_baseline(kafka: KafkaConnection, events: int, fan_out: float = 1.0) -> Throughput:
    """A bare aiokafka pass-through: consume, produce each record on (acks=all, idempotent),
    commit after the acknowledgements; driven like the hub. With `fan_out` above 1, each
    record is produced that many times on average, spread over as many topics as the hub
    writes to: the broker and client work of the hub's notifications, without the hub."""
    prefix = f"base-{uuid.uuid4().hex[:8]}."
    topics = [prefix + t for t in INBOUND_TOPICS]
    outputs = [f"{prefix}out{n}" for n in range(FAN_OUT_TOPICS if fan_out > 1 else 1)]
    await ensure_topics(kafka, [*topics, *outputs], 3)
    consumer = kafka.consumer(
        *topics,
        group_id=f"{prefix}group",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=500,
    )
    out = kafka.producer()
    passed = produced = 0

    async def pass_through() -> None:
        nonlocal passed, produced
        while True:
            batches = await consumer.getmany(timeout_ms=50, max_records=500)
            records = [r for batch in batches.values() for r in batch]
            futures: list[asyncio.Future[Any]] = []
            for n, r in enumerate(records, start=passed):
                for _ in range(int((n + 1) * fan_out) - int(n * fan_out)):
                    topic = outputs[(produced + len(futures)) % len(outputs)]
                    futures.append(
                        await out.send(topic, value=r.value, key=r.key, headers=list(r.headers))
                    )
            await asyncio.gather(*futures)
            if records:
                await consumer.commit()
                passed += len(records)
                produced += len(futures)

    await consumer.start()
    await out.start()
    sender = Sender(kafka, prefix)
    await sender.client.start()
    task = asyncio.create_task(pass_through())
    try:
        start = datetime.now(UTC) - timedelta(minutes=30)
        await drive(
            sender.send, workload(200, start, run=f"{prefix}warm"), lambda: passed, lambda: True
        )
        load = workload(events, start, seed=2, run=f"{prefix}load")
        warm_produced = produced
        seconds = await drive(sender.send, load, lambda: passed, lambda: True)
        produced -= warm_produced
    finally:
        task.cancel()
        await sender.client.stop()
        await out.stop()
        await consumer.stop()
        await delete_topics(kafka, prefix)
    return Throughput(len(load), produced, seconds)


def report(baseline: Throughput, fan_out: Throughput, figures: list[HubFigures]) -> list[str]:
    lines = [
        f"baseline, bare aiokafka consume-and-produce: {baseline.events} events in "
        f"{baseline.seconds:.1f}s = {baseline.per_second:,.0f} events/s",
        f"the same, producing each event {fan_out.notifications / fan_out.events:.2f} times "
        f"(as many as the hub's notifications) over {FAN_OUT_TOPICS} topics: "
        f"{fan_out.notifications} records out in {fan_out.seconds:.1f}s = "
        f"{fan_out.per_second:,.0f} events/s",
        "",
    ]
    for hub in figures:
        t, lat = hub.throughput, hub.latency
        processes = f" ({hub.processes} processes, summed)" if hub.processes > 1 else ""
        lines += [
            f"{hub.database}:",
            f"  throughput  {t.events} events, {t.notifications} notifications out, in "
            f"{t.seconds:.1f}s = {t.per_second:,.0f} events/s "
            f"({t.per_second / baseline.per_second:.0%} of the baseline, "
            f"{t.per_second / fan_out.per_second:.0%} of the fan-out baseline)",
            f"  latency     {lat.events} events offered at {lat.offered_per_second:.0f}/s, "
            f"{len(lat.samples_ms)} notifications: p50 {lat.percentile(50):.0f} ms, "
            f"p95 {lat.percentile(95):.0f} ms, p99 {lat.percentile(99):.0f} ms "
            f"({lat.held_back} events waited for their child's previous one to be applied)",
            f"  memory      peak resident set of `hub run`{processes}: {hub.peak_rss_mb:.0f} MB",
            f"  cpu         `hub run`{processes} used {hub.cpu_ms_per_event:.1f} ms of CPU "
            "per event (consuming, deciding, writing, publishing)",
            "",
        ]
    lines.append("targets: >= 1,000 events/s on PostgreSQL, p99 < 250 ms at 200 events/s, < 300 MB")
    return lines


async def run_bench(
    kafka: KafkaConnection,
    postgres_url: str,
    events: int = 10_000,
    rate: float = 200.0,
    latency_events: int = 4_000,
) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    await bench_baseline(kafka, events)  # not measured: the broker's JVM warms up
    baseline = await bench_baseline(kafka, events)
    figures = [
        await bench_hub(kafka, "PostgreSQL", postgres_url, events, rate, latency_events, workdir),
        await bench_hub(
            kafka,
            "PostgreSQL, the relay in a process of its own",
            postgres_url,
            events,
            rate,
            latency_events,
            workdir,
            processes=("consumer,scheduler", "relay"),
        ),
        await bench_hub(
            kafka,
            "SQLite",
            f"sqlite:///{workdir / 'bench.db'}",
            events,
            rate,
            latency_events,
            workdir,
        ),
    ]
    notifications = figures[0].throughput.notifications / figures[0].throughput.events
    fan_out = await bench_baseline(kafka, events, fan_out=notifications)
    return [
        f"hub benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"broker {kafka.bootstrap}; hub logs in {workdir}",
        "",
        *report(baseline, fan_out, figures),
    ]
