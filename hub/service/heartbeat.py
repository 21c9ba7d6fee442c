"""Each `hub run` says, every few seconds, that it is alive and what it runs; health reads
which roles have a live process, and whether the scheduler's timers wait for the broker.
Wall-clock time, not the hub's clock: a scenario clock must not make a dead process look
alive."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import failure_of
from hub.store.models import HubProcess

log = logging.getLogger(__name__)

EVERY = timedelta(seconds=5)
STALE_AFTER = timedelta(seconds=30)  # six beats missed: the process is gone or stuck

# Why the timers wait, as the scheduler (hub.scheduler) says it in its heartbeat row, for the
# console's health page: the broker out, or answering with records not yet applied, or
# refusing the hub's reading (waited for at most HUB_SCHEDULER_CATCH_UP_SECONDS).
BROKER_UNANSWERING = "broker_unanswering"
BACKLOG_UNAPPLIED = "backlog_unapplied"
REFUSED = "refused"


@dataclass(frozen=True)
class TimersWaiting:
    """The timers held back for the broker: why, and since when. Wall-clock time, as the
    heartbeat's: a scenario clock must not make a long wait look short."""

    reason: str
    since: datetime


def instance_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def beat(
    sessions: sessionmaker[Session],
    instance: str,
    roles: Collection[str],
    waiting: TimersWaiting | None = None,
) -> None:
    """Alive now; `waiting`: the scheduler's timers waiting for the broker, if they are."""
    now = datetime.now(UTC)
    since, reason = (waiting.since, waiting.reason) if waiting is not None else (None, None)
    with sessions.begin() as session:
        row = session.get(HubProcess, instance)
        if row is None:
            row = HubProcess(
                instance=instance, roles=",".join(sorted(roles)), started_at=now, last_seen=now
            )
            session.add(row)
        row.last_seen = now
        row.timers_waiting_since, row.timers_waiting_reason = since, reason


def leave(sessions: sessionmaker[Session], instance: str) -> None:
    """A clean stop: gone at once, not after STALE_AFTER."""
    with sessions.begin() as session:
        session.execute(delete(HubProcess).where(HubProcess.instance == instance))


async def keep_beating(
    sessions: sessionmaker[Session],
    instance: str,
    roles: Collection[str],
    stop: asyncio.Event,
    waiting: Callable[[], TimersWaiting | None] = lambda: None,
) -> None:
    """`waiting`: the scheduler's state in this process, read at each beat."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(beat, sessions, instance, roles, waiting())
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


def timers_waiting(session: Session, now: datetime | None = None) -> TimersWaiting | None:
    """Whether a live scheduler's timers wait for the broker: the longest wait among them
    (a process stopped or gone says nothing: `live_roles` says it is gone)."""
    since = (now or datetime.now(UTC)) - STALE_AFTER
    row = session.execute(
        select(HubProcess.timers_waiting_reason, HubProcess.timers_waiting_since)
        .where(HubProcess.last_seen >= since, HubProcess.timers_waiting_since.is_not(None))
        .order_by(HubProcess.timers_waiting_since)
        .limit(1)
    ).first()
    if row is None or row.timers_waiting_since is None:
        return None
    return TimersWaiting(row.timers_waiting_reason or "", row.timers_waiting_since)
