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
import logging
import os
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import func, select

from hub.contracts.envelope import ParsedEvent
from hub.contracts.registry import INBOUND_TOPICS, REJECTED_TOPIC
from hub.devtools.hubproc import HubProcesses
from hub.devtools.profile import Profile, merge
from hub.devtools.workload import Workload, workload
from hub.kafka.connection import KafkaConnection
from hub.kafka.topics import ensure_topics
from hub.producers.publisher import Published, send_events
from hub.routing.directory import load_directory
from hub.routing.simulate import simulate
from hub.store.database import make_engine
from hub.store.models import RejectedMessage, RoutingDecision
from hub.store.outbox import notification_topic

log = logging.getLogger(__name__)
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
            try:
                batches = await self.consumer.getmany(timeout_ms=100)
            except KafkaError as error:  # e.g. a leader moving: counted on, not given up
                log.warning("arrivals: %s; reading on", type(error).__name__)
                await asyncio.sleep(0.1)
                continue
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
        coordinator = None
        while True:
            try:
                if coordinator is None:
                    coordinator = await self.admin.find_coordinator(self.group_id)
                offsets = await self.admin.list_consumer_group_offsets(self.group_id, coordinator)
            except KafkaError as error:  # the coordinator moved, say: found again
                log.warning("committed offsets: %s; asking again", type(error).__name__)
                coordinator = None
                await asyncio.sleep(0.1)
                continue
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


@dataclass(frozen=True)
class Paced:
    """A latency run: `events` offered at `rate` a second."""

    rate: float
    events: int


@dataclass(frozen=True)
class HubFigures:
    name: str
    processes: int
    throughput: Throughput
    latencies: list[Latency]  # one per Paced run, in the order asked
    peak_rss_mb: float  # the hub's resident set, summed over its processes, at its highest
    cpu_ms_per_event: float  # the hub's CPU time over every event it was sent
    profile: Profile


@dataclass(frozen=True)
class Backlog:
    """Events queued while the hub was down, then drained by a hub started on them."""

    events: int
    seconds: float  # from the hub's start until every notification owed has arrived
    memory_mb: list[float]  # the hub's resident set at each tenth of the drain
    peak_rss_mb: float
    notifications: int
    refused: dict[str, int]  # records the hub refused or held, by kind

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


class BenchHub:
    """One hub configuration on one database, with what measuring it needs: a topic prefix
    of its own, a sender, the hub group's committed offsets, and the arrivals on the
    recipient topics."""

    def __init__(self, kafka: KafkaConnection, database_url: str, workdir: Path) -> None:
        self.kafka, self.workdir = kafka, workdir
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}."
        self.env = {
            **os.environ,
            **kafka.environment(),
            "HUB_DATABASE_URL": database_url,
            "HUB_TOPIC_PREFIX": self.prefix,
            "HUB_GROUP_ID": f"{self.prefix}hub",
        }
        self.start = datetime.now(UTC) - timedelta(minutes=30)
        self.sender = Sender(kafka, self.prefix)
        self.committed = Committed(kafka, f"{self.prefix}hub")
        self.arrivals: Arrivals | None = None
        self.log = (workdir / f"hub-{self.prefix.rstrip('.')}.log").open("ab")

    def workload(self, events: int, seed: int, name: str) -> Owed:
        return owed(workload(events, self.start, seed=seed, run=f"{self.prefix}{name}"))

    async def open(self, *runs: Owed) -> None:
        """The topics every run needs, and the measuring clients, before anything is sent."""
        inbound = [self.prefix + t for t in (*INBOUND_TOPICS, REJECTED_TOPIC)]
        recipients = sorted({self.prefix + t for run in runs for t in run.topics})
        await ensure_topics(self.kafka, [*inbound, *recipients], 3)
        self.arrivals = Arrivals(self.kafka, recipients, self.sender.sent_at)
        await self.sender.client.start()
        await self.committed.start()
        await self.arrivals.start()

    def applied(self) -> int:
        return self.committed.latest

    def delivered(self, owing: Owed) -> Callable[[], bool]:
        """Whether every notification `owing` names has arrived; call before sending."""
        assert self.arrivals is not None
        arrivals, run = self.arrivals, owing.run.events[0].event_id  # any id names the run
        arrivals.watch(run, (event.event_id for event in owing.run.events))
        return lambda: arrivals.per_run[run] >= owing.notifications

    def latencies(self, owing: Owed) -> list[float]:
        assert self.arrivals is not None
        return self.arrivals.latencies(event.event_id for event in owing.run.events)

    def hubs(self, processes: Sequence[str], profile: bool = False) -> HubProcesses:
        profiles = self.workdir if profile else None
        return HubProcesses(processes, self.env, self.log, profiles, self.prefix.rstrip("."))

    async def close(self) -> None:
        if self.arrivals is not None:
            await self.arrivals.stop()
        await self.committed.stop()
        await self.sender.client.stop()
        self.log.close()
        await delete_topics(self.kafka, self.prefix)


async def bench_hub(
    kafka: KafkaConnection,
    name: str,
    database_url: str,
    events: int,
    paced: Sequence[Paced],
    workdir: Path,
    processes: Sequence[str] = ("consumer,relay,scheduler",),
    profile: bool = True,
) -> HubFigures:
    """The hub as `hub run` processes, one per entry of `processes` (its HUB_ROLES):
    throughput, then latency at each paced rate; memory and CPU over all of it. With
    `profile`, then where its CPU goes, from a run of its own (`_where_it_goes`)."""
    bench = BenchHub(kafka, database_url, workdir)
    warm = bench.workload(200, 1, "warm")  # the hub joins its group, loads
    load = bench.workload(events, 2, "load")
    runs = [bench.workload(p.events, 3 + n, f"paced{n}") for n, p in enumerate(paced)]
    sampled = bench.workload(max(events // 2, 200), 3 + len(paced), "sampled") if profile else None
    await bench.open(warm, load, *runs, *([sampled] if sampled else []))
    hubs = bench.hubs(processes)
    warm_done, load_done, *runs_done = map(bench.delivered, (warm, load, *runs))
    try:
        try:
            await hubs.start()
            await drive(bench.sender.send, warm.run, bench.applied, warm_done)
            seconds = await drive(bench.sender.send, load.run, bench.applied, load_done)
            throughput = Throughput(len(load.run), load.notifications, seconds)
            latencies = []
            for pace, run, done in zip(paced, runs, runs_done, strict=True):
                held_back = await offer(bench.sender, run.run, pace.rate, bench.committed)
                await _until(done)
                latencies.append(Latency(len(run.run), pace.rate, bench.latencies(run), held_back))
            peak = hubs.peak_mb
            sent = len(warm.run) + len(load.run) + sum(len(run.run) for run in runs)
            cpu_ms = hubs.cpu_seconds() * 1000 / sent
        finally:
            await hubs.stop()
        where = await _where_it_goes(bench, processes, sampled) if sampled else merge(())
    finally:
        await bench.close()
    return HubFigures(name, len(processes), throughput, latencies, peak, cpu_ms, where)


async def _where_it_goes(bench: BenchHub, processes: Sequence[str], sampled: Owed) -> Profile:
    """The hub's profile, from processes started again under py-spy for a throughput run
    after the measured ones: sampled while they were measured, the hub lost 8% of its
    throughput and p99 at 200/s grew a tenth (docs/benchmark.md)."""
    hubs = bench.hubs(processes, profile=True)
    done = bench.delivered(sampled)
    try:
        await hubs.start()
        await drive(bench.sender.send, sampled.run, bench.applied, done)
    finally:
        await hubs.stop()
    return hubs.profile()


async def bench_backlog(
    kafka: KafkaConnection,
    database_url: str,
    events: int,
    workdir: Path,
    processes: Sequence[str],
) -> Backlog:
    """`events` published while the hub is down (every phase, in order), then a hub started
    on them: how fast it drains them, and its memory as it goes."""
    bench = BenchHub(kafka, database_url, workdir)
    warm = bench.workload(200, 1, "warm")
    backlog = bench.workload(events, 7, "backlog")
    await bench.open(warm, backlog)
    warm_done = bench.delivered(warm)
    bench.delivered(backlog)  # its arrivals counted from the first
    hubs = bench.hubs(processes)
    try:
        # The hub's group exists and is warm, then the hub is down while the backlog queues.
        await hubs.start()
        await drive(bench.sender.send, warm.run, bench.applied, warm_done)
        await hubs.stop()
        for phase in backlog.run.phases:
            await bench.sender.send(phase)
        hubs = bench.hubs(processes)
        started = time.monotonic()
        await hubs.start()
        tenths: list[float] = []
        base = bench.applied()

        def drained(fraction: float) -> Callable[[], bool]:
            return lambda: bench.applied() - base >= fraction * len(backlog.run)

        for tenth in range(1, 11):
            await _until(drained(tenth / 10), timeout_s=3600)
            tenths.append(hubs.memory[-1][1] if hubs.memory else 0.0)
        # Read across topics after an outage, a child's events can arrive out of the order
        # they were sent in (a risk update after the found report): the hub holds or
        # refuses them, so what it owes is what it decided, read once all is applied.
        queued, refused = await asyncio.to_thread(_decided, database_url, bench.prefix)
        assert bench.arrivals is not None
        arrivals, run = bench.arrivals, backlog.run.events[0].event_id
        await _until(lambda: arrivals.per_run[run] >= queued, timeout_s=3600)
        seconds = time.monotonic() - started
        peak = hubs.peak_mb
    finally:
        await hubs.stop()
        await bench.close()
    return Backlog(len(backlog.run), seconds, tenths, peak, queued, refused)


def _decided(database_url: str, prefix: str) -> tuple[int, dict[str, int]]:
    """The notifications queued for a run's backlog, and its records refused, by kind."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            queued = connection.scalar(
                select(func.count())
                .select_from(RoutingDecision)
                .where(
                    RoutingDecision.cause.like(f"evt-{prefix}backlog-%"),
                    RoutingDecision.unroutable_field.is_(None),
                )
            )
            kinds = connection.execute(
                select(RejectedMessage.kind, func.count())
                .where(RejectedMessage.topic.like(f"{prefix}%"))
                .group_by(RejectedMessage.kind)
            )
            return queued or 0, {kind: count for kind, count in kinds}
    finally:
        engine.dispose()
