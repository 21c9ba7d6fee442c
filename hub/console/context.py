"""What the console's handlers need, given once at start, and the health read from it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from hub.clock import Clock
from hub.console.health import Health, health
from hub.routing.directory import Directory


@dataclass(frozen=True)
class Console:
    sessions: sessionmaker[Session]
    bootstrap: str
    group_id: str
    topic_prefix: str
    directory: Directory
    clock: Clock


async def health_of(console: Console) -> Health:
    return await health(
        console.sessions,
        console.bootstrap,
        console.group_id,
        console.clock.now(),
        console.topic_prefix,
    )
