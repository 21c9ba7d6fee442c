"""Events dated ahead of the hub's clock (a typing error: the contracts admit times up to 400
days on). A duty's clock cannot start after the hub learned of it: each deadline counts from
the earlier of the event's own time and when the hub read it. The event keeps its own time
as the fact it records (5.12, 6.7, 6.14, 7.17, 7.18, 7.20, 7.22, 8.4, 8.10)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.contracts.events import ReturnInterviewResult, StrategyMeetingHeld
from hub.contracts.vocabulary import (
    CrossBorderNoticeKind,
    Interviewer,
    LegalStatus,
    MeetingAttendee,
    RagRating,
    ReturnInterviewOutcome,
    RiskLevel,
)
from hub.routing.directory import load_directory
from hub.routing.facts import Decision
from tests.routing.builders import (
    CHILD,
    ESCALATED,
    PLACED_IN,
    START,
    Timeline,
    disagreement,
    found,
    misper,
    rating,
    return_interview,
    risk_update,
    told,
)
from tests.routing.test_cross_border_notices import PLACED_AT, host_notice, placement

AHEAD = timedelta(days=30)  # a month typed ahead
TIMESCALES = load_directory().timescales


def missing_at_start() -> Timeline:
    timeline = Timeline()
    timeline.receive(misper())
    return timeline


def test_5_12_a_found_report_dated_a_month_ahead_owes_the_interview_72_hours_from_reading() -> None:
    """The police typed the found time a month ahead. The child is back now: the return
    interview is owed within 72 hours of when the hub read the report, and chased then, not
    a month late. The found time stays as the police recorded it."""
    timeline = missing_at_start()
    read = START + timedelta(days=2)
    decisions = timeline.receive(found(at=read + AHEAD), at=read)
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert interview.due == read + timedelta(hours=72)
    fired = timeline.advance(read + timedelta(hours=72))
    assert told(fired, "mct", "return_interview_overdue")
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert episode.found_at == read + AHEAD


def test_5_12_a_found_report_dated_before_it_was_read_still_counts_from_the_return() -> None:
    """Read late, the interview's 72 hours still run from the return itself."""
    timeline = missing_at_start()
    back = START + timedelta(days=2)
    decisions = timeline.receive(found(at=back), at=back + timedelta(hours=10))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert interview.due == back + timedelta(hours=72)


def test_8_10_a_found_report_dated_ahead_chases_the_placing_authority_a_day_after_reading() -> None:
    """A child placed here by another authority, its found report typed a month ahead: the
    unconfirmed handover is chased 24 hours after the hub read it, and the MCT is told to be
    ready by the interview's own deadline, 72 hours from then."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))  # type: ignore[arg-type]
    read = START + timedelta(days=1)
    timeline.receive(found(at=read + AHEAD), at=read)
    fired = timeline.advance(
        read + timedelta(hours=TIMESCALES.placing_authority_acknowledgement_hours)
    )
    [mct] = told(fired, "mct", "return_interview_handover_unconfirmed")
    assert mct.due == read + timedelta(hours=72)


def test_7_22_a_misper_report_dated_ahead_has_its_service_manager_told_within_24_hours() -> None:
    """missing_since (and the report's own time) typed a month ahead: the child is missing
    now. 7.22: "Within 24 hours the child's social worker should inform the relevant Service
    Manager", from when the hub read the report, at the latest."""
    decisions = Timeline().receive(misper(at=START + AHEAD), at=START)
    [inform] = told(decisions, "allocated_worker", "inform_service_manager")
    assert inform.due == START + timedelta(hours=24)


def test_7_18_a_misper_report_dated_ahead_has_its_strategy_meetings_on_time() -> None:
    """7.18, 7.22: the 24-hour mark, the meeting "within 72 hours", and day 7's, from when
    the hub read the report, not from the month-ahead start."""
    timeline = Timeline()
    timeline.receive(misper(at=START + AHEAD), at=START)
    day_one = timeline.advance(START + timedelta(hours=24))
    [meeting] = told(day_one, "team_manager", "convene_strategy_meeting")
    assert meeting.due == START + timedelta(hours=72)
    week = timeline.advance(START + timedelta(days=7))
    [day_seven] = told(week, "service_manager", "convene_strategy_meeting")
    assert day_seven.details["meeting"] == "day 7"


def test_7_17_a_high_risk_misper_report_dated_ahead_has_its_meeting_within_24_hours() -> None:
    decisions = Timeline().receive(misper(at=START + AHEAD, risk_level=RiskLevel.HIGH), at=START)
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.paragraph == "7.17"
    assert meeting.due == START + timedelta(hours=24)


def test_7_22_raised_to_high_risk_the_meeting_of_a_report_dated_ahead_comes_to_48_hours() -> None:
    """Graded high after the 24-hour mark (the grading typed ahead as well): the meeting is
    brought to 48 hours from when the hub read the report."""
    timeline = Timeline()
    timeline.receive(misper(at=START + AHEAD), at=START)
    timeline.advance(START + timedelta(hours=24))
    read = START + timedelta(hours=30)
    graded = risk_update(RiskLevel.HIGH, START + AHEAD + timedelta(hours=30))
    decisions = timeline.receive(graded, at=read)
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.due == START + timedelta(hours=48)


def test_6_14_a_mash_rating_dated_ahead_has_its_assessment_due_from_reading() -> None:
    """Red: the missing child risk assessment within 4 hours, from when the hub read the
    rating at the latest."""
    timeline = missing_at_start()
    read = START + timedelta(hours=1)
    decisions = timeline.receive(rating(RagRating.RED, read + AHEAD), at=read)
    [assessment] = told(decisions, "allocated_worker", "complete_missing_risk_assessment")
    assert assessment.due == read + timedelta(hours=TIMESCALES.mash_rag_hours.red)


def test_6_7_a_disagreement_dated_ahead_is_escalated_12_hours_after_reading() -> None:
    timeline = missing_at_start()
    read = START + timedelta(hours=1)
    decisions = timeline.receive(disagreement(read + AHEAD), at=read)
    twelve = read + timedelta(hours=TIMESCALES.risk_disagreement_hours)
    assert {d.due for d in told(decisions, "police", "resolve_risk_disagreement")} == {twelve}
    fired = timeline.advance(twelve)
    assert told(fired, "rise_mct_service_manager", "escalate_risk_disagreement")


def _meeting_held(convene: Decision, at_: datetime) -> StrategyMeetingHeld:
    return StrategyMeetingHeld(
        episode_id=convene.episode_id,
        child_id=CHILD,
        notification_id=convene.notification_id,
        answered_by="northamptonshire",
        held_at=at_,
        attended=(MeetingAttendee.SOCIAL_WORKER, MeetingAttendee.POLICE),
    )


def test_7_20_a_meeting_recorded_held_ahead_has_its_minutes_due_24_hours_from_reading() -> None:
    timeline = Timeline()
    report = misper(risk_level=RiskLevel.HIGH, legal_status=LegalStatus.LOOKED_AFTER)
    [convene] = told(timeline.receive(report), "team_manager", "convene_strategy_meeting")
    read = START + timedelta(hours=6)
    timeline.receive(_meeting_held(convene, read + AHEAD), at=read)
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    [minutes] = [d for d in episode.duties if d.action == "receive_strategy_meeting_minutes"]
    assert minutes.due == read + timedelta(hours=24)
    [done] = [d for d in episode.duties if d.notification_id == str(convene.notification_id)]
    assert done.done_at == read + AHEAD  # held when the chair said, as recorded


def test_8_4_a_host_found_notice_dated_ahead_with_no_misper_report_is_due_from_reading() -> None:
    timeline = Timeline()
    read = START + timedelta(hours=9)
    notice = host_notice(CrossBorderNoticeKind.CHILD_FOUND, read + AHEAD)
    [held] = timeline.receive(notice, at=read)
    assert held.due == read + timedelta(hours=72)
    fired = timeline.advance(read + timedelta(days=5))
    assert told(fired, "rise_mct_service_manager", ESCALATED)


def test_8_4_a_host_return_dated_ahead_owes_the_interview_72_hours_from_reading() -> None:
    """Our child placed in Kent: Kent's notice of the return, typed a month ahead, ends the
    search and owes the return interview within 72 hours of when the hub read it (5.12)."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    read = START + timedelta(hours=9)
    notice = host_notice(CrossBorderNoticeKind.CHILD_FOUND, read + AHEAD)
    decisions = timeline.receive(notice, at=read)
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert interview.due == read + timedelta(hours=72)


def test_8_4_a_misper_report_after_a_host_return_dated_ahead_owes_the_interview_from_it() -> None:
    """Kent's notice of the return (typed ahead) came before the MISPER report: the interview
    the report owes runs from when the hub read Kent's notice."""
    timeline = Timeline()
    read = START + timedelta(hours=9)
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, read + AHEAD), at=read)
    report = misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    decisions = timeline.receive(report, at=read + timedelta(hours=1))
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert interview.due == read + timedelta(hours=72)


def test_5_15_a_refusal_recorded_ahead_has_the_trusted_adult_asked_within_hours() -> None:
    """A child with no social worker declines: the MCT asks about a trusted adult within a
    few hours of when the hub read the refusal, at the latest."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.EARLY_HELP))
    timeline.receive(found())
    read = START + timedelta(days=2, hours=3)
    decisions = timeline.receive(return_interview(read + AHEAD, declined=True), at=read)
    [ask] = told(decisions, "mct", "offer_trusted_adult_interview")
    assert ask.due == read + timedelta(hours=TIMESCALES.trusted_adult_interview_hours)


def test_mct_pg_an_interview_handed_to_the_team_after_a_return_dated_ahead_is_due_on_time() -> None:
    """MCT practice guidance: the MCT cannot do it, the allocated team must, "within 72
    hours of the child's return": from when the hub read the found report typed ahead."""
    timeline = missing_at_start()
    read = START + timedelta(days=2)
    timeline.receive(found(at=read + AHEAD), at=read)
    cannot = ReturnInterviewResult(
        episode_id="EP-1",
        child_id=CHILD,
        interviewer=Interviewer.MCT,
        outcome=ReturnInterviewOutcome.CANNOT_COMPLETE,
        recorded_at=read + timedelta(hours=5),
    )
    decisions = timeline.receive(cannot)
    [team] = told(decisions, "team_manager", "complete_return_interview")
    assert team.due == read + timedelta(hours=72)


def test_3_3_a_placement_ahead_has_its_forms_due_before_it_begins() -> None:
    """A placement may be notified before it begins (7.14): its start is no event typed
    ahead, and the forms are due before it, as booked."""
    notice = placement(planned=True)
    assert notice.placed_child is not None
    ahead = notice.placed_child.model_copy(update={"placement_started_at": PLACED_AT + AHEAD})
    decisions = Timeline().receive(notice.model_copy(update={"placed_child": ahead}), at=PLACED_AT)
    [forms] = told(decisions, "mct", "complete_incident_and_location_forms")
    assert forms.due == PLACED_AT + AHEAD
