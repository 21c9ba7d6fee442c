"""A duty no longer needed, or replaced by another, is chased no further, at any level; and
a timer's duties are its own child's, whatever the episode is called."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hub.contracts.events import StrategyMeetingHeld
from hub.contracts.vocabulary import (
    LegalStatus,
    MeetingAttendee,
    RagRating,
    RiskLevel,
)
from hub.routing.facts import ChildState, Decision
from tests.routing.builders import (
    CHILD,
    ESCALATED,
    START,
    Timeline,
    found,
    misper,
    rating,
    risk_update,
    told,
)
from tests.routing.test_duties import HOME, completed

MEETING_ACTIONS = ("'convene_strategy_meeting'", "'attend_strategy_meeting'")


def held(convene: Decision, at: datetime) -> StrategyMeetingHeld:
    return StrategyMeetingHeld(
        episode_id="EP-1",
        child_id=CHILD,
        notification_id=convene.notification_id,
        answered_by=HOME,
        held_at=at,
        attended=(MeetingAttendee.SOCIAL_WORKER, MeetingAttendee.POLICE),
    )


def team_managers_meeting_escalated(decisions: list[Decision]) -> list[Decision]:
    owed = "'convene_strategy_meeting' owed to team_manager"
    return [d for d in decisions if d.action == ESCALATED and owed in d.summary]


def test_7_22_a_found_child_s_meeting_escalation_climbs_no_further() -> None:
    """The 7.17 meeting, unanswered at its deadline, went to the Service Manager; the child
    is then found, so the meeting is no longer needed (7.22) and nobody above is told of it."""
    timeline = Timeline()
    timeline.receive(misper(risk_level=RiskLevel.HIGH))
    timeline.advance(START + timedelta(hours=24, minutes=30))  # escalated at 24 hours
    timeline.receive(found(at=START + timedelta(hours=24, minutes=40)))
    after = timeline.advance(START + timedelta(days=5))
    assert not [
        d for d in after if d.action == ESCALATED and any(a in d.summary for a in MEETING_ACTIONS)
    ]


def test_7_22_two_childrens_24_hour_meetings_never_share_a_notification_id() -> None:
    """Two children whose forces happen to number their episodes alike ("EP-1") are owed
    their own 24-hour strategy meetings: a shared id has the second dropped as a re-send."""
    first, second = Timeline(), Timeline()
    second.state = ChildState("CF-2")
    first.receive(misper())
    second.receive(misper(child_id="CF-2"))
    day = START + timedelta(hours=24)
    ids = [
        {d.notification_id for d in timeline.advance(day) if d.action != ESCALATED}
        for timeline in (first, second)
    ]
    assert ids[0]
    assert not ids[0] & ids[1]


@pytest.mark.parametrize(
    ("graded_high", "held_at"),
    [(30, 40), (60, 62)],  # before 48 hours: a 48-hour meeting; past them: one at once
)
def test_7_22_the_72_hour_meeting_a_high_risk_one_replaced_is_not_escalated(
    graded_high: int, held_at: int
) -> None:
    """High risk after 24 hours brings the first meeting to 48 hours, or to at once past
    them (7.22: "within 72 hours (48 hours if High Risk)"): once that meeting is held, the
    72-hour meeting it replaced is not chased up to the Assistant Director."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.advance(START + timedelta(hours=24))
    raised = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=graded_high)))
    [convene] = told(raised, "team_manager", "convene_strategy_meeting")
    timeline.receive(held(convene, START + timedelta(hours=held_at)))
    assert not team_managers_meeting_escalated(timeline.advance(START + timedelta(days=6)))


def test_6_14_a_risk_assessment_done_on_the_new_rating_leaves_the_old_one_unchased() -> None:
    """MASH re-rates amber to red; the assessment is completed within red's 4 hours: the
    amber deadline it replaced is not escalated up to the Assistant Director."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None))
    timeline.receive(rating(RagRating.AMBER, START + timedelta(hours=1)))
    red = timeline.receive(rating(RagRating.RED, START + timedelta(hours=2)))
    [assessment] = told(red, "mash", "complete_missing_risk_assessment")
    timeline.receive(completed(assessment, START + timedelta(hours=5)))
    after = timeline.advance(START + timedelta(days=3))
    assert not [
        d
        for d in after
        if d.action == ESCALATED and "complete_missing_risk_assessment" in d.summary
    ]


def test_6_8_a_child_found_at_23_hours_but_reported_at_26_is_not_escalated_to_the_ad() -> None:
    """A child in care found at 23 hours, the found report read at 26: the notice decided at
    24 hours (6.8: "missing for more than 24 hours") was about a child already found, so its
    silence is not escalated to the Assistant Director."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    timeline.receive(found(at=START + timedelta(hours=23)), at=START + timedelta(hours=26))
    after = timeline.advance(START + timedelta(days=3))
    assert not [
        d
        for d in after
        if d.action == ESCALATED
        and "notify_assistant_director_child_in_care_missing_over_24_hours" in d.summary
    ]


@pytest.mark.parametrize(
    ("lowered", "raised"),
    [(2, 4), (26, 28), (50, 52)],  # the 7.17 meeting; the 48-hour meeting; that one overdue
)
def test_7_22_graded_high_again_after_being_lowered_owes_no_second_meeting(
    lowered: int, raised: int
) -> None:
    """Reported high risk, a child is owed 7.17's meeting within 24 hours and, at 24 hours,
    7.22's within 48. Police lower the grading and raise it again while that meeting is
    still to be held: it is the meeting owed, not a second one, which once the first was
    held stayed owed and was chased up to the Assistant Director."""
    timeline = Timeline()
    timeline.receive(misper(risk_level=RiskLevel.HIGH))
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=lowered)))
    again = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=raised)))
    assert not told(again, "team_manager", "convene_strategy_meeting")


def test_7_22_graded_high_again_after_the_first_meeting_was_held_owes_no_second() -> None:
    """Graded high after 24 hours missing, the child's first meeting is brought to 48 hours
    (7.22) and held. Police lower the grading and raise it again: the child had its one
    first meeting, "within 72 hours (48 hours if High Risk)"; the ladder's meetings follow
    it. A second was convened by the same name as the one held."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.advance(START + timedelta(hours=30))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.details["meeting"] == "48-hour (brought forward: high risk)"
    timeline.receive(held(meeting, START + timedelta(hours=40)))
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=41)))
    again = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=42)))
    assert not told(again, "team_manager", "convene_strategy_meeting")


def test_3_9_a_found_child_s_host_force_is_not_chased_to_look_for_the_child() -> None:
    """Our child placed in Luton is missing, so Bedfordshire Police are owed the 3.9 notice
    at once; the child is found before they acknowledge it: they are told of the return,
    and nobody chases them to search for a child no longer missing."""
    timeline = Timeline()
    sent = timeline.receive(
        misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="luton")
    )
    assert told(sent, "host_police", "child_missing_in_your_area")
    timeline.receive(found(at=START + timedelta(minutes=20)))
    after = timeline.advance(START + timedelta(days=2))
    assert not [
        d for d in after if d.action == ESCALATED and "child_missing_in_your_area" in d.summary
    ]
