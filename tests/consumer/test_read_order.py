"""After an outage the inbound partitions are read in the order their records were sent, so a
child's found report is not read before the MISPER report sent on another topic before it
(hub.consumers.read_order); a partition that has caught up is never held back."""

from __future__ import annotations

import asyncio

from aiokafka import ConsumerRecord, TopicPartition

from hub.consumers.read_order import (
    STUCK_S,
    Progress,
    ReadOrder,
    ahead,
    happened_ms,
    in_time_order,
)

MISPER, FOUND, RISK = (TopicPartition(f"inbound.{name}", 0) for name in ("misper", "found", "risk"))


def record(
    tp: TopicPartition, offset: int, sent_ms: int, ce_time: bytes | None = None
) -> ConsumerRecord[bytes, bytes]:
    headers = [] if ce_time is None else [("ce_id", b"E1"), ("ce_time", ce_time)]
    return ConsumerRecord(
        tp.topic, tp.partition, offset, sent_ms, 0, None, b"{}", None, 0, 2, headers
    )


class Consumer:
    """Stands in for aiokafka's consumer: its partitions, their high-water marks, pauses."""

    def __init__(self, highwater: dict[TopicPartition, int | None]) -> None:
        self.highwaters, self.paused_now = highwater, set[TopicPartition]()

    def assignment(self) -> set[TopicPartition]:
        return set(self.highwaters)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.highwaters[partition]

    def paused(self) -> set[TopicPartition]:
        return set(self.paused_now)

    def pause(self, *partitions: TopicPartition) -> None:
        self.paused_now.update(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        self.paused_now.difference_update(partitions)


def test_partitions_read_ahead_of_the_one_furthest_behind_wait_for_it() -> None:
    behind = {
        MISPER: Progress(read_to_ms=1_000, waiting=True),
        FOUND: Progress(read_to_ms=1_050, waiting=True),  # within the window
        RISK: Progress(read_to_ms=9_000, waiting=True),
    }
    assert ahead(behind, window_ms=100) == {RISK}


def test_until_a_partition_with_records_waiting_is_first_read_every_other_waits() -> None:
    """It may hold the earliest records of all."""
    unread = {
        MISPER: Progress(read_to_ms=None, waiting=True),
        FOUND: Progress(read_to_ms=9_000, waiting=True),
        RISK: Progress(read_to_ms=1_000, waiting=True),
    }
    assert ahead(unread, window_ms=100) == {FOUND, RISK}


def test_a_partition_with_nothing_waiting_is_never_paused() -> None:
    live = {
        MISPER: Progress(read_to_ms=1_000, waiting=True),
        FOUND: Progress(read_to_ms=9_000, waiting=False),
    }
    assert ahead(live, window_ms=100) == set()


def test_a_batch_is_applied_in_the_order_sent_each_partition_in_its_own_order() -> None:
    """A sender's clock may step back: its partition's records still keep the log's order."""
    found_late, found_early = record(FOUND, 7, 3_000), record(FOUND, 8, 2_500)
    misper = record(MISPER, 4, 2_000)
    ordered = in_time_order([found_late, found_early, misper])
    assert ordered == [misper, found_late, found_early]


def test_records_flushed_together_are_ordered_by_when_their_events_happened() -> None:
    """A sender flushing its queue stamps every record within milliseconds: the events' own
    times (ce_time) order them; a record without one, or with one that is not a time, is
    ordered by its Kafka timestamp."""
    found = record(FOUND, 0, 5_001, b"2026-11-24T11:20:00Z")
    misper = record(MISPER, 0, 5_002, b"2026-11-20T18:41:00+00:00")
    assert in_time_order([found, misper]) == [misper, found]
    assert happened_ms(misper) == 1_795_200_060_000
    assert happened_ms(record(RISK, 0, 5_003, b"not a time")) == 5_003
    assert happened_ms(record(RISK, 0, 5_004)) == 5_004


async def test_after_an_outage_the_consumer_pauses_what_it_read_ahead_and_resumes_it() -> None:
    consumer = Consumer({MISPER: 100, FOUND: 100})
    order = ReadOrder(asyncio.Event(), window_ms=100)
    order.read([record(FOUND, 0, 5_000), record(MISPER, 0, 1_000)])
    order.steer(consumer)
    assert consumer.paused() == {FOUND}
    order.read([record(MISPER, 99, 6_000)])  # caught up with the found reports
    order.steer(consumer)
    assert consumer.paused() == set()


async def test_a_partition_that_has_caught_up_is_read_at_once_whatever_is_behind() -> None:
    """A live event is never held back for a backlog: a new found report on a partition that
    had caught up is read while another topic still drains."""
    consumer = Consumer({MISPER: 100, FOUND: 1})
    order = ReadOrder(asyncio.Event(), window_ms=100)
    order.read([record(FOUND, 0, 5_000), record(MISPER, 0, 1_000)])
    order.steer(consumer)  # FOUND has caught up: live from now on
    consumer.highwaters[FOUND] = 2  # a new found report arrives
    order.steer(consumer)
    assert consumer.paused() == set()


async def test_a_partition_caught_up_then_far_behind_is_a_backlog_again() -> None:
    """A region's forces connect at once: what they send is read in the order sent. The last
    records read before the burst stand for none of it: as after an outage, each partition
    is read once before the others wait for it."""
    consumer = Consumer({MISPER: 1, FOUND: 1})
    order = ReadOrder(asyncio.Event(), window_ms=100, backlog_after=4)
    order.read([record(MISPER, 0, 9_000), record(FOUND, 0, 9_000)])
    order.steer(consumer)  # both live
    consumer.highwaters.update({MISPER: 50, FOUND: 50})  # the burst, sent from 1_000 on
    order.read([record(FOUND, 1, 1_500)])
    order.steer(consumer)
    assert consumer.paused() == set()  # neither known yet
    order.read([record(FOUND, 2, 1_550)])
    order.steer(consumer)
    assert consumer.paused() == {FOUND}  # until the MISPER reports' partition is read
    order.read([record(MISPER, 1, 1_000)])
    order.steer(consumer)
    assert consumer.paused() == {FOUND}  # ahead of it by more than the window
    order.read([record(MISPER, 20, 1_600)])
    order.steer(consumer)
    assert consumer.paused() == set()


async def test_a_partition_that_yields_no_records_is_waited_for_only_a_while() -> None:
    """Offsets taken by a transaction's markers look like records waiting but never come:
    after STUCK_S without a batch, the partitions paused for it are read."""
    now = [0.0]
    consumer = Consumer({MISPER: 100, FOUND: 100})
    stopping = asyncio.Event()
    order = ReadOrder(stopping, window_ms=100, clock=lambda: now[0])
    order.read([record(FOUND, 0, 5_000), record(MISPER, 0, 1_000)])
    order.steer(consumer)
    assert consumer.paused() == {FOUND}
    now[0] = STUCK_S + 1
    await asyncio.sleep(STUCK_S / 4 + 0.2)
    stopping.set()
    assert consumer.paused() == set()


async def test_a_partition_that_yields_no_records_is_not_waited_for_while_live_ones_go_on() -> None:
    """The same, while a live partition keeps batches coming (a few events a second): the
    backlog was held for as long as the live traffic lasted."""
    now = [0.0]
    consumer = Consumer({MISPER: 100, FOUND: 100, RISK: 1})
    order = ReadOrder(asyncio.Event(), window_ms=100, clock=lambda: now[0])
    order.read([record(FOUND, 0, 5_000), record(RISK, 0, 9_000)])
    order.steer(consumer)
    assert consumer.paused() == {FOUND}  # until MISPER, which yields nothing, is read
    for offset in range(1, 20):
        now[0] += 0.25
        consumer.highwaters[RISK] = offset + 1
        order.read([record(RISK, offset, 9_000 + offset)])
        order.steer(consumer)
    assert consumer.paused() == set()


async def test_a_partition_waiting_its_turn_behind_full_batches_is_not_silent() -> None:
    """aiokafka fills a batch from one partition's records before the next's: a backlog
    partition read in the same window yields nothing while another fills whole batches."""
    now = [0.0]
    consumer = Consumer({MISPER: 1_000, FOUND: 1_000})
    order = ReadOrder(asyncio.Event(), window_ms=100, clock=lambda: now[0], batch_size=4)
    order.read([record(MISPER, 0, 1_000), record(FOUND, 0, 1_050)])
    order.steer(consumer)
    for first in range(1, 40, 4):
        now[0] += 0.5
        order.read([record(FOUND, n, 1_050) for n in range(first, first + 4)])
        order.steer(consumer)
    assert MISPER not in order.stuck
