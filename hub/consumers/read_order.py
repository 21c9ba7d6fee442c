"""Reading the inbound partitions in the order their records were sent.

After an outage every inbound topic is full, and aiokafka hands the consumer a partition's
records at a time. Read so, a child's found report can come before the MISPER report sent
hours earlier on another topic: the hub holds it until the report comes (awaiting its
predecessor) and then applies it on the slower path; a risk update read after the found
report that closed its episode is refused. In a 100,000-event backlog two thirds of the
records were held (docs/benchmark.md). So while partitions have records waiting, those read
more than a window ahead of the partition furthest behind are paused, by when each
record's event happened (its CloudEvents `ce_time` header; else its Kafka timestamp, when
its sender produced it), much as Kafka Streams orders the partitions of one task. A sender
flushing a queue produces its records within milliseconds of each other, so their Kafka
timestamps cannot order them; the events' own times can. A partition that has caught up
is not paused: a live event is never made to wait for a backlog. It is a backlog again if
it falls more than two batches behind while the hub runs (a region's forces connecting at
once, or senders back after the broker was down): live traffic never comes near that.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from aiokafka import ConsumerRecord, TopicPartition

from hub.settings import DEFAULT_BATCH_SIZE

log = logging.getLogger(__name__)
WINDOW_MS = 100  # records sent this close together are read in the order fetched
STUCK_S = 2.0  # no batch for this long while partitions are paused: see ReadOrder
SILENT_BATCHES = 3  # and as many batches from others, with STUCK_S, without a record of its own
BACKLOG_BATCHES = 2  # a live partition this many batches behind is a backlog again


@runtime_checkable
class Partitioned(Protocol):
    """What steering needs of a Kafka consumer (aiokafka's AIOKafkaConsumer has it all)."""

    def assignment(self) -> set[TopicPartition]: ...
    def highwater(self, partition: TopicPartition) -> int | None: ...
    def paused(self) -> set[TopicPartition]: ...
    def pause(self, *partitions: TopicPartition) -> None: ...
    def resume(self, *partitions: TopicPartition) -> None: ...


@dataclass(frozen=True)
class Progress:
    """One partition, as far as the consumer has read it."""

    read_to_ms: int | None  # when the last record read happened (None: none read yet)
    waiting: bool  # it has records on the broker not yet read, and is not live


def ahead(partitions: Mapping[TopicPartition, Progress], window_ms: int) -> set[TopicPartition]:
    """The partitions to pause: those with records waiting whose last record read was sent
    more than `window_ms` after that of the waiting partition furthest behind. One never
    read yet may be the furthest behind: until it is read, every other waiting one waits."""
    waiting = {tp: p.read_to_ms for tp, p in partitions.items() if p.waiting}
    read = {tp: read_to for tp, read_to in waiting.items() if read_to is not None}
    if len(read) < len(waiting):
        return set(read)
    if not read:
        return set()
    earliest = min(read.values())
    return {tp for tp, read_to in read.items() if read_to > earliest + window_ms}


def happened_ms(record: ConsumerRecord[Any, Any]) -> int:
    """When the record's event happened, in epoch milliseconds: its `ce_time` header if it
    reads as a time (validated only later, with the rest of the event), else its Kafka
    timestamp."""
    for name, value in record.headers:
        if name == "ce_time":
            if value is None:  # a header with no value (Kafka allows it): refused later
                break
            try:
                moment = datetime.fromisoformat(value.decode())
            except (UnicodeDecodeError, ValueError):
                break
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return int(moment.timestamp() * 1000)
    timestamp: int = record.timestamp
    return timestamp


def in_time_order(records: Sequence[ConsumerRecord[Any, Any]]) -> list[ConsumerRecord[Any, Any]]:
    """A batch's records by when their events happened, each partition's in its own order
    (a child's records on one topic are applied as they were logged, whatever their
    clocks)."""
    partitions: dict[tuple[str, int], list[ConsumerRecord[Any, Any]]] = {}
    for record in records:
        partitions.setdefault((record.topic, record.partition), []).append(record)
    if len(partitions) < 2:
        return list(records)
    return list(heapq.merge(*partitions.values(), key=happened_ms))


class ReadOrder:
    """Keeps the consumer's pauses in step with what it has read, after each batch.

    Two cases free a partition: one that has caught up is live (its next record is read at
    once, whatever the backlog of others) until it falls `backlog_after` records behind, and
    one that says it has records but yields none while others wait for it (a transaction's
    markers take offsets and are no records; one not read since the hub started may have
    nothing left to read) is no longer waited for: after STUCK_S without a batch, or, while
    live partitions keep batches coming, once SILENT_BATCHES of them and STUCK_S have gone
    by without a record of its own (else the backlog waited as long as the live traffic
    went on)."""

    def __init__(
        self,
        stopping: asyncio.Event,
        window_ms: int = WINDOW_MS,
        clock: Callable[[], float] = time.monotonic,
        backlog_after: int = BACKLOG_BATCHES * DEFAULT_BATCH_SIZE,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.stopping, self.window_ms, self.clock = stopping, window_ms, clock
        self.backlog_after, self.batch_size = backlog_after, batch_size
        # (offset, when it happened), of the last record read of each partition
        self.read_to: dict[TopicPartition, tuple[int, int | None]] = {}
        self.live: set[TopicPartition] = set()
        self.stuck: set[TopicPartition] = set()
        # waiting, unpaused partitions yielding nothing: batches since, and since when
        self.silent: dict[TopicPartition, tuple[int, float]] = {}
        self.just_read: set[TopicPartition] = set()
        self.full = False  # the last batch was full: the consumer may hold more to give
        self.consumer: Partitioned | None = None
        self.applying = False
        self.last_batch_at = clock()
        self.task: asyncio.Task[None] | None = None

    def read(self, records: Iterable[ConsumerRecord[Any, Any]]) -> None:
        """A batch handed to the consumer, before it is applied."""
        self.applying = True
        last: dict[TopicPartition, ConsumerRecord[Any, Any]] = {}
        size = 0
        for size, record in enumerate(records, start=1):  # noqa: B007 (counted)
            last[TopicPartition(record.topic, record.partition)] = record
        self.full = size >= self.batch_size
        for tp, record in last.items():  # each partition's last: its header read once
            self.read_to[tp] = (record.offset, happened_ms(record))
            self.stuck.discard(tp)
        self.just_read = set(last)

    def steer(self, consumer: object) -> None:
        """After a batch: pause the partitions ahead, resume the others. A test's stand-in
        consumer, which has no partitions, is left alone."""
        self.applying, self.last_batch_at = False, self.clock()
        if not isinstance(consumer, Partitioned):
            return
        self.consumer = consumer
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._unstick())
        self.stuck |= self._silent(self._progress(consumer), consumer.paused())
        self._steer(consumer)

    def _progress(self, consumer: Partitioned) -> dict[TopicPartition, Progress]:
        progress = {}
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            offset, timestamp = self.read_to.get(tp, (-1, None))
            behind = None if highwater is None else highwater - (offset + 1)  # records
            if behind is not None and behind <= 0:
                self.live.add(tp)
            elif behind is not None and behind > self.backlog_after and tp in self.live:
                # Its last record read says nothing of when the waiting ones were sent: as
                # one never read, every other waits until it is read (`ahead`).
                self.live.discard(tp)
                self.read_to[tp], timestamp = (offset, None), None
                log.info(
                    "inbound partition fell behind: read in the order sent again",
                    extra={"topic": tp.topic, "partition": tp.partition, "behind": behind},
                )
            waiting = behind is not None and tp not in self.live and tp not in self.stuck
            progress[tp] = Progress(timestamp, waiting)
        return progress

    def _steer(self, consumer: Partitioned) -> None:
        pause, paused = ahead(self._progress(consumer), self.window_ms), consumer.paused()
        if paused - pause:
            consumer.resume(*(paused - pause))
        if pause - paused:
            consumer.pause(*(pause - paused))

    def _silent(
        self, progress: Mapping[TopicPartition, Progress], paused: set[TopicPartition]
    ) -> set[TopicPartition]:
        """After a batch: the partitions waited for that have yielded nothing for
        SILENT_BATCHES batches and STUCK_S. A full batch is not counted: aiokafka fills a
        batch from one partition's fetched records before the next's, and a partition
        still waiting its turn is not silent."""
        now, read, self.just_read = self.clock(), self.just_read, set()
        for tp in (self.silent.keys() - progress.keys()) | (self.silent.keys() & read):
            del self.silent[tp]  # no longer assigned, or not silent
        if self.full:
            return set()
        for tp, done in progress.items():
            if not done.waiting or tp in paused or tp in read:
                self.silent.pop(tp, None)
                continue
            batches, since = self.silent.get(tp, (0, now))
            self.silent[tp] = (batches + 1, since)
        silent = {
            tp
            for tp, (batches, since) in self.silent.items()
            if batches >= SILENT_BATCHES and now - since >= STUCK_S
        }
        for tp in silent:
            del self.silent[tp]
        return silent

    async def _unstick(self) -> None:
        while not self.stopping.is_set():
            await asyncio.sleep(STUCK_S / 4)
            consumer = self.consumer
            if consumer is None or self.applying or self.clock() - self.last_batch_at < STUCK_S:
                continue
            # A rebalance or the consumer stopping may leave it unable to answer: try later.
            with contextlib.suppress(Exception):
                paused = consumer.paused()
                if paused:
                    progress = self._progress(consumer)
                    self.stuck |= {tp for tp, p in progress.items() if p.waiting} - paused
                    self._steer(consumer)
                    self.last_batch_at = self.clock()
