"""Is the hub well: can it reach its database and its broker, when its broker
certificates expire, how far behind is the consumer, how much is waiting in the outbox,
how many timers are due and whether they wait for the broker. Read at the edge (the web
page, /metrics, `hub timers`), each check with a time limit so a dead broker is reported,
not waited for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from hub.console.when import how_long
from hub.errors import failure_of
from hub.kafka.certificates import (
    CertificateExpiry,
    Certificates,
    expiry_check,
    read_certificates,
)
from hub.kafka.connection import KafkaConnection
from hub.kafka.offsets import inbound_offsets
from hub.service.heartbeat import (
    BACKLOG_UNAPPLIED,
    BROKER_UNANSWERING,
    REFUSED,
    TimersWaiting,
    live_roles,
    timers_waiting,
)
from hub.service.rerouting import HELD
from hub.settings import ROLES
from hub.store.database import READ_ONLY, count_rows
from hub.store.models import OutboxMessage, RejectedMessage, RoutingDecision, TimerRecord

CHECK_SECONDS = 5.0
UTC_ZONE = ZoneInfo("UTC")
# Timers held back for the broker longer than this: escalations owed for missing children
# are not being sent, and ops must act (a backlog after a start drains well within it).
WAITING_TOO_LONG = timedelta(minutes=3)
# What the timers wait for, and until when (hub.scheduler).
WAITING_FOR = {
    BROKER_UNANSWERING: ("for the broker", "until it answers"),
    BACKLOG_UNAPPLIED: (
        "for the inbound records the broker holds to be applied",
        "until they are (at most HUB_SCHEDULER_CATCH_UP_SECONDS)",
    ),
    REFUSED: (
        "for the broker, which refuses the hub's reading of its group",
        "until it allows it (at most HUB_SCHEDULER_CATCH_UP_SECONDS)",
    ),
}


class Check(BaseModel):
    ok: bool
    detail: str


class StoreFigures(BaseModel):
    outbox_backlog: int = 0
    outbox_failing: int = 0
    outbox_refused: int = 0  # never sent: a topic outside the directory (hub.producers.relay)
    timers_due: int = 0
    timers_failed: int = 0  # failed to fire (a bug): they wait for ops (`hub timers`)
    refused_open: int = 0
    dead_letters: int = 0  # of those, open dead letters: the hub failed to apply them
    held: int = 0
    unroutable: int = 0  # duties held: a party the directory does not know, or not built


class TimersWait(BaseModel):
    """The scheduler's timers held back for the broker (hub.scheduler): no escalation is
    sent meanwhile."""

    reason: str  # broker_unanswering, backlog_unapplied or refused
    since: datetime  # wall clock
    seconds: float


class Health(BaseModel):
    ok: bool
    database: Check
    broker: Check
    hub: Check  # a `hub run` is alive for every role (hub.service.heartbeat)
    # Whether the timers fire or wait for the broker, and since when
    timers: Check = Check(ok=True, detail="not waiting")
    timers_waiting: TimersWait | None = None
    # Notifications owed that are not reaching their recipients (`deliveries`)
    deliveries: Check = Check(ok=True, detail="none failing")
    # When the CA and the broker's certificate expire: "attention" within 30 days of the
    # first, as no client connects once it has (hub.kafka.certificates)
    certificates: Check = Check(ok=True, detail="no TLS")
    certificates_expiry: list[CertificateExpiry] = []
    consumer_lag: int | None  # records on the inbound topics not yet applied
    lag_by_topic: dict[str, int]
    figures: StoreFigures


_REFUSED_ONE = "message refused by the relay, never sent (a topic outside the directory)"
_REFUSED_MANY = "messages refused by the relay, never sent (a topic outside the directory)"


def deliveries(figures: StoreFigures) -> Check:
    """Whether every notification owed is on its way: one failing to be delivered, a timer
    that failed to fire (its escalation or meeting never decided), a duty held (for a party
    the directory does not know, a notification the hub could not build, or one whose
    authority left the directory while it waited: docs/directory.md), a message
    dead-lettered (the hub's own failure to apply a child's event: nothing it owed was
    decided), or a row the relay refused for its topic (a refusal report to an agency the
    directory no longer names) is something the hub owes not reaching its recipient, and
    health is not "all well" while one is, though every part of the hub is up. A message
    refused is the sender's to correct, and its sender was told."""
    counts = (
        (figures.dead_letters, "message dead-lettered", "messages dead-lettered"),
        (figures.outbox_failing, "delivery failing", "deliveries failing"),
        (figures.outbox_refused, _REFUSED_ONE, _REFUSED_MANY),
        (figures.timers_failed, "timer failed to fire", "timers failed to fire"),
        (figures.unroutable, "duty unroutable", "duties unroutable"),
    )
    said = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return Check(ok=not said, detail=", ".join(said) or "none failing")


def store_figures(session: Session, now: datetime) -> StoreFigures:
    connection = session.connection(execution_options=READ_ONLY)

    def count(model: type, *where: Any) -> int:
        return count_rows(connection, model, *where)

    pending = OutboxMessage.status == "pending"
    return StoreFigures(
        outbox_backlog=count(OutboxMessage, pending),
        outbox_failing=count(OutboxMessage, pending, OutboxMessage.last_error.is_not(None)),
        outbox_refused=count(OutboxMessage, OutboxMessage.status == "refused"),
        timers_due=count(TimerRecord, TimerRecord.status == "pending", TimerRecord.due <= now),
        timers_failed=count(TimerRecord, TimerRecord.status == "failed"),
        refused_open=count(RejectedMessage, RejectedMessage.status == "open"),
        dead_letters=count(
            RejectedMessage,
            RejectedMessage.status == "open",
            RejectedMessage.kind == "dead_letter",
        ),
        held=count(RejectedMessage, RejectedMessage.status == "held"),
        unroutable=count(RoutingDecision, HELD),
    )


async def consumer_lag(kafka: KafkaConnection, group_id: str, prefix: str = "") -> dict[str, int]:
    """Per inbound topic: the records published but not yet committed by the hub's group."""
    return (await inbound_offsets(kafka, group_id, prefix)).lag_by_topic()


def waiting_check(
    waiting: TimersWaiting | None, due: int, zone: ZoneInfo, wall: datetime
) -> tuple[Check, TimersWait | None]:
    """Whether the timers wait for the broker, in plain words: since when, how many are due,
    what is not sent meanwhile. Not well once they have waited WAITING_TOO_LONG."""
    if waiting is None:
        return Check(ok=True, detail="not waiting"), None
    what, until = WAITING_FOR.get(waiting.reason, ("for the broker", "until it answers"))
    here = waiting.since.astimezone(zone)
    same_day = here.date() == wall.astimezone(zone).date()
    at = f"{here:%H:%M %Z}" if same_day else f"{here:%a %d %b %H:%M %Z}"
    waited = max(wall - waiting.since, timedelta(0))
    detail = (
        f"Timers waiting {what} since {at} (for {how_long(waited)}; {due} due): "
        f"escalations are not sent {until}"
    )
    found = TimersWait(reason=waiting.reason, since=waiting.since, seconds=waited.total_seconds())
    return Check(ok=waited <= WAITING_TOO_LONG, detail=detail), found


async def certificates_check(
    reading: asyncio.Task[Certificates], zone: ZoneInfo
) -> tuple[Check, list[CertificateExpiry]]:
    """The certificates' check and each one's expiry; a reading that failed is said, not
    raised."""
    try:
        found = await reading
    except Exception as error:
        return Check(ok=False, detail=f"not known: {failure_of(error)}"), []
    ok, detail = expiry_check(found, datetime.now(UTC), zone)
    return Check(ok=ok, detail=detail), found.found


def running(live: dict[str, datetime]) -> Check:
    """Whether every role has a live `hub run`: with none, nothing is applied or sent, and a
    quiet store would otherwise look like all well."""
    missing = sorted(ROLES - live.keys())
    if missing:
        return Check(ok=False, detail=f"no hub run alive for: {', '.join(missing)}")
    return Check(ok=True, detail=f"alive: {', '.join(sorted(live))}")


async def health(
    sessions: sessionmaker[Session],
    kafka: KafkaConnection,
    group_id: str,
    now: datetime,
    prefix: str = "",
    zone: ZoneInfo = UTC_ZONE,
) -> Health:
    """`now`: the hub's clock, for the timers due; `zone`: the deployment's, for times."""
    # The brokers' TLS handshakes meanwhile, beside the Kafka client's check
    reading = asyncio.create_task(
        asyncio.wait_for(
            asyncio.to_thread(read_certificates, kafka, CHECK_SECONDS), CHECK_SECONDS + 1
        )
    )

    def read_store() -> tuple[StoreFigures, dict[str, datetime], TimersWaiting | None]:
        with sessions() as session:  # one connection for all
            return store_figures(session, now), live_roles(session), timers_waiting(session)

    figures, database = StoreFigures(), Check(ok=True, detail="reachable")
    hub = Check(ok=False, detail="not known: the database cannot be read")
    timers, waiting = Check(ok=False, detail="not known: the database cannot be read"), None
    try:
        figures, live, wait = await asyncio.wait_for(asyncio.to_thread(read_store), CHECK_SECONDS)
        hub = running(live)
        timers, waiting = waiting_check(wait, figures.timers_due, zone, datetime.now(UTC))
    except Exception as error:  # reported, never raised: this is the page that says so
        database = Check(ok=False, detail=failure_of(error))
    lag: dict[str, int] = {}
    broker = Check(ok=True, detail=f"reachable at {kafka.bootstrap}")
    try:
        lag = await asyncio.wait_for(consumer_lag(kafka, group_id, prefix), CHECK_SECONDS)
    except Exception as error:
        broker = Check(
            ok=False, detail=f"unreachable at {kafka.bootstrap} ({type(error).__name__})"
        )
    owed = deliveries(figures)
    certificates, expiry = await certificates_check(reading, zone)
    return Health(
        ok=database.ok and broker.ok and hub.ok and timers.ok and owed.ok and certificates.ok,
        database=database,
        broker=broker,
        hub=hub,
        timers=timers,
        timers_waiting=waiting,
        deliveries=owed,
        certificates=certificates,
        certificates_expiry=expiry,
        consumer_lag=sum(lag.values()) if broker.ok else None,
        lag_by_topic=lag,
        figures=figures,
    )
