"""While the broker does not answer, or answers with inbound records not yet applied, the
scheduler holds the timers back (7.18, 6.7: an acknowledgement sent in time, a found report,
read after the escalation it answers). Meanwhile no escalation is sent: ops see that the
timers wait, why and since when, on the health page, in `hub timers` and in
`hub_timers_waiting_seconds`, and can tell it from a stuck scheduler. Nothing about a child."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import GroupAuthorizationFailedError, KafkaTimeoutError
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app
from hub.clock import ManualClock
from hub.console.context import Console
from hub.console.web import create_app
from hub.kafka.offsets import InboundOffsets
from hub.metrics import HubMetrics
from hub.routing.directory import load_directory
from hub.scheduler import CATCH_UP_POLL_SECONDS, Scheduler
from hub.service.applying import apply_batch
from hub.service.heartbeat import (
    BACKLOG_UNAPPLIED,
    BROKER_UNANSWERING,
    REFUSED,
    STALE_AFTER,
    TimersWaiting,
    beat,
    keep_beating,
)
from hub.store.models import HubProcess, TimerRecord
from tests.console.conftest import SECRET, add_users, parts_over
from tests.console.test_web import signed_in
from tests.pipeline.hub_harness import eventually
from tests.pipeline.records import misper_record

NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
LATER = NOW + timedelta(days=30)  # the 24-hour meeting, its escalations and more due
ROLES = ["consumer", "relay", "scheduler"]
TP = TopicPartition("inbound.found-report", 0)
Store = sessionmaker[Session]


def a_child_missing(store: Store) -> None:
    assert apply_batch(store, [misper_record()], load_directory(), NOW).applied == 1


def statuses(store: Store) -> set[str]:
    with store() as session:
        return set(session.scalars(select(TimerRecord.status)))


def waited_seconds(metrics: HubMetrics) -> float:
    value = metrics.registry.get_sample_value("hub_timers_waiting_seconds")
    assert value is not None
    return value


async def started(scheduler: Scheduler, stop: asyncio.Event) -> asyncio.Task[None]:
    """The scheduler running, past its start's catch-up, its broker's last answer not just
    now (the next round that finds something due asks it again)."""
    running = asyncio.create_task(scheduler.run(stop))
    while scheduler.after_outage:  # noqa: ASYNC110 - the start's catch-up, as any start
        await asyncio.sleep(0.05)
    await asyncio.sleep(CATCH_UP_POLL_SECONDS)
    return running


async def test_7_18_timers_held_for_a_broker_that_does_not_answer_say_so_and_since_when(
    store: Store,
) -> None:
    """The broker out (its reading timing out) as the 24-hour meeting and the rest fall due:
    the scheduler holds them and says it waits for the broker, since the moment it began to
    (wall clock), and its gauge counts the seconds. The broker back and what it held
    applied, the timers fire and it says it no longer waits. Before, it said nothing but
    a log line: ops saw "N timers due" and could not tell it from a stuck scheduler."""
    a_child_missing(store)
    down = asyncio.Event()

    async def reading() -> InboundOffsets:
        if down.is_set():
            raise KafkaTimeoutError()
        return InboundOffsets({TP: 0}, {})

    clock, metrics, stop = ManualClock(NOW), HubMetrics(), asyncio.Event()
    scheduler = Scheduler(
        store, load_directory(), clock, metrics=metrics, inbound=reading,
        check_every_seconds=CATCH_UP_POLL_SECONDS,
    )  # fmt: skip
    running = await started(scheduler, stop)
    try:
        at_start = scheduler.waiting
        before = datetime.now(UTC)
        down.set()
        clock.set(LATER)
        await eventually(lambda: scheduler.waiting is not None, timeout_s=20)
        after = datetime.now(UTC)
        await asyncio.sleep(1.5)
        waiting, seconds, while_out = scheduler.waiting, waited_seconds(metrics), statuses(store)
        down.clear()
        await eventually(lambda: "fired" in statuses(store), timeout_s=20)
        done = scheduler.waiting, waited_seconds(metrics)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    assert at_start is None  # a start whose backlog is applied does not wait
    assert waiting is not None
    assert waiting.reason == BROKER_UNANSWERING
    assert before <= waiting.since <= after
    assert seconds >= 1.0
    assert while_out == {"pending"}
    assert done == (None, 0.0)


async def test_7_18_timers_held_for_records_not_yet_applied_say_that_is_what_they_wait_for(
    store: Store,
) -> None:
    """The broker answers, but a found report (7.18) it holds is published and not yet
    applied (the consumer rejoining its group): the timers wait for it, and the scheduler
    says that is what they wait for, not for a broker that does not answer."""
    a_child_missing(store)
    held = asyncio.Event()

    async def reading() -> InboundOffsets:
        if held.is_set():
            return InboundOffsets({TP: 1}, {TP: 0})  # the found report not yet applied
        return InboundOffsets({TP: 1}, {TP: 1})

    clock, stop = ManualClock(NOW), asyncio.Event()
    scheduler = Scheduler(
        store, load_directory(), clock, inbound=reading, check_every_seconds=CATCH_UP_POLL_SECONDS
    )
    running = await started(scheduler, stop)
    try:
        held.set()
        clock.set(LATER)
        await eventually(lambda: scheduler.waiting is not None, timeout_s=20)
        waiting = scheduler.waiting
        held.clear()  # applied
        await eventually(lambda: "fired" in statuses(store), timeout_s=20)
        done = scheduler.waiting
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    assert waiting is not None
    assert waiting.reason == BACKLOG_UNAPPLIED
    assert done is None


async def test_a_broker_refusing_the_hubs_reading_is_said_to_refuse_until_the_timers_fire(
    store: Store,
) -> None:
    """The broker refuses the reading of the group's offsets (an ACL missing): the timers
    wait HUB_SCHEDULER_CATCH_UP_SECONDS, and the scheduler says the broker refuses, not
    that it does not answer: ops must mend an ACL, not a network. Then they fire."""
    a_child_missing(store)
    refusals = 0

    async def refused() -> InboundOffsets:
        nonlocal refusals
        refusals += 1
        raise GroupAuthorizationFailedError("the hub's group is not described to it")

    scheduler = Scheduler(
        store, load_directory(), ManualClock(LATER), inbound=refused, catch_up_seconds=3.0
    )
    stop = asyncio.Event()
    running = asyncio.create_task(scheduler.run(stop))
    try:
        await eventually(lambda: refusals > 0 and scheduler.waiting is not None, timeout_s=20)
        waiting = scheduler.waiting
        await eventually(lambda: "fired" in statuses(store), timeout_s=20)
        done = scheduler.waiting
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    assert waiting is not None
    assert waiting.reason == REFUSED
    assert done is None


async def test_the_schedulers_heartbeat_writes_whether_its_timers_wait_and_clears_it(
    store: Store,
) -> None:
    """The console is another process: it reads the wait from the scheduler's heartbeat
    row, written at each beat from the scheduler's state, and cleared once it ends."""
    since = datetime.now(UTC) - timedelta(minutes=2)
    state: list[TimersWaiting | None] = [TimersWaiting(BROKER_UNANSWERING, since)]

    def row() -> tuple[datetime | None, str | None] | None:
        with store() as session:
            found = session.get(HubProcess, "host:1:a")
            if found is None:  # not yet written
                return None
            return found.timers_waiting_since, found.timers_waiting_reason

    stop = asyncio.Event()
    beating = asyncio.create_task(
        keep_beating(store, "host:1:a", ROLES, stop, lambda: state[0]), name="heartbeat"
    )
    try:
        await eventually(lambda: row() == (since, BROKER_UNANSWERING), timeout_s=10)
        state[0] = None
        beat(store, "host:1:a", ROLES, state[0])
        cleared = row()
    finally:
        stop.set()
        await asyncio.wait_for(beating, timeout=10)
    assert cleared == (None, None)


def health_console(store: Store) -> TestClient:
    a_child_missing(store)
    add_users(store)
    parts = parts_over(store, load_directory(), ManualClock(LATER))
    web = create_app(Console(parts), SECRET, secure_cookies=False)
    return signed_in(web, "vera")


def test_the_health_page_says_the_timers_wait_for_the_broker_since_when(store: Store) -> None:
    """The scheduler's timers waiting for the broker for a minute: health says so plainly,
    since when (the deployment's time), how many are due, and that escalations are not
    sent meanwhile; /metrics counts the seconds. Before, the page said "N timers due" and
    nothing else."""
    console = health_console(store)
    since = datetime.now(UTC) - timedelta(minutes=1)
    beat(store, "host:1:a", ROLES, TimersWaiting(BROKER_UNANSWERING, since))
    health = console.get("/api/health").json()
    page = console.get("/health").text
    metrics = TestClient(console.app).get("/metrics").text
    due = health["figures"]["timers_due"]
    at = since.astimezone(ZoneInfo("Europe/London"))
    assert due > 0
    assert health["timers"]["ok"]  # a minute: not yet something ops must act on
    assert health["timers_waiting"]["reason"] == BROKER_UNANSWERING
    detail = health["timers"]["detail"]
    assert detail.startswith(f"Timers waiting for the broker since {at:%H:%M %Z}")
    assert f"(for 1 minute; {due} due): escalations are not sent until it answers" in detail
    assert detail in page
    [waited] = [line for line in metrics.splitlines() if line.startswith("hub_timers_waiting")]
    assert float(waited.split()[1]) >= 60
    assert "CF-" not in detail
    assert "CF-" not in metrics


def test_timers_held_for_the_broker_for_minutes_call_for_attention(store: Store) -> None:
    """Ten minutes without an escalation sent is something ops must act on: the timers'
    check fails, the page marks it, and health is not "all well" however well the rest is."""
    console = health_console(store)
    since = datetime.now(UTC) - timedelta(minutes=10)
    beat(store, "host:1:a", ROLES, TimersWaiting(BROKER_UNANSWERING, since))
    health = console.get("/api/health").json()
    page = console.get("/health").text
    assert not health["timers"]["ok"]
    assert not health["ok"]
    assert '<div class="tile bad"><h2>Timers due</h2>' in page


def test_a_scheduler_no_longer_waiting_or_gone_is_not_said_to_wait(store: Store) -> None:
    """The wait over, the page says nothing of it; a process that stopped beating (gone or
    stuck) says nothing either: the hub check says it is gone."""
    console = health_console(store)
    beat(store, "host:1:a", ROLES, TimersWaiting(REFUSED, datetime.now(UTC)))
    beat(store, "host:1:a", ROLES, None)
    assert console.get("/api/health").json()["timers_waiting"] is None
    beat(store, "host:2:b", ROLES, TimersWaiting(BROKER_UNANSWERING, datetime.now(UTC)))
    with store.begin() as session:
        gone = session.get(HubProcess, "host:2:b")
        assert gone is not None
        gone.last_seen -= STALE_AFTER + timedelta(seconds=1)
    health = console.get("/api/health").json()
    assert health["timers_waiting"] is None
    assert "Timers waiting" not in console.get("/health").text


def test_hub_timers_says_the_timers_wait_for_the_broker(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_child_missing(store)
    since = datetime.now(UTC) - timedelta(minutes=4)
    beat(store, "host:1:a", ROLES, TimersWaiting(BACKLOG_UNAPPLIED, since))
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["timers"])
    output = result.output
    assert result.exit_code == 0, result.exception
    at = since.astimezone(ZoneInfo("Europe/London"))
    what = "Timers waiting for the inbound records the broker holds to be applied"
    assert f"{what} since {at:%H:%M %Z}" in output
    assert "escalations are not sent" in output
