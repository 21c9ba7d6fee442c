"""Driving the real hub (`hub run`, in its own process) through a workload while things go
wrong, and checking afterwards, from the database and the recipients' topics, that every
notification the protocol owes was delivered and nothing was applied twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from hub.contracts.envelope import ParsedEvent
from hub.contracts.registry import INBOUND_TOPICS, REJECTED_TOPIC
from hub.devtools.bench import drive
from hub.devtools.reader import read_topics
from hub.devtools.workload import Workload, workload
from hub.kafka.connection import KafkaConnection
from hub.kafka.topics import TopicConfig, ensure_topics
from hub.producers.publisher import publish
from hub.retrying import with_backoff
from hub.routing.calendar import is_out_of_hours
from hub.routing.directory import DEFAULT_PATH, load_directory
from hub.routing.rules.duties import FOLLOW_UP
from hub.routing.simulate import simulate
from hub.store.database import count_rows, make_engine, migrate
from hub.store.models import (
    ChildRecord,
    InboundEvent,
    OutboxMessage,
    RejectedMessage,
    RoutingDecision,
)
from hub.store.outbox import NOTIFICATION_PREFIX
from hub.store.outcomes import STATE

KILLED_GIVEN_UP_MS = 6000  # HUB_CONSUMER_SESSION_TIMEOUT_MS of the hubs a fault test runs


@dataclass
class HubProcess:
    """One `hub run`, as operations would start it: settings from the environment."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub", "run"],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flush, no leaving the consumer group."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def exited(self, timeout_s: float = 180.0) -> int | None:
        """Wait for the process to end by itself (a crash point); its exit code."""
        assert self.process is not None
        try:
            code: int | None = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None
        self.process = None
        return code

    def stop(self) -> int | None:
        """SIGTERM, as an orderly shutdown; its exit code (None: killed after 60 s)."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            code: int | None = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        self.process = None
        return code


@dataclass
class FaultRun:
    """A workload of `events` events for one hub deployment (its own topics and group)."""

    kafka: KafkaConnection
    database_url: str
    workdir: Path
    events: int = 2000
    topics: TopicConfig = field(default_factory=TopicConfig)  # as the hubs are told to make them
    prefix: str = field(default_factory=lambda: f"f{uuid.uuid4().hex[:8]}.")
    hubs: list[HubProcess] = field(default_factory=list)
    hub_kafka: KafkaConnection | None = None  # how the hubs connect, if not as `kafka` does

    def __post_init__(self) -> None:
        # Half an hour ago: every timer (4 hours at the shortest) stays pending.
        start = _in_hours_as_now(datetime.now(UTC) - timedelta(minutes=30))
        self.load: Workload = workload(self.events, start, run=self.prefix.rstrip("."))
        migrate(self.database_url)
        self.engine = make_engine(self.database_url)

    def hub(self, **settings: str) -> HubProcess:
        """A `hub run` for this deployment; `settings`: more environment (HUB_ROLES, ...)."""
        env = {
            **os.environ,
            **(self.hub_kafka or self.kafka).environment(),
            "HUB_DATABASE_URL": self.database_url,
            "HUB_TOPIC_PREFIX": self.prefix,
            "HUB_GROUP_ID": f"{self.prefix}hub",
            "HUB_TOPIC_PARTITIONS": str(self.topics.partitions),
            "HUB_TOPIC_REPLICATION_FACTOR": str(self.topics.replication_factor),
            "HUB_TOPIC_MIN_INSYNC_REPLICAS": str(self.topics.min_insync_replicas),
            # A hub killed here never leaves its group: the next waits for its session to
            # time out, 6 s (the broker's least by default) rather than 10.
            "HUB_CONSUMER_SESSION_TIMEOUT_MS": str(KILLED_GIVEN_UP_MS),
            **settings,
        }
        process = HubProcess(env, self.workdir / f"hub-{len(self.hubs)}.log")
        self.hubs.append(process)
        return process

    def count(self, model: type, *where: object) -> int:
        return count_rows(self.engine, model, *where)

    def work_done(self) -> int:
        """Events applied plus notifications sent: grows whenever the hub makes progress."""
        return self.count(InboundEvent) + self.count(OutboxMessage, OutboxMessage.status == "sent")

    def finished(self) -> bool:
        return self.count(InboundEvent) == len(self.load) and (
            self.count(OutboxMessage, OutboxMessage.status != "sent") == 0
        )

    def _reached(self, reached: Callable[[], bool]) -> bool:
        try:
            return reached()
        except OperationalError:  # the database is down for the test too
            return False

    async def until(self, reached: Callable[[], bool], timeout_s: float = 240.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not await asyncio.to_thread(self._reached, reached):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"the hub did not get there in {timeout_s:.0f}s: applied "
                    f"{self.count(InboundEvent)} of {len(self.load)}, "
                    f"{self.count(RejectedMessage)} not applied, "
                    f"{self.count(OutboxMessage, OutboxMessage.status != 'sent')} unsent; "
                    f"hub logs in {self.workdir}"
                )
            await asyncio.sleep(0.1)

    async def publish_all(self) -> None:
        """Phase by phase, each once the one before is applied (hub.devtools.bench.drive)."""
        await ensure_topics(
            self.kafka, [self.prefix + t for t in (*INBOUND_TOPICS, REJECTED_TOPIC)], self.topics
        )
        await drive(
            self._send, self.load, lambda: self.count(InboundEvent), self.finished, self.until
        )

    async def a_third_done(self) -> asyncio.Task[None]:
        """Start publishing everything; return once the hub has done a third of the work."""
        publishing = asyncio.create_task(self.publish_all())
        await self.until(lambda: self.work_done() > len(self.load) // 3)
        return publishing

    async def _send(self, phase: Sequence[ParsedEvent]) -> None:
        """As a police or local-authority system would: resend until acknowledged (a resend
        is safe, the hub de-duplicates on the event id)."""
        await with_backoff("publishing a phase")(
            publish, self.kafka, phase, topic_prefix=self.prefix
        )

    async def committed_offsets(self) -> int:
        """How many inbound records the hub's consumer group has committed, all partitions
        together (every topic starts at offset 0)."""
        admin = self.kafka.admin()
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(f"{self.prefix}hub")
        finally:
            await admin.close()
        inbound = f"{self.prefix}inbound."
        return sum(o.offset for tp, o in offsets.items() if tp.topic.startswith(inbound))

    async def reset_group_to_earliest(self, partitions: int = 3) -> int:
        """With the hub stopped, as `kafka-consumer-groups --reset-offsets --to-earliest`
        would: every inbound partition's committed offset set back to 0. Returns how many
        records the inbound topics hold (what the hub will read again)."""
        return await self.inbound_records(partitions, reset=True)

    async def inbound_records(self, partitions: int = 3, reset: bool = False) -> int:
        """How many records the inbound topics hold, all partitions together; `reset`: the
        group's committed offsets set back to 0 as well."""
        consumer = self.kafka.consumer(group_id=f"{self.prefix}hub", enable_auto_commit=False)
        await consumer.start()
        try:
            inbound = [
                TopicPartition(self.prefix + topic, partition)
                for topic in INBOUND_TOPICS
                for partition in range(partitions)
            ]
            consumer.assign(inbound)
            ends = await consumer.end_offsets(inbound)
            if reset:
                await consumer.commit(dict.fromkeys(inbound, 0))
        finally:
            await consumer.stop()
        return sum(ends.values())

    async def offsets_reach(self, records: int, timeout_s: float = 180.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while (committed := await self.committed_offsets()) < records:
            assert asyncio.get_running_loop().time() < deadline, f"{committed} of {records}"
            await asyncio.sleep(0.2)

    def close(self) -> None:
        for hub in self.hubs:
            hub.kill()
        self.engine.dispose()


@dataclass(frozen=True)
class Delivery:
    expected: int
    received: int  # raw records on the recipients' topics
    distinct: int

    @property
    def duplicates(self) -> int:
        return self.received - self.distinct


def _in_hours_as_now(start: datetime) -> datetime:
    """`start`, or the first minute after it on the same side of office hours as now (3.10:
    9:00 and 17:30 on working days). The hub decides who is on duty when it reads an event,
    the engine alone at the event's time: a workload dated across 9:00 or 17:30 from now
    would owe EDT in one and the day team in the other, and the test fail for the hour."""
    directory = load_directory(DEFAULT_PATH)
    now = datetime.now(UTC)
    while start < now and is_out_of_hours(start, directory) != is_out_of_hours(now, directory):
        start += timedelta(minutes=1)
    return start


# When the hub read an event: its duties' clocks start then (hub.routing.rules.duties), where
# the engine alone starts them at the event's own time.
_WHEN_READ = ("decided_at", "due", "answer_by", "stood_down_at")
# When the hub read the report and the return: the engine alone reads each at its own time.
_EPISODE_READ = ("read_at", "back_read_at")


def as_applied(state: dict[str, Any]) -> dict[str, Any]:
    """A child's stored state without what depends on when the hub read each event."""
    episodes = [
        {
            **{k: v for k, v in episode.items() if k not in _EPISODE_READ},
            "duties": [
                {k: v for k, v in duty.items() if k not in _WHEN_READ} for duty in episode["duties"]
            ],
            "timers": [t for t in episode["timers"] if t["name"] != FOLLOW_UP],
        }
        for episode in state["episodes"]
    ]
    return {**state, "episodes": episodes}


async def assert_exactly_once(run: FaultRun) -> Delivery:
    """What the protocol owes for the workload, worked out by the engine alone, against what
    the hub recorded and what the recipients' topics hold."""
    expected = simulate(load_directory(DEFAULT_PATH), run.load.events)
    owed = Counter(str(d.notification_id) for d in expected.decisions)
    assert not expected.rejections
    assert max(owed.values()) == 1
    with run.engine.connect() as connection:
        applied = connection.scalar(select(func.count()).select_from(InboundEvent))
        refused = connection.execute(select(RejectedMessage.kind, RejectedMessage.problems)).all()
        logged = Counter(connection.scalars(select(RoutingDecision.notification_id)))
        unsent = connection.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        )
        rows = connection.execute(select(ChildRecord.child_id, ChildRecord.state))
        states = {child_id: state for child_id, state in rows}
        queued: dict[str, int] = {
            message_id: row_id
            for message_id, row_id in connection.execute(
                select(OutboxMessage.message_id, OutboxMessage.id)
            )
        }
    assert applied == len(run.load), "every event applied, once"
    assert refused == [], "nothing rejected, held or dead-lettered"
    assert logged == owed, "the routing log holds each owed decision once, and nothing else"
    assert unsent == 0
    assert {child: as_applied(state) for child, state in states.items()} == {
        child: as_applied(STATE.dump_python(state, mode="json"))
        for child, state in expected.states.items()
    }, "each child's episodes as if every event had been applied once, in order"

    records = await read_topics(run.kafka, f"{run.prefix}notify.")
    received = Counter(dict(r.headers)["ce_id"].decode() for r in records)
    missing = set(owed) - set(received)
    unexpected = set(received) - set(owed)
    assert not missing, f"{len(missing)} notifications never arrived"
    assert not unexpected, f"{len(unexpected)} notifications nobody was owed"
    assert_each_child_in_order(records, queued)
    return Delivery(len(owed), sum(received.values()), len(received))


def assert_each_child_in_order(
    records: Sequence[ConsumerRecord[bytes, bytes]], queued: dict[str, int]
) -> None:
    """On every recipient topic, one child's notifications first arrive in the order the hub
    queued them (a re-sent duplicate may come again later; the receiver drops it by id)."""
    seen: set[str] = set()
    last: dict[tuple[str, bytes | None], int] = {}
    for record in records:  # a child's records are in one partition, read in its order
        notification_id = dict(record.headers)["ce_id"].decode()
        if notification_id in seen:
            continue
        seen.add(notification_id)
        position = queued[NOTIFICATION_PREFIX + notification_id]
        stream = (record.topic, record.key)
        assert position > last.get(stream, -1), (
            f"on {record.topic}, a child's notification queued as row {position} arrived "
            f"after row {last[stream]}"
        )
        last[stream] = position
