"""Duties have owners (issue 14): acknowledged, done, escalated when ignored, discharged by a
strategy meeting held, stopped by the joint decision of 7.24."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hub.contracts.events import (
    ChildDetails,
    CrossBorderNotice,
    DutyAcknowledged,
    DutyCompleted,
    EpisodeClosed,
    StrategyMeetingHeld,
)
from hub.contracts.vocabulary import (
    CrossBorderNoticeKind,
    LegalStatus,
    MeetingAttendee,
    RiskLevel,
    Sex,
)
from hub.routing.facts import Decision, ProtocolViolation
from tests.routing.builders import (
    CHILD,
    ESCALATED,
    START,
    Timeline,
    by_the_rules,
    disagreement,
    found,
    misper,
    risk_update,
    told,
)

HOME, POLICE = "northamptonshire", "northamptonshire-police"


def acknowledged(duty: Decision, at: datetime, by: str = HOME) -> DutyAcknowledged:
    return DutyAcknowledged(
        episode_id=duty.episode_id,
        child_id=CHILD,
        notification_id=duty.notification_id,
        answered_by=by,
        acknowledged_at=at,
        acknowledged_by="Duty desk",
    )


def completed(duty: Decision, at: datetime, by: str = HOME) -> DutyCompleted:
    return DutyCompleted(
        episode_id=duty.episode_id,
        child_id=CHILD,
        notification_id=duty.notification_id,
        answered_by=by,
        completed_at=at,
        completed_by="Allocated worker",
    )


def held(convene: Decision, at: datetime, **changes: Any) -> StrategyMeetingHeld:
    fields: dict[str, Any] = {
        "episode_id": convene.episode_id,
        "child_id": CHILD,
        "notification_id": convene.notification_id,
        "answered_by": HOME,
        "held_at": at,
        "attended": (MeetingAttendee.SOCIAL_WORKER, MeetingAttendee.POLICE),
    }
    return StrategyMeetingHeld(**(fields | changes))


def closed(at: datetime, by: str = POLICE) -> EpisodeClosed:
    return EpisodeClosed(
        episode_id="EP-1",
        child_id=CHILD,
        answered_by=by,
        closed_at=at,
        senior_police_officer="Detective Chief Inspector",
        assistant_director="Assistant Director, Safeguarding",
    )


def high_risk() -> tuple[Timeline, list[Decision]]:
    timeline = Timeline()
    return timeline, timeline.receive(misper(risk_level=RiskLevel.HIGH))


def escalations(decisions: list[Decision], recipient: str) -> list[Decision]:
    return told(decisions, recipient, ESCALATED)


def test_a_high_risk_duty_ignored_for_an_hour_goes_to_the_mash_manager() -> None:
    timeline, _ = high_risk()
    assert not timeline.advance(START + timedelta(minutes=59))
    [escalation] = escalations(timeline.advance(START + timedelta(hours=1)), "mash_manager")
    assert escalation.paragraph == "6.7"
    assert escalation.details["owed_to"] == "mash"
    assert escalation.details["duty_action"] == "record_missing_episode"
    assert escalation.at == START + timedelta(hours=1)


def test_a_duty_acknowledged_in_its_window_is_not_escalated() -> None:
    timeline, decisions = high_risk()
    [record] = told(decisions, "mash", "record_missing_episode")
    timeline.receive(acknowledged(record, START + timedelta(minutes=20)))
    assert not escalations(timeline.advance(START + timedelta(days=3)), "mash_manager")
    [duty] = [d for d in timeline.state.episodes[0].duties if d.action == record.action]
    assert duty.status(START + timedelta(minutes=30)) == "acknowledged"


def test_a_duty_picked_up_after_its_deadline_and_not_done_is_overdue() -> None:
    """Overdue: "its deadline passed and it was not done" (docs/answers.md). The strategy
    meeting picked up a day after its deadline, and not held, is shown to ops as overdue,
    not as merely acknowledged; only a duty due at once is acknowledged when picked up."""
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert convene.due is not None
    assert convene.due > convene.at  # a deadline of its own
    late = convene.due + timedelta(days=1)
    timeline.receive(acknowledged(convene, late))
    [duty] = [
        d
        for d in timeline.state.episodes[0].duties
        if d.notification_id == str(convene.notification_id)
    ]
    assert duty.acknowledged_at == late
    assert duty.status(late + timedelta(hours=1)) == "overdue"


def test_a_medium_risk_duty_has_four_hours_to_be_acknowledged() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    assert not timeline.advance(START + timedelta(hours=3, minutes=59))
    assert escalations(timeline.advance(START + timedelta(hours=4)), "team_manager")


def test_6_7_an_ignored_duty_climbs_to_the_assistant_director_and_stops() -> None:
    timeline, _ = high_risk()
    later = timeline.advance(START + timedelta(days=30))
    chain = [
        d.recipient
        for d in later
        if d.action == ESCALATED and "'complete_incident_and_location_forms'" in d.summary
    ]
    assert chain == [
        "team_manager",
        "service_manager",
        "head_of_safeguarding",
        "assistant_director",
    ]
    assert next(d.paragraph for d in later if d.recipient == "assistant_director") == "6.8"


SATURDAY_0200 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the day teams open (3.10)
DAY_MANAGERS = {"team_manager", "mash_manager", "service_manager", "rise_mct_service_manager"}


def test_3_10_out_of_hours_an_unanswered_duty_waits_for_the_day_teams_to_open() -> None:
    """Escalated at night, a duty went to managers who keep office hours, up to the
    Assistant Director by morning, with nobody there to act."""
    timeline = Timeline()
    timeline.receive(misper(at=SATURDAY_0200))
    weekend = timeline.advance(MONDAY_0900 - timedelta(minutes=1))
    assert {d.recipient for d in weekend if d.action == ESCALATED} <= {"police", "edt"}  # 24/7
    # EDT only for the forms the police obtain from it out of hours (3.10)
    assert {d.paragraph for d in escalations(weekend, "edt")} == {"3.10"}
    monday = timeline.advance(MONDAY_0900)
    assert {d.recipient for d in monday if d.action == ESCALATED} & DAY_MANAGERS
    assert {d.at for d in monday if d.action == ESCALATED} == {MONDAY_0900}


def test_3_10_a_high_risk_childs_unanswered_duty_goes_to_edt_out_of_hours() -> None:
    """EDT acts for children's services out of hours (3.10, 3.13): a high-risk child reported
    on Friday at 17:20, told to MASH ten minutes before closing, unanswered by 18:20, goes to
    EDT, which was not told of the child when it was reported in hours. (Reported out of
    hours, EDT is told at once itself, and not again by escalation:
    tests/routing/test_edt_out_of_hours.py.)"""
    friday_1720 = SATURDAY_0200 - timedelta(hours=8, minutes=40)
    timeline = Timeline()
    timeline.receive(misper(at=friday_1720, risk_level=RiskLevel.HIGH))
    evening = timeline.advance(friday_1720 + timedelta(hours=1))
    [to_edt] = [d for d in escalations(evening, "edt") if d.details["owed_to"] == "mash"]
    assert to_edt.paragraph == "3.10"
    weekend = timeline.advance(MONDAY_0900 - timedelta(minutes=1))
    assert not {d.recipient for d in weekend if d.action == ESCALATED} & DAY_MANAGERS


def test_6_7_a_forces_duty_goes_to_its_own_missing_persons_unit_once() -> None:
    timeline, _ = high_risk()
    later = timeline.advance(START + timedelta(days=30))
    police = escalations(later, "police")
    assert {d.authority for d in police} == {POLICE}
    # Each meeting the force was asked to attend, escalated once and not again.
    assert {d.details["duty_action"] for d in police} == {"attend_strategy_meeting"}


def test_an_escalation_answered_stops_the_climb() -> None:
    timeline, _ = high_risk()
    [escalation] = escalations(timeline.advance(START + timedelta(hours=1)), "mash_manager")
    timeline.receive(acknowledged(escalation, START + timedelta(hours=1, minutes=5)))
    later = timeline.advance(START + timedelta(days=2))
    assert not [d for d in later if "'record_missing_episode'" in d.summary]


def test_a_duty_done_is_done_and_never_escalated() -> None:
    timeline, decisions = high_risk()
    [forms] = told(decisions, "allocated_worker", "complete_incident_and_location_forms")
    timeline.receive(completed(forms, START + timedelta(minutes=30)))
    later = timeline.advance(START + timedelta(days=3))
    assert not [d for d in later if "'complete_incident_and_location_forms'" in d.summary]
    [duty] = [d for d in timeline.state.episodes[0].duties if d.action == forms.action]
    assert duty.status(START + timedelta(days=3)) == "done"


def test_7_20_a_meeting_held_discharges_its_duties_and_its_minutes_are_due_in_24_hours() -> None:
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    meeting = START + timedelta(hours=6)
    timeline.receive(held(convene, meeting))
    duties = {d.action + ":" + d.recipient: d for d in timeline.state.episodes[0].duties}
    assert duties["convene_strategy_meeting:team_manager"].done_at == meeting
    assert duties["attend_strategy_meeting:police"].done_at == meeting
    assert duties["attend_strategy_meeting:health"].done_at is None  # Health did not come
    later = timeline.advance(START + timedelta(days=2))
    convened = str(convene.notification_id)
    assert not [d for d in later if d.details.get("duty_notification_id") == convened]
    # 7.20 names nobody above Health: its missed meeting is shown overdue, not escalated.
    health = duties["attend_strategy_meeting:health"]
    [missed] = [
        d for d in timeline.state.episodes[0].duties if d.notification_id == health.notification_id
    ]
    assert missed.escalated_at is not None
    assert missed.status(START + timedelta(days=2)) == "overdue"
    assert not escalations(later, "health")


def test_7_20_the_minutes_are_due_24_hours_after_the_meeting_held() -> None:
    timeline = Timeline()
    decisions = timeline.receive(misper(risk_level=RiskLevel.HIGH, legal_status="looked_after"))
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(held(convene, START + timedelta(hours=6)))
    [minutes] = [
        d
        for d in timeline.state.episodes[0].duties
        if d.action == "receive_strategy_meeting_minutes"
    ]
    assert minutes.due == START + timedelta(hours=30)


def test_7_20_minutes_escalated_before_a_late_meeting_are_chased_again_24_hours_after_it() -> None:
    """The 72-hour meeting of a child in care is not held, so its minutes are escalated to
    the IRO at their first deadline (Monday 09:00, after the weekend); the meeting is then
    held on Monday at 11:00: its minutes, still not received 24 hours later (7.20), are
    escalated again, by their new deadline."""
    timeline = Timeline()
    timeline.receive(misper(legal_status="looked_after"))
    day = timeline.advance(START + timedelta(hours=24))
    [convene] = [
        d for d in told(day, "team_manager", "convene_strategy_meeting") if "72-hour" in d.summary
    ]
    meeting = START + timedelta(days=5, hours=1)  # Monday 11:00
    timeline.receive(held(convene, meeting))
    later = escalations(timeline.advance(START + timedelta(days=7)), "iro")
    assert [d.details["duty_due"] for d in later] == [(meeting + timedelta(hours=24)).isoformat()]


def test_6_7_a_disagreement_reported_resolved_is_not_escalated_at_12_hours() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    raised = timeline.receive(disagreement(START + timedelta(hours=3)))
    [manager] = told(raised, "team_manager", "resolve_risk_disagreement")
    timeline.receive(completed(manager, START + timedelta(hours=6)))
    assert not told(
        timeline.advance(START + timedelta(hours=16)),
        "rise_mct_service_manager",
        "escalate_risk_disagreement",
    )


def test_6_7_a_disagreement_resolved_after_its_escalation_leaves_no_escalation_open() -> None:
    """Unresolved at 12 hours, the disagreement went to the police DCI, the RISE/MCT Service
    Manager and the Head of Safeguarding (6.7); resolved at 15 hours, none of them owes it any
    longer: their duties do not stay overdue on the deadlines page for good."""
    timeline = Timeline()
    timeline.receive(misper())
    raised = timeline.receive(disagreement(START + timedelta(hours=3)))
    [manager] = told(raised, "team_manager", "resolve_risk_disagreement")
    assert told(
        timeline.advance(START + timedelta(hours=16)), "police", "escalate_risk_disagreement"
    )
    timeline.receive(completed(manager, START + timedelta(hours=18)))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert not [
        d for d in episode.duties if d.action == "escalate_risk_disagreement" and not d.settled
    ]


@pytest.mark.parametrize("council", ["north-northamptonshire", "west-northamptonshire"])
def test_a_home_areas_council_cannot_answer_for_the_trusts_teams(council: str) -> None:
    """One trust serves both councils, but each council is an agency of its own on the bus:
    a duty owed to the trust's teams is the trust's to answer, and 7.24's closure the
    trust's or the police's."""
    timeline = Timeline()
    [forms] = told(
        timeline.receive(misper()), "allocated_worker", "complete_incident_and_location_forms"
    )
    with pytest.raises(ProtocolViolation, match="not the agency the duty was owed to"):
        timeline.receive(acknowledged(forms, START + timedelta(minutes=20), by=council))
    with pytest.raises(ProtocolViolation):
        timeline.receive(closed(START + timedelta(days=20), by=council))


def test_7_22_the_next_meeting_date_set_at_a_meeting_stands() -> None:
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    next_meeting = START + timedelta(days=5)
    timeline.receive(held(convene, START + timedelta(hours=6), next_meeting_at=next_meeting))
    fired = by_the_rules(timeline.advance(START + timedelta(days=6)))
    [ladder] = told(fired, "service_manager", "convene_strategy_meeting")
    assert ladder.at == next_meeting
    assert not told(
        by_the_rules(timeline.advance(START + timedelta(days=7, hours=1))),
        "service_manager",
        "convene_strategy_meeting",
    )


def _ladder_meetings_until(timeline: Timeline, until: datetime) -> list[datetime]:
    """When the ladder's meetings after day 10 fell due, up to `until`."""
    fired = told(timeline.advance(until), "sqas_service_manager", "convene_strategy_meeting")
    return [d.at for d in fired]


def test_7_22_after_a_fortnightly_meeting_brought_forward_the_next_is_a_fortnight_on() -> None:
    """7.22: "Thereafter, Strategy Meetings will be held fortnightly": the day-38 meeting
    set the next for day 45; the one after it is due a fortnight on (day 59), not on day 66,
    three weeks later: 7.22's are maximum timescales between meetings."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.advance(START + timedelta(days=38, hours=1))
    day_38 = [
        d
        for d in told(timeline.decisions, "sqas_service_manager", "convene_strategy_meeting")
        if d.details["meeting"] == "day 38"
    ]
    timeline.receive(
        held(
            day_38[0],
            START + timedelta(days=38, hours=2),
            next_meeting_at=START + timedelta(days=45),
        )
    )
    convened = _ladder_meetings_until(timeline, START + timedelta(days=66))
    assert convened[:2] == [START + timedelta(days=45), START + timedelta(days=59)]


def test_7_22_after_a_bi_monthly_meeting_brought_forward_the_next_is_two_months_on() -> None:
    """7.22: "... and then bi-monthly if the child remains missing": day 66's meeting set
    the next for day 80 (6 February 2027, the child missing since 18 November 2026); the one
    after it is due two months on, 6 April, not on 23 May, the ladder's from the start:
    three and a half months with no meeting."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.advance(START + timedelta(days=66, hours=1))
    [day_66] = [
        d
        for d in told(timeline.decisions, "sqas_service_manager", "convene_strategy_meeting")
        if d.details["meeting"] == "day 66"
    ]
    timeline.receive(
        held(
            day_66, START + timedelta(days=66, hours=2), next_meeting_at=START + timedelta(days=80)
        )
    )
    convened = _ladder_meetings_until(timeline, START + timedelta(days=150))
    assert convened[:2] == [START + timedelta(days=80), datetime(2027, 4, 6, 9, tzinfo=UTC)]


def test_7_22_a_next_meeting_set_later_than_day_7_leaves_the_day_7_meeting_due() -> None:
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    later = START + timedelta(days=21)
    timeline.receive(held(convene, START + timedelta(hours=40), next_meeting_at=later))
    fired = by_the_rules(timeline.advance(START + timedelta(days=7, hours=1)))
    [ladder] = told(fired, "service_manager", "convene_strategy_meeting")
    assert ladder.at == START + timedelta(days=7)


@pytest.mark.parametrize(
    "report",
    [{}, {"risk_level": RiskLevel.HIGH}, {"cse_risk": True}],
    ids=["medium", "high-risk", "cse"],
)
def test_7_22_a_date_set_at_the_24_hour_meeting_for_the_first_one_leaves_day_7_due(
    report: dict[str, Any],
) -> None:
    """7.22: after 24 hours a meeting "within 72 hours (48 hours if assessed as High Risk)
    ... from the start", high risk being one "deemed high e.g. known sexual exploitation";
    then "On day 7 ... if the child has not returned, a further Strategy Meeting must be
    convened". The 24-hour meeting (7.18) sets the date of that first meeting (for a child
    at high risk, later than its 48 hours: still that meeting's, owed by 48 hours all the
    same). It is not day 7's: brought forward to it, the day-7 meeting was lost, and a child
    still missing went from day 3 to day 10 with no meeting."""
    timeline = Timeline()
    timeline.receive(misper(**report))
    timeline.advance(START + timedelta(hours=24))
    [convene] = [
        d
        for d in told(timeline.decisions, "practice_manager", "convene_strategy_meeting")
        if d.details["meeting"] == "24-hour"
    ]
    timeline.receive(
        held(convene, START + timedelta(hours=25), next_meeting_at=START + timedelta(hours=60))
    )
    fired = by_the_rules(timeline.advance(START + timedelta(days=7, hours=1)))
    ladder = told(fired, "service_manager", "convene_strategy_meeting")
    assert [d.at for d in ladder] == [START + timedelta(days=7)]


@pytest.mark.parametrize(
    ("report", "lowered", "first"),
    [
        ({}, False, "72-hour"),
        ({"cse_risk": True}, False, "48-hour"),
        ({"risk_level": RiskLevel.HIGH}, True, "48-hour"),
    ],
    ids=["medium", "cse", "high-risk-lowered"],
)
def test_7_22_a_date_the_first_meeting_sets_brings_the_next_meeting_forward(
    report: dict[str, Any], lowered: bool, first: str
) -> None:
    """7.22: the first meeting ("within 72 hours (48 hours if assessed as High Risk)", high
    risk being one "deemed high e.g. known sexual exploitation") puts "provisional
    arrangements ... in place for the next Strategy Meeting": the date it sets is the next
    meeting's, whatever the grading when it is recorded, and brings day 7's forward to it
    (7.22's are maximum timescales), as for a child graded high. Read as the first meeting's
    own date, it was dropped, and the child waited for day 7."""
    timeline = Timeline()
    timeline.receive(misper(**report))
    timeline.advance(START + timedelta(hours=24))
    if lowered:  # graded high, the 48-hour meeting set, then lowered (7.16)
        timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=26)))
    [convene] = [
        d
        for d in told(timeline.decisions, "team_manager", "convene_strategy_meeting")
        if d.details["meeting"] == first
    ]
    next_meeting = START + timedelta(hours=60)
    timeline.receive(held(convene, START + timedelta(hours=30), next_meeting_at=next_meeting))
    fired = by_the_rules(timeline.advance(START + timedelta(hours=61)))
    [ladder] = told(fired, "service_manager", "convene_strategy_meeting")
    assert ladder.at == next_meeting


def test_7_22_a_date_a_meeting_brought_into_the_first_72_hours_sets_is_kept() -> None:
    """7.22's are maximum timescales: the 72-hour meeting brought the next forward to 50
    hours ("day 2", the ladder's), and that meeting set the one after for 70 hours. Its
    date is the next meeting's like any other the ladder's meetings set: taken for the
    first meeting's own (it falls within 72 hours), it was dropped, and the child still
    missing waited from 50 hours to day 10."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.advance(START + timedelta(hours=24))
    [first] = [
        d
        for d in told(timeline.decisions, "team_manager", "convene_strategy_meeting")
        if d.details["meeting"] == "72-hour"
    ]
    timeline.receive(
        held(first, START + timedelta(hours=30), next_meeting_at=START + timedelta(hours=50))
    )
    [day_2] = told(
        by_the_rules(timeline.advance(START + timedelta(hours=51))),
        "service_manager",
        "convene_strategy_meeting",
    )
    assert day_2.details["meeting"] == "day 2"
    next_meeting = START + timedelta(hours=70)
    timeline.receive(held(day_2, START + timedelta(hours=51), next_meeting_at=next_meeting))
    fired = by_the_rules(timeline.advance(START + timedelta(hours=71)))
    [ladder] = told(fired, "sqas_service_manager", "convene_strategy_meeting")
    assert ladder.at == next_meeting


@pytest.mark.parametrize("cse", [False, True], ids=["high-risk", "cse"])
def test_7_22_a_date_the_first_meeting_held_at_once_sets_brings_the_next_forward(
    cse: bool,
) -> None:
    """Graded high (or marked CSE, 7.22: "deemed high e.g. known sexual exploitation") past
    48 hours, the first meeting is held at once ("day 2"); by the time it is held the risk
    is lowered. It is 7.22's first meeting all the same: the date it sets for the next is
    the next meeting's and brings day 7's forward to it, as for the 48-hour meeting. Read
    by the grading when recorded, as the first meeting's own date, it was dropped."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.advance(START + timedelta(hours=50))
    level = RiskLevel.MEDIUM if cse else RiskLevel.HIGH
    timeline.receive(risk_update(level, START + timedelta(hours=50), cse=cse))
    [convene] = told(timeline.decisions, "team_manager", "convene_strategy_meeting")[-1:]
    assert str(convene.details["meeting"]).startswith("day 2")
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=52)))  # 7.16
    next_meeting = START + timedelta(hours=70)
    timeline.receive(held(convene, START + timedelta(hours=55), next_meeting_at=next_meeting))
    fired = by_the_rules(timeline.advance(START + timedelta(hours=71)))
    [ladder] = told(fired, "service_manager", "convene_strategy_meeting")
    assert ladder.at == next_meeting


def test_7_24_a_closed_episode_fires_nothing_more() -> None:
    timeline, _ = high_risk()
    timeline.receive(closed(START + timedelta(days=20)))
    assert not [t for t in timeline.pending if t.episode_id == "EP-1"]
    assert not timeline.advance(START + timedelta(days=5 * 365))


def test_7_24_a_child_found_after_closure_is_still_returned_and_interviewed() -> None:
    timeline, _ = high_risk()
    timeline.receive(closed(START + timedelta(days=20)))
    decisions = timeline.receive(found(at=START + timedelta(days=40)))
    assert told(decisions, "mct", "conduct_return_interview")


def test_7_24_a_closure_decided_while_missing_but_read_after_the_found_report_is_recorded() -> None:
    timeline, _ = high_risk()
    returned = timeline.receive(found(at=START + timedelta(days=40)))
    [interview] = told(returned, "mct", "conduct_return_interview")
    assert timeline.receive(closed(START + timedelta(days=20))) == []
    [episode] = timeline.state.episodes
    assert episode.closed_at == START + timedelta(days=20)
    [owed] = [d for d in episode.duties if d.notification_id == str(interview.notification_id)]
    assert owed.stood_down_at is None  # the return interview is still owed, and chased
    assert [t for t in timeline.pending if t.episode_id == "EP-1"]


def test_7_24_a_closure_decided_after_the_child_was_found_is_refused() -> None:
    timeline, _ = high_risk()
    timeline.receive(found(at=START + timedelta(days=40)))
    with pytest.raises(ProtocolViolation, match="found"):
        timeline.receive(closed(START + timedelta(days=41)))


def test_7_24_a_risk_update_after_closure_is_refused() -> None:
    timeline, _ = high_risk()
    timeline.receive(closed(START + timedelta(days=20)))
    with pytest.raises(ProtocolViolation, match=r"7\.24"):
        timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(days=21)))


def test_7_24_only_the_police_or_the_home_authority_close_an_episode() -> None:
    timeline, _ = high_risk()
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(closed(START + timedelta(days=20), by="essex"))
    assert caught.value.field == "data.answered_by"


def test_7_24_an_agency_that_may_not_close_learns_nothing_of_the_episode_from_its_refusal() -> None:
    # Its refusal goes back to it: were it told "before the child went missing" or "the
    # child was found", trying closing times would tell it when.
    timeline, _ = high_risk()
    timeline.receive(found(at=START + timedelta(days=40)))
    for at in (START - timedelta(days=1), START + timedelta(days=20), START + timedelta(days=41)):
        with pytest.raises(ProtocolViolation) as caught:
            timeline.receive(closed(at, by="essex"))
        assert caught.value.field == "data.answered_by"


def test_an_unknown_notification_is_refused() -> None:
    timeline, decisions = high_risk()
    [record] = told(decisions, "mash", "record_missing_episode")
    stranger = replace(record, cause="evt-of-another-child")
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(acknowledged(stranger, START + timedelta(minutes=5)))
    assert caught.value.field == "data.notification_id"


def test_a_duty_answered_by_another_agency_is_refused() -> None:
    timeline, decisions = high_risk()
    [record] = told(decisions, "mash", "record_missing_episode")
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(acknowledged(record, START + timedelta(minutes=5), by=POLICE))
    assert (caught.value.field, caught.value.reason) == (
        "data.answered_by",
        "is not the agency the duty was owed to",
    )


def test_a_meeting_recorded_before_the_child_went_missing_is_refused() -> None:
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(held(convene, START - timedelta(hours=1)), at=START + timedelta(hours=1))
    assert caught.value.field == "data.held_at"


def test_a_meeting_is_recorded_as_held_not_as_a_duty_completed() -> None:
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    with pytest.raises(ProtocolViolation, match="strategy-meeting-held"):
        timeline.receive(completed(convene, START + timedelta(hours=3)))


def test_7_22_a_child_found_stands_down_the_meetings_not_yet_held() -> None:
    """Meetings are held "if the child has not returned": found, they are not owed."""
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(found(at=START + timedelta(hours=3)))
    [meeting] = [
        d
        for d in timeline.state.episodes[0].duties
        if d.notification_id == str(convene.notification_id)
    ]
    assert meeting.status(START + timedelta(days=2)) == "stood down"
    later = timeline.advance(START + timedelta(days=2))
    assert not [
        d for d in later if d.details.get("duty_notification_id") == str(convene.notification_id)
    ]


def test_5_12_an_interview_reported_done_as_a_duty_is_chased_no_more() -> None:
    # The MCT answers its duty "done" (issue 14) instead of sending the interview's result:
    # its manager is not told at 72 hours that it was not done.
    timeline = Timeline()
    timeline.receive(misper())
    found_at = START + timedelta(days=2)
    [interview] = told(timeline.receive(found(at=found_at)), "mct", "conduct_return_interview")
    timeline.receive(completed(interview, found_at + timedelta(hours=20)))
    fired = timeline.advance(found_at + timedelta(hours=73))
    assert not told(fired, "rise_mct_service_manager", "return_interview_overdue")


WEDNESDAY_1720 = datetime(2026, 11, 18, 17, 20, tzinfo=UTC)  # ten minutes before closing


def test_5_6_concerns_about_the_return_left_unanswered_at_closing_go_to_edt() -> None:
    """Concerns about sending a found child home go to "the MASH or the out-of-hours
    Emergency Duty Team (EDT) before the child is returned": told to MASH just before
    closing and unanswered, they go to EDT that evening, not to MASH's manager next morning."""
    timeline = Timeline()
    timeline.receive(misper(at=WEDNESDAY_1720 - timedelta(hours=6)))
    timeline.receive(found(at=WEDNESDAY_1720, concerns_about_returning_home=True))
    evening = timeline.advance(WEDNESDAY_1720 + timedelta(hours=6))
    [to_edt] = [
        d
        for d in escalations(evening, "edt")
        if d.details["duty_action"] == "concerns_about_return"
    ]
    assert to_edt.paragraph == "5.6"


def test_3_10_6_7_an_escalation_decided_at_night_is_due_of_the_service_manager_at_opening() -> None:
    """6.7 unresolved at 03:00: "the police DCI and the RISE/MCT Service Manager ... should
    be consulted". The police are on duty (3.10), and are due at once; the Service Manager and
    the Head of Safeguarding keep office hours, and are due when the day teams open."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(disagreement(START + timedelta(hours=5)))  # 15:00, unresolved at 03:00
    night = START + timedelta(hours=17)
    fired = timeline.advance(night)
    [police] = told(fired, "police", "escalate_risk_disagreement")
    [manager] = told(fired, "rise_mct_service_manager", "escalate_risk_disagreement")
    assert (police.due, manager.due) == (night, START + timedelta(hours=23))


def test_3_10_forms_left_undone_at_closing_go_to_edt_while_the_child_is_missing() -> None:
    """Out of hours, police without the Incident and Location Forms "must contact the
    Emergency Duty Team (EDT) ... to obtain a copy" (3.10). A child of medium risk reported
    at 16:00, whose forms the worker has not picked up by the evening: EDT is told that
    night, not the team manager the next morning."""
    timeline = Timeline()
    timeline.receive(misper(at=WEDNESDAY_1720 - timedelta(hours=1, minutes=20)))  # 16:00
    evening = timeline.advance(WEDNESDAY_1720 + timedelta(hours=3))
    [to_edt] = [
        d
        for d in escalations(evening, "edt")
        if d.details["duty_action"] == "complete_incident_and_location_forms"
    ]
    assert to_edt.paragraph == "3.10"
    assert to_edt.at == WEDNESDAY_1720 + timedelta(hours=2, minutes=40)  # 20:00, its window


def test_3_10_forms_of_a_child_already_found_wait_for_the_day_teams() -> None:
    """3.10's forms are for the police searching for the child: found before the evening,
    the child's forms left undone are the team manager's the next morning, not EDT's."""
    timeline = Timeline()
    timeline.receive(misper(at=WEDNESDAY_1720 - timedelta(hours=1, minutes=20)))
    timeline.receive(found(at=WEDNESDAY_1720))
    evening = timeline.advance(WEDNESDAY_1720 + timedelta(hours=3))
    assert not [
        d
        for d in escalations(evening, "edt")
        if d.details["duty_action"] == "complete_incident_and_location_forms"
    ]


def test_3_10_forms_of_a_child_the_host_says_has_returned_wait_for_the_day_teams() -> None:
    """Our child in care placed in Kent: Kent tells us the child has returned (8.4) before
    the evening, and no found report comes (its force may not be connected). The search is
    over as after a found report: the forms left undone are the team manager's the next
    morning, not EDT's that night (3.10's forms are for the police searching)."""
    timeline = Timeline()
    reported = WEDNESDAY_1720 - timedelta(hours=1, minutes=20)
    timeline.receive(
        misper(at=reported, legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    )
    returned = CrossBorderNotice(
        notice_id="N-1",
        kind=CrossBorderNoticeKind.CHILD_FOUND,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority="kent",
        to_authority=HOME,
        occurred_at=WEDNESDAY_1720,
    )
    timeline.receive(returned)
    evening = timeline.advance(WEDNESDAY_1720 + timedelta(hours=3))
    forms = {"complete_incident_and_location_forms", "share_incident_and_location_forms"}
    assert not [d for d in escalations(evening, "edt") if d.details["duty_action"] in forms]


def test_3_10_a_care_leavers_new_high_grading_unanswered_at_night_goes_to_edt() -> None:
    """A care leaver of 19, with no worker of ours, graded high on a Friday evening: the
    Leaving Care Service is told (7.16; MASH hears of no adult, 1.4) and, its silence out of
    hours, EDT acts for it (3.10), as for MASH, not the Service Manager on Monday."""
    friday_2012 = SATURDAY_0200 - timedelta(hours=5, minutes=48)
    young_person = ChildDetails(name="Young Person", date_of_birth=date(2007, 1, 1), sex=Sex.MALE)
    timeline = Timeline()
    reported = friday_2012 - timedelta(hours=2)
    timeline.receive(
        misper(
            at=reported,
            child=young_person,
            legal_status=LegalStatus.CARE_LEAVER,
            allocated_worker=None,
        )
    )
    timeline.receive(risk_update(RiskLevel.HIGH, friday_2012))
    evening = timeline.advance(friday_2012 + timedelta(hours=1))
    [to_edt] = [d for d in escalations(evening, "edt") if d.details["owed_to"] == "leaving_care"]
    assert to_edt.paragraph == "3.10"
