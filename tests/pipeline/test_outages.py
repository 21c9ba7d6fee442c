"""A database outage is waited out, never blamed on a message, and said in the log by
whichever loop meets it: the consumer, the outbox relay or the scheduler. A broker outage
holds the timers until what it held is read."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import cast

import psycopg
import pytest
from aiokafka import TopicPartition
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaTimeoutError,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.contracts.envelope import parse_structured
from hub.devtools.kafka_local import LocalKafka
from hub.devtools.ports import free_port
from hub.errors import Failure, classify, failure_of, is_database_outage
from hub.kafka.connection import KafkaConnection
from hub.kafka.offsets import InboundOffsets, inbound_offsets
from hub.producers.publisher import publish, send_events
from hub.producers.relay import Relay
from hub.routing.directory import load_directory
from hub.runtime import Hub
from hub.scheduler import CATCH_UP_POLL_SECONDS, CHECK_EVERY_SECONDS, Scheduler
from hub.service.applying import apply_batch
from hub.store.database import make_engine, sessions
from hub.store.models import OutboxMessage, TimerRecord
from tests.helpers import encoded, example
from tests.pipeline.hub_harness import Running, eventually, isolated_settings
from tests.pipeline.records import misper_record
from tests.pipeline.test_duty_answers import START, answer, at, high_risk_report
from tests.pipeline.test_relay import NOW, PUBLISHABLE

FROZEN_S = 8.0  # past the scheduler's reading's patience (hub.scheduler), within clients'


def test_an_outage_is_logged_in_the_databases_words() -> None:
    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    assert failure_of(locked) == "database unavailable: OperationalError: database is locked"


def test_an_outage_met_by_copy_raw_from_the_driver_is_an_outage_too() -> None:
    dropped = psycopg.OperationalError("server closed the connection unexpectedly\ndetail")
    assert is_database_outage(dropped)
    assert failure_of(dropped) == (
        "database unavailable: OperationalError: server closed the connection unexpectedly"
    )


def test_any_other_database_error_is_logged_by_its_type_never_its_values() -> None:
    quoting = IntegrityError("INSERT", {}, sqlite3.IntegrityError("value 'Jordan Example'"))
    assert not is_database_outage(quoting)
    assert failure_of(quoting) == "database error: IntegrityError"


def test_an_outage_is_transient_and_a_constraint_broken_is_a_bug() -> None:
    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    quoting = IntegrityError("INSERT", {}, sqlite3.IntegrityError("value 'Jordan Example'"))
    assert classify(locked) is Failure.TRANSIENT
    assert classify(quoting) is Failure.BUG


async def test_the_relay_and_the_scheduler_log_a_database_they_cannot_reach_and_still_stop(
    kafka: KafkaConnection, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres"
    engine = make_engine(nowhere)
    store = sessions(engine)
    client = kafka.producer()
    await client.start()
    stop = asyncio.Event()
    relay = Relay(store, client, kafka, ManualClock(NOW), publishable=PUBLISHABLE)
    scheduler = Scheduler(store, load_directory(), ManualClock(NOW))
    try:
        with caplog.at_level(logging.WARNING, logger="hub"):
            loops = asyncio.gather(relay.run(stop), scheduler.run(stop))
            await asyncio.sleep(1.5)
            stop.set()
            relay.wake.set()
            await asyncio.wait_for(loops, timeout=5)  # a stop is not held up by the outage
    finally:
        await client.stop()
        engine.dispose()
    # Fields, not text inside the message: the log's JSON keeps each one a field.
    said = [vars(r) for r in caplog.records if r.getMessage() == "failed; retrying"]
    for task in ("outbox relay round", "scheduler round"):
        assert any(
            s["task"] == task
            and s["kind"] == "transient"
            and s["failure"].startswith("database unavailable: OperationalError: connection")
            for s in said
        ), said


async def test_timers_wait_for_a_backlog_nobody_reads_only_so_long_and_say_so(
    kafka: KafkaConnection, store: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """An inbound record no consumer of the group applies (the consumer role not running
    anywhere): the scheduler waits for it at most HUB_SCHEDULER_CATCH_UP_SECONDS, then
    fires its timers and logs that it did so before the backlog was applied."""
    prefix = f"o{uuid.uuid4().hex[:8]}."
    await publish(kafka, [parse_structured(encoded(example("01-misper-report")))], prefix)
    scheduler = Scheduler(
        store,
        load_directory(),
        ManualClock(NOW),
        inbound=partial(inbound_offsets, kafka, f"{prefix}nobody", prefix),
        catch_up_seconds=1.0,
    )
    fired = asyncio.Event()

    def round_of_timers(now: datetime | None = None) -> int:  # the timers' own tests' business
        fired.set()
        return 0

    scheduler.fire_due = round_of_timers  # type: ignore[method-assign]
    stop = asyncio.Event()
    started = asyncio.get_running_loop().time()
    with caplog.at_level(logging.WARNING, logger="hub"):
        running = asyncio.create_task(scheduler.run(stop))
        await asyncio.wait_for(fired.wait(), timeout=30)
        waited = asyncio.get_running_loop().time() - started
        stop.set()
        await running
    assert waited >= 1.0
    assert "timers fired before the inbound backlog was applied" in caplog.messages


async def test_a_stop_while_the_timers_wait_for_the_backlog_fires_none_of_them(
    store: sessionmaker[Session],
) -> None:
    """The hub started again after an outage and stopped (SIGTERM) while its scheduler waits
    for the inbound records published meanwhile: the timers due stay pending, for the next
    start to fire once those records are applied. Fired at the stop, they were decided
    before them: an acknowledgement sent in time read after its duty was escalated, a child
    found meanwhile called to a strategy meeting (7.18)."""
    directory = load_directory()
    assert apply_batch(store, [misper_record()], directory, NOW).applied == 1
    with store() as session:
        queued = set(session.scalars(select(OutboxMessage.message_id)))
    published = {TopicPartition("inbound.duty-acknowledged", 0): 1}  # not yet applied
    read = asyncio.Event()

    async def backlog_not_applied() -> InboundOffsets:
        read.set()
        return InboundOffsets(published, {})

    later = ManualClock(NOW + timedelta(days=30))  # the 24-hour meeting and more due
    scheduler = Scheduler(store, directory, later, inbound=backlog_not_applied)
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(stop))
    await asyncio.wait_for(read.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    with store() as session:
        statuses = set(session.scalars(select(TimerRecord.status)))
        after = set(session.scalars(select(OutboxMessage.message_id)))
    assert statuses == {"pending"}
    assert after == queued  # nothing decided, nothing sent


def _timer_statuses(store: sessionmaker[Session]) -> set[str]:
    with store() as session:
        return set(session.scalars(select(TimerRecord.status)))


async def test_7_18_timers_wait_while_the_broker_cannot_be_read_however_long(
    store: sessionmaker[Session],
) -> None:
    """The broker out (the database answering) as the 24-hour meeting and the rest fall
    due: while the inbound topics cannot be read, a found report (7.18) or an answer
    (6.7) may be waiting there, so nothing fires, longer than HUB_SCHEDULER_CATCH_UP_SECONDS
    too; once the broker is back and what it held is applied, the timers fire, late, once.
    Before, the round fired them at once: the database answered."""
    directory = load_directory()
    assert apply_batch(store, [misper_record()], directory, NOW).applied == 1
    down = asyncio.Event()
    tp = TopicPartition("inbound.found-report", 0)

    async def reading() -> InboundOffsets:
        if down.is_set():
            raise KafkaConnectionError("the broker is unreachable")
        return InboundOffsets({tp: 0}, {})

    clock = ManualClock(NOW)
    scheduler = Scheduler(
        store, directory, clock, inbound=reading, catch_up_seconds=0.5,
        check_every_seconds=CATCH_UP_POLL_SECONDS,
    )  # fmt: skip
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(stop))

    try:
        while scheduler.after_outage:  # noqa: ASYNC110 - the start's catch-up, as any start
            await asyncio.sleep(0.05)
        await asyncio.sleep(CATCH_UP_POLL_SECONDS)  # the broker's last answer not just now
        down.set()
        clock.set(NOW + timedelta(days=30))
        await asyncio.sleep(5)  # ten times HUB_SCHEDULER_CATCH_UP_SECONDS
        while_out = _timer_statuses(store)
        down.clear()
        await eventually(lambda: "fired" in _timer_statuses(store), timeout_s=20)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    assert while_out == {"pending"}


async def test_timers_set_not_to_wait_fire_though_the_broker_does_not_answer(
    store: sessionmaker[Session],
) -> None:
    """docs/pipeline.md: HUB_SCHEDULER_CATCH_UP_SECONDS=0, the timers do not wait, not even
    for the broker: an operator's choice to fire on the database's picture alone. Before, a
    start still asked the broker once, and waited as long as a frozen one took to answer."""
    directory = load_directory()
    assert apply_batch(store, [misper_record()], directory, NOW).applied == 1

    async def frozen() -> InboundOffsets:
        await asyncio.Event().wait()  # never answers
        raise AssertionError("unreachable")

    clock = ManualClock(NOW + timedelta(days=30))
    scheduler = Scheduler(store, directory, clock, inbound=frozen, catch_up_seconds=0)
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(stop))
    try:
        await eventually(lambda: "fired" in _timer_statuses(store), timeout_s=5)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)


async def test_7_18_a_broker_refusing_the_hubs_reading_keeps_the_timers_waiting_only_so_long(
    store: sessionmaker[Session],
) -> None:
    """The broker answers but refuses the reading of the group's offsets (an ACL missing for
    the hub's group after a security change): not an outage that ends by itself. Waiting
    for ever, no escalation nor meeting would ever be decided; the timers wait
    HUB_SCHEDULER_CATCH_UP_SECONDS, as when nobody applies the backlog, then fire."""
    directory = load_directory()
    assert apply_batch(store, [misper_record()], directory, NOW).applied == 1

    async def refused() -> InboundOffsets:
        raise GroupAuthorizationFailedError("the hub's group is not described to it")

    clock = ManualClock(NOW + timedelta(days=30))
    scheduler = Scheduler(store, directory, clock, inbound=refused, catch_up_seconds=0.5)
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(stop))

    try:
        await eventually(lambda: "fired" in _timer_statuses(store), timeout_s=20)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)


async def test_6_7_a_meeting_recorded_while_the_broker_is_frozen_is_read_before_escalating(
    local_kafka: LocalKafka, tmp_path: Path
) -> None:
    """6.7, 7.20: the team manager records the strategy meeting held, the police attending,
    at T+20 hours, before the police's duty to attend falls due at T+21h35, while the broker
    is frozen (alive, answering nothing): the record reaches it only once it thaws. The
    database answers all along, and the duty falls due meanwhile: the scheduler waits for
    the broker and the backlog it held, as after a restart, and the duty is not escalated.
    Before, the round fired at once, and the police were escalated for a meeting they had
    attended."""
    kafka = local_kafka.connection()
    settings = isolated_settings(f"sqlite:///{tmp_path / 'hub.db'}")
    hub = Hub(build(settings, kafka, ManualClock(START - timedelta(minutes=1))))
    prefix = settings.topic_prefix
    agency = kafka.producer()  # the team manager's client, connected before the freeze
    await hub.start()
    await agency.start()
    try:
        running = Running(kafka, hub, cast(ManualClock, hub.clock))
        await running.receive(high_risk_report())
        await running.until(at(61))  # the first hour's duties escalated: the scheduler is live
        convene = running.duty("team_manager", "convene_strategy_meeting")
        attend = running.duty("police", "attend_strategy_meeting")
        held_at = at(20 * 60)
        recorded = answer(
            "10-strategy-meeting-held", held_at, 1, notification_id=convene.notification_id,
            held_at=held_at, attended=["social_worker", "police", "health"],
            next_meeting_at=START + timedelta(days=5),
        )  # fmt: skip
        await agency.partitions_for(prefix + recorded.contract.topic)
        await running.until(held_at)
        await asyncio.sleep(CHECK_EVERY_SECONDS)  # the broker's last check not just now
        pid = local_kafka.running_pid()
        assert pid is not None
        os.killpg(pid, signal.SIGSTOP)
        try:
            sending = asyncio.create_task(send_events(agency, [recorded], prefix))
            running.clock.set(at(22 * 60))  # the duty falls due, the database answering
            await asyncio.sleep(FROZEN_S)
        finally:
            os.killpg(pid, signal.SIGCONT)
        await sending
        await hub.wait_until(lambda p: p.handled == 2 and p.idle, timeout_s=120)
        escalated = [
            e
            for e in running.logged("duty_escalated")
            if e.details["duty_notification_id"] == attend.notification_id
        ]
        [attended] = [  # the next meeting's duty beside it (7.22)
            d
            for d in running.logged(attend.action, "police")
            if d.notification_id == attend.notification_id
        ]
    finally:
        await agency.stop()
        await hub.stop()
    assert attended.done_at == held_at
    assert not escalated


async def test_7_18_timers_wait_for_what_a_broker_back_from_an_outage_held_though_it_answers(
    store: sessionmaker[Session],
) -> None:
    """The broker out while nothing fell due (no round asked it), back just before the
    24-hour meeting and the rest fall due: it answers at once, but the found report (7.18)
    it held, or an answer (6.7), is published and not yet applied (the consumer rejoining
    its group). The timers wait for it, as after any outage. Before, an answer in time was
    enough: the round fired at once, the child found meanwhile called to the meeting."""
    directory = load_directory()
    assert apply_batch(store, [misper_record()], directory, NOW).applied == 1
    tp = TopicPartition("inbound.found-report", 0)
    held = asyncio.Event()
    asked_while_held = asyncio.Event()

    async def reading() -> InboundOffsets:
        if held.is_set():
            asked_while_held.set()
            return InboundOffsets({tp: 1}, {tp: 0})  # the found report not yet applied
        return InboundOffsets({tp: 1}, {tp: 1})

    clock = ManualClock(NOW)
    scheduler = Scheduler(
        store, directory, clock, inbound=reading, check_every_seconds=CATCH_UP_POLL_SECONDS
    )
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(stop))

    def statuses() -> set[str]:
        with store() as session:
            return set(session.scalars(select(TimerRecord.status)))

    try:
        while scheduler.after_outage:  # noqa: ASYNC110 - the start's catch-up, as any start
            await asyncio.sleep(0.05)
        await asyncio.sleep(CATCH_UP_POLL_SECONDS)  # the broker's last answer not just now
        held.set()
        clock.set(NOW + timedelta(days=30))
        await asyncio.wait_for(asked_while_held.wait(), timeout=10)
        await asyncio.sleep(1)
        while_held = statuses()
        held.clear()  # applied
        await eventually(lambda: "fired" in statuses(), timeout_s=20)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    assert while_held == {"pending"}


class _LeaderlessPartition:
    """An admin client and a reader of a cluster that answers, one partition of an agency's
    inbound topic with no leader (its only in-sync replica's broker lost): aiokafka asks
    for that partition's end offset again until its time limit, then raises
    KafkaTimeoutError (aiokafka's Fetcher._retrieve_offsets); the other is applied."""

    topic = "inbound.duty-acknowledged"

    def admin(self, **_: object) -> _LeaderlessPartition:
        return self

    def consumer(self, **_: object) -> _LeaderlessPartition:
        return self

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def close(self) -> None: ...

    async def list_consumer_group_offsets(self, group_id: str) -> dict[TopicPartition, object]:
        from aiokafka.structs import OffsetAndMetadata

        return {TopicPartition(self.topic, 0): OffsetAndMetadata(4, "")}

    async def list_topics(self) -> list[str]:
        return [self.topic]

    async def describe_topics(self, topics: list[str]) -> list[dict[str, object]]:
        partitions = [
            {"error_code": 0, "partition": 0, "leader": 1},
            {"error_code": 5, "partition": 1, "leader": -1},  # LEADER_NOT_AVAILABLE
        ]
        return [{"error_code": 0, "topic": self.topic, "partitions": partitions}]

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        if TopicPartition(self.topic, 1) in partitions:
            raise KafkaTimeoutError("Failed to get offsets by times in 4000 ms")
        return {TopicPartition(self.topic, 0): 4}


async def test_6_7_a_leaderless_partition_holds_the_timers_only_so_long_and_says_so(
    store: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """One partition of an inbound topic has no leader for hours (its broker lost), the
    broker answering and the consumer applying every other partition, the relay sending:
    that partition can be read by nobody, so the timers wait for it as for a backlog nobody
    reads, at most HUB_SCHEDULER_CATCH_UP_SECONDS, then fire (an escalation, 6.7, or a
    meeting held for ever no child's would be decided) and the log says why. Before, its
    end offset timing out was an outage: no timer of any child fired, for as long as it
    lasted."""
    directory = load_directory()
    assert apply_batch(store, [misper_record()], directory, NOW).applied == 1
    kafka = cast(KafkaConnection, _LeaderlessPartition())
    clock = ManualClock(NOW + timedelta(days=30))
    scheduler = Scheduler(
        store,
        directory,
        clock,
        inbound=partial(inbound_offsets, kafka, "missing-children-hub"),
        catch_up_seconds=0.5,
    )
    stop = asyncio.Event()

    def statuses() -> set[str]:
        with store() as session:
            return set(session.scalars(select(TimerRecord.status)))

    with caplog.at_level(logging.WARNING, logger="hub"):
        running = asyncio.create_task(scheduler.run(stop))
        try:
            await eventually(lambda: "fired" in statuses(), timeout_s=20)
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=10)
    assert "timers fired before the inbound backlog was applied" in caplog.messages
