"""The scheduler and the consumer lock a child's rows in one order (PostgreSQL, where several
`hub run` share a database): the child's state first, then its timers. A scheduler that
locked a child's due timers and then waited for the child, held by a batch that went on to
cancel those timers, deadlocked with it: PostgreSQL aborted one of the two (retried, nothing
lost, but late and in the logs as an outage)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from hub import crashpoints
from hub.routing import engine as routing_engine
from hub.routing.directory import load_directory
from hub.routing.facts import ChildState, Outcome, Timer
from hub.service import timers
from hub.service.applying import apply_batch
from hub.service.refusals import HOLD
from hub.service.timers import fire_due_timers
from hub.store.database import make_engine, migrate, sessions
from hub.store.models import InboundEvent, OutboxMessage, RejectedMessage, TimerRecord
from hub.store.outcomes import load_children
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of

DIRECTORY = load_directory()
REPORTED = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
FOUND = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)  # the child's timers of four days due


def waiting_for_a_lock(engine: Engine) -> bool:
    """Whether a session of this database is waiting for a lock another one holds."""
    with engine.connect() as connection:
        return bool(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )


def in_thread(name: str, work: Callable[[], Any], failures: dict[str, BaseException]) -> Any:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # what the thread met, for the test
            failures[name] = error

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.mark.postgres
def test_a_found_report_applied_while_the_scheduler_fires_the_childs_timers_deadlocks_nothing(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child's timers fell due while the scheduler was behind. The consumer applies the
    found report (which cancels them) and holds the child; meanwhile the scheduler's round
    comes to the same timers. Neither is aborted: the round leaves the child to the batch,
    the batch cancels them, and what the found report cancelled never fires."""
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    found = record_of(example("05-found-report"), "inbound.found-report")
    holding, release = threading.Event(), threading.Event()

    def consumer_holds_the_child(point: crashpoints.Point, position: int = 1) -> None:
        if point == "consumer.mid-batch" and threading.current_thread().name == "consumer":
            holding.set()  # the child is locked (Batch.open); its timers not yet cancelled
            release.wait(timeout=30)

    monkeypatch.setattr(crashpoints, "reach", consumer_holds_the_child)
    failures: dict[str, BaseException] = {}
    try:
        consumer = in_thread(
            "consumer", lambda: apply_batch(store, [found], DIRECTORY, FOUND), failures
        )
        assert holding.wait(timeout=30)
        scheduler = in_thread(
            "scheduler", lambda: fire_due_timers(store, DIRECTORY, FOUND), failures
        )
        waited = time.monotonic() + 10
        while scheduler.is_alive() and not waiting_for_a_lock(engine):
            assert time.monotonic() < waited
            time.sleep(0.05)
        release.set()  # the batch goes on to cancel the timers
        consumer.join(timeout=30)
        scheduler.join(timeout=30)
        assert not consumer.is_alive()
        assert not scheduler.is_alive()
        while fire_due_timers(store, DIRECTORY, FOUND):
            pass
        with store() as session:
            cancelled = session.scalars(
                select(TimerRecord.name).where(TimerRecord.status == "cancelled")
            ).all()
    finally:
        release.set()
        engine.dispose()
    assert failures == {}
    assert "missing_24h" in cancelled  # due since Saturday, cancelled by the found report


@pytest.mark.postgres
def test_two_schedulers_at_once_fire_each_due_timer_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several `hub run` hold the scheduler role on one database. While one is firing the
    child's timers, a second's round leaves them to it; each fires once."""
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    with store() as session:
        due = len(session.scalars(select(TimerRecord).where(TimerRecord.due <= FOUND)).all())
    firing, release = threading.Event(), threading.Event()

    def fire(state: ChildState, timer: Timer, *args: Any) -> Outcome:
        if threading.current_thread().name == "first":
            firing.set()  # the first holds the child and its timers
            release.wait(timeout=30)
        return routing_engine.fire(state, timer, *args)

    monkeypatch.setattr(timers, "fire", fire)
    fired: dict[str, int] = {}
    failures: dict[str, BaseException] = {}
    try:
        first = in_thread(
            "first",
            lambda: fired.__setitem__("first", fire_due_timers(store, DIRECTORY, FOUND)),
            failures,
        )
        assert firing.wait(timeout=30)
        fired["second"] = fire_due_timers(store, DIRECTORY, FOUND)
        release.set()
        first.join(timeout=30)
    finally:
        release.set()
        engine.dispose()
    assert failures == {}
    assert fired == {"first": due, "second": 0}


@pytest.mark.postgres
def test_a_child_held_by_a_batch_leaves_the_round_to_the_other_childrens_timers(
    postgres_url: str,
) -> None:
    """A batch holds a child whose timers are the oldest due: the round leaves them to the
    next one and fires, in their place, the other children's due timers (3.10: a deadline
    kept when it falls due, not a poll later, whoever else is busy)."""
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    other = misper_record(
        id="evt-police-0200",
        data={
            "child_id": "CF-100999",
            "episode_id": "EP-2026-0999",
            "reported_at": (REPORTED + timedelta(hours=1)).isoformat(),
        },
    )
    apply_batch(store, [misper_record(), other], DIRECTORY, REPORTED + timedelta(hours=1))

    def pending_due() -> list[str]:
        with store() as session:
            return list(
                session.scalars(
                    select(TimerRecord.child_id).where(
                        TimerRecord.status == "pending", TimerRecord.due <= FOUND
                    )
                )
            )

    before = pending_due()
    try:
        with store.begin() as batch:
            load_children(batch, ["CF-100231"])  # its timers are the oldest due
            fired = fire_due_timers(store, DIRECTORY, FOUND, limit=2)
        after = pending_due()
    finally:
        engine.dispose()
    assert fired == 2
    assert after.count("CF-100231") == before.count("CF-100231")  # left to the next round
    assert after.count("CF-100999") == before.count("CF-100999") - 2


@pytest.mark.postgres
def test_a_held_found_report_released_as_its_hold_runs_out_is_applied_or_refused_never_both(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A found report read before its MISPER report is held for 24 hours, then refused and
    reported to its sender (docs/pipeline.md). The MISPER report comes as the hold runs out:
    the batch applying it releases the found report while the scheduler's round expires
    it. The found report is applied, and its sender is not told it was refused."""
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    found = record_of(example("05-found-report"), "inbound.found-report")
    assert apply_batch(store, [found], DIRECTORY, REPORTED).held == 1
    runs_out = REPORTED + HOLD + timedelta(minutes=1)
    holding, release = threading.Event(), threading.Event()

    def consumer_has_read_the_held(point: crashpoints.Point, position: int = 1) -> None:
        if point == "consumer.mid-batch" and threading.current_thread().name == "consumer":
            holding.set()  # the batch has read the held found report (Batch.open)
            release.wait(timeout=30)

    monkeypatch.setattr(crashpoints, "reach", consumer_has_read_the_held)
    failures: dict[str, BaseException] = {}
    try:
        consumer = in_thread(
            "consumer", lambda: apply_batch(store, [misper_record()], DIRECTORY, runs_out), failures
        )
        assert holding.wait(timeout=30)
        scheduler = in_thread(
            "scheduler", lambda: fire_due_timers(store, DIRECTORY, runs_out), failures
        )
        scheduler.join(timeout=10)
        release.set()
        consumer.join(timeout=30)
        scheduler.join(timeout=30)
        assert not consumer.is_alive()
        assert not scheduler.is_alive()
        with store() as session:
            held = session.scalar(select(RejectedMessage.status))
            applied = session.scalar(select(func.count()).select_from(InboundEvent))
            reported = session.scalars(
                select(OutboxMessage.message_id).where(
                    OutboxMessage.message_id.startswith("rejected:")
                )
            ).all()
    finally:
        release.set()
        engine.dispose()
    assert failures == {}
    assert (held, applied, reported) == ("resolved", 2, [])
