"""A database outage is waited out, never blamed on a message, and said in the log by
whichever loop meets it: the consumer, the outbox relay or the scheduler."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import uuid
from datetime import timedelta
from functools import partial

import psycopg
import pytest
from aiokafka import TopicPartition
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock
from hub.contracts.envelope import parse_structured
from hub.devtools.ports import free_port
from hub.errors import Failure, classify, failure_of, is_database_outage
from hub.kafka.connection import KafkaConnection
from hub.kafka.offsets import InboundOffsets, inbound_offsets
from hub.producers.publisher import publish
from hub.producers.relay import Relay
from hub.routing.directory import load_directory
from hub.scheduler import Scheduler
from hub.service.applying import apply_batch
from hub.store.database import make_engine, sessions
from hub.store.models import OutboxMessage, TimerRecord
from tests.helpers import encoded, example
from tests.pipeline.records import misper_record
from tests.pipeline.test_relay import NOW, PUBLISHABLE


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

    def round_of_timers() -> int:  # the round itself is the timers' own tests' business
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
