"""What the console's handlers need, given once at start (the hub's parts, built by
hub.bootstrap), and the health read from it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from hub.bootstrap import HubParts
from hub.clock import Clock
from hub.console.health import Health, health
from hub.kafka.connection import KafkaConnection
from hub.routing.directory import Directory


@dataclass(frozen=True)
class Console:
    parts: HubParts

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
    )
