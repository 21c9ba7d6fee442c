"""Waking the outbox relay when rows are queued, across processes: on PostgreSQL each
transaction that queues outbox rows sends NOTIFY (delivered when it commits) and every relay
LISTENs, so a relay running in its own process starts publishing at once instead of at its
next poll. SQLite has no such signal; there the relay shares the consumer's process and is
woken directly, and polls as a safety net everywhere."""

from __future__ import annotations

import asyncio
import logging

import psycopg
from sqlalchemy import make_url

from hub.retrying import OUTAGES, Stopped, until_done
from hub.store.outbox import CHANNEL

log = logging.getLogger(__name__)


def conninfo(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg's own connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def listen(url: str, wake: asyncio.Event, stop: asyncio.Event) -> None:
    """Set `wake` at every NOTIFY on the channel until `stop`; reconnect after a failure."""
    while not stop.is_set():
        try:
            await until_done(
                "listening for queued notifications", lambda: _listen(url, wake), stop, OUTAGES
            )
        except Stopped:
            return


async def _listen(url: str, wake: asyncio.Event) -> None:
    async with await psycopg.AsyncConnection.connect(conninfo(url), autocommit=True) as connection:
        await connection.execute(f"LISTEN {CHANNEL}")
        wake.set()  # rows queued while we were not listening
        async for _ in connection.notifies():
            wake.set()
