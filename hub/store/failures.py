"""Telling a database outage from a bug, and saying which it was without quoting a value.

An outage (the server down, a connection dropped, the SQLite file locked) is waited out and
the work retried whole; it never dead-letters a message. Anything else is a bug in the
message's handling. Errors reach us wrapped by SQLAlchemy, or raw from the driver when we
speak to it directly (COPY on PostgreSQL), so both are recognised."""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError, OperationalError

DRIVER_OUTAGES: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    sqlite3.OperationalError,
)


def is_infrastructure(error: BaseException) -> bool:
    """The database is unreachable or failing: wait and retry, never dead-letter for it."""
    return isinstance(error, (OperationalError, *DRIVER_OUTAGES)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def failure_of(error: BaseException | None) -> str:
    """Why something failed, for the log. An outage in the database's own words (its first
    line: "database is locked", "connection refused"); anything else by its type only, since
    a constraint's or a type's message can quote the value that broke it."""
    if error is None:
        return "unknown"
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    if driver_error is not None and is_infrastructure(error):
        first_line = (str(driver_error).splitlines() or [""])[0]
        return f"database unavailable: {type(driver_error).__name__}: {first_line}"
    if isinstance(error, DBAPIError) and error.orig is not None:
        return f"database error: {type(error.orig).__name__}"
    return type(error).__name__
