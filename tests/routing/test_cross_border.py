"""Children placed across a border (3.8, 3.9, 8.3, 8.4, 8.9, 8.10, 8.12, 8.13, 7.27)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from hub.contracts.events import StrategyMeetingHeld
from hub.contracts.vocabulary import LegalStatus, MeetingAttendee, RiskLevel
from hub.routing.directory import Alias
from hub.routing.facts import Decision, ProtocolViolation
from tests.routing.builders import (
    CHILD,
    START,
    Timeline,
    by_the_rules,
    found,
    misper,
    risk_update,
    told,
)

PLACED_OUT: dict[str, Any] = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "residence_authority": "kent",
}
PLACED_IN: dict[str, Any] = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "responsible_authority": "essex",
    "allocated_worker": None,
}


def test_3_9_a_child_placed_out_of_area_goes_to_the_host_police_and_authority() -> None:
    decisions = Timeline().receive(misper(**PLACED_OUT))
    assert told(decisions, "police", "share_forms_with_host_police")[0].paragraph == "3.9.1"
    assert told(decisions, "host_police")[0].authority == "kent-police"
    assert told(decisions, "host_authority")[0].authority == "kent"


def test_3_9_a_host_named_by_its_gss_code_is_told_at_once() -> None:
    """3.9, 8.3: the report names Kent by its GSS code, E10000016, as its force's system
    records it: Kent's police and Kent are told the child is missing in their area, not
    held until ops add the code to the directory."""
    decisions = Timeline().receive(misper(**{**PLACED_OUT, "residence_authority": "E10000016"}))
    [police] = told(decisions, "host_police", "child_missing_in_your_area")
    [host] = told(decisions, "host_authority", "child_missing_in_your_area")
    assert (police.authority, host.authority) == ("kent-police", "kent")
    assert all(d.unroutable is None for d in decisions)


def test_8_10_a_child_placed_here_goes_to_the_placing_authority() -> None:
    decisions = Timeline().receive(misper(**PLACED_IN))
    [placing] = told(decisions, "placing_authority")
    assert (placing.paragraph, placing.authority) == ("8.10", "essex")
    assert told(decisions, "mct", "share_incident_and_location_forms")[0].paragraph == "3.8"


def test_3_4_the_mct_completes_forms_for_a_child_placed_here() -> None:
    assert told(
        Timeline().receive(misper(**PLACED_IN)), "mct", "complete_incident_and_location_forms"
    )


def test_8_10_the_return_interview_is_the_placing_authoritys() -> None:
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))
    [owner] = told(timeline.receive(found()), "placing_authority", "conduct_return_interview")
    assert owner.paragraph == "8.10"


def test_7_27_a_placed_child_has_its_strategy_meetings_convened_by_the_placing_authority() -> None:
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))
    fired = timeline.advance(START + timedelta(hours=25))
    meetings = told(fired, "placing_authority", "convene_strategy_meeting")
    assert meetings
    assert {m.paragraph for m in meetings} == {"7.27"}


def test_8_11_a_child_placed_here_graded_high_has_our_mash_convene_the_strategy_discussion() -> (
    None
):
    """8.11: "Where a child placed in Northamptonshire by another Local Authority is
    identified to be suffering or at risk of suffering significant harm, Northamptonshire
    Child Protection procedures must be followed". Graded high on the report (at significant
    risk, 7.17), the child has our strategy discussion, held by MASH (5.7: the child has no
    team of ours), besides the meeting the placing authority convenes under its own (7.27)."""
    decisions = Timeline().receive(misper(risk_level=RiskLevel.HIGH, **PLACED_IN))
    [discussion] = told(decisions, "mash", "convene_strategy_meeting")
    assert discussion.paragraph == "8.11"


def test_8_11_raised_to_high_after_24_hours_the_discussion_is_ours_too() -> None:
    """8.11: graded high on day two, when our own child's meeting is brought forward (7.22),
    the child placed here is identified at risk of significant harm as much as on day one."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))
    raised = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    assert [d.paragraph for d in told(raised, "mash", "convene_strategy_meeting")] == ["8.11"]


def test_8_11_graded_high_after_a_cse_marker_brought_the_first_meeting_forward() -> None:
    """8.11: a child placed here with a CSE marker has its first meeting brought forward to
    48 hours (7.22); graded high on day two, it is at risk of significant harm all the same,
    and has our strategy discussion, though no new missing meeting is convened for it."""
    timeline = Timeline()
    timeline.receive(misper(cse_risk=True, **PLACED_IN))
    raised = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=30)))
    assert [d.paragraph for d in told(raised, "mash", "convene_strategy_meeting")] == ["8.11"]


def _held(convene: Decision, at: datetime) -> StrategyMeetingHeld:
    """The meeting held, as its convener records it."""
    return StrategyMeetingHeld(
        episode_id=convene.episode_id,
        child_id=CHILD,
        notification_id=convene.notification_id,
        answered_by=str(convene.authority),
        held_at=at,
        attended=(MeetingAttendee.SOCIAL_WORKER, MeetingAttendee.POLICE),
    )


def test_8_11_graded_high_after_the_cse_brought_meeting_was_held() -> None:
    """8.11: the 48-hour meeting a CSE marker brought forward held (7.22), the child placed
    here graded high on day three has our strategy discussion at once."""
    timeline = Timeline()
    timeline.receive(misper(cse_risk=True, **PLACED_IN))
    timeline.advance(START + timedelta(hours=24))
    convened = told(timeline.decisions, "placing_authority", "convene_strategy_meeting")
    [meeting] = [m for m in convened if m.details["meeting"] == "48-hour"]
    timeline.receive(_held(meeting, START + timedelta(hours=40)))
    raised = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=50)))
    [discussion] = told(raised, "mash", "convene_strategy_meeting")
    assert (discussion.paragraph, discussion.due) == ("8.11", START + timedelta(hours=50))


def test_8_11_a_discussion_carried_to_a_report_of_a_new_absence_is_stood_down() -> None:
    """8.11, 7.22: graded high under one force's report, the discussion is carried to a second
    force's report, medium, of what looked the same absence. A found report read late shows
    the child back before the second went missing: the absence graded high is over, the new
    one is not graded high, and MASH's discussion is no longer needed (as 7.17's meeting)."""
    timeline = Timeline()
    timeline.receive(misper(risk_level=RiskLevel.HIGH, **PLACED_IN))
    second = START + timedelta(hours=10)
    timeline.receive(misper("EP-2", at=second, reporting_force="thames-valley-police", **PLACED_IN))
    timeline.receive(found(at=START + timedelta(hours=5)), at=START + timedelta(hours=30))
    owed = [
        d
        for e in timeline.state.episodes
        for d in e.duties
        if d.recipient == "mash" and d.meeting == "child protection (8.11)" and not d.settled
    ]
    assert owed == []


def _discussed_then_reported_again(
    held_after: timedelta, reported_after: timedelta, **report: Any
) -> tuple[Timeline, list[Decision]]:
    """A child placed here graded high: MASH convenes 8.11's discussion, held `held_after`
    in; Thames Valley Police report the child `reported_after` in (`report`: the rest of
    its report). The timeline, and what that report decided."""
    timeline = Timeline()
    first = timeline.receive(misper(risk_level=RiskLevel.HIGH, **PLACED_IN))
    [discussion] = told(first, "mash", "convene_strategy_meeting")
    timeline.receive(_held(discussion, START + held_after))
    second = misper(
        "EP-2",
        at=START + reported_after,
        reporting_force="thames-valley-police",
        **PLACED_IN,
        **report,
    )
    return timeline, timeline.receive(second)


def test_8_11_a_second_forces_report_graded_high_convenes_no_second_discussion() -> None:
    """8.11 ("One absence, two forces"): the discussion held for the absence, a second
    force's report of it graded high finds the child at risk of significant harm as the first
    did: MASH is not asked to convene it again."""
    _, second = _discussed_then_reported_again(
        timedelta(hours=5), timedelta(hours=10), missing_since=START, risk_level=RiskLevel.HIGH
    )
    assert told(second, "mash", "convene_strategy_meeting") == []


def test_8_11_a_second_forces_report_after_the_discussion_was_held_brings_no_second() -> None:
    """8.11, 7.22: the discussion held on day two, a second force's report (medium) takes the
    search over on day four, the first report's high grading bringing its first meeting
    forward under it: the child had its discussion, and MASH is not asked again."""
    _, second = _discussed_then_reported_again(timedelta(hours=46), timedelta(hours=94))
    assert told(second, "mash", "convene_strategy_meeting") == []


def test_8_11_the_second_forces_report_graded_high_later_convenes_no_second_discussion() -> None:
    """8.11 ("One absence, two forces"): the discussion held under the first report, the
    second force's report that took the search over, graded high on day two, owes none."""
    timeline, _ = _discussed_then_reported_again(
        timedelta(hours=5), timedelta(hours=10), missing_since=START
    )
    update = risk_update(RiskLevel.HIGH, START + timedelta(hours=30))
    raised = timeline.receive(update.model_copy(update={"episode_id": "EP-2"}))
    assert told(raised, "mash", "convene_strategy_meeting") == []


def test_8_11_a_found_report_read_late_gives_the_new_absence_its_own_discussion() -> None:
    """8.11: the discussion held, a second force's report graded high convened none beside
    it; a found report read late shows the child back before that report's absence began:
    the new absence, graded high, has its own discussion."""
    timeline = Timeline()
    first = timeline.receive(misper(risk_level=RiskLevel.HIGH, **PLACED_IN))
    [discussion] = told(first, "mash", "convene_strategy_meeting")
    timeline.receive(_held(discussion, START + timedelta(hours=8)))
    timeline.receive(
        misper(
            "EP-2",
            at=START + timedelta(hours=18),
            reporting_force="thames-valley-police",
            risk_level=RiskLevel.HIGH,
            **PLACED_IN,
        )
    )
    regrouped = timeline.receive(
        found(at=START + timedelta(hours=10)), at=START + timedelta(hours=34)
    )
    [own] = told(regrouped, "mash", "convene_strategy_meeting")
    assert (own.episode_id, own.paragraph) == ("EP-2", "8.11")


def test_8_11_the_placing_authoritys_social_work_team_is_asked_to_our_discussion() -> None:
    """8.11, 8.1: the authority where the child is works with the one responsible for it:
    the placing authority is told of our discussion, its social work team asked to it."""
    decisions = Timeline().receive(misper(risk_level=RiskLevel.HIGH, **PLACED_IN))
    [asked] = told(decisions, "placing_authority", "attend_strategy_meeting")
    assert asked.paragraph == "8.11"


def test_mct_pg_bordering_authority_means_the_mct_does_the_return_interview() -> None:
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="luton"))
    assert told(timeline.receive(found()), "mct", "conduct_return_interview")


def test_5_12_beyond_the_border_the_ooc_engagement_worker_does_it() -> None:
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    assert told(timeline.receive(found()), "ooc_engagement_worker", "conduct_return_interview")


def test_8_12_three_episodes_in_90_days_with_serious_concerns_go_to_the_placing_authority() -> None:
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=20), risk_level=RiskLevel.HIGH, **PLACED_IN)
    assert told(
        timeline.decisions, "cse_missing_service_manager", "notify_placing_head_of_safeguarding"
    )
    assert told(timeline.decisions, "mash_manager", "chair_strategy_discussion")


def test_8_12_the_placing_authoritys_social_work_team_is_asked_to_the_discussion() -> None:
    """8.12: "a Strategy Discussion will be chaired by a MASH Manager to include the social
    work team responsible for the child": that team is the placing authority's."""
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=20), risk_level=RiskLevel.HIGH, **PLACED_IN)
    [invited] = [
        d
        for d in told(timeline.decisions, "placing_authority", "attend_strategy_meeting")
        if d.paragraph == "8.12"
    ]
    assert invited.details["meeting"] == "strategy discussion (8.12)"


def test_7_20_the_police_and_health_are_asked_to_the_8_12_strategy_discussion() -> None:
    """7.20: "Strategy Meetings should include: ... The Police; ... Health"; 8.12: "a
    Strategy Discussion will be chaired by a MASH Manager to include the social work team
    responsible for the child": that team besides them, as at 8.11's discussion."""
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=20), cse_risk=True, **PLACED_IN)
    asked = {
        d.recipient
        for d in by_the_rules(timeline.decisions)
        if d.action == "attend_strategy_meeting"
        and d.details.get("meeting") == "strategy discussion (8.12)"
    }
    assert asked == {"placing_authority", "police", "health"}


def test_8_13_a_fourth_episode_after_the_written_notice_brings_the_dcs_letter() -> None:
    timeline = Timeline()
    timeline.repeatedly_missing(4, every=timedelta(days=15), risk_level=RiskLevel.HIGH, **PLACED_IN)
    assert told(timeline.decisions, "rise_mct_strategic_manager", "draft_dcs_escalation_letter")


def test_1_5_a_child_of_neither_authority_is_out_of_scope() -> None:
    with pytest.raises(ProtocolViolation, match=r"1\.5"):
        Timeline().receive(misper(responsible_authority="kent", residence_authority="essex"))


def test_8_12_a_new_placing_authority_gets_its_own_written_notice() -> None:
    """8.12: "the Head of Safeguarding in the Placing Authority will be informed in writing":
    a child placed here by Essex, then a year later by Kent, missing 3 times in 90 days with
    serious concerns under each, is Kent's to be told too; 8.13's letter ("despite the above
    noted intervention") is not for an authority never given the intervention."""
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=20), risk_level=RiskLevel.HIGH, **PLACED_IN)
    for n in range(3):
        start = START + timedelta(days=365 + 20 * n)
        timeline.receive(
            misper(f"EP-K{n}", at=start, risk_level=RiskLevel.HIGH,
                   **{**PLACED_IN, "responsible_authority": "kent"})
        )  # fmt: skip
        timeline.receive(found(f"EP-K{n}", at=start + timedelta(hours=3)))
    notices = told(timeline.decisions, "placing_authority", "head_of_safeguarding_written_notice")
    assert [n.authority for n in notices] == ["essex", "kent"]


def test_8_13_the_placing_authority_told_under_a_misspelt_name_is_not_told_again() -> None:
    """8.12's written notice went to "Esex", held for ops until they added the name to the
    directory as Essex's; the next report names "Essex": the episodes "continue to escalate
    despite the above noted intervention" (8.13), so the DCS letter is drafted, and Essex's
    Head of Safeguarding is not sent 8.12's notice a second time, nor another discussion held."""
    timeline = Timeline()
    misspelt = {**PLACED_IN, "responsible_authority": "Esex"}
    timeline.repeatedly_missing(3, every=timedelta(days=15), risk_level=RiskLevel.HIGH, **misspelt)
    timeline.directory = timeline.directory.model_copy(
        update={"aliases": {"esex": Alias(to=("essex",))}}
    )
    fourth = timeline.receive(
        misper("EP-3", at=START + timedelta(days=45), risk_level=RiskLevel.HIGH, **PLACED_IN)
    )
    assert told(fourth, "rise_mct_strategic_manager", "draft_dcs_escalation_letter")
    assert not told(fourth, "placing_authority", "head_of_safeguarding_written_notice")
    assert not told(fourth, "mash_manager", "chair_strategy_discussion")
