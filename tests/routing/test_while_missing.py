"""While the child stays missing: timers from the start of the episode (6.7, 6.8, 7.18, 7.22,
7.23), and risk changes (1.4, 6.6, 7.16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta

from hub.contracts.events import StrategyMeetingHeld
from hub.contracts.vocabulary import LegalStatus, MeetingAttendee, RagRating, RiskLevel
from tests.routing.builders import (
    CHILD,
    START,
    Timeline,
    disagreement,
    misper,
    rating,
    risk_update,
    told,
)


def missing_for(days: float, **changes: object) -> Timeline:
    timeline = Timeline()
    timeline.receive(misper(**changes))  # type: ignore[arg-type]
    timeline.advance(START + timedelta(days=days))
    return timeline


def test_7_18_at_24_hours_a_practice_manager_chairs_a_strategy_meeting() -> None:
    assert told(missing_for(1).decisions, "practice_manager", "convene_strategy_meeting")


def test_7_22_the_team_manager_convenes_within_72_hours_of_the_start() -> None:
    [meeting] = told(missing_for(1).decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.due == START + timedelta(hours=72)


def test_7_22_within_48_hours_when_high_risk() -> None:
    timeline = missing_for(1, risk_level=RiskLevel.HIGH)
    meetings = told(timeline.decisions, "team_manager", "convene_strategy_meeting")
    [meeting] = [m for m in meetings if m.details["meeting"] == "48-hour"]
    assert meeting.due == START + timedelta(hours=48)


def test_7_22_an_unallocated_child_has_mash_chair_the_meeting() -> None:
    timeline = missing_for(1, allocated_worker=None)
    assert told(timeline.decisions, "mash", "convene_strategy_meeting")


def test_7_18_day_7_service_manager_and_day_10_sqas_service_manager() -> None:
    timeline = missing_for(10)
    assert told(timeline.decisions, "service_manager", "convene_strategy_meeting")
    assert told(timeline.decisions, "sqas_service_manager", "convene_strategy_meeting")


def test_7_22_fortnightly_for_eight_weeks_then_every_two_months() -> None:
    timeline = missing_for(140)
    days = sorted(
        (d.at - START).days
        for d in told(timeline.decisions, "sqas_service_manager", "convene_strategy_meeting")
    )
    assert days[:5] == [10, 24, 38, 52, 66]
    # "then bi-monthly": two calendar months after the last fortnightly meeting (day 66)
    day_66 = START + timedelta(days=66)
    assert days[5] == (day_66 + relativedelta(months=2) - START).days


def test_6_8_a_looked_after_child_missing_over_24_hours_reaches_the_assistant_director() -> None:
    timeline = missing_for(1.1, legal_status=LegalStatus.LOOKED_AFTER)
    assert told(
        timeline.decisions,
        "head_of_safeguarding",
        "notify_assistant_director_child_in_care_missing_over_24_hours",
    )


def test_6_8_three_months_missing_brings_the_formal_review() -> None:
    assert told(
        missing_for(93).decisions, "assistant_director", "formal_review_missing_three_months"
    )


def test_6_8_an_eighteenth_birthday_while_missing_brings_a_missing_child_meeting() -> None:
    from datetime import date

    from hub.contracts.events import ChildDetails
    from hub.contracts.vocabulary import Sex

    nearly_adult = ChildDetails(name="Nearly Adult", date_of_birth=date(2008, 11, 25), sex=Sex.MALE)
    timeline = missing_for(8, child=nearly_adult)
    [meeting] = told(timeline.decisions, "assistant_director", "hold_missing_child_meeting")
    assert meeting.at.date() == date(2026, 11, 25)


def test_7_23_minutes_of_a_looked_after_childs_meeting_go_to_the_iro() -> None:
    timeline = missing_for(1, legal_status=LegalStatus.LOOKED_AFTER)
    assert told(timeline.decisions, "iro", "receive_strategy_meeting_minutes")


def test_7_16_risk_raised_to_high_after_24_hours_brings_the_meeting_to_48_hours() -> None:
    timeline = missing_for(1.1)
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.due == START + timedelta(hours=48)
    assert told(decisions, "mash", "high_risk_child_missing")[0].paragraph == "1.4 (Definitions)"


def test_6_6_a_new_cse_marker_goes_to_rise() -> None:
    timeline = missing_for(0.1)
    decisions = timeline.receive(
        risk_update(RiskLevel.MEDIUM, START + timedelta(hours=3), cse=True)
    )
    assert told(decisions, "rise")


def test_6_7_a_risk_disagreement_is_resolved_within_12_hours() -> None:
    timeline = missing_for(0.1)
    decisions = timeline.receive(disagreement(START + timedelta(hours=3)))
    [manager] = told(decisions, "team_manager", "resolve_risk_disagreement")
    assert manager.due == START + timedelta(hours=15)


def test_6_7_an_unresolved_disagreement_escalates_after_12_hours() -> None:
    timeline = missing_for(0.1)
    timeline.receive(disagreement(START + timedelta(hours=3)))
    fired = timeline.advance(START + timedelta(hours=16))
    assert told(fired, "rise_mct_service_manager", "escalate_risk_disagreement")


def test_6_7_a_second_disagreement_left_unresolved_escalates_too() -> None:
    timeline = missing_for(0.1)
    timeline.receive(disagreement(START + timedelta(hours=1)))
    first = timeline.advance(START + timedelta(hours=14))
    timeline.receive(disagreement(START + timedelta(hours=20)))
    second = timeline.advance(START + timedelta(hours=33))
    [escalated] = told(first, "rise_mct_service_manager", "escalate_risk_disagreement")
    [again] = told(second, "rise_mct_service_manager", "escalate_risk_disagreement")
    assert again.notification_id != escalated.notification_id  # not taken for a re-send


def test_6_7_a_new_police_grading_settles_the_disagreement() -> None:
    timeline = missing_for(0.1)
    timeline.receive(disagreement(START + timedelta(hours=3)))
    timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=5)))
    assert not told(
        timeline.advance(START + timedelta(hours=16)),
        "rise_mct_service_manager",
        "escalate_risk_disagreement",
    )


def test_6_7_a_grading_other_than_the_one_proposed_leaves_the_disagreement_to_escalate() -> None:
    timeline = missing_for(0.1)
    timeline.receive(disagreement(START + timedelta(hours=3)))  # proposes high
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=5), cse=True))
    assert told(
        timeline.advance(START + timedelta(hours=16)),
        "rise_mct_service_manager",
        "escalate_risk_disagreement",
    )


def test_6_7_settled_by_the_police_grading_the_duties_to_resolve_it_are_done() -> None:
    timeline = missing_for(0.1)
    timeline.receive(disagreement(START + timedelta(hours=3)))
    timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=5)))
    [episode] = timeline.state.episodes
    resolve = [d for d in episode.duties if d.action == "resolve_risk_disagreement"]
    assert [d.status(START + timedelta(hours=20)) for d in resolve] == ["done", "done"]


def test_6_14_a_red_rating_makes_the_risk_assessment_due_in_4_hours() -> None:
    timeline = missing_for(0.1)
    [assessment] = timeline.receive(rating(RagRating.RED, START + timedelta(hours=3)))
    assert assessment.due == START + timedelta(hours=7)


def test_6_14_a_child_with_an_early_help_worker_has_mash_complete_the_risk_assessment() -> None:
    """6.14: "completed by the allocated MASH Decision Maker, if the child has a social
    worker already then this will be completed by their allocated social worker". An Early
    Help worker is not a social worker (7.3: "social worker or Early Help worker"; 5.15 is
    read so): the 4-hour assessment of a red rating went to them, and MASH, which gathers
    its information from partner agencies, was never told it owed it."""
    timeline = missing_for(0.1, legal_status=LegalStatus.EARLY_HELP)
    [assessment] = timeline.receive(rating(RagRating.RED, START + timedelta(hours=3)))
    assert assessment.recipient == "mash"


def test_7_20_for_a_child_placed_out_the_force_searching_where_it_lives_is_invited_too() -> None:
    """7.20: "Strategy Meetings should include ... The Police"; 8.3: the host authority's
    protocol is followed where the child lives, its force searching. The reporting force
    alone (ours, here) left the force looking for the child out of every meeting."""
    timeline = missing_for(1, legal_status=LegalStatus.LOOKED_AFTER, residence_authority="luton")
    host = told(timeline.decisions, "host_police", "attend_strategy_meeting")
    assert {d.authority for d in host} == {"bedfordshire-police"}
    assert len(host) == len(told(timeline.decisions, "police", "attend_strategy_meeting"))


def test_7_20_police_attending_says_nothing_of_the_host_force() -> None:
    """The attendees name "police" once: the host force answers its invitation itself."""
    timeline = missing_for(1, legal_status=LegalStatus.LOOKED_AFTER, residence_authority="luton")
    [convene, *_] = told(timeline.decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(
        StrategyMeetingHeld(
            episode_id="EP-1",
            child_id=CHILD,
            notification_id=convene.notification_id,
            answered_by="northamptonshire",
            held_at=START + timedelta(days=1, hours=1),
            attended=(MeetingAttendee.SOCIAL_WORKER, MeetingAttendee.POLICE),
        )
    )
    [invited] = [
        d
        for d in told(timeline.decisions, "host_police", "attend_strategy_meeting")
        if d.details["meeting"] == convene.details["meeting"]
    ]
    duty = timeline.state.episodes[0].duty(str(invited.notification_id))
    assert duty is not None
    assert duty.done_at is None


def test_7_20_police_and_health_are_invited_to_each_strategy_meeting() -> None:
    timeline = missing_for(1)
    meetings = told(timeline.decisions, "team_manager", "convene_strategy_meeting")
    police = told(timeline.decisions, "police", "attend_strategy_meeting")
    health = told(timeline.decisions, "health", "attend_strategy_meeting")
    assert meetings
    assert len(police) == len(health) == 2  # the 24-hour and the 72-hour meetings
    assert {d.due for d in police} == {START + timedelta(hours=24), meetings[0].due}


# 7.22: "earlier planning and intervention should take place if the risk is deemed high e.g.
# known sexual exploitation or trafficking": a child with a CSE marker (6.6) has the first
# meeting within 48 hours, however the police graded the risk, whenever the marker came.


def meetings_owed(timeline: Timeline) -> list[str]:
    """The team manager's meetings still owed (convened, not held nor stood down)."""
    [episode] = timeline.state.episodes
    return [
        d.meeting or ""
        for d in episode.duties
        if d.action == "convene_strategy_meeting"
        and d.recipient == "team_manager"
        and not d.settled
    ]


def test_7_22_a_child_with_a_cse_marker_has_the_meeting_within_48_hours() -> None:
    timeline = missing_for(1, cse_risk=True)
    [meeting] = told(timeline.decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.details["meeting"] == "48-hour"
    assert meeting.due == START + timedelta(hours=48)


def test_7_22_a_cse_marker_after_24_hours_brings_the_72_hour_meeting_to_48() -> None:
    timeline = missing_for(1.1)
    decisions = timeline.receive(
        risk_update(RiskLevel.MEDIUM, START + timedelta(hours=30), cse=True)
    )
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.due == START + timedelta(hours=48)
    assert meetings_owed(timeline) == ["48-hour (brought forward: CSE)"]  # 72 stood down


def test_7_22_a_cse_marker_past_48_hours_brings_a_meeting_at_once() -> None:
    timeline = missing_for(2.5)
    at = START + timedelta(hours=60)
    decisions = timeline.receive(risk_update(RiskLevel.MEDIUM, at, cse=True))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.due == at
    assert told(decisions, "rise", "missing_child_at_risk_of_cse")  # 6.6, as before


def test_7_22_a_meeting_a_cse_marker_brings_forward_says_so_not_high_risk() -> None:
    """The chair of a meeting brought forward for a medium-risk child's CSE marker is told
    why it is sooner (7.22: "known sexual exploitation"), not that the child is graded high:
    its notification says high_risk false, as the police graded."""
    timeline = missing_for(1.1)
    decisions = timeline.receive(
        risk_update(RiskLevel.MEDIUM, START + timedelta(hours=30), cse=True)
    )
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.details == {"meeting": "48-hour (brought forward: CSE)", "high_risk": False}
    assert "high risk" not in meeting.summary


def test_7_22_a_meeting_held_at_once_for_a_cse_marker_says_so_not_high_risk() -> None:
    timeline = missing_for(2.5)
    decisions = timeline.receive(
        risk_update(RiskLevel.MEDIUM, START + timedelta(hours=60), cse=True)
    )
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.details["meeting"] == "day 2 (CSE)"


@pytest.mark.parametrize("hours", [30, 60], ids=["within-48", "past-48"])
def test_7_22_graded_high_after_a_cse_marker_brought_the_meeting_forward_adds_none(
    hours: int,
) -> None:
    """7.22's one first meeting: brought forward for the CSE marker and not yet held, it is
    the high-risk child's too; no second is convened when the police then grade high."""
    timeline = missing_for(hours / 24)
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=hours), cse=True))
    decisions = timeline.receive(
        risk_update(RiskLevel.HIGH, START + timedelta(hours=hours + 1), cse=True)
    )
    assert not told(decisions, "team_manager", "convene_strategy_meeting")
    assert told(decisions, "mash", "high_risk_child_missing")  # 1.4, as before


def test_7_22_a_cse_marker_on_a_child_graded_high_changes_no_meeting() -> None:
    timeline = missing_for(1.1, risk_level=RiskLevel.HIGH)
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30), cse=True))
    assert not told(decisions, "team_manager", "convene_strategy_meeting")


@pytest.mark.parametrize("cse", [False, True], ids=["graded-high", "cse-marker"])
@pytest.mark.parametrize("held", [False, True], ids=["7.17-owed", "7.17-held"])
@pytest.mark.parametrize("hours", [30, 60], ids=["within-48", "past-48"])
def test_7_22_graded_high_before_24_hours_lowered_then_high_again_keeps_the_first_meeting(
    hours: int, held: bool, cse: bool
) -> None:
    """Graded high at 6 hours, a child is owed 7.17's meeting ("considered to be at
    significant risk") within 24 hours; lowered at 12, at 24 hours it is set 7.22's first for
    72. Graded high again (or marked CSE) after 24 hours, that first meeting is brought
    forward (7.22: "After the child has been missing for 24 hours ... within 72 hours (48
    hours if assessed as High Risk)"), as a child graded high throughout has both meetings:
    the 7.17 meeting, held or not, is no 7.22 first meeting. Owed, it had stood for it: the
    72-hour meeting was stood down and none set in its place."""
    timeline = Timeline()
    timeline.receive(misper())
    sent = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=6)))
    [significant] = told(sent, "team_manager", "convene_strategy_meeting")
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=12)))
    if held:
        timeline.receive(
            StrategyMeetingHeld(
                episode_id="EP-1",
                child_id=CHILD,
                notification_id=significant.notification_id,
                answered_by="northamptonshire",
                held_at=START + timedelta(hours=20),
                attended=(MeetingAttendee.SOCIAL_WORKER, MeetingAttendee.POLICE),
            )
        )
    at = START + timedelta(hours=hours)
    timeline.advance(at)
    level = RiskLevel.MEDIUM if cse else RiskLevel.HIGH
    decisions = timeline.receive(risk_update(level, at, cse=cse))
    [first] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert first.due == max(at, START + timedelta(hours=48))
    assert "72-hour" not in meetings_owed(timeline)
    assert first.details["meeting"] in meetings_owed(timeline)
