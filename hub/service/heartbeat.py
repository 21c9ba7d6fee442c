"""Each `hub run` says, every few seconds, that it is alive and what it runs; health reads
which roles have a live process. Wall-clock time, not the hub's clock: a scenario clock
must not make a dead process look alive."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import failure_of
from hub.store.models import HubProcess

log = logging.getLogger(__name__)

EVERY = timedelta(seconds=5)
STALE_AFTER = timedelta(seconds=30)  # six beats missed: the process is gone or stuck


def instance_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def beat(sessions: sessionmaker[Session], instance: str, roles: Collection[str]) -> None:
    now = datetime.now(UTC)
    with sessions.begin() as session:
        row = session.get(HubProcess, instance)
        if row is None:
            session.add(
                HubProcess(
                    instance=instance, roles=",".join(sorted(roles)), started_at=now, last_seen=now
                )
            )
        else:
            row.last_seen = now


def leave(sessions: sessionmaker[Session], instance: str) -> None:
    """A clean stop: gone at once, not after STALE_AFTER."""
    with sessions.begin() as session:
        session.execute(delete(HubProcess).where(HubProcess.instance == instance))


async def keep_beating(
    sessions: sessionmaker[Session], instance: str, roles: Collection[str], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            await asyncio.to_thread(beat, sessions, instance, roles)
        except Exception as error:  # the database down: health will say so; keep trying
            log.warning("heartbeat not written", extra={"failure": failure_of(error)})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), EVERY.total_seconds())
    try:
        await asyncio.to_thread(leave, sessions, instance)
    except Exception as error:
        log.warning("heartbeat not removed at stop", extra={"failure": failure_of(error)})


def live_roles(session: Session, now: datetime | None = None) -> dict[str, datetime]:
    """Each role some live process runs, with that process's last beat (the newest)."""
    since = (now or datetime.now(UTC)) - STALE_AFTER
    found: dict[str, datetime] = {}
    for roles, seen in session.execute(
        select(HubProcess.roles, HubProcess.last_seen).where(HubProcess.last_seen >= since)
    ):
        for role in roles.split(","):
            found[role] = max(found.get(role, seen), seen)
    return found
