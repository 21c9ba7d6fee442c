"""Events dated ahead of the hub's clock (a typing error: the contracts admit times up to 400
days on). A duty's clock cannot start after the hub learned of it: each deadline counts from
the earlier of the event's own time and when the hub read it. The event keeps its own time
as the fact it records (5.12, 6.7, 6.14, 7.17, 7.18, 7.20, 7.22, 8.4, 8.10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.console.views import still_missing
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
from hub.reports.figures import report
from hub.routing.directory import load_directory
from hub.routing.facts import ChildState, Decision, ProtocolViolation
from hub.store.outcomes import STATE
from hub.store.retention import due_episodes, retire
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
from tests.routing.test_duties import acknowledged, completed

AHEAD = timedelta(days=30)  # a month typed ahead
DIRECTORY = load_directory()
TIMESCALES = DIRECTORY.timescales


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
    [held] = told(timeline.receive(notice, at=read), "mct")
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


def missing_since_ahead(**changes: Any) -> Timeline:
    """The child missing now, its MISPER report's missing_since typed a month ahead."""
    timeline = Timeline()
    timeline.receive(misper(at=START + AHEAD, **changes), at=START)
    return timeline


def test_1_4_a_child_reported_missing_a_month_ahead_is_found_and_owed_the_interview() -> None:
    """missing_since typed a month ahead; the child found two days on, dated rightly. The
    child is missing "until located" (1.4): the found report is recorded, the search stops,
    and the return interview is owed within 72 hours of the return (5.12)."""
    timeline = missing_since_ahead()
    back = START + timedelta(days=2)
    decisions = timeline.receive(found(at=back))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert interview.due == back + timedelta(hours=72)
    assert not told(timeline.advance(START + timedelta(days=7)), "service_manager")


def test_7_17_a_risk_update_after_a_report_dated_ahead_is_acted_on() -> None:
    """Graded high an hour after the hub read a report typed ahead: the meeting is
    convened within 24 hours (7.17), not refused as before the child went missing."""
    timeline = missing_since_ahead()
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=1)))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.due == START + timedelta(hours=24)


def test_7_22_answers_after_a_report_dated_ahead_are_recorded() -> None:
    """The worker picks up and does the duty to inform the Service Manager (7.22), dated
    rightly, after a report typed ahead: both answers are recorded."""
    timeline = Timeline()
    [inform] = told(
        timeline.receive(misper(at=START + AHEAD), at=START),
        "allocated_worker",
        "inform_service_manager",
    )
    timeline.receive(acknowledged(inform, START + timedelta(hours=1)))
    timeline.receive(completed(inform, START + timedelta(hours=2)))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    duty = episode.duty(str(inform.notification_id))
    assert duty is not None
    assert duty.acknowledged_at == START + timedelta(hours=1)
    assert duty.done_at == START + timedelta(hours=2)


def test_7_20_a_meeting_held_after_a_report_dated_ahead_is_recorded() -> None:
    timeline = Timeline()
    report = misper(
        at=START + AHEAD, risk_level=RiskLevel.HIGH, legal_status=LegalStatus.LOOKED_AFTER
    )
    [convene] = told(timeline.receive(report, at=START), "team_manager", "convene_strategy_meeting")
    held_at = START + timedelta(hours=6)
    timeline.receive(_meeting_held(convene, held_at))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    [minutes] = [d for d in episode.duties if d.action == "receive_strategy_meeting_minutes"]
    assert minutes.due == held_at + timedelta(hours=24)


def test_8_4_a_host_return_after_a_report_dated_ahead_owes_the_interview() -> None:
    """Our child placed in Kent, the report typed a month ahead: Kent's notice of the return,
    dated rightly, ends the search and owes the interview from the return (5.12)."""
    timeline = missing_since_ahead(
        legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"
    )
    back = START + timedelta(hours=9)
    decisions = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, back))
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert interview.due == back + timedelta(hours=72)


def test_1_4_an_event_before_the_report_dated_ahead_was_read_is_still_refused() -> None:
    """Before the child went missing by either measure (the start typed, and the hub's
    reading of the report): refused, as any event before the episode."""
    timeline = missing_since_ahead()
    with pytest.raises(ProtocolViolation, match="before the child went missing"):
        timeline.receive(risk_update(RiskLevel.HIGH, START - timedelta(hours=1)), at=START)


def test_issue_14_an_acknowledgement_dated_ahead_leaves_a_missed_deadline_overdue() -> None:
    """The duty to inform the Service Manager within 24 hours (7.22) picked up after an
    hour but typed a month ahead, and never done: once its 24 hours pass it is overdue, as
    any picked up early and left undone, not shown acknowledged on the deadline's far side."""
    timeline = Timeline()
    [inform] = told(timeline.receive(misper()), "allocated_worker", "inform_service_manager")
    read = START + timedelta(hours=1)
    timeline.receive(acknowledged(inform, read + AHEAD), at=read)
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    duty = episode.duty(str(inform.notification_id))
    assert duty is not None
    assert duty.status(START + timedelta(hours=25)) == "overdue"


def test_7_18_a_child_missing_again_after_a_report_dated_ahead_is_searched_for() -> None:
    """The first report typed a month ahead, the child found two days on and missing again
    on day five (dated rightly): the second episode began after the first, as the hub read
    them. Its search runs: the meeting is convened at 24 hours (7.18), not left undone as if
    a later episode had already begun."""
    timeline = missing_since_ahead()
    timeline.receive(found(at=START + timedelta(days=2)))
    again = START + timedelta(days=5)
    timeline.receive(misper("EP-2", at=again))
    day_one = timeline.advance(again + timedelta(hours=24))
    [meeting] = told(day_one, "team_manager", "convene_strategy_meeting")
    assert meeting.episode_id == "EP-2"


def test_7_18_missing_again_read_after_a_return_typed_ahead_is_searched_for() -> None:
    """The found report read on day 1 typed the return two days ahead (day 3); the child is
    missing again on day 2, the report read on day 4. The child came back on day 1 at the
    latest, as the hub heard of it (`clock_back`, as `located` ends searches): the typed
    return is no return from the second absence, and its search runs (7.18, 7.22), the
    meeting convened for it, not left undone as if the child were already back."""
    timeline = missing_at_start()
    read = START + timedelta(days=1)
    timeline.receive(found(at=read + timedelta(days=2)), at=read)
    again, reported = START + timedelta(days=2), START + timedelta(days=4)
    timeline.receive(misper("EP-2", at=again), at=reported)
    day_one = timeline.advance(reported + timedelta(hours=1))
    assert [d.episode_id for d in told(day_one, "team_manager", "convene_strategy_meeting")] == [
        "EP-2"
    ]


def test_1_4_a_second_report_dated_ahead_is_located_with_the_child() -> None:
    """A second force reports the same absence an hour on, its start typed a month ahead.
    Found under the first report, the child is located (1.4: missing "until located"): the
    second report's search stops too, and no meeting is convened for a child found."""
    timeline = missing_at_start()
    timeline.receive(misper("EP-2", at=START + AHEAD), at=START + timedelta(hours=1))
    timeline.receive(found(at=START + timedelta(hours=10)))
    day_one = timeline.advance(START + timedelta(days=7))
    assert not told(day_one, "team_manager", "convene_strategy_meeting")
    assert not told(day_one, "service_manager", "convene_strategy_meeting")


def test_5_12_missing_again_after_a_report_dated_ahead_the_interview_is_the_next_returns() -> None:
    """The first report typed a month ahead; found at 5 hours, missing again at 30, within
    the interview's 72 hours: the child cannot be interviewed while gone, so its lateness is
    not chased, and the next return's interview covers it (5.12)."""
    timeline = missing_since_ahead()
    timeline.receive(found(at=START + timedelta(hours=5)))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=30)))
    timeline.advance(START + timedelta(hours=100))
    assert told(timeline.decisions, "rise_mct_service_manager", "return_interview_overdue") == []
    decisions = timeline.receive(found("EP-2", at=START + timedelta(hours=110)))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert "EP-1" in interview.summary


def test_5_12_missing_again_within_72_hours_of_a_found_report_dated_ahead_stops_the_chase() -> None:
    """The found report typed the found time a month ahead; the interview is owed within 72
    hours of its reading. Ten hours after that the child is missing again: within those 72
    hours, so the interview is not chased while the child is gone (5.12: the next return's
    interview covers it), as for a found report dated right."""
    timeline = missing_at_start()
    read = START + timedelta(days=2)
    timeline.receive(found(at=read + AHEAD), at=read)
    timeline.receive(misper("EP-2", at=read + timedelta(hours=10)))
    fired = timeline.advance(read + timedelta(days=5))
    assert told(fired, "mct", "return_interview_overdue") == []


# A child's episodes counted and ordered by when each began no later than the hub read its
# report (`clock_started`), as `missing_again` and `located` order them: a start typed ahead
# (a year: the wrong year typed) is no later episode (5.16, 7.18, 7.19, 8.12).
YEAR_AHEAD = timedelta(days=365)


def first_dated_a_year_ahead(**changes: Any) -> Timeline:
    """The child's first episode: missing now, missing_since typed a year ahead (the wrong
    year), found three hours on."""
    timeline = Timeline()
    timeline.receive(misper(at=START + YEAR_AHEAD, **changes), at=START)
    timeline.receive(found(at=START + timedelta(hours=3)))
    return timeline


def missing_and_found(
    timeline: Timeline, episode: str, at_: datetime, **changes: Any
) -> list[Decision]:
    decisions = timeline.receive(misper(episode, at=at_, **changes))
    timeline.receive(found(episode, at=at_ + timedelta(hours=3)))
    return decisions


def test_7_18_three_episodes_in_28_days_the_first_dated_a_year_ahead_bring_a_case_review() -> None:
    """Missing on day 0 (typed a year ahead), day 10 and day 20: three episodes in 28 days
    (7.18). The case is reviewed, with a strategy meeting decided on, as for any child."""
    timeline = first_dated_a_year_ahead()
    missing_and_found(timeline, "EP-2", START + timedelta(days=10))
    decisions = missing_and_found(timeline, "EP-3", START + timedelta(days=20))
    [review] = told(decisions, "service_manager", "review_repeat_missing_case")
    assert (review.paragraph, review.details["episodes"]) == ("7.18", 3)


def test_7_19_three_episodes_in_a_week_the_first_dated_a_year_ahead_are_reviewed_at_once() -> None:
    """Missing on day 0 (typed a year ahead), day 2 and day 4: in quick succession, the case
    is reviewed immediately (7.19), not in 7.18's time or not at all."""
    timeline = first_dated_a_year_ahead()
    missing_and_found(timeline, "EP-2", START + timedelta(days=2))
    decisions = missing_and_found(timeline, "EP-3", START + timedelta(days=4))
    [review] = told(decisions, "service_manager", "review_repeat_missing_case")
    assert (review.paragraph, review.due) == ("7.19", review.at)


def test_8_12_three_in_90_days_the_first_dated_a_year_ahead_go_to_the_placing_authority() -> None:
    """A child placed here by Essex, missing at high risk on day 0 (typed a year ahead), day
    30 and day 60: three episodes in 90 days with serious concerns. The placing authority's
    Head of Safeguarding is informed in writing (8.12)."""
    timeline = first_dated_a_year_ahead(risk_level=RiskLevel.HIGH, **PLACED_IN)
    missing_and_found(timeline, "EP-2", START + timedelta(days=30), **PLACED_IN)
    decisions = missing_and_found(
        timeline, "EP-3", START + timedelta(days=60), risk_level=RiskLevel.HIGH, **PLACED_IN
    )
    assert told(decisions, "placing_authority", "head_of_safeguarding_written_notice")


def declined(timeline: Timeline, episode: str, at_: datetime) -> list[Decision]:
    refusal = return_interview(at_, declined=True).model_copy(update={"episode_id": episode})
    return timeline.receive(refusal)


def test_5_16_declining_after_a_refusal_in_an_episode_dated_ahead_continues_to_decline() -> None:
    """The child declined the interview of its first episode (typed a year ahead), and
    declines again after going missing ten days on: it continues to decline (5.16), and a
    MASH referral is considered."""
    timeline = first_dated_a_year_ahead()
    declined(timeline, "EP-1", START + timedelta(hours=8))
    again = START + timedelta(days=10)
    missing_and_found(timeline, "EP-2", again)
    decisions = declined(timeline, "EP-2", again + timedelta(hours=8))
    assert told(decisions, "mct", "consider_mash_referral_after_declines")


def retired_after_half_a_year(timeline: Timeline, episode: str) -> None:
    """Retention retires the episode once its personal data's time is up (180 days after
    the return: hub.store.retention), cancelling its timers still pending."""
    timeline.advance(START + timedelta(days=190))
    timeline.state = retire(timeline.state, [episode])
    timeline.pending = [t for t in timeline.pending if t.episode_id != episode]


def test_7_18_missing_again_after_a_retired_episode_dated_ahead_is_searched_for() -> None:
    """The first episode, typed a year ahead, found and retired half a year on; the child
    is missing again on day 200, before the typed start: no later episode has begun, and
    the search runs with its meetings (7.18, 7.22)."""
    timeline = first_dated_a_year_ahead()
    retired_after_half_a_year(timeline, "EP-1")
    again = START + timedelta(days=200)
    timeline.receive(misper("EP-2", at=again))
    day_one = timeline.advance(again + timedelta(hours=24))
    [meeting] = told(day_one, "team_manager", "convene_strategy_meeting")
    assert meeting.episode_id == "EP-2"


def test_5_16_a_refusal_in_a_retired_episode_dated_a_year_ahead_still_counts() -> None:
    """The first episode, typed a year ahead, declined and retired; the child declines
    again after going missing on day 200: it continues to decline (5.16)."""
    timeline = first_dated_a_year_ahead()
    declined(timeline, "EP-1", START + timedelta(hours=8))
    retired_after_half_a_year(timeline, "EP-1")
    again = START + timedelta(days=200)
    missing_and_found(timeline, "EP-2", again)
    decisions = declined(timeline, "EP-2", again + timedelta(hours=8))
    assert told(decisions, "mct", "consider_mash_referral_after_declines")


def test_a_retired_episode_stored_before_its_reading_was_kept_loads() -> None:
    """A state stored before a retired episode kept when the hub read its report still
    loads (hub.store.retention): its start counts as typed, as it did."""
    timeline = first_dated_a_year_ahead()
    stored = STATE.dump_python(retire(timeline.state, ["EP-1"]), mode="json")
    del stored["retired"][0]["read_at"]
    del stored["retired"][0]["back_read_at"]
    [old] = STATE.validate_python(stored).retired
    assert old.read_at is None
    assert old.clock_started == old.started_at == START + YEAR_AHEAD
    assert old.clock_back == old.found_at  # its return as typed, as it counted


def test_5_12_the_next_returns_interview_covers_one_cut_short_after_an_episode_dated_ahead() -> (
    None
):
    """The first episode typed a year ahead; missing again on day 10, found, and missing
    once more on day 11, within that return interview's 72 hours. The interview owed on the
    last return covers the one the child went missing before giving (5.12)."""
    timeline = first_dated_a_year_ahead()
    missing_and_found(timeline, "EP-2", START + timedelta(days=10))
    again = START + timedelta(days=11)
    timeline.receive(misper("EP-3", at=again))
    decisions = timeline.receive(found("EP-3", at=again + timedelta(hours=3)))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert "EP-2" in interview.summary


# The new episode's own start typed ahead: the child went missing again when the hub read
# its report at the latest (`clock_started`), so within the last return's 72 hours (5.12).


def chased(decisions: list[Decision], episode: str) -> list[Decision]:
    """The chases of an episode's return interview (5.12): to any recipient."""
    return [
        d for d in decisions if d.episode_id == episode and d.action == "return_interview_overdue"
    ]


def test_5_12_missing_again_typed_a_year_ahead_within_72_hours_stops_the_chase() -> None:
    """Found at 5 hours; the child is missing again at 30 hours, within the interview's 72
    hours, the new report's start typed a year ahead. The child is gone: the interview is
    not chased while it is (5.12), and the next return's interview covers it."""
    timeline = missing_at_start()
    timeline.receive(found(at=START + timedelta(hours=5)))
    again = START + timedelta(hours=30)
    timeline.receive(misper("EP-2", at=again + YEAR_AHEAD), at=again)
    timeline.advance(START + timedelta(hours=100))
    assert chased(timeline.decisions, "EP-1") == []
    decisions = timeline.receive(found("EP-2", at=START + timedelta(hours=110)))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert "EP-1" in interview.summary


def test_5_12_found_after_missing_again_typed_a_year_ahead_owes_no_interview_while_gone() -> None:
    """The found report of the first episode (back at 5 hours) is read after the child's
    next report (read at 30 hours, its start typed a year ahead): the child went missing
    again within the interview's 72 hours, and is gone. No interview is owed or chased
    until the next return (5.12)."""
    timeline = missing_at_start()
    again = START + timedelta(hours=30)
    timeline.receive(misper("EP-2", at=again + YEAR_AHEAD), at=again)
    back = START + timedelta(hours=5)
    decisions = timeline.receive(found(at=back), at=again + timedelta(hours=1))
    assert told(decisions, "mct", "conduct_return_interview") == []
    timeline.advance(START + timedelta(hours=100))
    assert chased(timeline.decisions, "EP-1") == []


# Retention (hub.store.retention): an episode's personal data goes 180 days after the child
# came back from it, counted as the engine counts: each episode from when it began no later
# than the hub read its report, each return from when the hub heard of it at the latest.
# Never while the child may still be missing from it (1.4: missing "until located").
KEPT = timedelta(days=180)


def test_retention_a_second_report_typed_ahead_located_with_the_child_goes_in_its_time() -> None:
    """A second force reports the same absence an hour on, its start typed a year ahead;
    the child is found under the first report at 10 hours, and located under both (1.4).
    The second report's personal data goes 180 days after that return, not kept on."""
    timeline = missing_at_start()
    timeline.receive(misper("EP-2", at=START + YEAR_AHEAD), at=START + timedelta(hours=1))
    back = START + timedelta(hours=10)
    timeline.receive(found(at=back))
    assert due_episodes(timeline.state, back + KEPT) == ["EP-1", "EP-2"]


def test_retention_a_found_report_typed_a_year_ahead_goes_180_days_after_its_reading() -> None:
    """The found time typed a year ahead, read two days on: the child has been back since
    then at the latest, and the personal data goes 180 days after, not a year later."""
    timeline = missing_at_start()
    read = START + timedelta(days=2)
    timeline.receive(found(at=read + YEAR_AHEAD), at=read)
    assert due_episodes(timeline.state, read + KEPT) == ["EP-1"]


def test_retention_never_retires_an_episode_missing_after_a_return_typed_ahead() -> None:
    """The first found report typed a year ahead, read on day 2; the child missing again on
    day 10 and never found. The typed return is no return from the second absence: the
    child may still be missing from it, and its data stays, however long (1.4)."""
    timeline = missing_at_start()
    read = START + timedelta(days=2)
    timeline.receive(found(at=read + YEAR_AHEAD), at=read)
    timeline.receive(misper("EP-2", at=START + timedelta(days=10)))
    assert "EP-2" not in due_episodes(timeline.state, read + YEAR_AHEAD + KEPT)
    timeline.state = retire(timeline.state, ["EP-1"])  # and once the first has gone
    assert due_episodes(timeline.state, read + YEAR_AHEAD + KEPT) == []


# What ops see and the reports count: each episode from when it began no later than the hub
# read its report, as the engine counts it; the start as typed is still shown as sent.


def test_still_missing_a_child_reported_a_year_ahead_shows_how_long_it_has_been_missing() -> None:
    """Two children still missing: one reported at the start with its start typed a year
    ahead, one an hour later dated rightly. Five days on, the first is the longer missing:
    listed first, missing for five days, not for no time at the bottom of the list."""
    ahead = Timeline()
    ahead.receive(misper(at=START + YEAR_AHEAD), at=START)
    rightly = Timeline()
    rightly.state = ChildState("CF-9")
    rightly.receive(misper("EP-9", at=START + timedelta(hours=1), child_id="CF-9"))
    now = START + timedelta(days=5)
    listed = still_missing([rightly.state, ahead.state], DIRECTORY, now)
    assert [m.episode_id for m in listed] == ["EP-1", "EP-9"]
    assert listed[0].missing_for == timedelta(days=5)
    assert listed[0].missing_since == START + YEAR_AHEAD  # as the police sent it


def test_still_missing_a_child_missing_again_after_a_report_typed_ahead_is_not_hidden() -> None:
    """The first report's start typed a year ahead, never found; the child missing again on
    day 10 (1.4: missing once at a time). The first is the one the child was reported
    missing again from: the new one is not shown as if overtaken by the first."""
    timeline = Timeline()
    timeline.receive(misper(at=START + YEAR_AHEAD), at=START)
    timeline.receive(misper("EP-2", at=START + timedelta(days=10)))
    listed = still_missing([timeline.state], DIRECTORY, START + timedelta(days=11))
    again = {m.episode_id: m.missing_again_in for m in listed}
    assert again == {"EP-1": "EP-2", "EP-2": None}


def test_reports_count_an_episode_typed_a_year_ahead_in_the_period_it_was_reported() -> None:
    """A report read in November, its start typed a year ahead, and two more episodes in
    the month: three episodes in November, and a child missing three times in 90 days
    (7.18), as the engine counted them (`repeat.episodes_within`)."""
    timeline = first_dated_a_year_ahead()
    missing_and_found(timeline, "EP-2", START + timedelta(days=5))
    missing_and_found(timeline, "EP-3", START + timedelta(days=9))
    month = datetime(2026, 11, 1, tzinfo=UTC)
    end = month + timedelta(days=30)
    figures = report([timeline.state], DIRECTORY, month, end, end)
    assert (figures.episodes, figures.repeat_missing_children) == (3, 1)


# 8.4: a host authority's notice of the return, read before what follows it.
IN_KENT: dict[str, Any] = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "residence_authority": "kent",
}


def test_8_4_a_host_return_read_before_a_report_typed_a_year_ahead_is_this_absences() -> None:
    """Kent says our child placed there has returned; the MISPER report follows an hour
    later, its start typed a year ahead. The typed start cannot place the return before the
    absence: the child is back, the search does not begin (7.22) and the interview is owed
    from the return (5.12)."""
    timeline = Timeline()
    back = START + timedelta(hours=9)
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, back), at=back)
    report = misper(at=back + YEAR_AHEAD, **IN_KENT)
    decisions = timeline.receive(report, at=back + timedelta(hours=1))
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert interview.due == back + timedelta(hours=72)
    assert not told(timeline.advance(back + timedelta(days=7)), "team_manager")


def test_1_4_a_host_return_typed_ahead_ends_no_search_begun_after_it_was_read() -> None:
    """Kent's notice of the return, typed a month ahead, read at 9 hours; the child missing
    again on day 2 under a new report; the first MISPER report read after. The return was
    before the hub read Kent's notice: the child missing again is still searched for (7.22),
    not located under the first report (1.4)."""
    timeline = Timeline()
    read = START + timedelta(hours=9)
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, read + AHEAD), at=read)
    again = START + timedelta(days=2)
    timeline.receive(misper("EP-2", at=again, **IN_KENT))
    timeline.receive(misper(**IN_KENT), at=again + timedelta(hours=2))
    day_one = timeline.advance(again + timedelta(hours=24))
    assert [m.episode_id for m in told(day_one, "team_manager", "convene_strategy_meeting")] == [
        "EP-2"
    ]


def test_1_4_a_found_report_after_a_host_return_typed_ahead_ends_no_later_search() -> None:
    """Kent's notice of the return, typed a month ahead, ended the first search at 9 hours;
    the child missing again on day 2; the police's found report of the first return comes
    after. The child missing again is still searched for (7.22)."""
    timeline = Timeline()
    timeline.receive(misper(**IN_KENT))
    read = START + timedelta(hours=9)
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, read + AHEAD), at=read)
    again = START + timedelta(days=2)
    timeline.receive(misper("EP-2", at=again, **IN_KENT))
    timeline.receive(found(at=read), at=again + timedelta(hours=2))
    day_one = timeline.advance(again + timedelta(hours=24))
    assert [m.episode_id for m in told(day_one, "team_manager", "convene_strategy_meeting")] == [
        "EP-2"
    ]
