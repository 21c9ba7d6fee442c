"""What the console's handlers need, given once at start (the hub's parts, built by
hub.bootstrap), and the health read from it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from hub.bootstrap import HubParts
from hub.clock import Clock
from hub.console.health import Health, health
from hub.kafka.connection import KafkaConnection
from hub.routing.directory import Directory


@dataclass
class RecentHealth:
    """The last health read, shared by the pages open without sign-in (/metrics, /readyz):
    each read opens a Kafka client and counts rows, so anyone who can reach them must not
    make the console do both as often as they ask, nor many at once."""

    read_at: float = 0.0
    found: Health | None = None
    reading: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class Console:
    parts: HubParts
    recent: RecentHealth = field(default_factory=RecentHealth, compare=False)

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.parts.sessions

    @property
    def kafka(self) -> KafkaConnection:
        return self.parts.kafka

    @property
    def directory(self) -> Directory:
        return self.parts.directory

    @property
    def clock(self) -> Clock:
        return self.parts.clock


async def health_of(console: Console) -> Health:
    settings = console.parts.settings
    return await health(
        console.sessions,
        console.kafka,
        settings.group_id,
        console.clock.now(),
        settings.topic_prefix,
        ZoneInfo(console.directory.timezone),
    )


async def recent_health(console: Console, fresh_for: float) -> Health:
    """The last health read if no older than `fresh_for` seconds, else a new one: one at a
    time, the callers that waited for it sharing it."""
    recent = console.recent
    async with recent.reading:
        if recent.found is None or time.monotonic() - recent.read_at > fresh_for:
            recent.found = await health_of(console)
            recent.read_at = time.monotonic()
        return recent.found
