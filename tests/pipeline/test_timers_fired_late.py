"""Timers that fell due while the scheduler was down fire when it is back, decided as of
then (3.10: who is on duty is who is on duty when the hub decides), not as of when they fell
due: out of hours that is the Emergency Duty Team, in office hours the day teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.service.timers import fire_due_timers
from hub.store.models import RoutingDecision
from tests.pipeline.records import misper_record

DIRECTORY = load_directory()
WEDNESDAY_1600 = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)  # London is on UTC in November
THURSDAY_1000 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
Store = sessionmaker[Session]


def reported(at: datetime) -> Record:
    """The example MISPER report (medium risk, looked after), made at `at`."""
    stamp = at.isoformat().replace("+00:00", "Z")
    since = (at - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    return misper_record(
        time=stamp,
        data={
            "reported_at": stamp,
            "missing_since": since,
            "last_seen": {"place": "Outside the children's home, Luton", "at": since},
        },
    )


def logged(store: Store, action: str) -> list[RoutingDecision]:
    with store() as session:
        wanted = select(RoutingDecision).where(RoutingDecision.action == action)
        return list(session.scalars(wanted))


def test_3_10_the_forms_duty_escalated_late_in_office_hours_goes_to_the_day_team_not_edt(
    store: Store,
) -> None:
    """Reported on Wednesday at 16:00, the allocated worker has not picked up the Incident
    and Location Forms by 20:00, when EDT would be told (3.10). The scheduler was down until
    10:00 on Thursday: EDT is off duty then and the team manager is in, so the escalation
    goes to the team manager, decided at 10:00; it went to EDT, dated 20:00 the night
    before, which nobody on duty at 10:00 reads."""
    assert apply_batch(store, [reported(WEDNESDAY_1600)], DIRECTORY, WEDNESDAY_1600).applied
    fire_due_timers(store, DIRECTORY, THURSDAY_1000)  # the first round after the outage
    [escalation] = [
        e
        for e in logged(store, "duty_escalated")
        if e.details["duty_action"] == "complete_incident_and_location_forms"
    ]
    assert (escalation.recipient, escalation.decided_at) == ("team_manager", THURSDAY_1000)


def test_7_22_a_strategy_meeting_fired_late_keeps_the_name_of_its_day(store: Store) -> None:
    """The day-7 strategy meeting (7.22) fell due while the scheduler was down for two
    days: convened late, it is still the day-7 meeting, not a "day 9" one."""
    assert apply_batch(store, [reported(WEDNESDAY_1600)], DIRECTORY, WEDNESDAY_1600).applied
    late = WEDNESDAY_1600 + timedelta(days=9)
    while fire_due_timers(store, DIRECTORY, late):
        pass
    meetings = {str(d.details.get("meeting")) for d in logged(store, "convene_strategy_meeting")}
    assert "day 7" in meetings
    assert "day 9" not in meetings
