"""The hub's one vocabulary of failure. Whatever the pipeline meets is one of three kinds,
and each kind is handled one way everywhere:

- BAD_INPUT: the message is wrong (a contract or the protocol refuses it). Never retried:
  it is stored with its reason, its sender is told, and the pipeline goes on.
- TRANSIENT: something the hub depends on is unavailable (the database, the broker).
  Waited out and the work retried whole, for as long as it takes; it never dead-letters a
  message.
- BUG: anything else, the hub's own fault in handling one message. Tried again a few times
  (it may have been a race), then that message alone is dead-lettered.

`failure_of` says which it was, for the log, without quoting a value. Errors reach us
wrapped by SQLAlchemy, or raw from the driver when we speak to it directly (COPY on
PostgreSQL), so both are recognised."""

from __future__ import annotations

import sqlite3
import traceback
from enum import StrEnum

import psycopg
import psycopg.errors
from aiokafka.errors import (
    InvalidProducerEpoch,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)
from sqlalchemy.exc import DBAPIError, OperationalError

from hub.contracts.problems import BadMessage
from hub.routing.facts import ProtocolViolation


class Failure(StrEnum):
    BAD_INPUT = "bad input"
    TRANSIENT = "transient"
    BUG = "bug"


DRIVER_OUTAGES: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    sqlite3.OperationalError,
)

# The broker no longer accepts this producer's id, epoch or sequence: aiokafka fails every
# batch (or, from its sender, every send) with one of these and never recovers by itself,
# so the producer is replaced (transient once it is). aiokafka raises InvalidProducerEpoch
# as ProducerFenced; both are listed in case it stops.
PRODUCER_BROKEN: tuple[type[Exception], ...] = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    ProducerFenced,
    InvalidProducerEpoch,
)


def classify(error: BaseException) -> Failure:
    if isinstance(error, (BadMessage, ProtocolViolation)):
        return Failure.BAD_INPUT
    if is_database_outage(error) or is_broker_outage(error):
        return Failure.TRANSIENT
    return Failure.BUG


# PostgreSQL files these under OperationalError, but they are the statement's own fault (an
# index row or a statement too large): retried for ever, they would stall the pipeline.
NOT_OUTAGES: tuple[type[BaseException], ...] = (psycopg.errors.ProgramLimitExceeded,)


def is_database_outage(error: BaseException) -> bool:
    """The database is unreachable or failing (the server down, a connection dropped, the
    SQLite file locked)."""
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(driver_error, NOT_OUTAGES):
        return False
    return isinstance(error, (OperationalError, *DRIVER_OUTAGES)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def is_broker_outage(error: BaseException) -> bool:
    """The broker is unreachable, or says to try again (a leader moving, a timeout), or the
    producer must be replaced before going on."""
    if isinstance(error, (*PRODUCER_BROKEN, KafkaConnectionError, KafkaTimeoutError)):
        return True  # aiokafka does not mark its own timeout retriable
    if isinstance(error, KafkaError):
        return bool(error.retriable)
    return isinstance(error, (ConnectionError, TimeoutError))


def failure_of(error: BaseException | None) -> str:
    """Why something failed, for the log. An outage in the database's own words (its first
    line: "database is locked", "connection refused"); anything else by its type only, since
    a constraint's or a type's message can quote the value that broke it."""
    if error is None:
        return "unknown"
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    if driver_error is not None and is_database_outage(error):
        first_line = (str(driver_error).splitlines() or [""])[0]
        return f"database unavailable: {type(driver_error).__name__}: {first_line}"
    if isinstance(error, DBAPIError) and error.orig is not None:
        return f"database error: {type(error.orig).__name__}"
    if is_broker_outage(error):
        return f"broker unavailable: {type(error).__name__}"
    return type(error).__name__


def traceback_of(error: BaseException) -> str:
    """An error's traceback for the log (hub.logs): every frame, of it and of the errors it
    was raised from or while handling, as Python prints them, but each error as `failure_of`
    says it, never by its message: pydantic's quotes the input it refused, a bug's may
    format a value in, and either could be a child's name."""
    parts: list[str] = []  # the newest first, reversed at the end
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}{failure_of(current)}")
        cause, context = current.__cause__, current.__context__
        older = cause if cause is not None else None if current.__suppress_context__ else context
        if older is not None:
            parts.append(CAUSED if cause is not None else DURING)
        current = older
    return "".join(reversed(parts))


CAUSED = "\n\nThe above exception was the direct cause of the following exception:\n\n"
DURING = "\n\nDuring handling of the above exception, another exception occurred:\n\n"


def type_and_line(error: BaseException) -> str:
    """Where an unexpected error was raised, for the log and a dead letter: its type and
    line, never its message, which could quote a child's details."""
    where = traceback.extract_tb(error.__traceback__)[-1]
    return f"{type(error).__name__} at {where.filename}:{where.lineno}"
