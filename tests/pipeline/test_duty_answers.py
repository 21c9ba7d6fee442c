"""Duties have owners (issue 14), on the real broker and both databases: the hub running,
agencies answering on the bus with the notification ids they received, the scheduler
escalating what nobody answered, and the routing log saying what became of each duty."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.contracts.envelope import ParsedEvent, from_kafka, parse_structured
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from hub.runtime import Hub
from hub.store.models import TimerRecord
from tests.helpers import example
from tests.pipeline.hub_harness import Running, in_process_hub, isolated_settings

START = datetime(2026, 11, 20, 18, 40, tzinfo=UTC)  # the example MISPER report's time
EPISODE, CHILD = "EP-2026-0412", "CF-100231"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def high_risk_report() -> ParsedEvent:
    document = example("01-misper-report")
    document["data"]["risk_level"] = "high"
    return parse_structured(json.dumps(document).encode())


def answer(name: str, when: datetime, number: int, **data: Any) -> ParsedEvent:
    """An answer like the example `name`, sent at `when`, with these fields."""
    document = example(name)
    document["id"] = f"evt-answer-{number}"
    document["time"] = stamp(when)
    document["data"].update(
        {k: stamp(v) if isinstance(v, datetime) else v for k, v in data.items()}
    )
    return parse_structured(json.dumps(document).encode())


@pytest.fixture
async def running(kafka: KafkaConnection, database_url: str) -> AsyncIterator[Running]:
    hub = in_process_hub(kafka, database_url, START - timedelta(minutes=1))
    clock = hub.clock
    assert isinstance(clock, ManualClock)
    await hub.start()
    try:
        yield Running(kafka, hub, clock)
    finally:
        await hub.stop()


async def test_a_high_risk_duty_ignored_for_an_hour_on_a_friday_evening_reaches_edt(
    running: Running,
) -> None:
    """3.3, 3.10: a high-risk child reported on a Friday evening. The allocated worker's
    Incident and Location Forms, unanswered for the hour a high-risk child allows, are
    escalated at 19:40: the team manager has gone home, and out of hours the police obtain
    the forms from EDT (3.10), so it goes to EDT, on its own topic. MASH, which acknowledged
    its duty to record the episode in time, is not escalated; nor are the day teams' notices
    of the child to EDT, told of the child at 18:40 itself (1.4)."""
    await running.receive(high_risk_report())
    record = running.duty("mash", "record_missing_episode")
    await running.receive(
        answer(
            "09-duty-acknowledged",
            at(20),
            1,
            notification_id=record.notification_id,
            acknowledged_at=at(20),
        )
    )
    await running.until(at(59))
    assert not running.logged("duty_escalated")
    await running.until(at(60))  # a timer is decided as of the round that fires it

    escalations = running.logged("duty_escalated")
    forms = running.duty("allocated_worker", "complete_incident_and_location_forms")
    [to_edt] = [
        e
        for e in escalations
        if e.recipient == "edt" and e.details["duty_notification_id"] == forms.notification_id
    ]
    assert (to_edt.decided_at, to_edt.paragraph) == (at(60), "3.10")
    assert {e.details["duty_action"] for e in escalations if e.recipient == "edt"} <= {
        "complete_incident_and_location_forms",
        "share_incident_and_location_forms",  # the child is placed in Luton (3.9.1)
    }
    assert {e.recipient for e in escalations} <= {"edt", "police", "host_police"}  # on duty
    assert not [
        e for e in escalations if e.details["duty_notification_id"] == record.notification_id
    ]
    assert forms.escalated_at == at(60)
    assert running.duty("mash", record.action).acknowledged_at == at(20)

    prefix = running.hub.settings.topic_prefix
    received = await read_topics(running.kafka, f"{prefix}notify.northamptonshire.edt")
    bodies = [from_kafka(r.headers, r.key, r.value).body for r in received]
    assert "duty_escalated" in [b.action for b in bodies]  # type: ignore[attr-defined]


async def test_an_acknowledgement_sent_while_the_hub_was_down_is_read_before_timers_fire(
    kafka: KafkaConnection, database_url: str
) -> None:
    """The hub down from T+10 minutes to T+2 hours; the allocated worker acknowledged the
    forms duty at T+20 minutes, in its hour. Started again, the hub reads that answer before
    it fires the follow-up due at T+60: the duty is not escalated."""
    settings = isolated_settings(database_url)
    first = Hub(build(settings, kafka, ManualClock(START - timedelta(minutes=1))))
    await first.start()
    try:
        running = Running(kafka, first, cast(ManualClock, first.clock))
        await running.receive(high_risk_report())
        forms = running.duty("allocated_worker", "complete_incident_and_location_forms")
        await running.until(at(10))
    finally:
        await first.stop()
    acknowledged = answer(
        "09-duty-acknowledged", at(20), 1, notification_id=forms.notification_id,
        acknowledged_at=at(20),
    )  # fmt: skip
    await publish(kafka, [acknowledged], topic_prefix=settings.topic_prefix)
    second = Hub(build(settings, kafka, ManualClock(at(120))))
    await second.start()
    try:
        await second.wait_until(lambda p: p.handled == 2 and p.idle)
        again = Running(kafka, second, cast(ManualClock, second.clock))
        escalations = again.logged("duty_escalated")
        assert again.duty("allocated_worker", forms.action).acknowledged_at == at(20)
    finally:
        await second.stop()
    assert escalations  # others, unanswered, were
    assert not [
        e for e in escalations if e.details["duty_notification_id"] == forms.notification_id
    ]


async def test_7_20_a_meeting_held_and_recorded_shows_done(running: Running) -> None:
    await running.receive(high_risk_report())
    convene = running.duty("team_manager", "convene_strategy_meeting")
    held_at = at(6 * 60)
    await running.receive(
        answer(
            "10-strategy-meeting-held",
            held_at,
            1,
            notification_id=convene.notification_id,
            held_at=held_at,
            attended=["social_worker", "police", "health"],
            next_meeting_at=START + timedelta(days=5),
        )
    )
    assert running.duty("team_manager", "convene_strategy_meeting").done_at == held_at
    attend = running.logged("attend_strategy_meeting")
    assert {row.done_at for row in attend if row.details["meeting"] == "significant-risk"} == {
        held_at
    }
    assert running.hub.engine is not None
    with running.hub.engine.connect() as connection:
        ladder = connection.scalar(
            select(TimerRecord.due).where(
                TimerRecord.name == "strategy_meeting", TimerRecord.status == "pending"
            )
        )
    assert ladder == START + timedelta(days=5)  # 7.22: the date the meeting set stands


async def test_7_24_a_closed_episode_fires_nothing_more(running: Running) -> None:
    await running.receive(high_risk_report())
    closed_at = START + timedelta(days=20)
    await running.until(closed_at - timedelta(minutes=1))
    before = len(running.logged("duty_escalated")) + len(running.logged("convene_strategy_meeting"))
    document = example("12-episode-closed")
    document["data"].update(
        {"episode_id": EPISODE, "child_id": CHILD, "closed_at": stamp(closed_at)}
    )
    document["time"] = stamp(closed_at)
    await running.receive(parse_structured(json.dumps(document).encode()))
    assert running.hub.engine is not None
    with running.hub.engine.connect() as connection:
        pending = connection.scalar(
            select(TimerRecord.timer_id).where(TimerRecord.status == "pending")
        )
    assert pending is None
    await running.until(START + timedelta(days=3 * 365))
    after = len(running.logged("duty_escalated")) + len(running.logged("convene_strategy_meeting"))
    assert after == before
