"""One child, several episodes: a child is missing once at a time (1.4: "missing until
located"). A new episode means the child came back from the one before, reported found or
not; a found report means the child is located, whatever report it names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hub.contracts.events import ReturnInterviewResult
from hub.contracts.vocabulary import (
    Interviewer,
    LegalStatus,
    ReturnInterviewOutcome,
    RiskLevel,
)
from hub.routing.facts import Decision, Episode
from hub.routing.rules.strategy import STRATEGY_MEETING
from tests.routing.builders import (
    CHILD,
    ESCALATED,
    START,
    Timeline,
    found,
    misper,
    return_interview,
    risk_update,
    told,
)
from tests.routing.test_duties import held


def _episode(timeline: Timeline, episode_id: str) -> Episode:
    episode = timeline.state.episode(episode_id)
    assert episode is not None
    return episode


def gone_again_unreported_found(days: int) -> Timeline:
    """Missing at START, never reported found; missing again on day 20, found on day 21."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(misper("EP-2", at=START + timedelta(days=20)))
    timeline.receive(found("EP-2", at=START + timedelta(days=21)))
    timeline.advance(START + timedelta(days=days))
    return timeline


def test_7_22_a_new_episode_ends_the_meetings_of_the_one_the_child_came_back_from() -> None:
    # 7.22: the meetings are held "if the child has not returned"; missing again on day 20,
    # the child had.
    timeline = gone_again_unreported_found(200)
    meetings = [
        d
        for d in told(timeline.decisions, "sqas_service_manager", "convene_strategy_meeting")
        if d.episode_id == "EP-1" and d.at > START + timedelta(days=20)
    ]
    assert meetings == []


def test_7_22_the_earlier_episodes_meeting_not_yet_held_is_stood_down() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(days=11))  # day 10's meeting owed, not yet held
    timeline.receive(misper("EP-2", at=START + timedelta(days=11)))
    meetings = [
        d for d in _episode(timeline, "EP-1").duties if d.action == "convene_strategy_meeting"
    ]
    assert meetings
    assert all(d.stood_down_at is not None for d in meetings)


def test_6_8_no_three_month_review_of_an_episode_the_child_came_back_from() -> None:
    timeline = gone_again_unreported_found(200)
    review = "formal_review_missing_three_months"
    assert told(timeline.decisions, "assistant_director", review) == []


def test_5_12_the_earlier_episodes_found_report_still_brings_its_return_interview() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(misper("EP-2", at=START + timedelta(days=20)))
    decisions = timeline.receive(
        found("EP-1", at=START + timedelta(days=3)), at=START + timedelta(days=20, hours=1)
    )
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert interview.episode_id == "EP-1"


def test_1_4_found_under_one_forces_report_ends_the_search_under_the_others() -> None:
    # Two forces report the same absence under their own ids; the child is located under
    # the first's. Missing "until located": no meeting is held for a child found.
    timeline = Timeline()
    timeline.receive(misper("EP-A"))
    timeline.receive(
        misper("EP-B", at=START + timedelta(hours=1), reporting_force="thames-valley-police")
    )
    found_at = START + timedelta(days=2)
    timeline.receive(found("EP-A", at=found_at))
    timeline.advance(START + timedelta(days=30))
    meetings = [
        d for d in timeline.decisions if d.action == "convene_strategy_meeting" and d.at > found_at
    ]
    assert meetings == []


def test_1_4_a_second_forces_report_read_after_the_first_found_the_child_has_no_meetings() -> None:
    # The same absence, the other way round: the second force's report is read only after
    # the first's found report. It began before the child was located, so the child is not
    # searched for under it either (1.4: missing "until located"; 7.22).
    timeline = Timeline()
    timeline.receive(misper("EP-A"))
    found_at = START + timedelta(days=2)
    timeline.receive(found("EP-A", at=found_at))
    late = misper("EP-B", at=START + timedelta(hours=1), reporting_force="thames-valley-police")
    timeline.receive(late, at=found_at + timedelta(hours=1))
    timeline.advance(START + timedelta(days=30))
    meetings = [
        d for d in timeline.decisions if d.action == "convene_strategy_meeting" and d.at > found_at
    ]
    assert meetings == []


def test_5_12_missing_again_before_the_return_interview_its_lateness_is_not_chased() -> None:
    # 5.12: "within 72 hours of the child returning"; gone again a day after the return,
    # the child cannot be interviewed until the next return, which owes its own interview.
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=30)))
    timeline.advance(START + timedelta(hours=100))
    assert told(timeline.decisions, "rise_mct_service_manager", "return_interview_overdue") == []


def test_5_12_a_found_report_read_after_the_child_went_again_owes_no_interview_now() -> None:
    # The same as above, read the other way round: the found report (a return at 5 hours)
    # is read only after the report of the child missing again at 30 hours. The child is
    # not there to be interviewed: the next return owes it (5.12), not chased meanwhile.
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=30)))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), at=START + timedelta(hours=31))
    timeline.advance(START + timedelta(hours=100))
    assert told(timeline.decisions, "rise_mct_service_manager", "return_interview_overdue") == []
    decisions = timeline.receive(found("EP-2", at=START + timedelta(hours=110)))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert "EP-1" in interview.summary


def test_5_12_gone_again_an_interview_that_cannot_be_done_is_handed_to_no_team() -> None:
    # Gone again a day after the return, the MCT says it cannot do the interview: the child
    # is not there. The next return owes it (5.12); the allocated team is not handed an
    # interview of a child still missing, nor chased for it (MCT practice guidance).
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=30)))
    unable = ReturnInterviewResult(
        episode_id="EP-1",
        child_id=CHILD,
        interviewer=Interviewer.MCT,
        outcome=ReturnInterviewOutcome.CANNOT_COMPLETE,
        recorded_at=START + timedelta(hours=34),
    )
    decisions = timeline.receive(unable)
    timeline.advance(START + timedelta(hours=100))
    assert told(decisions, "team_manager", "complete_return_interview") == []
    assert told(timeline.decisions, "team_manager", "return_interview_overdue") == []


def test_5_12_the_next_return_owes_the_interview_the_child_was_not_there_for() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=30)))
    decisions = timeline.receive(found("EP-2", at=START + timedelta(hours=40)))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert "EP-1" in interview.summary


def test_7_22_an_episode_reported_after_a_later_one_has_no_meetings() -> None:
    # Reported late (by another force, say), after the child went missing again and was
    # found: the child came back from it before the later episode began.
    timeline = Timeline()
    timeline.receive(misper("EP-2", at=START + timedelta(days=10)))
    timeline.receive(found("EP-2", at=START + timedelta(days=11)))
    read = START + timedelta(days=12)
    timeline.receive(misper("EP-1", reported_at=read), at=read)
    timeline.advance(START + timedelta(days=40))
    meetings = [
        d
        for d in timeline.decisions
        if d.action == "convene_strategy_meeting" and d.episode_id == "EP-1"
    ]
    assert meetings == []


def test_7_22_a_found_report_dated_a_year_ahead_leaves_the_next_report_searched() -> None:
    """A found report whose date was typed a year ahead (the contract takes up to 400 days)
    is no return before it: the child's next report, a month on, is searched as any other
    (7.22's meetings owed)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    typed = START + timedelta(days=365)
    timeline.receive(found("EP-1", at=typed), at=START + timedelta(days=1))
    again = START + timedelta(days=30)
    timeline.receive(misper("EP-2", at=again), at=again)
    timeline.advance(again + timedelta(days=2))
    meetings = [
        d
        for d in timeline.decisions
        if d.action == "convene_strategy_meeting" and d.episode_id == "EP-2"
    ]
    assert meetings


# 5.15: a child with no social worker, whom the MCT asks about a trusted adult on a refusal.
NO_SOCIAL_WORKER: dict[str, Any] = {"legal_status": LegalStatus.NOT_KNOWN, "allocated_worker": None}


def declined_then_gone_again(declined_at: timedelta, again: timedelta) -> Timeline:
    """Missing at START, found 5 hours later; the child declines the return interview (the
    MCT is to offer a trusted adult "within a few hours", 5.15) and goes missing again."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **NO_SOCIAL_WORKER))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    decisions = timeline.receive(return_interview(START + declined_at, declined=True))
    assert told(decisions, "mct", "offer_trusted_adult_interview")
    timeline.receive(misper("EP-2", at=START + again, **NO_SOCIAL_WORKER))
    return timeline


def _offers_chased(timeline: Timeline) -> list[str]:
    return [
        e.recipient
        for e in told(timeline.decisions, "rise_mct_service_manager", ESCALATED)
        if e.details["duty_action"] == "offer_trusted_adult_interview"
    ]


def test_5_15_gone_again_before_the_trusted_adult_the_offer_is_not_chased() -> None:
    """Declined an hour after the return; gone again two hours later, before the trusted
    adult's interview could be arranged. A trusted adult cannot interview a child who is
    not there: the offer, the interview by another hand, is stood down with the interview
    (5.12), and the next return's interview covers the episode."""
    timeline = declined_then_gone_again(timedelta(hours=6), timedelta(hours=8))
    timeline.advance(START + timedelta(hours=40))
    assert _offers_chased(timeline) == []
    decisions = timeline.receive(found("EP-2", at=START + timedelta(hours=50)))
    [interview] = told(decisions, "mct", "conduct_return_interview")
    assert "EP-1" in interview.summary


def test_5_15_gone_again_after_the_72_hours_the_trusted_adults_offer_is_not_chased() -> None:
    """The child declines only after the interview's 72 hours (its lateness already told,
    5.12), and goes missing again before the trusted adult's few hours are out: the offer
    cannot be taken up while the child is gone, and is not chased meanwhile."""
    timeline = declined_then_gone_again(timedelta(hours=80), timedelta(hours=81))
    timeline.advance(START + timedelta(hours=130))  # past the Monday's opening
    assert _offers_chased(timeline) == []


def test_5_15_a_refusal_read_after_the_child_went_again_owes_no_trusted_adult() -> None:
    """The refusal, a day after the return, is read only after the report of the child
    missing again within the 72 hours: as had it been read first, no trusted adult is to be
    found for a child who is not there; the next return's interview covers it (5.12)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **NO_SOCIAL_WORKER))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=30), **NO_SOCIAL_WORKER))
    refusal = return_interview(START + timedelta(hours=29), declined=True)
    decisions = timeline.receive(refusal, at=START + timedelta(hours=31))
    assert not told(decisions, "mct", "offer_trusted_adult_interview")


@pytest.mark.parametrize(
    ("level", "cse"), [(RiskLevel.HIGH, False), (RiskLevel.MEDIUM, True)], ids=["high", "cse"]
)
def test_7_22_a_grading_of_an_episode_whose_search_stopped_convenes_none_under_it(
    level: RiskLevel, cse: bool
) -> None:
    """Missing again on day 20 under another force's new report, the search under the
    first stopped (1.4); the police then grade the first episode high, or mark CSE on it
    (6.6, 7.16). 7.22's meetings are held "if the child has not returned": the grading is
    told, but no first meeting of the first episode is brought forward or held at once.
    Never reported located, the child may have been missing since the first report (a
    second force's report of the same absence): the meeting brought forward is the second
    report's, still searched (tests below). The first force's own new report would be a
    new absence (test_two_forces_one_absence)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    second = misper("EP-2", at=START + timedelta(days=20), reporting_force="thames-valley-police")
    timeline.receive(second)
    update = risk_update(level, START + timedelta(days=20, hours=2), cse=cse)
    decisions = timeline.receive(update)
    assert told(decisions, "mct", "risk_level_changed")
    meetings = [d for d in decisions if d.action == "convene_strategy_meeting"]
    assert {d.episode_id for d in meetings} == {"EP-2"}


def _located_under_the_second_forces_report() -> Timeline:
    """Two forces report the same absence; the child is located under the second's."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(
        misper("EP-2", at=START + timedelta(hours=1), reporting_force="thames-valley-police")
    )
    timeline.receive(found("EP-2", at=START + timedelta(days=1)))
    return timeline


def test_1_4_graded_high_under_one_report_once_located_under_another_alerts_no_one() -> None:
    """1.4: missing "until located"; the child was located under the second force's report,
    and has not gone missing since. The first force then grades its report high: told as a
    change (7.16), but MASH is not told a high-risk child is missing (1.4), as for a child
    found under the graded report itself."""
    timeline = _located_under_the_second_forces_report()
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(days=1, hours=2)))
    assert told(decisions, "mct", "risk_level_changed")
    assert not [d for d in decisions if d.action == "high_risk_child_missing"]


def test_1_4_graded_high_once_missing_again_still_alerts_mash() -> None:
    """Located, then missing again under a third report: the child is missing now, and a
    high grading of the first report still reaches MASH at once (1.4)."""
    timeline = _located_under_the_second_forces_report()
    timeline.receive(misper("EP-3", at=START + timedelta(days=3)))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(days=3, hours=2)))
    assert told(decisions, "mash", "high_risk_child_missing")


def test_1_4_graded_high_once_missing_again_from_the_minute_located_still_alerts_mash() -> None:
    """Located under the second force's report, then reported missing again from that very
    minute: perhaps the next absence, and the hub searches for the child under it (1.4). A
    high grading of the first report reaches MASH at once, as once missing again later; the
    child was taken for certainly back, and no one was alerted."""
    timeline = _located_under_the_second_forces_report()
    again = misper("EP-3", at=START + timedelta(days=1))
    timeline.receive(again, at=START + timedelta(days=1, hours=1))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(days=1, hours=2)))
    assert told(decisions, "mash", "high_risk_child_missing")


def test_1_4_a_high_risk_report_of_an_absence_begun_as_the_child_was_found_alerts_edt() -> None:
    """A second report, graded high and read at night, says the child went missing at the
    very minute it was found under the first: perhaps the same absence, perhaps the next.
    The hub searches for the child (it may be missing), so EDT acts for children's services
    on a high-risk child missing (1.4, 3.10): only a child certainly back is spared it."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    again = misper(
        "EP-2",
        at=START + timedelta(hours=5),
        reporting_force="thames-valley-police",
        risk_level=RiskLevel.HIGH,
    )
    decisions = timeline.receive(again, at=START + timedelta(hours=13))  # 23:00
    assert told(decisions, "edt", "high_risk_child_missing")


def test_1_4_missing_again_the_very_minute_it_was_found_the_child_stays_still_missing() -> None:
    """Found at 15:00 under the first report; a second says the child went missing at
    15:00: perhaps the same absence, perhaps the next. The hub searches for the child under
    it (1.4: it may be missing), so it is still missing: on the console's Still missing
    (`missing_since`), its data kept by retention (`came_back`). Taken as back at 15:00,
    the child searched for was listed nowhere, and the episode retired in 180 days."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=5)), at=START + timedelta(hours=6))
    assert timeline.state.missing_since() == START + timedelta(hours=5)


def test_1_4_found_the_very_minute_a_report_read_before_says_it_went_missing_ends_no_search() -> (
    None
):
    """The same two reports, the second read before the found report of the first: the
    return at 15:00 is no proof the child is back from an absence begun at 15:00 (1.4), as
    had the found report come first. The search under the second went on; it was ended."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(misper("EP-2", at=START + timedelta(hours=5)), at=START + timedelta(hours=6))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)), at=START + timedelta(hours=7))
    assert STRATEGY_MEETING in [t.name for t in _episode(timeline, "EP-2").timers]


def test_1_4_a_high_risk_report_read_out_of_hours_after_the_child_was_located_alerts_no_one() -> (
    None
):
    """A second force's report of the same absence, graded high, is read at night after the
    child was located under the first's: EDT does not act for children's services on a
    high-risk child missing (1.4, 3.10); the child is back."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=5)))
    late = misper(
        "EP-2",
        at=START + timedelta(hours=1),
        reporting_force="thames-valley-police",
        risk_level=RiskLevel.HIGH,
    )
    decisions = timeline.receive(late, at=START + timedelta(hours=13))  # 23:00
    assert told(decisions, "edt", "missing_child_out_of_hours")  # 3.10, as before
    assert not told(decisions, "edt", "high_risk_child_missing")


def _high_risk_report_read_once_located() -> list[Decision]:
    """A second force's report of the same absence, graded high, is read in office hours
    after the child was located under the first's: the child is certainly back (1.4)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=2)))
    late = misper(
        "EP-2",
        at=START + timedelta(hours=1),
        reporting_force="thames-valley-police",
        risk_level=RiskLevel.HIGH,
    )
    return timeline.receive(late, at=START + timedelta(hours=3))


def test_1_4_a_high_risk_report_read_after_the_child_was_located_is_no_alert_to_mash() -> None:
    """1.4: "Children's services must also be notified immediately" of a high-risk child
    missing; this one is back. MASH opens the episode (6.14), told that the child is back,
    not to act at once on a child missing, as EDT is not (3.10)."""
    [mash] = told(_high_risk_report_read_once_located(), "mash", "record_missing_episode")
    assert (mash.due, "immediately" in mash.summary) == (None, False)


def test_1_4_a_high_risk_report_read_after_the_child_was_located_is_no_alert_to_the_mct() -> None:
    """So too the Missing Children Co-ordinator (7.2): told, with no deadline."""
    [mct] = told(_high_risk_report_read_once_located(), "mct", "missing_child_notified")
    assert mct.due is None


def test_1_4_a_high_risk_report_read_after_the_child_was_located_is_no_alert_to_the_worker() -> (
    None
):
    """And the allocated worker (7.3, MCT-PG), who re-assesses needs and plans to prevent
    further episodes (7.4) after the return all the same, with no deadline of 1.4's."""
    decisions = _high_risk_report_read_once_located()
    alerts = [
        d.due
        for d in told(decisions, "allocated_worker")
        if d.action in ("missing_child_notified", "inform_team_manager")
    ]
    assert alerts == [None, None]


def test_6_6_a_cse_marker_raised_once_located_under_another_report_tells_rise_it_is_found() -> None:
    """1.4: missing "until located". The child was located under the second force's report;
    the first force then marks the child at risk of sexual exploitation: RISE hears that the
    child was marked and has been found, for its work after the return (6.6), with no
    deadline to chase, as the Home Office hears of a child marked asylum-seeking then (4.3)."""
    timeline = _located_under_the_second_forces_report()
    update = risk_update(RiskLevel.MEDIUM, START + timedelta(days=1, hours=2), cse=True)
    [rise] = told(timeline.receive(update), "rise", "missing_child_at_risk_of_cse")
    assert (rise.due, "has been found" in rise.summary) == (None, True)


def test_6_6_rise_told_the_child_marked_once_located_is_not_told_of_the_return_again() -> None:
    """The first force's found report follows: RISE, told with the marker that the child
    has been found, hears of the return from one absence once (6.6)."""
    timeline = _located_under_the_second_forces_report()
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(days=1, hours=2), cse=True))
    later = found("EP-1", at=START + timedelta(days=1))
    assert not told(timeline.receive(later, at=START + timedelta(days=1, hours=3)), "rise")


def _two_forces_report_one_absence() -> Timeline:
    """Two forces report one absence: the second's report, begun an hour later, takes the
    search over (its timers run; the first's stopped: `found.missing_again`)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(
        misper("EP-2", at=START + timedelta(hours=1), reporting_force="thames-valley-police")
    )
    return timeline


def _meetings_owed(timeline: Timeline, episode_id: str) -> list[str]:
    """The episode's strategy meetings still owed (convened, not held nor stood down), but
    7.18's at 24 hours (FirstStrategyMeeting.TWO_MEETINGS), which no grading moves."""
    return [
        d.meeting or ""
        for d in _episode(timeline, episode_id).duties
        if d.action == "convene_strategy_meeting" and not d.settled and d.meeting != "24-hour"
    ]


GRADED = pytest.mark.parametrize(
    ("level", "cse", "why"),
    [(RiskLevel.HIGH, False, "high risk"), (RiskLevel.MEDIUM, True, "CSE")],
    ids=["high", "cse"],
)


@GRADED
def test_7_22_graded_high_under_the_first_forces_report_brings_the_searched_meeting_forward(
    level: RiskLevel, cse: bool, why: str
) -> None:
    """Two forces report one absence; the second's report took the search over. After 24
    hours, the first force grades its report high, or marks CSE on it: the child has not
    returned (1.4: missing "until located"), so 7.22's first meeting, set for 72 hours
    under the report still searched, is brought to 48 hours from when the child went
    missing, the first report's start."""
    timeline = _two_forces_report_one_absence()
    timeline.advance(START + timedelta(hours=30))
    assert _meetings_owed(timeline, "EP-2") == ["72-hour"]
    decisions = timeline.receive(risk_update(level, START + timedelta(hours=30), cse=cse))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.episode_id == "EP-2"
    assert meeting.due == START + timedelta(hours=48)
    assert meeting.details["high_risk"] is (why == "high risk")  # as the chair is told
    assert _meetings_owed(timeline, "EP-2") == [f"48-hour (brought forward: {why})"]
    assert _meetings_owed(timeline, "EP-1") == []


@GRADED
def test_7_22_graded_under_the_first_report_past_48_hours_of_the_absence_meets_at_once(
    level: RiskLevel, cse: bool, why: str
) -> None:
    """As above, graded 48 and a half hours after the child went missing: past 7.22's 48
    hours from the start of the absence (though not yet from the second report's start),
    the meeting is held at once, named by the day of the absence."""
    timeline = _two_forces_report_one_absence()
    at = START + timedelta(hours=48, minutes=30)
    timeline.advance(at)
    decisions = timeline.receive(risk_update(level, at, cse=cse))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert (meeting.episode_id, meeting.due) == ("EP-2", at)
    assert _meetings_owed(timeline, "EP-2") == [f"day 2 ({why})"]


def test_7_22_graded_under_the_first_report_on_day_10_has_the_sqas_chair() -> None:
    """Graded high on day 10 of the absence (day 9 of the second report): held at once,
    chaired as 7.18 chairs a day-10 meeting, by the SQAS Service Manager."""
    timeline = _two_forces_report_one_absence()
    at = START + timedelta(days=10, minutes=30)
    timeline.advance(at)
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, at))
    [meeting] = told(decisions, "sqas_service_manager", "convene_strategy_meeting")
    assert (meeting.episode_id, meeting.details["meeting"]) == ("EP-2", "day 10 (high risk)")


def test_7_22_graded_under_the_first_report_before_24_hours_sets_one_first_meeting() -> None:
    """Graded high before 24 hours missing: 7.17's meeting now, as for the searched report
    graded itself, and 7.22's first within 48 hours of the absence; the second report's
    24-hour timer then sets no 72-hour one beside it (7.22 has one first meeting)."""
    timeline = _two_forces_report_one_absence()
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=3)))
    assert told(decisions, "mash", "high_risk_child_missing")
    convened = told(decisions, "team_manager", "convene_strategy_meeting")
    [now] = [d for d in convened if d.details["meeting"] == "significant-risk"]
    assert now.episode_id == "EP-2"
    assert now.due == START + timedelta(hours=24)  # 7.17, from when the child went missing
    timeline.advance(START + timedelta(hours=30))
    owed = _meetings_owed(timeline, "EP-2")
    assert "72-hour" not in owed
    assert "48-hour (brought forward: high risk)" in owed
    [first] = [
        d
        for d in _episode(timeline, "EP-2").duties
        if d.action == "convene_strategy_meeting"
        and d.meeting == "48-hour (brought forward: high risk)"
    ]
    assert first.due == START + timedelta(hours=48)


def test_7_22_a_cse_marker_under_the_first_report_before_24_hours_sets_one_first_meeting() -> None:
    timeline = _two_forces_report_one_absence()
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=3), cse=True))
    timeline.advance(START + timedelta(hours=30))
    assert _meetings_owed(timeline, "EP-2") == ["48-hour (brought forward: CSE)"]


@pytest.mark.parametrize("graded", ["EP-1", "EP-2"])
def test_7_17_graded_high_before_24_hours_after_a_cse_marker_has_the_meeting_by_24(
    graded: str,
) -> None:
    """Two forces report one absence; the first marks CSE at 3 hours, bringing 7.22's first
    meeting to 48 hours. Graded high at 5 hours, under either report, the child is
    "considered to be at significant risk" (7.17) before 24 hours missing: its meeting is
    due by 24 hours, as for a child graded high throughout, or marked and graded on one
    report. The meeting brought forward for CSE, due a day later, had stood for it. Under
    either report, by 24 hours of when the absence began (7.22: one episode)."""
    timeline = _two_forces_report_one_absence()
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=3), cse=True))
    update = risk_update(RiskLevel.HIGH, START + timedelta(hours=5), cse=True)
    decisions = timeline.receive(update.model_copy(update={"episode_id": graded}))
    [now] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert (now.episode_id, now.paragraph, now.details["meeting"]) == (
        "EP-2",
        "7.17",
        "significant-risk",
    )
    assert now.due == START + timedelta(hours=24)
    assert _meetings_owed(timeline, "EP-2") == [
        "48-hour (brought forward: CSE)",
        "significant-risk",
    ]


def test_7_22_the_same_grading_read_twice_convenes_one_meeting() -> None:
    timeline = _two_forces_report_one_absence()
    timeline.advance(START + timedelta(hours=30))
    update = risk_update(RiskLevel.HIGH, START + timedelta(hours=30))
    timeline.receive(update)
    again = timeline.receive(update, at=START + timedelta(hours=31))
    assert not [d for d in again if d.action == "convene_strategy_meeting"]
    assert _meetings_owed(timeline, "EP-2") == ["48-hour (brought forward: high risk)"]


def test_7_22_the_searched_report_graded_itself_counts_from_when_the_absence_began() -> None:
    """The second force grades its own report high: its first meeting is brought to 48
    hours from "the start of the missing episode" (7.22), the absence's, which the first
    force's report began; not from the second report's start, an hour later."""
    timeline = _two_forces_report_one_absence()
    timeline.advance(START + timedelta(hours=30))
    update = risk_update(RiskLevel.HIGH, START + timedelta(hours=30))
    decisions = timeline.receive(update.model_copy(update={"episode_id": "EP-2"}))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert (meeting.episode_id, meeting.due) == ("EP-2", START + timedelta(hours=48))


@GRADED
def test_7_22_graded_under_one_report_once_located_under_another_convenes_no_meeting(
    level: RiskLevel, cse: bool, why: str
) -> None:
    """Located under the second force's report, the child has returned (1.4): the first
    force's grading brings no meeting forward (7.22: "if the child has not returned")."""
    timeline = _located_under_the_second_forces_report()
    decisions = timeline.receive(risk_update(level, START + timedelta(days=1, hours=2), cse=cse))
    assert not [d for d in decisions if d.action == "convene_strategy_meeting"]


@GRADED
def test_7_22_graded_under_a_report_of_an_absence_before_the_child_was_located_meets_none(
    level: RiskLevel, cse: bool, why: str
) -> None:
    """Located under the second force's report, then missing again under a third: the
    first report's grading is of the absence the child returned from, not this one; the
    third report's meeting stays as 7.22 sets it."""
    timeline = _located_under_the_second_forces_report()
    timeline.receive(misper("EP-3", at=START + timedelta(days=3)))
    timeline.advance(START + timedelta(days=4, hours=2))
    decisions = timeline.receive(risk_update(level, START + timedelta(days=4, hours=2), cse=cse))
    assert not [d for d in decisions if d.action == "convene_strategy_meeting"]
    assert _meetings_owed(timeline, "EP-3") == ["72-hour"]


@pytest.mark.parametrize("first", ["EP-1", "EP-2"], ids=["first-force-first", "second-first"])
def test_7_22_both_forces_grading_one_absence_high_convene_one_first_meeting(first: str) -> None:
    """Two forces report one absence; after 24 hours one grades its report high, and 7.22's
    first meeting, brought forward to 48 hours under the report searched, is held. The other
    force then grades its own report high: the child was deemed high in this absence
    already, and had its one first meeting (7.22: "within 72 hours (48 hours if High
    Risk)"); the ladder's meetings follow it. A second first meeting, by the same name as
    the one held, was convened for 48 hours from the second report's start."""
    timeline = _two_forces_report_one_absence()
    timeline.advance(START + timedelta(hours=30))
    second = "EP-2" if first == "EP-1" else "EP-1"
    graded = risk_update(RiskLevel.HIGH, START + timedelta(hours=30))
    decisions = timeline.receive(graded.model_copy(update={"episode_id": first}))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(held(meeting, START + timedelta(hours=40)))
    again = risk_update(RiskLevel.HIGH, START + timedelta(hours=41))
    decisions = timeline.receive(again.model_copy(update={"episode_id": second}))
    assert told(decisions, "mct", "risk_level_changed")  # 7.16, told as before
    assert not [d for d in decisions if d.action == "convene_strategy_meeting"]


def test_7_22_the_searched_report_reported_high_then_the_first_graded_convenes_no_second() -> None:
    """The second force reports the child high risk: 7.17's meeting is held, and at 24
    hours 7.22's first is set within 48, and is held. The first force then grades its report
    high: the same absence, the same risk; its meetings were held, none is convened again."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    second = misper(
        "EP-2",
        at=START + timedelta(hours=1),
        reporting_force="thames-valley-police",
        risk_level=RiskLevel.HIGH,
    )
    timeline.receive(second)
    timeline.advance(START + timedelta(hours=30))
    for meeting in told(timeline.decisions, "team_manager", "convene_strategy_meeting"):
        assert meeting.details["meeting"] in ("significant-risk", "48-hour")
        timeline.receive(held(meeting, START + timedelta(hours=40)))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=41)))
    assert not [d for d in decisions if d.action == "convene_strategy_meeting"]


@GRADED
def test_7_22_graded_under_the_first_report_before_the_second_came_keeps_it_brought_forward(
    level: RiskLevel, cse: bool, why: str
) -> None:
    """The first force grades its report high, or marks CSE on it, at 26 hours: 7.22's first
    meeting is brought to 48 hours. Two hours on, a second force reports the same absence
    and takes the search over: the first report's meetings stand down, but the child has not
    returned (1.4) and is deemed high still, so the meeting stays brought forward, under the
    report now searched, 48 hours from when the child went missing, as had the grading come
    after the second report. The child was left with a 72-hour meeting, 100 hours in."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.advance(START + timedelta(hours=26))
    timeline.receive(risk_update(level, START + timedelta(hours=26), cse=cse))
    second = misper("EP-2", at=START + timedelta(hours=28), reporting_force="thames-valley-police")
    decisions = timeline.receive(second)
    [meeting] = [
        d
        for d in told(decisions, "team_manager", "convene_strategy_meeting")
        if d.details["meeting"] == f"48-hour (brought forward: {why})"
    ]
    assert (meeting.episode_id, meeting.due) == ("EP-2", START + timedelta(hours=48))
    timeline.advance(START + timedelta(hours=60))  # the second report's 24 hours
    assert _meetings_owed(timeline, "EP-2") == [f"48-hour (brought forward: {why})"]


def test_7_22_graded_high_again_under_the_first_report_after_the_meeting_was_held_owes_none() -> (
    None
):
    """Two forces report one absence; after 24 hours the first grades its report high, and
    7.22's first meeting, brought forward to 48 hours under the report searched, is held.
    The first force lowers the grading, then raises it again: the child had its one first
    meeting in this absence (7.22), and the ladder's follow it. Another was convened by the
    same name as the one held, under the same report."""
    timeline = _two_forces_report_one_absence()
    timeline.advance(START + timedelta(hours=30))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(held(meeting, START + timedelta(hours=40)))
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=41)))
    again = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=42)))
    assert told(again, "mash", "high_risk_child_missing")  # 1.4, told as before
    assert not [d for d in again if d.action == "convene_strategy_meeting"]
    assert _meetings_owed(timeline, "EP-2") == []


def test_7_17_held_under_the_first_report_before_the_second_came_is_not_convened_again() -> None:
    """The first force grades its report high three hours in: 7.17's meeting, "without
    waiting" for 24 hours, is held at four. At five a second force reports the same absence
    and takes the search over: the grading carries to its report (7.22's first meeting is
    brought to 48 hours of the absence), but the child had 7.17's meeting, as had the
    grading come after the second report; it was convened again under the new one."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=3)))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.details["meeting"] == "significant-risk"
    timeline.receive(held(meeting, START + timedelta(hours=4)))
    second = misper("EP-2", at=START + timedelta(hours=5), reporting_force="thames-valley-police")
    decisions = timeline.receive(second)
    convened = [d.details["meeting"] for d in told(decisions, "team_manager")]
    assert "significant-risk" not in convened
    assert _meetings_owed(timeline, "EP-2") == ["48-hour (brought forward: high risk)"]


@pytest.mark.parametrize("graded", ["reported", "updated"])
def test_7_17_still_owed_when_a_second_force_took_the_search_over_after_24_hours_stays_owed(
    graded: str,
) -> None:
    """The first force reports the child high risk, or grades its report high three hours
    in: 7.17's meeting is owed within 24 hours, and is not held by then. At 30 hours a second
    force reports the same absence and takes the search over; the first report's meetings
    stand down, but the child has not returned (7.22) and is at significant risk still: the
    meeting is owed under the report now searched, as 7.22's first (48 hours, set at 24) is,
    by their names and dates. It was carried over only before 24 hours, and the child, past
    them, lost it."""
    timeline = Timeline()
    if graded == "reported":
        timeline.receive(misper("EP-1", risk_level=RiskLevel.HIGH))
    else:
        timeline.receive(misper("EP-1"))
        timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=3)))
    timeline.advance(START + timedelta(hours=30))
    second = misper("EP-2", at=START + timedelta(hours=30), reporting_force="thames-valley-police")
    timeline.receive(second)
    assert _meetings_owed(timeline, "EP-1") == []
    assert sorted(_meetings_owed(timeline, "EP-2")) == ["48-hour", "significant-risk"]
    [first] = [
        d
        for d in _episode(timeline, "EP-2").duties
        if d.action == "convene_strategy_meeting" and d.meeting == "48-hour"
    ]
    assert first.due == START + timedelta(hours=48)
