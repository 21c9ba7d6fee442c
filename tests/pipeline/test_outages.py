"""A database outage is waited out, never blamed on a message, and said in the log by
whichever loop meets it: the consumer, the outbox relay or the scheduler."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from hub.clock import ManualClock
from hub.devtools.ports import free_port
from hub.errors import Failure, classify, failure_of, is_database_outage
from hub.kafka.connection import KafkaConnection
from hub.producers.relay import Relay
from hub.routing.directory import load_directory
from hub.scheduler import Scheduler
from hub.store.database import make_engine, sessions
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
