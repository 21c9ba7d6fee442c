"""Two forces report one absence: the second's report, while the first's is still open (the
child not located), takes the search over (`found.missing_again`). 7.22's timescales run
"from the start of the missing episode", and an absence is one episode however many forces
report it: the second report carries on the first's meetings, counted from when the
absence began; a meeting convened or held under the first is not convened again, one still
owed stays owed, and the chair is told the absence's grading, whichever report made it.
A report of a new absence (the child found, then missing again) starts everything afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from hub.contracts.events import LastSeen, MisperReport
from hub.contracts.vocabulary import LegalStatus, RiskLevel
from hub.reports.figures import Report, report
from hub.routing.engine import decide
from hub.routing.facts import Decision, Duty
from hub.store.retention import due_episodes, retire
from tests.routing.builders import (
    DIRECTORY,
    ESCALATED,
    PLACED_IN,
    START,
    Timeline,
    by_the_rules,
    found,
    misper,
    risk_update,
    told,
)
from tests.routing.test_duties import closed, held
from tests.routing.test_placement_remembered import NAMES_NO_PLACING_AUTHORITY, placement

SECOND_FORCE = "thames-valley-police"


def _second_report(at_hours: float, **changes: Any) -> MisperReport:
    return misper(
        "EP-2", at=START + timedelta(hours=at_hours), reporting_force=SECOND_FORCE, **changes
    )


def _convened(decisions: list[Decision], meeting: str) -> list[Decision]:
    return [
        d
        for d in decisions
        if d.action == "convene_strategy_meeting" and d.details["meeting"] == meeting
    ]


def _owed(timeline: Timeline, episode_id: str) -> dict[str, Duty]:
    """The episode's strategy meetings still owed (convened, not held nor stood down)."""
    episode = timeline.state.episode(episode_id)
    assert episode is not None
    return {
        d.meeting or "": d
        for d in episode.duties
        if d.action == "convene_strategy_meeting" and not d.settled
    }


def test_7_18_the_24_hour_meeting_held_under_the_first_report_is_not_convened_again() -> None:
    """Missing at 10:00 on Wednesday; at 24 hours 7.18's meeting is convened under the first
    force's report and held an hour later. At 30 hours a second force reports the same
    absence: the child has been missing 30 hours, not none, and had that meeting. Its own
    24-hour timer convened it again at 54 hours."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(hours=24))
    [meeting] = _convened(timeline.decisions, "24-hour")
    timeline.receive(held(meeting, START + timedelta(hours=25)))
    decisions = timeline.receive(_second_report(30))
    decisions += timeline.advance(START + timedelta(days=5))
    assert _convened(decisions, "24-hour") == []


def test_7_22_the_first_meeting_owed_under_the_first_report_stays_owed_by_its_date() -> None:
    """As above, the 72-hour meeting (7.22) convened at 24 hours not yet held when the
    second force's report comes at 30: the child has not returned, and it is owed under the
    report now searched, within 72 hours of when the child went missing. It was stood down
    and convened again from the second report's 24 hours, due 102 hours in."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(hours=26))
    decisions = timeline.receive(_second_report(30))
    [carried] = _convened(decisions, "72-hour")  # to its chair, under the report searched
    assert (carried.episode_id, carried.due) == ("EP-2", START + timedelta(hours=72))
    timeline.advance(START + timedelta(days=5))
    assert _owed(timeline, "EP-2")["72-hour"].due == START + timedelta(hours=72)


def test_7_22_day_7_counts_from_when_the_absence_began() -> None:
    """The second force reports the absence 30 hours in: the Service Manager's day-7
    meeting (7.18, 7.22) is on day 7 of the absence, not of the second report."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(30))
    timeline.advance(START + timedelta(days=9))
    [meeting] = told(timeline.decisions, "service_manager", "convene_strategy_meeting")
    assert (meeting.episode_id, meeting.at) == ("EP-2", START + timedelta(days=7))
    assert meeting.details["meeting"] == "day 7"


def test_7_22_reported_after_day_7_the_next_meeting_is_day_10_of_the_absence() -> None:
    """The second force reports the absence on day 8, the day-7 meeting held under the
    first's report: the next is day 10's (the SQAS Service Manager, 7.18), on day 10 of the
    absence; no second day-7 meeting, nor 24-hour and 72-hour ones, a week on."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(days=7))
    for meeting in [d for d in timeline.decisions if d.action == "convene_strategy_meeting"]:
        timeline.receive(held(meeting, START + timedelta(days=7, hours=2)))
    timeline.receive(_second_report(24 * 8))
    later = timeline.advance(START + timedelta(days=16))
    convened = [d for d in later if d.action == "convene_strategy_meeting"]
    assert [(d.recipient, d.details["meeting"], d.at) for d in convened] == [
        ("sqas_service_manager", "day 10", START + timedelta(days=10))
    ]


def test_7_22_the_chair_is_told_high_risk_when_the_first_report_alone_is_graded_high() -> None:
    """Two forces report one absence; the second's report, an hour later, takes the search
    over. The first force grades its report high at 30 hours: the child is at high risk,
    and the day-7 meeting's chair is told so. It was told the second report's grading,
    medium."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(1))
    timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    timeline.advance(START + timedelta(days=8))
    [meeting] = told(timeline.decisions, "service_manager", "convene_strategy_meeting")
    assert meeting.episode_id == "EP-2"
    assert meeting.details["high_risk"] is True


def test_7_22_the_chair_told_high_risk_from_the_first_report_is_told_whose_grading_it_is() -> None:
    """The same absence, graded high by the first force alone: the day-7 meeting's chair
    receives the second report's particulars, graded medium, and `high_risk` true. What it
    receives must not contradict itself: its summary says the absence is graded high under
    another police report, though this one grades it medium (7.22)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(1))
    timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    timeline.advance(START + timedelta(days=8))
    [meeting] = told(timeline.decisions, "service_manager", "convene_strategy_meeting")
    assert meeting.details["high_risk"] is True
    assert "graded high under another police report" in meeting.summary
    assert "this report grades it medium" in meeting.summary


def test_7_22_a_first_meeting_held_under_the_first_report_is_not_convened_again() -> None:
    """Reported missing at high risk: 7.17's meeting is held at 20 hours, and 7.22's first
    (with 7.18's), set at 24 hours within 48, at 30. A second force reports the same
    absence at 32 hours: the child had them, and the next is day 7's. The first was
    convened again under the second report, brought forward to 48 hours."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    [significant_risk] = told(timeline.decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(held(significant_risk, START + timedelta(hours=20)))
    timeline.advance(START + timedelta(hours=24))
    for meeting in [d for d in timeline.decisions if d.action == "convene_strategy_meeting"]:
        if meeting is not significant_risk:
            timeline.receive(held(meeting, START + timedelta(hours=30)))
    decisions = timeline.receive(_second_report(32))
    decisions += timeline.advance(START + timedelta(days=6))
    assert [d for d in decisions if d.action == "convene_strategy_meeting"] == []


def test_7_17_held_under_the_first_report_is_not_owed_again_by_a_second_reported_high() -> None:
    """Reported missing at high risk: 7.17's meeting ("without waiting" for 24 hours) is
    held at 4 hours. At 6 a second force reports the same absence, also at high risk: the
    child had that meeting; 7.22's first follows at 24 hours, as for one report. The second
    report convened 7.17's again."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    [significant_risk] = told(timeline.decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(held(significant_risk, START + timedelta(hours=4)))
    decisions = timeline.receive(_second_report(6, risk_level=RiskLevel.HIGH))
    assert _convened(decisions, "significant-risk") == []
    later = timeline.advance(START + timedelta(hours=25))
    assert [d.details["meeting"] for d in told(later, "team_manager")] == ["48-hour"]


@pytest.mark.parametrize("cse", [False, True], ids=["high", "cse"])
def test_7_22_the_second_report_graded_after_the_first_meeting_was_held_convenes_none(
    cse: bool,
) -> None:
    """Reported missing at high risk: 7.22's first meeting, set at 24 hours within 48, is
    held at 30 (with 7.17's and 7.18's), and the grading lowered at 31. A second force
    reports the same absence at 32 hours, medium, and grades its report high (or marks CSE)
    at 40: the absence had its one first meeting (7.22: "within 72 hours (48 hours if High
    Risk)"), under the first report, as one report graded high again would have; the
    ladder's follow it. The second report's own 24 hours convened it again, and 7.17's."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    timeline.advance(START + timedelta(hours=24))
    for meeting in [d for d in timeline.decisions if d.action == "convene_strategy_meeting"]:
        timeline.receive(held(meeting, START + timedelta(hours=30)))
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=31)))
    timeline.receive(_second_report(32))
    level = RiskLevel.MEDIUM if cse else RiskLevel.HIGH
    update = risk_update(level, START + timedelta(hours=40), cse=cse)
    decisions = timeline.receive(update.model_copy(update={"episode_id": "EP-2"}))
    assert told(decisions, "mct", "risk_level_changed")  # 7.16, told as before
    decisions += timeline.advance(START + timedelta(days=6))
    assert [d for d in decisions if d.action == "convene_strategy_meeting"] == []


def test_7_22_a_grading_lowered_before_the_second_report_came_is_carried_to_it() -> None:
    """Reported missing at high risk: at 24 hours 7.22's first meeting is set within 48.
    The first force lowers the grading to medium at 26 hours; a second force reports the
    absence at 30, medium. As with one report (a grading lowered stands no meeting down),
    the first meeting stays owed by 48 hours of the absence, and the chair of the next is
    told the absence's grading as it now is, medium. The meeting was lost, and a 72-hour
    one convened from the second report's 24 hours."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    timeline.advance(START + timedelta(hours=25))
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=26)))
    timeline.receive(_second_report(30))
    timeline.advance(START + timedelta(days=8))
    owed = _owed(timeline, "EP-2")
    assert owed["48-hour"].due == START + timedelta(hours=48)
    assert "72-hour" not in owed
    [day_7] = told(timeline.decisions, "service_manager", "convene_strategy_meeting")
    assert day_7.details["high_risk"] is False


def test_7_18_the_first_reports_24_hours_past_unfired_fire_late_once_under_the_second() -> None:
    """The scheduler is down from 20 hours; the first report's 24-hour timer has not fired
    when a second force's report of the absence is read at 30 hours. It fires late, as of
    the round that fires it (3.10), once, under the report searched: 7.18's meeting and
    7.22's first, within 72 hours of the absence; 6.8's notice missing over 24 hours owed
    from then."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", legal_status=LegalStatus.LOOKED_AFTER))
    timeline.advance(START + timedelta(hours=20))
    at = START + timedelta(hours=30)
    second = _second_report(30, legal_status=LegalStatus.LOOKED_AFTER)
    # read while the scheduler is down: no timer fires before it is applied
    timeline._apply(decide(timeline.state, second, timeline.directory, at, "evt-x"))
    fired = timeline.advance(START + timedelta(hours=31), late=True)
    [meeting] = _convened(fired, "24-hour")
    [first] = _convened(fired, "72-hour")
    assert (meeting.episode_id, first.due) == ("EP-2", START + timedelta(hours=72))
    notice = "notify_assistant_director_child_in_care_missing_over_24_hours"
    [told_ad] = told(fired, "head_of_safeguarding", notice)
    assert told_ad.owed_from == START + timedelta(hours=24)
    timeline.advance(START + timedelta(days=5))
    assert len(_convened(timeline.decisions, "24-hour")) == 1


def test_7_22_a_new_absence_after_the_child_was_found_starts_its_meetings_afresh() -> None:
    """Found on day 2, missing again on day 5 (reported by another force): a new absence,
    whose meetings run from its own start, 7.18's at 24 hours and day 7 of it."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(days=2)))
    timeline.receive(_second_report(24 * 5))
    again = START + timedelta(days=5)
    timeline.advance(again + timedelta(days=8))
    [meeting] = [d for d in _convened(timeline.decisions, "24-hour") if d.episode_id == "EP-2"]
    assert meeting.at == again + timedelta(hours=24)
    [day_7] = [
        d
        for d in told(timeline.decisions, "service_manager", "convene_strategy_meeting")
        if d.episode_id == "EP-2"
    ]
    assert day_7.at == again + timedelta(days=7)


def test_6_8_a_child_the_first_report_placed_here_the_second_reports_as_ours() -> None:
    """The first force reports a looked-after child placed here by Essex (8.10: no 6.8
    duties of ours); at 30 hours a second force reports the same absence, naming us as the
    child's authority, the child in our care. 6.8's duties are ours now: the three-month
    review is owed three months after the absence began. The second report carried on the
    first's timers alone, and no review was ever set."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **PLACED_IN))  # type: ignore[arg-type]
    timeline.receive(_second_report(30, legal_status=LegalStatus.LOOKED_AFTER))
    timeline.advance(START + relativedelta(months=3, days=1))
    [review] = told(timeline.decisions, "assistant_director", "formal_review_missing_three_months")
    assert (review.episode_id, review.owed_from) == ("EP-2", START + relativedelta(months=3))


def test_6_8_the_24_hour_notice_stands_when_a_second_report_dates_the_absence_the_same() -> None:
    """A child in our care is missing at 10:00; at 24 hours the Head of Safeguarding is to
    notify the Assistant Director (6.8). At 30 hours a second force reports the same
    absence, missing since 10:00: the child has been missing over 24 hours all along, and
    the notice is owed still (under one report or the other). It was stood down as decided
    after the second report's start, of a child thought back, and given by no one."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", legal_status=LegalStatus.LOOKED_AFTER))
    timeline.advance(START + timedelta(hours=25))
    second = _second_report(30, legal_status=LegalStatus.LOOKED_AFTER, missing_since=START)
    timeline.receive(second.model_copy(update={"last_seen": LastSeen(place="Home", at=START)}))
    timeline.advance(START + timedelta(days=3))
    notice = "notify_assistant_director_child_in_care_missing_over_24_hours"
    owed = [
        d
        for e in timeline.state.episodes
        for d in e.duties
        if d.action == notice and d.stood_down_at is None
    ]
    assert len(owed) == 1


def test_6_8_the_24_hour_notice_for_a_child_the_second_report_says_is_in_our_care() -> None:
    """The first force reports a child placed here by Essex (8.10); its 24 hours pass with
    no notice of ours. At 30 hours a second force reports the same absence, the child in
    our care: missing over 24 hours since 10:00 on Thursday, the Head of Safeguarding is
    told to notify the Assistant Director now (6.8). No one was told: the second report
    carried on the first's timers, and its 24 hours had fired."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **PLACED_IN))  # type: ignore[arg-type]
    decisions = timeline.receive(_second_report(30, legal_status=LegalStatus.LOOKED_AFTER))
    notice = "notify_assistant_director_child_in_care_missing_over_24_hours"
    [told_ad] = told(decisions, "head_of_safeguarding", notice)
    assert (told_ad.episode_id, told_ad.owed_from) == ("EP-2", START + timedelta(hours=24))
    later = timeline.advance(START + timedelta(days=5))
    assert told(later, "head_of_safeguarding", notice) == []


def test_7_18_a_found_report_read_late_shows_the_second_report_began_a_new_absence() -> None:
    """Missing at 10:00 on Wednesday; 7.18's meeting is convened at 24 hours and held at 25.
    At 30 hours a second force reports the child missing: the first report is open, and the
    second takes its search over as one absence. At 40 hours the first force's found report
    comes: the child was found at 26 hours, before the second report began. That is a new
    absence, whose meetings run from its own start (7.18: 24 hours missing, at 54 hours;
    7.22: day 7 of it). The second report kept the first absence's: no 24-hour meeting, and
    day 7 counted from the Wednesday."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(hours=24))
    [meeting] = _convened(timeline.decisions, "24-hour")
    timeline.receive(held(meeting, START + timedelta(hours=25)))
    timeline.receive(_second_report(30))
    timeline.receive(found("EP-1", at=START + timedelta(hours=26)), START + timedelta(hours=40))
    later = timeline.advance(START + timedelta(days=9))
    [again] = _convened(later, "24-hour")
    assert (again.episode_id, again.at) == ("EP-2", START + timedelta(hours=54))
    [day_7] = told(later, "service_manager", "convene_strategy_meeting")
    assert day_7.at == START + timedelta(days=7, hours=30)


def test_7_22_found_read_late_the_new_absences_ladder_from_its_start_its_24_hours_once() -> None:
    """As above, the second force's report at 10 hours; the first report's 24 hours fire
    under it at 24, convening 7.18's meeting (early, as the child was thought missing since
    10:00 Wednesday). At 30 hours the found report says the child was found at 5 hours: the
    absence began at 10 hours, and its day-7 meeting is on day 7 of it; 7.18's meeting is not
    convened a second time."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.advance(START + timedelta(hours=25))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30))
    timeline.advance(START + timedelta(days=9))
    assert len(_convened(timeline.decisions, "24-hour")) == 1
    [day_7] = told(timeline.decisions, "service_manager", "convene_strategy_meeting")
    assert day_7.at == START + timedelta(days=7, hours=10)


_DAY_ONE = ("inform_service_manager", "prepare_need_to_know_briefing")


def test_7_22_the_service_manager_and_need_to_know_are_asked_for_once_for_one_absence() -> None:
    """Missing at 10:00 on Wednesday; the first force's report asks the social worker to
    inform the Service Manager within 24 hours and to prepare the Need to Know briefing on
    day one (7.22). At 2 hours a second force reports the same absence: the worker was asked
    already, and those duties stay owed under the first report, followed up there. The
    second report asked the worker for both again, due two hours later."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    decisions = timeline.receive(_second_report(2))
    for action in _DAY_ONE:
        assert told(decisions, "allocated_worker", action) == []
        first = timeline.state.episode("EP-1")
        assert first is not None
        [owed] = [d for d in first.duties if d.action == action]
        assert not owed.settled


def test_7_22_day_one_duties_owed_under_the_first_report_are_still_chased() -> None:
    """As above: the first report's search taken over, its timers stop, but not the
    follow-ups of its duties still owed (docs/answers.md: every duty is followed up and
    escalated when not done). Unanswered at 24 hours, each is escalated once."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(2))
    later = timeline.advance(START + timedelta(days=2))
    escalated = [
        d.details.get("duty_action")
        for d in told(later, "team_manager", ESCALATED) + told(later, "mct", ESCALATED)
        if d.episode_id == "EP-1"
    ]
    for action in _DAY_ONE:
        assert escalated.count(action) == 1


def test_7_22_a_new_absence_shown_by_a_found_report_read_late_owes_its_own_day_one() -> None:
    """Missing at 10:00 on Wednesday; a second force reports the child missing at 10 hours,
    taking the search over as one absence (day one's duties asked for once). At 30 hours the
    first force's found report says the child was found at 5 hours: the second report began
    a new absence, whose Service Manager and Need to Know briefing are owed from its own
    start (7.22), due 24 hours after it."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )
    for action in _DAY_ONE:
        [owed] = told(decisions, "allocated_worker", action)
        assert (owed.episode_id, owed.due) == ("EP-2", START + timedelta(hours=34))


def test_7_22_day_one_asked_under_the_second_report_when_the_first_placed_the_child_here() -> None:
    """A child the first force's report says another authority placed here (7.27: that
    authority's meetings, no 7.22 duties of ours); the second force's report, at 2 hours,
    says the child is in our care: our worker is asked to inform the Service Manager and
    prepare the Need to Know briefing, as no report of the absence asked."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **PLACED_IN))  # type: ignore[arg-type]
    decisions = timeline.receive(_second_report(2, legal_status=LegalStatus.LOOKED_AFTER))
    for action in _DAY_ONE:
        assert len(told(decisions, "allocated_worker", action)) == 1


def test_7_22_the_new_absence_found_before_the_late_found_report_still_owes_its_day_one() -> None:
    """As above, the second force's report at 10 hours; the child is found under it at 13
    hours. At 30 hours the first force's found report says the child was found at 5: the
    second report was a new absence, whose day-one duties no report of it asked for. They
    are owed as for any absence found within its first day (7.22), due 24 hours after it."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(found("EP-2", at=START + timedelta(hours=13)))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )
    for action in _DAY_ONE:
        [owed] = told(decisions, "allocated_worker", action)
        assert (owed.episode_id, owed.due) == ("EP-2", START + timedelta(hours=34))


_FORMS = "complete_incident_and_location_forms"


def test_3_3_the_first_episodes_forms_are_asked_for_once_for_one_absence() -> None:
    """The child's first missing episode: the first force's report asks the social worker to
    complete the Incident and Location Forms (3.3, 3.4). At 2 hours a second force reports
    the same absence: still the child's first episode, the forms asked for already, owed
    under the first report. The second report asked for them again, as a further episode's
    review (3.6)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    decisions = timeline.receive(_second_report(2))
    assert told(decisions, "allocated_worker", _FORMS) == []


def test_7_2_the_mct_is_told_a_second_forces_report_is_of_the_childs_first_episode() -> None:
    """As above: the Missing Children Co-ordinator, told of the second force's report (7.2),
    is told it is of the child's first episode (one absence, however many forces report
    it). It was told the child had been missing before."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    [notified] = told(timeline.receive(_second_report(2)), "mct", "missing_child_notified")
    assert notified.details["first_episode"] is True


def test_3_6_a_second_forces_report_of_a_new_absence_still_asks_for_the_forms_review() -> None:
    """Found on day 2, missing again on day 5, reported by another force: a further episode,
    whose forms the social worker reviews and updates (3.6), as for any new absence."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(days=2)))
    [review] = told(timeline.receive(_second_report(24 * 5)), "allocated_worker", _FORMS)
    assert (review.episode_id, review.paragraph) == ("EP-2", "3.6")


def test_3_6_a_new_absence_shown_by_a_found_report_read_late_owes_its_forms_review() -> None:
    """The first force's report asks the social worker for the forms (3.3); a second force
    reports the child missing at 10 hours, as the same absence (the forms asked for already).
    At 30 hours the first force's found report says the child was found at 5 hours: the
    second report began a new absence, the child's second, whose Part two of the Incident
    Form is reviewed and updated (3.6). No report of it had asked."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )
    [review] = told(decisions, "allocated_worker", _FORMS)
    assert (review.episode_id, review.paragraph) == ("EP-2", "3.6")


def _not_this_childs_placement(timeline: Timeline) -> None:
    """Essex's placement notice for this child id, giving another date of birth (8.9)."""
    timeline.receive(placement(born=date(2011, 1, 1)))


def test_8_9_the_mct_checks_a_disagreeing_placement_notice_once_for_one_absence() -> None:
    """Essex's placement notice for this child id gives another date of birth; the first
    force's report names no placing authority, and the MCT is told to check the notice (8.9).
    At 2 hours a second force reports the same absence, as the first: the same notice, its
    check owed already under the first report. The MCT was told to check it again."""
    timeline = Timeline()
    _not_this_childs_placement(timeline)
    timeline.receive(misper("EP-1", **NAMES_NO_PLACING_AUTHORITY))
    decisions = timeline.receive(_second_report(2, **NAMES_NO_PLACING_AUTHORITY))
    assert told(decisions, "mct", "check_placement_notice") == []


def test_8_9_a_second_forces_report_of_a_new_absence_still_has_the_notice_checked() -> None:
    """As above, but the child was found on day 2 and the second force reports the child
    missing again on day 5: a new absence, whose report the notice is checked against too."""
    timeline = Timeline()
    _not_this_childs_placement(timeline)
    timeline.receive(misper("EP-1", **NAMES_NO_PLACING_AUTHORITY))
    timeline.receive(found("EP-1", at=START + timedelta(days=2)))
    decisions = timeline.receive(_second_report(24 * 5, **NAMES_NO_PLACING_AUTHORITY))
    [check] = told(decisions, "mct", "check_placement_notice")
    assert check.episode_id == "EP-2"


def _november(timeline: Timeline) -> Report:
    month = datetime(2026, 11, 1, tzinfo=UTC)
    end = month + timedelta(days=30)
    return report([timeline.state], DIRECTORY, month, end, end)


def test_section_10_one_absence_reported_by_two_forces_is_one_episode_in_the_report() -> None:
    """The child missing at 10:00; at 30 hours a second force reports the same absence and
    takes over its search (one absence, one set of meetings, 7.22); found on day 3. The
    month's report (section 10) counts one episode of one child, in one week, not two."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(30))
    timeline.receive(found("EP-2", at=START + timedelta(days=3)))
    figures = _november(timeline)
    assert (figures.episodes, figures.children) == (1, 1)
    assert [w.episodes for w in figures.episodes_per_week] == [1]


def test_section_10_one_absence_of_two_forces_stays_one_episode_once_retired() -> None:
    """As above, both reports retired by retention 180 days after the return: the month's
    figures are the same as before (the absence is still one episode)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(30))
    timeline.receive(found("EP-2", at=START + timedelta(days=3)))
    state = timeline.state
    timeline.state = retire(state, due_episodes(state, START + timedelta(days=200)))
    assert timeline.state.episodes == ()
    assert _november(timeline).episodes == 1


def test_section_10_a_second_report_shown_by_a_late_found_report_a_new_absence_counts() -> None:
    """The first force's found report, read late, says the child was found at 5 hours,
    before the second force's report began at 10: two absences, two episodes in the month."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(found("EP-2", at=START + timedelta(hours=13)))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30))
    assert _november(timeline).episodes == 2


# Repeat episodes (7.17, 7.18, 7.19, 7.28, 8.12, 8.13): the windows count absences, as the
# reports do (`ChildState.absence_starts`): one absence reported by two forces is one.

REVIEW = "review_repeat_missing_case"


def _one_absence_two_forces(timeline: Timeline, **changes: Any) -> None:
    """Missing at 10:00 on Wednesday; at 30 hours a second force reports the same absence
    and takes its search over; the child is found under it on day 3."""
    timeline.receive(misper("EP-1", **changes))
    timeline.receive(_second_report(30, **changes))
    timeline.receive(found("EP-2", at=START + timedelta(days=3)))


def _acted(decisions: list[Decision], action: str) -> list[Decision]:
    return [d for d in by_the_rules(decisions) if d.action == action]


def test_7_18_one_absence_of_two_forces_and_one_more_are_not_three_episodes() -> None:
    """One absence reported by two forces, found on day 3; missing again on day 5: two
    episodes, not "3 in 28 days" (7.18), nor in quick succession (7.19). No case review is
    owed, nor the monthly forum (7.28). The two reports counted as two episodes, and the
    review was asked for at once."""
    timeline = Timeline()
    _one_absence_two_forces(timeline)
    decisions = timeline.receive(misper("EP-3", at=START + timedelta(days=5)))
    assert _acted(decisions, REVIEW) == []
    assert _acted(decisions, "add_to_cse_and_missing_forum") == []


def test_8_12_one_absence_of_two_forces_and_one_more_are_not_three_in_90_days() -> None:
    """A child placed here by Essex, graded high (a serious concern, 8.12): one absence
    reported by two forces, and another on day 20. Two episodes in 90 days: Essex's Head of
    Safeguarding is not written to, nor a strategy discussion chaired. Both were."""
    timeline = Timeline()
    _one_absence_two_forces(timeline, risk_level=RiskLevel.HIGH, **PLACED_IN)
    third = misper("EP-3", at=START + timedelta(days=20), risk_level=RiskLevel.HIGH, **PLACED_IN)
    decisions = timeline.receive(third)
    assert _acted(decisions, "notify_placing_head_of_safeguarding") == []
    assert _acted(decisions, "head_of_safeguarding_written_notice") == []
    assert _acted(decisions, "chair_strategy_discussion") == []


def test_7_18_one_absence_of_two_forces_and_two_more_are_three_episodes() -> None:
    """As above, and missing again on days 5 and 9: three absences in 28 days, the case
    review owed when the third began (7.18), in quick succession of the first (7.19)."""
    timeline = Timeline()
    _one_absence_two_forces(timeline)
    timeline.receive(misper("EP-3", at=START + timedelta(days=5)))
    timeline.receive(found("EP-3", at=START + timedelta(days=5, hours=3)))
    decisions = timeline.receive(misper("EP-4", at=START + timedelta(days=9)))
    [review] = told(decisions, "allocated_worker", REVIEW)
    assert (review.details["episodes"], review.details["window_days"]) == (3, 28)
    assert review.details["quick_succession"] is False


def test_7_18_a_second_forces_report_of_the_third_absence_asks_no_second_review() -> None:
    """Missing on days 0 and 10, found each time; missing again on day 20, the case review
    owed (3 in 28 days, 7.18) and the forum told (7.28). Two hours later a second force
    reports the same absence: no further episode, no second review nor forum. Both were
    asked again, for "4 missing episodes"."""
    timeline = Timeline()
    timeline.repeatedly_missing(2, every=timedelta(days=10))
    third = START + timedelta(days=20)
    timeline.receive(misper("EP-3", at=third))
    decisions = timeline.receive(
        misper("EP-4", at=third + timedelta(hours=2), reporting_force=SECOND_FORCE)
    )
    assert _acted(decisions, REVIEW) == []
    assert _acted(decisions, "add_to_cse_and_missing_forum") == []
    assert len(told(timeline.decisions, "allocated_worker", REVIEW)) == 1


def test_8_13_a_second_forces_report_of_the_fourth_absence_drafts_no_second_dcs_letter() -> None:
    """A child placed here by Essex, graded high: three absences in 30 days, Essex told in
    writing (8.12); a fourth on day 45 "despite the above noted intervention" brings the DCS
    letter (8.13). A second force's report of that absence two hours later is no fifth
    episode: no second letter. One was drafted for each report."""
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=15), risk_level=RiskLevel.HIGH, **PLACED_IN)
    fourth = START + timedelta(days=45)
    timeline.receive(misper("EP-3", at=fourth, risk_level=RiskLevel.HIGH, **PLACED_IN))
    again = misper(
        "EP-4",
        at=fourth + timedelta(hours=2),
        risk_level=RiskLevel.HIGH,
        reporting_force=SECOND_FORCE,
        **PLACED_IN,
    )
    timeline.receive(again)
    letters = told(timeline.decisions, "rise_mct_strategic_manager", "draft_dcs_escalation_letter")
    assert [d.episode_id for d in letters] == ["EP-3"]


def test_7_18_a_found_report_read_late_making_the_second_report_a_third_absence() -> None:
    """The second force reports the child missing at 10 hours, taking the search over as
    one absence; found under it at 13 hours. Missing again on day 5: two absences, no
    review. On day 6 the first force's found report says the child was found at 5 hours:
    the second report began an absence of its own, the third in 28 days, and the case
    review is owed now (7.18), once."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(found("EP-2", at=START + timedelta(hours=13)))
    decisions = timeline.receive(misper("EP-3", at=START + timedelta(days=5)))
    assert _acted(decisions, REVIEW) == []
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(days=6)
    )
    [review] = told(decisions, "allocated_worker", REVIEW)
    assert review.details["episodes"] == 3
    assert len(told(timeline.decisions, "allocated_worker", REVIEW)) == 1


def test_section_10_one_absence_of_two_forces_and_one_more_is_no_repeat_in_the_report() -> None:
    """One absence reported by two forces and another on day 5, both in November: two
    episodes, and no child missing 3 times in 90 days (7.18), as the engine counts them.
    The report counted the child as a repeat."""
    timeline = Timeline()
    _one_absence_two_forces(timeline)
    timeline.receive(misper("EP-3", at=START + timedelta(days=5)))
    figures = _november(timeline)
    assert (figures.episodes, figures.repeat_missing_children) == (2, 0)


def test_section_10_an_episode_exactly_90_days_before_counts_as_the_engine_counts_it() -> None:
    """Missing 90 days before a November absence to the minute, and 45 days before it: "3
    times in a 90 day period" (7.17, 8.12), the case review owed (7.18). The month's report
    counts the child as a repeat, as the engine did. It left the first out of its window."""
    timeline = Timeline()
    for n, days in enumerate((-90, -45, 0)):
        timeline.receive(misper(f"EP-{n}", at=START + timedelta(days=days)))
        timeline.receive(found(f"EP-{n}", at=START + timedelta(days=days, hours=3)))
    assert told(timeline.decisions, "allocated_worker", REVIEW)
    assert _november(timeline).repeat_missing_children == 1


# A force does not report one absence twice: the same force's new report, while its earlier
# one is still open (the found report lost or never sent), is the child missing again, a new
# absence with its own clock, day-one duties and first meeting (1.4, 7.18, 7.22).

AGAIN = START + timedelta(days=20)


def test_7_22_the_same_forces_new_report_while_its_first_is_open_owes_day_one_afresh() -> None:
    """Missing at 10:00 on Wednesday, reported by Northamptonshire Police; its found report
    never comes. On day 20 the same force reports the child missing under a new episode:
    the child is missing again, and the worker is asked to inform the Service Manager and
    prepare the Need to Know briefing for this absence, within 24 hours of its start (7.22).
    Taken for the first absence carried on, neither was asked."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    decisions = timeline.receive(
        misper("EP-2", at=AGAIN, reporting_force="Northamptonshire Police")
    )
    for action in _DAY_ONE:
        [owed] = told(decisions, "allocated_worker", action)
        assert (owed.episode_id, owed.due) == ("EP-2", AGAIN + timedelta(hours=24))


def test_7_18_the_same_forces_new_report_convenes_its_own_meetings_from_its_start() -> None:
    """As above: the new absence's 24-hour meeting (7.18) and 72-hour one (7.22) are convened
    24 hours after it began, and its Service Manager's meeting is on its day 7. Carried on,
    its 24-hour timer had fired weeks before, and the next meeting was day 28 of the first."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(AGAIN - timedelta(hours=1))
    timeline.receive(misper("EP-2", at=AGAIN))
    later = timeline.advance(AGAIN + timedelta(days=8))
    [meeting] = _convened(later, "24-hour")
    assert (meeting.episode_id, meeting.at) == ("EP-2", AGAIN + timedelta(hours=24))
    [first] = _convened(later, "72-hour")
    assert (first.episode_id, first.due) == ("EP-2", AGAIN + timedelta(hours=72))
    [day_7] = told(later, "service_manager", "convene_strategy_meeting")
    assert (day_7.episode_id, day_7.at) == ("EP-2", AGAIN + timedelta(days=7))


def test_7_22_the_first_absences_grading_does_not_bring_the_new_absences_meeting_forward() -> None:
    """The first report graded high, never found; the same force reports the child missing
    again on day 20, graded medium: the new absence's first meeting is 7.22's within 72
    hours, its chair told medium risk. Carried on, no first meeting was convened for it."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    timeline.advance(AGAIN - timedelta(hours=1))
    timeline.receive(misper("EP-2", at=AGAIN))
    later = timeline.advance(AGAIN + timedelta(days=2))
    [first] = [
        d for d in later if d.action == "convene_strategy_meeting" and d.recipient == "team_manager"
    ]
    assert (first.episode_id, first.details["meeting"]) == ("EP-2", "72-hour")
    assert first.details["high_risk"] is False


def test_7_22_a_second_forces_carried_absence_reported_again_by_the_first_force_is_new() -> None:
    """The first force reports the child at 10:00; a second force at 2 hours, taking the
    search over as one absence. On day 20 the first force reports the child missing again:
    it had reported that absence, so this is a new one, and day one's duties are asked for
    it (7.22). Carried on from the second force's report, they were not."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(2))
    decisions = timeline.receive(misper("EP-3", at=AGAIN))
    for action in _DAY_ONE:
        [owed] = told(decisions, "allocated_worker", action)
        assert (owed.episode_id, owed.due) == ("EP-3", AGAIN + timedelta(hours=24))


def test_7_18_the_same_forces_new_report_is_an_absence_of_its_own_in_the_repeat_window() -> None:
    """Missing on day 0, its found report never sent; the same force reports the child
    missing again on day 10 (found 3 hours later) and on day 20: three absences in 28 days,
    the case review owed when the third began (7.18), and the forum told (7.28). Counted as
    two (the first two one absence), neither was."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(misper("EP-2", at=START + timedelta(days=10)))
    timeline.receive(found("EP-2", at=START + timedelta(days=10, hours=3)))
    decisions = timeline.receive(misper("EP-3", at=AGAIN))
    [review] = told(decisions, "allocated_worker", REVIEW)
    assert (review.details["episodes"], review.details["window_days"]) == (3, 28)
    assert _acted(decisions, "add_to_cse_and_missing_forum")


@pytest.mark.parametrize(
    ("level", "cse"), [(RiskLevel.HIGH, False), (RiskLevel.MEDIUM, True)], ids=["high", "cse"]
)
def test_7_22_a_grading_of_the_same_forces_first_report_brings_no_meeting_of_the_new_forward(
    level: RiskLevel, cse: bool
) -> None:
    """The same force reports the child missing again on day 20; two hours later the police
    grade the first report high, or mark CSE on it (7.16): the grading is told, but the
    child came back from that absence, and the new absence's first meeting is not brought
    forward by it (7.22). Read as one absence, the new report's was."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(misper("EP-2", at=AGAIN))
    decisions = timeline.receive(risk_update(level, AGAIN + timedelta(hours=2), cse=cse))
    assert told(decisions, "mct", "risk_level_changed")
    assert [d for d in decisions if d.action == "convene_strategy_meeting"] == []


def _first_force_again_then_its_found_read_late(timeline: Timeline) -> list[Decision]:
    """The first force reports the child at 10:00 on day 0; a second force reports the
    child on day 2; on day 5 the first force reports the child missing again, read as a new
    absence (it had reported the absence searched). Two hours later the first force's
    found report of day 1 is read: the child was back before the second force's report, so
    the first force had not reported the absence the second force's report began."""
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(48))
    timeline.receive(misper("EP-3", at=START + timedelta(days=5)))
    late = START + timedelta(days=5, hours=2)
    return timeline.receive(found("EP-1", at=START + timedelta(days=1)), at=late)


def test_7_18_a_found_report_read_late_makes_the_first_forces_report_the_seconds_absence() -> None:
    """As above: the first force's report of day 5 is a second sight of the absence the
    second force reported on day 2, one absence however many forces report it (7.22): two
    absences in 28 days, not three, and no case review (7.18) nor forum referral (7.28).
    Left read as a new absence, the child had three."""
    timeline = Timeline()
    decisions = _first_force_again_then_its_found_read_late(timeline)
    assert len(timeline.state.absence_starts()) == 2
    assert not told(decisions, "allocated_worker", REVIEW)
    assert not _acted(decisions, "add_to_cse_and_missing_forum")


def test_7_18_a_found_report_read_late_asks_no_second_case_review_for_one_absence() -> None:
    """As above, the child missing ten days before too, and found. The first force's report
    of day 5, read as a third absence in 28 days, had the case reviewed (7.18). The found
    report read late shows it a second sight of the absence the second force's report began:
    still the third absence, reviewed once, under the report of day 5. It was reviewed
    again, under the second force's report."""
    timeline = Timeline()
    timeline.receive(misper("EP-0", at=START - timedelta(days=10)))
    timeline.receive(found("EP-0", at=START - timedelta(days=10) + timedelta(hours=3)))
    decisions = _first_force_again_then_its_found_read_late(timeline)
    assert not told(decisions, "allocated_worker", REVIEW)


def test_7_22_a_found_report_read_late_leaves_one_absence_one_service_manager_ask() -> None:
    """As above, the first force's report of day 0 naming no allocated worker (no Service
    Manager to inform); the second force's names the worker, asked to inform the Service
    Manager within 24 hours of the absence it began (7.22). The first force's report of day
    5, read as a new absence, asked the worker again. The found report read late shows it a
    second sight of the second force's absence: the worker is asked once for it, under the
    second force's report, due from the absence's start. Both stayed owed."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", allocated_worker=None))
    timeline.receive(_second_report(48))
    timeline.receive(misper("EP-3", at=START + timedelta(days=5)))
    late = START + timedelta(days=5, hours=2)
    timeline.receive(found("EP-1", at=START + timedelta(days=1)), at=late)
    assert _owing(timeline, "inform_service_manager") == {"EP-2": 1}


def test_7_22_a_found_report_read_late_runs_the_absences_meetings_from_its_start() -> None:
    """As above: the absence began on day 2, so its Service Manager's meeting is on day 9
    of the child's first report, 7 days from that start (7.18, 7.22: "from the start of the
    missing episode"), not 7 days from the first force's report of it on day 5."""
    timeline = Timeline()
    _first_force_again_then_its_found_read_late(timeline)
    later = timeline.advance(START + timedelta(days=14))
    [day_7] = told(later, "service_manager", "convene_strategy_meeting")
    assert day_7.at == START + timedelta(days=9)


# A found report read late after a third report carried the absence on: the second and
# third reports are one new absence (7.22), whose search the third took over.

THIRD_FORCE = "west-midlands-police"
_THIRD = {"a third force": THIRD_FORCE, "the first force again": "northamptonshire-police"}


def _three_reports_then_the_first_found_late(timeline: Timeline, third: str) -> list[Decision]:
    """Missing at 10:00 on Wednesday, reported by the first force; 7.18's and 7.22's first
    meetings are convened at 24 hours and held at 25. The second force reports the child on
    day 2 (carrying the absence on); on day 5 a third force, or the first force again,
    reports the child, taking the second report's search over. Two hours later the first
    force's found report is read: the child was found on day 1, before the second report
    began, so the second and third reports are one new absence, begun on day 2."""
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(hours=24))
    for meeting in [d for d in timeline.decisions if d.action == "convene_strategy_meeting"]:
        timeline.receive(held(meeting, START + timedelta(hours=25)))
    timeline.receive(_second_report(48))
    timeline.receive(misper("EP-3", at=START + timedelta(days=5), reporting_force=third))
    late = START + timedelta(days=5, hours=2)
    return timeline.receive(found("EP-1", at=START + timedelta(days=1)), at=late)


@pytest.mark.parametrize("third", list(_THIRD.values()), ids=list(_THIRD))
def test_7_22_a_found_report_read_late_convenes_the_new_absences_meetings_once(third: str) -> None:
    """As above: the new absence's 24 hours were up on day 3, and its meetings (7.18's and
    7.22's first) are convened once, under the third report that carries its search. They
    were convened under the second report as well, as if it had begun an absence of its own
    beside the third's."""
    timeline = Timeline()
    _three_reports_then_the_first_found_late(timeline, third)
    later = timeline.advance(START + timedelta(days=10))
    for meeting in ("24-hour", "72-hour"):
        assert [d.episode_id for d in _convened(later, meeting)] == ["EP-3"]


@pytest.mark.parametrize("third", list(_THIRD.values()), ids=list(_THIRD))
def test_7_22_a_found_report_read_late_owes_the_new_absences_day_one_once(third: str) -> None:
    """As above: the worker is owed the new absence's Service Manager and Need to Know
    briefing once (7.22), under the third report, which carries its search. They were asked
    again under the second report too."""
    timeline = Timeline()
    _three_reports_then_the_first_found_late(timeline, third)
    for action in _DAY_ONE:
        owed = [
            e.episode_id
            for e in timeline.state.episodes
            if e.episode_id != "EP-1"
            for d in e.duties
            if d.action == action and d.stood_down_at is None
        ]
        assert owed == ["EP-3"]


def test_7_22_a_found_report_read_late_convenes_nothing_for_a_child_found_since() -> None:
    """The first force reports the child at 10:00, the second on day 2 and a third force on
    day 5; the child is found under the third report 6 hours later. Then the first force's
    found report of day 1 is read: the second and third reports were one new absence, which
    ended when the child was found (7.22: "if the child has not returned"). No meeting is
    convened for it. The second report's 24 hours were counted afresh, convening two."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(48))
    timeline.receive(misper("EP-3", at=START + timedelta(days=5), reporting_force=THIRD_FORCE))
    timeline.receive(found("EP-3", at=START + timedelta(days=5, hours=6)))
    timeline.receive(
        found("EP-1", at=START + timedelta(days=1)), START + timedelta(days=5, hours=8)
    )
    later = timeline.advance(START + timedelta(days=10))
    assert [d for d in later if d.action == "convene_strategy_meeting"] == []


def test_7_22_read_after_the_first_forces_own_24_hours_the_meetings_are_not_convened_again() -> (
    None
):
    """As above, the first force reporting again on day 5, read as a new absence with its own
    timers: its 24 hours are up on day 6, convening 7.18's and 7.22's first meetings. On day 7
    the first force's found report of day 1 is read: its report of day 5 carries on the
    absence begun on day 2, whose meetings those were (late); they are not convened again.
    They were, at once, as if that absence's 24 hours had never fired."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(hours=24))
    for meeting in [d for d in timeline.decisions if d.action == "convene_strategy_meeting"]:
        timeline.receive(held(meeting, START + timedelta(hours=25)))
    timeline.receive(_second_report(48))
    timeline.receive(misper("EP-3", at=START + timedelta(days=5)))
    timeline.advance(START + timedelta(days=6, hours=1))
    assert len(_convened(timeline.decisions, "72-hour")) == 2  # the first absence's, and EP-3's
    timeline.receive(found("EP-1", at=START + timedelta(days=1)), START + timedelta(days=7))
    later = timeline.advance(START + timedelta(days=10))
    assert _convened(later, "24-hour") == []
    assert _convened(later, "72-hour") == []


def test_7_18_the_24_hours_fired_under_the_second_report_are_not_fired_again_under_a_third() -> (
    None
):
    """The second force reports the child at 23 hours; the first report's 24 hours fire under
    it at 24, convening 7.18's meeting (early, the absence thought begun at 10:00). A third
    force reports the child on day 2, taking the search over. Then the first force's found
    report says the child was found at 14 hours: the absence began at 23 hours, and its
    24-hour meeting, convened under the second report, is not convened again under the
    third."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(23))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=50), reporting_force=THIRD_FORCE))
    timeline.receive(found("EP-1", at=START + timedelta(hours=14)), START + timedelta(hours=52))
    later = timeline.advance(START + timedelta(days=10))
    assert _convened(later, "24-hour") == []


def test_7_22_the_first_absences_meetings_carried_on_are_not_owed_once_it_is_known_over() -> None:
    """Missing at 10:00 on Wednesday; at 24 hours 7.22's first meeting is convened, due
    within 72 hours, not yet held when a second force reports the child at 30 hours (owed
    under its report). At 40 hours the first force's found report says the child was found
    at 26: that meeting was the first absence's, which ended before the second began (7.22:
    "if the child has not returned"). The second report's absence has one 72-hour meeting
    owed, its own, due 72 hours after it began. The first absence's stayed owed beside it."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(30))
    timeline.receive(found("EP-1", at=START + timedelta(hours=26)), START + timedelta(hours=40))
    timeline.advance(START + timedelta(hours=60))
    second = timeline.state.episode("EP-2")
    assert second is not None
    owed = [
        d.due
        for d in second.duties
        if d.action == "convene_strategy_meeting" and d.meeting == "72-hour" and not d.settled
    ]
    assert owed == [START + timedelta(hours=30 + 72)]


def test_7_22_the_first_absences_brought_forward_meeting_is_not_owed_once_it_is_known_over() -> (
    None
):
    """Missing at 10:00 on Wednesday; graded high at 30 hours, 7.22's first meeting is brought
    forward to 48 hours, not yet held when a second force reports the child at 36 (owed under
    its report, at medium risk). At 40 hours the first force's found report says the child was
    found at 32: that meeting was the first absence's, which ended before the second began
    (7.22: "if the child has not returned"). The second report's absence has its own
    meetings, convened at 24 hours of it: 7.18's, and 7.22's first within 72 hours of its
    start. The brought-forward one stayed owed, due on day 2 of the first absence, and stood
    in for the new absence's first (`first_meeting_brought_forward_before`): none was
    convened."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    timeline.receive(_second_report(36))
    timeline.receive(found("EP-1", at=START + timedelta(hours=32)), START + timedelta(hours=40))
    timeline.advance(START + timedelta(hours=61))
    owed = {name: duty.due for name, duty in _owed(timeline, "EP-2").items()}
    assert owed == {
        "24-hour": START + timedelta(hours=36 + 24),
        "72-hour": START + timedelta(hours=36 + 72),
    }


def _day_7_under_the_second_then_the_first_force_again_and_its_found_read_late(
    timeline: Timeline,
) -> list[Decision]:
    """The first force reports the child at 10:00 on day 0, a second force at 20:00, taking
    the search over; the absence's 24 hours (its 7.18 and 7.22 first meetings) and day 7 fire
    under the second report, counted from 10:00. On day 9 the first force reports the child
    again, read as a new absence (it had reported the absence searched), with its own
    timers. Two hours later the first force's found report is read: the child was found at
    18:00 on day 0, before the second report began, so the first force's report of day 9
    is another sight of the absence the second began (re-timed from 20:00 on day 0)."""
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.advance(START + timedelta(days=8))
    timeline.receive(misper("EP-3", at=START + timedelta(days=9)))
    late = START + timedelta(days=9, hours=2)
    return timeline.receive(found("EP-1", at=START + timedelta(hours=8)), at=late)


def test_7_22_the_absences_day_7_convened_under_the_second_report_is_not_convened_again() -> None:
    """As above: the absence's meetings up to day 7 were convened under the second report,
    early by ten hours (7.22: "from the start of the missing episode"); none is convened
    again, and the next is day 10 of the absence, 10 days from 20:00 on day 0. They were
    all convened again at once, counted afresh from that start."""
    timeline = Timeline()
    decisions = _day_7_under_the_second_then_the_first_force_again_and_its_found_read_late(timeline)
    decisions += timeline.advance(START + timedelta(days=11))
    meetings = [
        (d.details["meeting"], d.at) for d in decisions if d.action == "convene_strategy_meeting"
    ]
    assert meetings == [("day 10", START + timedelta(days=10, hours=10))]


def _graded_high_then_a_second_force(timeline: Timeline, **second: Any) -> None:
    """The first force reports the child missing at 10:00 on Wednesday, graded high: 7.17's
    meeting is owed within 24 hours. A second force reports the child at 10 hours, taking
    the search over as one absence. At 12 hours the first force's found report is read: the
    child was found at 5 hours, before the second report began, which began a new absence
    (its 24 hours not yet up)."""
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    timeline.advance(START + timedelta(hours=2))
    timeline.receive(_second_report(10, **second))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=12))


def test_7_17_the_first_absences_meeting_is_not_owed_for_a_new_absence_not_graded_high() -> None:
    """As above, the second force grading the child medium: 7.17's meeting, carried on for
    the first absence's grading and not held, was that absence's, over before the second
    began (7.22: "if the child has not returned"). The new absence, not graded high, owes
    none; at its 24 hours (34 hours) 7.18's meeting and 7.22's first within 72 hours of its
    start are convened. 7.17's stayed owed, and the first absence's meeting brought forward
    for its grading (48 hours from 10:00 Wednesday) stood in for the new absence's first."""
    timeline = Timeline()
    _graded_high_then_a_second_force(timeline)
    timeline.advance(START + timedelta(hours=35))
    owed = {name: duty.due for name, duty in _owed(timeline, "EP-2").items()}
    assert owed == {
        "24-hour": START + timedelta(hours=10 + 24),
        "72-hour": START + timedelta(hours=10 + 72),
    }


def test_7_17_a_new_absence_graded_high_owes_its_own_meeting_the_first_absences_held() -> None:
    """As above, the first absence's 7.17 meeting held at 3 hours, and the second force
    grading the child high: 7.17's meeting held was the first absence's. The new absence,
    graded high, owes its own, within 24 hours of its start (34 hours). It owed none."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    [meeting] = _convened(timeline.decisions, "significant-risk")
    timeline.receive(held(meeting, START + timedelta(hours=3)))
    timeline.receive(_second_report(10, risk_level=RiskLevel.HIGH))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=12)
    )
    [own] = _convened(decisions, "significant-risk")
    assert (own.episode_id, own.due) == ("EP-2", START + timedelta(hours=34))


def _three_forces_then_two_found_reports_read_late(timeline: Timeline) -> list[Decision]:
    """The first force reports the child missing at 10:00 on Wednesday, a second force at 10
    hours and a third at 20, each taking the search over as one absence. At 30 hours the
    first force's found report is read: found at 5 hours, so the second and third reports
    are of a new absence, begun at 10 (its day one asked under the third, which carries
    it). An hour later the second force's found report is read: found at 15 hours, so the
    third report began a third absence, at 20."""
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=20), reporting_force="kent-police"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30))
    return timeline.receive(
        found("EP-2", at=START + timedelta(hours=15)), START + timedelta(hours=31)
    )


def _owing(timeline: Timeline, action: str) -> dict[str, int]:
    """How many of `action` each report owes or did (not stood down)."""
    return {
        e.episode_id: n
        for e in timeline.state.episodes
        if (n := sum(d.action == action and d.stood_down_at is None for d in e.duties))
    }


def test_7_22_a_second_found_report_read_late_leaves_each_absence_its_day_one() -> None:
    """As above: three absences (0-5, 10-15, from 20), each owing 7.22's day-one duties
    once: the second's, asked under the third report when it carried that absence, are
    owed under the second report, due 24 hours after it began; the third keeps one set.
    The second absence was left with none (read in the other order, it had its own)."""
    timeline = Timeline()
    decisions = _three_forces_then_two_found_reports_read_late(timeline)
    for action in _DAY_ONE:
        assert _owing(timeline, action) == {"EP-1": 1, "EP-2": 1, "EP-3": 1}
        [owed] = told(decisions, "allocated_worker", action)
        assert (owed.episode_id, owed.due) == ("EP-2", START + timedelta(hours=34))


def test_3_6_a_second_found_report_read_late_leaves_each_absence_its_forms() -> None:
    """As above: the second absence's forms review (3.6), asked under the third report when
    it carried that absence, is owed under the second report; the third keeps its own."""
    timeline = Timeline()
    decisions = _three_forces_then_two_found_reports_read_late(timeline)
    assert _owing(timeline, _FORMS) == {"EP-1": 1, "EP-2": 1, "EP-3": 1}
    [review] = told(decisions, "allocated_worker", _FORMS)
    assert (review.episode_id, review.paragraph) == ("EP-2", "3.6")


def test_8_9_a_new_absence_shown_by_a_found_report_read_late_has_the_notice_checked() -> None:
    """Essex's placement notice for this child id gives another date of birth; the first
    force's report names no placing authority, and the MCT checks the notice (8.9). A second
    force's report at 10 hours, of the same absence, asks no second check. At 30 hours the
    first force's found report says the child was found at 5 hours: the second report began
    a new absence, whose report the notice is checked against, as any new absence's. It was
    not."""
    timeline = Timeline()
    _not_this_childs_placement(timeline)
    timeline.receive(misper("EP-1", **NAMES_NO_PLACING_AUTHORITY))
    timeline.receive(_second_report(10, **NAMES_NO_PLACING_AUTHORITY))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )
    [check] = told(decisions, "mct", "check_placement_notice")
    assert check.episode_id == "EP-2"


def test_7_24_a_new_absence_closed_before_the_late_found_report_is_asked_nothing_more() -> None:
    """A second force reports the child missing at 10 hours, taking the search over as one
    absence; its report is closed under 7.24 at 20 hours (every duty owed under it stood
    down). At 30 hours the first force's found report says the child was found at 5 hours:
    the second report began a new absence, closed already. Nothing more is asked under it
    (7.22's day one, 3.6's forms): its closure stood down all it owed. They were asked."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(closed(START + timedelta(hours=20)).model_copy(update={"episode_id": "EP-2"}))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )
    for action in (*_DAY_ONE, _FORMS):
        assert told(decisions, "allocated_worker", action) == []


def test_7_24_a_new_absence_closed_before_the_late_found_report_has_no_case_review() -> None:
    """As above, the child missing ten days before too, and found. The found report read at
    30 hours shows the second report, closed at 20 hours, began the child's third absence in
    28 days: closed already, nothing more is asked under it, its case review (7.18) and the
    forum's referral (7.28) neither. Both were asked under the closed report."""
    timeline = Timeline()
    timeline.receive(misper("EP-0", at=START - timedelta(days=10)))
    timeline.receive(found("EP-0", at=START - timedelta(days=10) + timedelta(hours=3)))
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(closed(START + timedelta(hours=20)).model_copy(update={"episode_id": "EP-2"}))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )
    assert told(decisions, "allocated_worker", REVIEW) == []
    assert _acted(decisions, "add_to_cse_and_missing_forum") == []


def test_7_22_a_second_found_report_read_late_after_the_third_was_closed_owes_day_one() -> None:
    """As above, the third report closed under 7.24 at 25 hours, before either found report
    was read (the absence it carried closed with it: nothing asked under it at 30 hours).
    The second force's found report, read at 31, shows the second absence (10-15) was not
    the one closed: its day-one duties and forms review are owed under the second report."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=20), reporting_force="kent-police"))
    timeline.receive(closed(START + timedelta(hours=25)).model_copy(update={"episode_id": "EP-3"}))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30))
    decisions = timeline.receive(
        found("EP-2", at=START + timedelta(hours=15)), START + timedelta(hours=31)
    )
    for action in (*_DAY_ONE, _FORMS):
        [owed] = told(decisions, "allocated_worker", action)
        assert owed.episode_id == "EP-2"


def _graded_high_by_the_second_report(timeline: Timeline) -> list[Decision]:
    """The first force reports the child missing at 10:00 on Wednesday, graded high (7.17's
    meeting owed within 24 hours); a second force at 10 hours, graded high too, and a third
    at 20, graded medium, each taking the search over as one absence. At 30 hours the first
    force's found report is read: the child was found at 5 hours, so the second and third
    reports are of a new absence, begun at 10, which the second force's report grades high
    (`ChildState.graded_high`)."""
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    timeline.receive(_second_report(10, risk_level=RiskLevel.HIGH))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=20), reporting_force="kent-police"))
    return timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )


def test_7_17_a_new_absence_graded_high_by_an_earlier_report_of_it_keeps_its_meeting() -> None:
    """As above: the new absence is graded high by the second force's report, whose search
    the third report carries: 7.17's meeting carried on under the third report stays owed
    for it, though the third force grades the child medium. It was stood down, the child
    at significant risk left with no meeting."""
    timeline = Timeline()
    _graded_high_by_the_second_report(timeline)
    assert "significant-risk" in _owed(timeline, "EP-3")


def test_7_17_a_new_absence_graded_high_by_an_earlier_report_owes_one_the_first_held() -> None:
    """As above, the first absence's 7.17 meeting held at 2 hours (so none was convened
    for the second report's grading, of what was then one absence): the new absence, graded
    high by the second report, owes its own under the third report, which carries it, within
    24 hours of its start (34 hours). It owed none."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    [meeting] = _convened(timeline.decisions, "significant-risk")
    timeline.receive(held(meeting, START + timedelta(hours=2)))
    timeline.receive(_second_report(10, risk_level=RiskLevel.HIGH))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=20), reporting_force="kent-police"))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=30)
    )
    [own] = _convened(decisions, "significant-risk")
    assert (own.episode_id, own.due) == ("EP-3", START + timedelta(hours=34))


def _first_force_again_then_both_found_reports_read_late_second_first(timeline: Timeline) -> None:
    """The first force reports the child missing at 10:00 on Wednesday, a second force at 10
    hours (one absence), and the first force again at 20 (read as a new absence: it had
    reported the absence searched). At 30 hours the second force's found report is read
    (found at 15), then at 31 the first force's (found at 5): three absences, 0-5, 10-15 and
    from 20, the child back from the second before the first force's report of 20."""
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(10))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=20)))
    timeline.receive(found("EP-2", at=START + timedelta(hours=15)), START + timedelta(hours=30))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), START + timedelta(hours=31))


def test_7_22_the_second_forces_found_report_read_first_leaves_its_absence_its_day_one() -> None:
    """As above: the second absence owes 7.22's day-one duties and the forms review (3.6),
    as when the found reports are read in the other order. It had none: the report of 20,
    begun after the child was back from the second absence, was read as carrying it, its
    own day one standing in."""
    timeline = Timeline()
    _first_force_again_then_both_found_reports_read_late_second_first(timeline)
    for action in (*_DAY_ONE, _FORMS):
        assert _owing(timeline, action) == {"EP-1": 1, "EP-2": 1, "EP-3": 1}


def test_7_18_the_second_forces_found_report_read_first_leaves_the_third_its_own_start() -> None:
    """As above: the report of 20 began an absence of its own, whose 24 hours (7.18) run from
    its start, to 44 hours. They were re-timed from the second absence's start, to 34."""
    timeline = Timeline()
    _first_force_again_then_both_found_reports_read_late_second_first(timeline)
    later = timeline.advance(START + timedelta(hours=50))
    assert [d.at for d in _convened(later, "24-hour")] == [START + timedelta(hours=44)]


def test_7_18_the_first_force_again_keeps_its_24_hours_when_both_found_reports_come_late() -> None:
    """The first force reports the child missing at 10:00 on Wednesday, a second force at 3
    hours (one absence: its 24 hours, from 10:00, convene the meetings at 24), and the first
    force again at 24.5 hours (read as a new absence: it had reported the absence searched).
    At 25 hours the first force's found report is read (found at 1 hour: the report of 24.5
    read then as the second's absence, whose meetings were convened at 24); at 26 the second
    force's (found at 4): the report of 24.5 began a third absence, whose 24 hours (7.18,
    7.22) run from its start, to 48.5 hours. It had none: no 24-hour meeting, nor 7.22's
    first, for a child missing since."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(3))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=24.5)))
    timeline.receive(found("EP-1", at=START + timedelta(hours=1)), START + timedelta(hours=25))
    timeline.receive(found("EP-2", at=START + timedelta(hours=4)), START + timedelta(hours=26))
    later = timeline.advance(START + timedelta(hours=50))
    [meeting] = _convened(later, "24-hour")
    assert (meeting.episode_id, meeting.at) == ("EP-3", START + timedelta(hours=48.5))


def _three_forces_then_both_found_reports_read_late(timeline: Timeline) -> None:
    """The first force reports the child missing at 10:00 on Wednesday, a second force at 30
    hours (carrying the absence on) and a third at 200. At 220 hours the first force's found
    report is read (found at 3 hours): the second report began a new absence, the third its
    carrier, its 24 hours re-timed from 30 (fired at once: long past). At 221 the second
    force's (found at 116): the third began an absence of its own, its 24 hours re-timed
    again, from 200, to 224."""
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(30))
    third = START + timedelta(hours=200)
    timeline.receive(misper("EP-3", at=third, reporting_force="west-midlands-police"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=3)), START + timedelta(hours=220))
    timeline.receive(found("EP-2", at=START + timedelta(hours=116)), START + timedelta(hours=221))


def test_7_18_the_24_hours_re_timed_twice_convene_a_meeting_owed_and_followed_up() -> None:
    """As above: at 224 hours the third absence's 24 hours convene 7.18's meeting and 7.22's
    first, owed by the third report and followed up (7.22, escalated if not held). The re-
    timed 24 hours had the id of those fired at once at 220 (their meetings since stood
    down), so their meetings had those ones' ids: not owed (the duties had them already,
    stood down), nor sent (the routing log had them: logged and sent once)."""
    timeline = Timeline()
    _three_forces_then_both_found_reports_read_late(timeline)
    later = timeline.advance(START + timedelta(hours=230))
    [meeting] = _convened(later, "24-hour")
    assert (meeting.episode_id, meeting.at) == ("EP-3", START + timedelta(hours=224))
    owed = _owed(timeline, "EP-3")
    assert owed["24-hour"].notification_id == meeting.notification_key
    assert "72-hour" in owed or "48-hour" in owed


def test_7_18_no_notification_of_a_twice_re_timed_absence_repeats_an_earlier_id() -> None:
    """As above: every notification decided has an id of its own (the routing log keeps,
    and the outbox sends, a notification id once: a repeated one is never sent)."""
    timeline = Timeline()
    _three_forces_then_both_found_reports_read_late(timeline)
    timeline.advance(START + timedelta(hours=230))
    keys = [d.notification_key for d in timeline.decisions]
    assert len(keys) == len(set(keys))


def _found_on_day_1_read_late(
    second_on_day: int, read_on_day: float, began: datetime = START
) -> Timeline:
    """The first force's report of 10:00 Wednesday (or `began`); a second force's on day
    `second_on_day`, carrying the absence on; the first force's found report, the child
    found on day 1, read on day `read_on_day`: the second report began a new absence."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", at=began))
    second = began + timedelta(days=second_on_day)
    timeline.receive(misper("EP-2", at=second, reporting_force=SECOND_FORCE))
    found_on_day_1 = found("EP-1", at=began + timedelta(days=1))
    timeline.receive(found_on_day_1, began + timedelta(days=read_on_day))
    return timeline


def _ladder(decisions: list[Decision]) -> list[tuple[str, object, datetime]]:
    """7.22's ladder meetings convened: who chairs, which, when."""
    return [
        (d.recipient, d.details["meeting"], d.at)
        for d in _acted(decisions, "convene_strategy_meeting")
        if str(d.details["meeting"]).startswith("day ")
    ]


def test_7_22_a_new_absence_shown_late_after_the_first_absences_day_7_has_its_own_ladder() -> None:
    """The first force reports the child missing at 10:00 on Wednesday; its day-7 meeting is
    convened on day 7. On day 8 a second force reports the child, carrying the absence on
    (its next meeting, day 10, counted from the Wednesday). At noon on day 8 the first
    force's found report is read: the child was found on day 1, so the second report began a
    new absence on day 8, none of whose ladder meetings was convened. Its ladder runs from
    its start (7.22: "from the start of the missing episode"): the Service Manager's day 7,
    on day 15, then day 10, on day 18. The first absence's next rung stood instead: a "day
    2" meeting on day 10, then day 24, its day 7 and day 10 never convened."""
    timeline = _found_on_day_1_read_late(second_on_day=8, read_on_day=8.5)
    later = timeline.advance(START + timedelta(days=19))
    ladder = _ladder(later)
    assert ladder == [
        ("service_manager", "day 7", START + timedelta(days=15)),
        ("sqas_service_manager", "day 10", START + timedelta(days=18)),
    ]


def test_7_22_the_first_absences_day_7_carried_on_is_not_owed_once_it_is_known_over() -> None:
    """As above: the first absence's day-7 meeting, not yet held, was owed under the second
    report, carried on with its search. The child had returned from that absence: it is no
    longer needed (7.22: "if the child has not returned"); the new absence's own day 7 is."""
    timeline = _found_on_day_1_read_late(second_on_day=8, read_on_day=8.5)
    assert "day 7" not in _owed(timeline, "EP-2")
    timeline.advance(START + timedelta(days=15))
    assert _owed(timeline, "EP-2")["day 7"].due == START + timedelta(days=15)


def test_7_22_a_new_absence_shown_on_its_day_12_convenes_its_last_rung_due_at_once() -> None:
    """The first force's report of 10:00 Wednesday has its ladder on days 7, 10 and 24; a
    second force reports the child on day 25, carrying the absence on (its next meeting day
    38 of the Wednesday). On day 37 the first force's found report is read: the child was
    found on day 1, the second report began a new absence on day 25, now on its day 12, and
    none of its ladder's meetings was convened. Its day-10 meeting is convened at once
    (SQAS's: 7.22), once, not day 7's too; the next is on day 24 of it, day 49."""
    timeline = _found_on_day_1_read_late(second_on_day=25, read_on_day=37)
    later = timeline.advance(START + timedelta(days=50))
    ladder = _ladder(later)
    assert [(who, meeting) for who, meeting, _at in ladder] == [
        ("sqas_service_manager", "day 10"),  # fallen due on day 35: at once
        ("sqas_service_manager", "day 24"),
    ]
    assert ladder[1][2] == START + timedelta(days=49)


END_OF_JANUARY = datetime(2027, 1, 31, 10, 0, tzinfo=UTC)


def test_7_22_a_new_absence_shown_late_keeps_the_ladder_whose_rung_fell_due_in_it() -> None:
    """The first force reports the child missing at 10:00 on 31 January; a second force on
    day 65, 6 April, carrying the absence on. The day-66 meeting is convened under the
    second report on 7 April, the next rung set for two months on. On day 70 the first
    force's found report is read: the child was found on day 1, and the second report began
    a new absence on 6 April. A rung fell due once it was reported: the ladder stands (7.22),
    its day-66 meeting still owed. Before, the rung fell on 5 June (two months from 31
    January, then 66 days), and the ladder's start was worked back from it: 29 January, day
    66 falling on 5 April, before the second report: the ladder was started afresh, that
    meeting stood down."""
    timeline = _found_on_day_1_read_late(second_on_day=65, read_on_day=70, began=END_OF_JANUARY)
    assert "day 66" in _owed(timeline, "EP-2")


def test_7_22_the_ladder_kept_for_a_new_absence_shown_late_meets_again_two_months_on() -> None:
    """As above: the rung kept falls two months after day 66 counted from 31 January, on 7
    June (day 62 of the new absence begun on 6 April). The child still missing, the next
    meeting is two months on, 7 August (7.22: "bi-monthly"). It fell on 11 October, the next
    rung counted from 6 April (its eighth, day 66 and four months): four months without one."""
    timeline = _found_on_day_1_read_late(second_on_day=65, read_on_day=70, began=END_OF_JANUARY)
    later = timeline.advance(END_OF_JANUARY + timedelta(days=200))
    assert [at for _, _, at in _ladder(later)] == [
        datetime(2027, 6, 7, 10, 0, tzinfo=UTC),  # 11:00 BST, as on 7 April
        datetime(2027, 8, 7, 10, 0, tzinfo=UTC),
    ]


def test_7_22_a_rung_kept_then_shown_to_be_of_another_absence_starts_the_ladder_afresh() -> None:
    """As above; a third force reports the child on day 100, 11 May, carrying the second
    absence on, and with it the rung kept for 7 June, counted from 31 January. On day 110
    the second force's found report is read: the child was found on day 90, and the third
    report began a new absence on 11 May, every rung fallen due before it was reported (the
    last, day 66 from 31 January, on 7 April). Its ladder starts afresh (7.22): day 7 on 18
    May, day 10 on 21 May. Counted from 6 April, the second absence's start, that rung
    seemed to fall on 11 June, after the third report: the old ladder stood instead."""
    timeline = _found_on_day_1_read_late(second_on_day=65, read_on_day=70, began=END_OF_JANUARY)
    third = END_OF_JANUARY + timedelta(days=100)
    timeline.receive(misper("EP-3", at=third, reporting_force="west-midlands-police"))
    timeline.receive(found("EP-2", at=third - timedelta(days=10)), third + timedelta(days=10))
    assert _ladder(timeline.advance(third + timedelta(days=23))) == [
        ("service_manager", "day 7", third + timedelta(days=7)),
        ("sqas_service_manager", "day 10", third + timedelta(days=10)),
    ]


def test_7_22_a_new_absence_shown_late_keeps_the_next_meeting_date_its_day_66_set() -> None:
    """The first force's report of 10:00 Wednesday; a second force's on day 65, carrying the
    absence on. The day-66 meeting, convened under the second report, is held on day 67 and
    sets the next for day 80 (7.22's are maximum timescales). On day 75 the first force's
    found report is read (the child found on day 1): a rung fell due once the new absence
    was reported, and the ladder stands, its next meeting on day 80, day 15 of the new
    absence. Worked back from day 80 as a rung's date, the ladder seemed to have fallen due
    weeks before the second report: it was started afresh, that date dropped."""
    timeline = _day_66_set_day_80_then_found_read_late()
    assert _ladder(timeline.advance(START + timedelta(days=90))) == [
        ("sqas_service_manager", "day 15", START + timedelta(days=80))
    ]


def test_7_22_after_the_kept_meeting_brought_forward_the_ladder_runs_on_from_its_start() -> None:
    """As above: the kept rung, brought forward to day 80 (6 February), is the ladder's
    seventh counted from the Wednesday, 18 November. The child still missing, the next is
    two months on (7.22: "bi-monthly"), 6 April, before its eighth counted from that start
    (23 May), at 10:00 BST as the Wednesday's 10:00. Its date no rung's of any start, the
    ladder was taken for the new absence's: its eighth, 29 July, nearly six months without
    a meeting."""
    timeline = _day_66_set_day_80_then_found_read_late()
    assert [at for _, _, at in _ladder(timeline.advance(START + timedelta(days=200)))][:2] == [
        START + timedelta(days=80),
        datetime(2027, 4, 6, 9, 0, tzinfo=UTC),
    ]


def _day_66_set_day_80_then_found_read_late() -> Timeline:
    """The first force's report of 10:00 Wednesday, a second force's on day 65 carrying the
    absence on; the day-66 meeting held on day 67 sets the next for day 80; on day 75 the
    first force's found report is read: the child was found on day 1."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(24 * 65))
    timeline.advance(START + timedelta(days=66))
    [day_66] = _convened(timeline.decisions, "day 66")
    timeline.receive(
        held(day_66, START + timedelta(days=67), next_meeting_at=START + timedelta(days=80))
    )
    timeline.receive(found("EP-1", at=START + timedelta(days=1)), START + timedelta(days=75))
    return timeline


def test_7_22_a_ladder_run_early_to_before_a_new_absence_starts_afresh_for_it() -> None:
    """The day-10 meeting sets the next for day 14: the ladder runs a fortnight on from it
    (day 28, 42, 56), ten days ahead of its count. A second force's report on day 60 is of a
    new absence, as the first force's found report, read on day 61, shows (found on day 30).
    The ladder's last meeting (day 56) fell before any report of the new absence was read:
    it was the earlier absence's, and the new absence's ladder starts afresh (7.22: day 7
    from its start, day 67), not the old one's next rung two months after day 56 (day 115:
    judged by its count, day 66, the last meeting seemed the new absence's)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(days=10))
    [day_10] = _convened(timeline.decisions, "day 10")
    timeline.receive(
        held(
            day_10, START + timedelta(days=10, hours=1), next_meeting_at=START + timedelta(days=14)
        )
    )
    timeline.receive(_second_report(24 * 60))
    timeline.receive(found("EP-1", at=START + timedelta(days=30)), START + timedelta(days=61))
    assert _ladder(timeline.advance(START + timedelta(days=70)))[:1] == [
        ("service_manager", "day 7", START + timedelta(days=67))
    ]


def _found_by_both_forces(first: str, **changes: Any) -> Timeline:
    """Two forces report one absence, the second's report taking the first's search over
    (7.22), and each sends its found report: `first`'s read first."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **changes))
    timeline.receive(_second_report(1, **changes))
    found_at = START + timedelta(days=1)
    timeline.receive(found(first, at=found_at))
    then = "EP-2" if first == "EP-1" else "EP-1"
    timeline.receive(found(then, at=found_at), at=found_at + timedelta(hours=2))
    return timeline


@pytest.mark.parametrize("first", ["EP-1", "EP-2"])
def test_6_6_rise_hears_once_of_the_return_from_one_absence_two_forces_found(first: str) -> None:
    """RISE, told of the missing child at risk of sexual exploitation (6.6), hears of the
    return once, whichever force's found report is read first: one absence, one return."""
    timeline = _found_by_both_forces(first, cse_risk=True)
    assert len(told(timeline.decisions, "rise", "child_found")) == 1


@pytest.mark.parametrize("first", ["EP-1", "EP-2"])
def test_4_1_leaving_care_hears_once_of_the_return_from_one_absence_two_forces_found(
    first: str,
) -> None:
    """So too the Leaving Care Service, told of the missing care leaver (4.1)."""
    timeline = _found_by_both_forces(first, legal_status=LegalStatus.CARE_LEAVER)
    assert len(told(timeline.decisions, "leaving_care", "child_found")) == 1


def test_6_6_rise_alerted_by_a_report_read_once_missing_again_hears_its_return() -> None:
    """A second force's report of the first absence is read only after the child, found
    under the first's, has gone missing again: the child may be missing when it is read
    (`ChildState.back_from`), and RISE is alerted of it as of any missing child at risk of
    sexual exploitation (6.6), with no "has been found". Its found report then tells RISE
    of the return, as any alert's does: RISE is not left with an absence it never hears end."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", cse_risk=True))
    timeline.receive(found("EP-1", at=START + timedelta(hours=3)))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=10), cse_risk=True))
    read = timeline.receive(_second_report(1, cse_risk=True), at=START + timedelta(hours=12))
    [alert] = told(read, "rise", "missing_child_at_risk_of_cse")
    assert "has been found" not in alert.summary
    back = timeline.receive(
        found("EP-2", at=START + timedelta(hours=3)), at=START + timedelta(hours=13)
    )
    assert len(told(back, "rise", "child_found")) == 1


def test_4_1_leaving_care_told_by_a_report_read_once_missing_again_hears_its_return() -> None:
    """So too the Leaving Care Service (4.1), told the care leaver "is missing" by that report."""
    timeline = Timeline()
    leaver: dict[str, Any] = {"legal_status": LegalStatus.CARE_LEAVER}
    timeline.receive(misper("EP-1", **leaver))
    timeline.receive(found("EP-1", at=START + timedelta(hours=3)))
    timeline.receive(misper("EP-3", at=START + timedelta(hours=10), **leaver))
    read = timeline.receive(_second_report(1, **leaver), at=START + timedelta(hours=12))
    [told_missing] = told(read, "leaving_care", "reassess_care_leaver")
    assert "has returned" not in told_missing.summary
    back = timeline.receive(
        found("EP-2", at=START + timedelta(hours=3)), at=START + timedelta(hours=13)
    )
    assert len(told(back, "leaving_care", "child_found")) == 1


def test_6_6_rise_told_under_the_second_report_alone_hears_the_return_under_the_first() -> None:
    """Only the second force's report of the absence carries the CSE marker, and RISE is
    alerted under it (6.6); the child is found under the first force's report, which has no
    marker, and the second's alert of a missing child stands down. RISE, told of the
    absence, hears of its return (6.6: for its work after the return), though the second
    force never sends its own found report."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(1, cse_risk=True))
    decisions = timeline.receive(found("EP-1", at=START + timedelta(days=1)))
    assert len(told(decisions, "rise", "child_found")) == 1


@pytest.mark.parametrize("first", ["EP-1", "EP-2"])
def test_6_6_rise_told_under_the_second_report_alone_hears_once_of_the_return(first: str) -> None:
    """As above, each force sending its found report: RISE hears of the one return once,
    whichever is read first."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(1, cse_risk=True))
    found_at = START + timedelta(days=1)
    timeline.receive(found(first, at=found_at))
    then = "EP-2" if first == "EP-1" else "EP-1"
    timeline.receive(found(then, at=found_at), at=found_at + timedelta(hours=2))
    assert len(told(timeline.decisions, "rise", "child_found")) == 1


def test_4_1_leaving_care_told_under_the_second_report_alone_hears_the_return() -> None:
    """So too the Leaving Care Service, told of the missing care leaver (4.1) under the
    second force's report alone, when the child is found under the first's."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(_second_report(1, legal_status=LegalStatus.CARE_LEAVER))
    decisions = timeline.receive(found("EP-1", at=START + timedelta(days=1)))
    assert len(told(decisions, "leaving_care", "child_found")) == 1


def test_4_3_the_home_office_told_found_by_a_report_read_once_back_is_not_told_again() -> None:
    """The first force's report says nothing of asylum; the child is found under it. The
    second force's report of the same absence, read after the return, says the child is an
    unaccompanied asylum-seeking child: the Home Office is told the child was missing and
    has been found (4.3). The second force's found report tells it nothing again: one
    absence, one return."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=3)))
    timeline.receive(_second_report(1, uasc=True), at=START + timedelta(hours=5))
    decisions = timeline.receive(found("EP-2", at=START + timedelta(hours=3)))
    assert told(decisions, "home_office") == []


@pytest.mark.parametrize("first", ["EP-1", "EP-2"])
def test_4_3_the_home_office_hears_once_of_the_return_from_one_absence_two_forces_found(
    first: str,
) -> None:
    """So too the Home Office, told of the missing asylum-seeking child (4.3): told it is
    found once, whichever force's found report is read first."""
    timeline = _found_by_both_forces(first, uasc=True)
    assert len(told(timeline.decisions, "home_office", "child_found")) == 1
