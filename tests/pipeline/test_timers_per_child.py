"""Timers fire per child: a timer's notifications are never taken for another child's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.timers import fire_due_timers
from hub.store.models import RoutingDecision
from tests.pipeline.records import misper_record

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)


def test_7_22_each_child_with_the_same_episode_number_gets_its_24_hour_meetings(
    store: sessionmaker[Session],
) -> None:
    """Episode ids are the forces' own: two children reported as "EP-7" each have their
    24-hour strategy meetings queued, not the second's dropped as a re-send of the first's."""
    reports = [
        misper_record(id=f"evt-{child}", data={"child_id": child, "episode_id": "EP-7"})
        for child in ("CF-A", "CF-B")
    ]
    assert apply_batch(store, reports, DIRECTORY, NOW).applied == 2
    while fire_due_timers(store, DIRECTORY, NOW + timedelta(hours=30)):
        pass
    with store() as session:
        convened = set(
            session.scalars(
                select(RoutingDecision.child_id).where(
                    RoutingDecision.action == "convene_strategy_meeting"
                )
            )
        )
    assert convened == {"CF-A", "CF-B"}
