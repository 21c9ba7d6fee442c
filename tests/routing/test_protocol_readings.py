"""The protocol, read right: each test quotes the text it holds the engine to (the texts are
docs/protocol/multi-agency-protocol.txt and mct-practice-guidance.txt, "MCT-PG")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from hub.contracts.events import (
    ChildDetails,
    MashRating,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
    RiskUpdate,
)
from hub.contracts.vocabulary import (
    EpisodeAssessment,
    FoundBy,
    Interviewer,
    LegalStatus,
    RagRating,
    ReturnInterviewOutcome,
    RiskLevel,
    Sex,
)
from hub.routing.facts import Decision, ProtocolViolation
from tests.routing.builders import (
    CHILD,
    DIRECTORY,
    ESCALATED,
    PLACED_IN,
    START,
    Timeline,
    by_the_rules,
    disagreement,
    found,
    misper,
    return_interview,
    risk_update,
    told,
)
from tests.routing.test_duties import acknowledged, closed, held

PLACED_OUT: dict[str, Any] = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "residence_authority": "kent",
}
PLACED_HERE: dict[str, Any] = dict(PLACED_IN)  # a looked-after child Essex placed here
FOUND_AT = START + timedelta(days=2)


def care_leaver(born: date, **changes: Any) -> dict[str, Any]:
    young_person = ChildDetails(name="Young Person", date_of_birth=born, sex=Sex.MALE)
    return {
        "child": young_person,
        "legal_status": LegalStatus.CARE_LEAVER,
        "risk_level": RiskLevel.LOW,
        **changes,
    }


def cannot_complete(at: datetime, by: Interviewer = Interviewer.MCT) -> ReturnInterviewResult:
    return ReturnInterviewResult(
        episode_id="EP-1",
        child_id=CHILD,
        interviewer=by,
        outcome=ReturnInterviewOutcome.CANNOT_COMPLETE,
        recorded_at=at,
    )


def returned(**changes: Any) -> Timeline:
    timeline = Timeline()
    timeline.receive(misper(**changes))
    timeline.receive(found(at=FOUND_AT))
    return timeline


# 3.8, 3.9, 3.9.1: the Incident and Location Forms


def test_3_8_the_missing_coordinator_shares_the_forms_of_a_child_placed_here() -> None:
    """3.8: "If a child in care is placed in Northamptonshire from another Authority and is
    reported to be missing, the Missing Co-ordinator will share the Incident Form and Location
    Form with the Police to aid the investigation." """
    decisions = Timeline().receive(misper(**PLACED_HERE))
    [share] = told(decisions, "mct", "share_incident_and_location_forms")
    assert share.paragraph == "3.8"
    assert not told(decisions, "police", "share_incident_and_location_forms")


def test_3_9_1_the_missing_coordinator_shares_the_forms_through_the_missing_police_officer() -> (
    None
):
    """3.9.1: "The Missing Co-ordinator will share the Incident and Location with the
    Northamptonshire Missing Police Officer, who will then identify and share it with the
    appropriate Police force in the relevant Authority." """
    decisions = Timeline().receive(misper(**PLACED_OUT))
    [share] = told(decisions, "mct", "share_incident_and_location_forms")
    [officer] = told(decisions, "police", "share_forms_with_host_police")
    assert (share.paragraph, officer.paragraph) == ("3.9.1", "3.9.1")
    assert officer.authority == "northamptonshire-police"


def test_3_9_the_host_police_are_told_the_child_is_missing_not_that_forms_were_shared() -> None:
    """3.9: "If a child in care is in an out of area placement goes missing, the Incident Form
    and Location Form will be shared with the Police force in that Authority" - by the
    Missing Police Officer, later (3.9.1); what the host police need now is the search."""
    decisions = Timeline().receive(misper(**PLACED_OUT))
    assert [d.action for d in told(decisions, "host_police")] == ["child_missing_in_your_area"]


def test_8_3_a_child_on_our_plan_living_in_another_area_is_not_called_a_child_in_our_care() -> None:
    """8.3 and 3.9 speak of a child in care placed out of area; the host is told of any child
    of ours living there, so that it searches, but a child on a child protection plan, living
    with its family, is not described to the host as a child in our care in a placement."""
    decisions = Timeline().receive(
        misper(legal_status=LegalStatus.CHILD_PROTECTION_PLAN, residence_authority="kent")
    )
    [host] = told(decisions, "host_authority", "child_missing_in_your_area")
    assert "in our care" not in host.summary


# 7.16, 3.9, 8.3: a new grading reaches the host searching for our child placed out


def test_7_16_the_host_police_searching_for_our_child_are_told_it_is_now_high_risk() -> None:
    """7.16: "All professionals should also appropriately respond to new information
    received that amends the risk level for a Missing child": the force where our child is
    placed, told at missing that it is missing there (3.9), searches on the first grading."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    [kent] = told(decisions, "host_police", "risk_level_changed")
    assert (kent.authority, kent.paragraph, kent.due) == ("kent-police", "7.16", None)
    assert kent.details["risk_level"] == "high"


def test_8_3_the_host_authority_acting_with_us_is_told_the_new_grading() -> None:
    """8.3: the host authority's protocol is followed "in collaboration with colleagues in
    Northamptonshire": told the child is missing (8.3), it is told the grading changed (7.16)."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    [kent] = told(decisions, "host_authority", "risk_level_changed")
    assert (kent.authority, kent.paragraph, kent.due) == ("kent", "7.16", None)


def test_7_16_a_new_cse_marker_reaches_the_host_police_too() -> None:
    """7.16: a CSE marker amends the risk as a grading does (6.6, 7.22)."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    decisions = timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=2), True))
    [kent] = told(decisions, "host_police", "risk_level_changed")
    assert kent.details["cse_risk"] is True


def test_7_16_a_grading_lowered_reaches_the_host_police_too() -> None:
    """7.16: new information "that amends the risk level", whichever way."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT, risk_level=RiskLevel.HIGH))
    decisions = timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=2)))
    assert told(decisions, "host_police", "risk_level_changed")


def test_7_16_a_grading_unchanged_is_no_news_to_the_host() -> None:
    """7.16: information that does not amend the risk level asks nothing new of the host."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    decisions = timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=2)))
    assert not told(decisions, "host_police") + told(decisions, "host_authority")


def test_7_16_the_host_force_that_took_the_report_graded_the_child_itself() -> None:
    """The force the absence was reported to graded the child (3.19): Kent Police, reporting
    our child missing in Kent, are not told their own grading; Kent's council is (8.3)."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT, reporting_force="kent-police"))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    assert not told(decisions, "host_police")
    assert told(decisions, "host_authority", "risk_level_changed")


def test_1_4_a_care_leaver_of_twenty_living_in_kent_is_not_regraded_to_its_host() -> None:
    """1.4: an adult to the police, never described to the host force and authority as a
    child in our care placed there (3.9, 8.3), at missing or when graded again."""
    timeline = Timeline()
    timeline.receive(misper(**care_leaver(date(2006, 1, 1), residence_authority="kent")))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    assert not told(decisions, "host_police") + told(decisions, "host_authority")


def test_1_4_a_child_located_under_another_report_is_not_regraded_to_its_host() -> None:
    """1.4: missing "until located": found under a second force's report of the absence,
    the child is no longer searched for in Kent, and a grading of the first report, read
    now, is no search's news (the host authority was told of the return, 8.4)."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    timeline.receive(
        misper("EP-2", at=START + timedelta(hours=1), reporting_force="kent-police", **PLACED_OUT)
    )
    timeline.receive(found("EP-2", at=START + timedelta(hours=3)))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=4)))
    assert told(decisions, "mct", "risk_level_changed")  # 7.16, told as before
    assert not told(decisions, "host_police") + told(decisions, "host_authority")


# 3.4: who completes the forms


def test_3_4_a_known_child_with_no_allocated_worker_has_the_mct_complete_the_forms() -> None:
    """3.4: "The Incident Form and Location Form will be completed by the child's allocated
    worker or a member of the Missing Children Team (MCT)." With no allocated worker, only
    the MCT is left."""
    decisions = Timeline().receive(
        misper(legal_status=LegalStatus.EARLY_HELP, allocated_worker=None)
    )
    assert told(decisions, "mct", "complete_incident_and_location_forms")
    assert not told(decisions, "allocated_worker")


# 6.8: the Assistant Director


def test_6_8_the_head_of_safeguarding_notifies_the_assistant_director() -> None:
    """6.8: "The Assistant Director of Children's Services should also receive notification of
    all CiC children who are missing for more than 24 hours from the Head of Safeguarding." """
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    fired = timeline.advance(START + timedelta(hours=25))
    [notify] = told(fired, "head_of_safeguarding")
    assert notify.paragraph == "6.8"
    assert not told(fired, "assistant_director")


def test_6_8_a_child_placed_here_is_not_our_assistant_directors() -> None:
    """6.8 is about our children in care: "The Assistant Director ... will formally review all
    cases where children/young people have been missing for 3 months ... A decision as to
    whether or not to end the accommodation placement", and the 18th-birthday meeting on
    "whether the case should be closed". A child placed here is the placing authority's."""
    nearly_adult = ChildDetails(name="Nearly Adult", date_of_birth=date(2009, 1, 10), sex=Sex.MALE)
    timeline = Timeline()
    timeline.receive(misper(child=nearly_adult, **PLACED_HERE))
    timeline.advance(START + timedelta(days=100))
    assert not told(timeline.decisions, "assistant_director")
    assert not told(timeline.decisions, "head_of_safeguarding")


# 7.27: a placed child's meetings and minutes


def test_7_27_the_minutes_of_a_placed_childs_meetings_are_the_placing_authoritys() -> None:
    """7.27: "For children who are placed in Northamptonshire by other local authorities,
    these meetings should be convened and attended by the placing Children's Social Care
    Department in accordance with their own procedures." """
    timeline = Timeline()
    timeline.receive(misper(**PLACED_HERE))
    fired = timeline.advance(START + timedelta(days=11))
    assert told(fired, "placing_authority", "convene_strategy_meeting")
    assert not told(fired, "iro")
    assert not told(fired, "cp_chair")


# 7.17: a child at significant risk


def test_7_17_a_child_at_significant_risk_has_a_meeting_before_24_hours() -> None:
    """7.17: "If a child is missing for more than 24 hours or three times in a 90 day period
    or the child is considered to be at significant risk, it is important that those involved
    in their care meet." """
    decisions = Timeline().receive(misper(risk_level=RiskLevel.HIGH))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.paragraph == "7.17"
    assert meeting.due == START + timedelta(hours=24)


def test_7_17_raised_to_high_risk_within_24_hours_brings_the_meeting_forward() -> None:
    """7.17: "... or the child is considered to be at significant risk"; 7.16: "respond to new
    information received that amends the risk level for a Missing child." """
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=6)))
    [meeting] = told(decisions, "team_manager", "convene_strategy_meeting")
    assert meeting.paragraph == "7.17"


# 6.7, 7.18, 8.12: three service managers


def test_6_7_the_rise_mct_service_manager_is_consulted_on_an_unresolved_disagreement() -> None:
    """6.7: "If the matter remains unresolved at team manager/DI level, the police DCI and the
    RISE/MCT Service Manager in Children's Social Care should be consulted." """
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(disagreement(START + timedelta(hours=1)))
    fired = timeline.advance(START + timedelta(hours=14))
    assert told(fired, "rise_mct_service_manager", "escalate_risk_disagreement")
    assert not told(fired, "service_manager")


def test_6_7_the_manager_of_an_unallocated_childs_practitioner_is_in_mash() -> None:
    """6.7: "it should be resolved through escalation to the manager of the practitioner
    involved and the Police Missing Persons Unit" - a child not known has no team manager."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None))
    decisions = timeline.receive(disagreement(START + timedelta(hours=1)))
    assert told(decisions, "mash_manager", "resolve_risk_disagreement")
    assert not told(decisions, "team_manager")


def test_8_12_the_service_manager_cse_and_missing_writes_to_the_placing_authority() -> None:
    """8.12: "the Head of Safeguarding in the Placing Authority will be informed in writing by
    the Service Manager; Child Sexual Exploitation and Missing" """
    timeline = Timeline()
    timeline.repeatedly_missing(
        3, every=timedelta(days=20), risk_level=RiskLevel.HIGH, **PLACED_HERE
    )
    assert told(
        timeline.decisions, "cse_missing_service_manager", "notify_placing_head_of_safeguarding"
    )
    assert not told(timeline.decisions, "service_manager")


def _third_episode_placed_here_missing() -> Timeline:
    timeline = Timeline()
    timeline.repeatedly_missing(2, every=timedelta(days=20), **PLACED_HERE)
    timeline.receive(misper("EP-2", at=START + timedelta(days=40), **PLACED_HERE))
    return timeline


def test_8_12_a_red_rating_after_the_third_report_brings_the_written_notice() -> None:
    """8.12: "has gone missing 3 times in a 90 day period and there are serious concerns":
    the concern (MASH's red rating, 6.14) comes after the report, not with it."""
    timeline = _third_episode_placed_here_missing()
    rated = MashRating(
        episode_id="EP-2", child_id=CHILD, rated_at=START + timedelta(days=40, hours=2),
        rating=RagRating.RED,
    )  # fmt: skip
    decisions = timeline.receive(rated)
    assert told(decisions, "cse_missing_service_manager", "notify_placing_head_of_safeguarding")
    assert told(decisions, "mash_manager", "chair_strategy_discussion")


def test_8_12_the_notice_for_a_concern_raised_later_goes_once() -> None:
    timeline = _third_episode_placed_here_missing()
    graded = RiskUpdate(
        episode_id="EP-2", child_id=CHILD, updated_at=START + timedelta(days=40, hours=2),
        risk_level=RiskLevel.HIGH, cse_risk=False, reason="New information.",
    )  # fmt: skip
    first = timeline.receive(graded)
    marked = graded.model_copy(
        update={"updated_at": START + timedelta(days=40, hours=3), "cse_risk": True}
    )
    again = timeline.receive(marked)
    assert told(first, "placing_authority", "head_of_safeguarding_written_notice")
    assert not told(again, "placing_authority", "head_of_safeguarding_written_notice")


# 7.22, MCT-PG: the social worker tells the managers


def test_7_22_the_social_worker_informs_the_service_manager_within_24_hours() -> None:
    """7.22: "Within 24 hours the child's social worker should inform the relevant Service
    Manager/Strategic Manager for their service via the usual line management route." """
    decisions = Timeline().receive(misper())
    [inform] = told(decisions, "allocated_worker", "inform_service_manager")
    assert inform.due == START + timedelta(hours=24)
    assert not told(decisions, "service_manager")


def test_mct_pg_the_social_worker_informs_the_team_manager() -> None:
    """MCT-PG: "You should always inform your Team Manager and Service Manager when a child or
    young person is reported missing." """
    decisions = Timeline().receive(misper())
    assert told(decisions, "allocated_worker", "inform_team_manager")
    assert not told(decisions, "team_manager")


# 1.4, 4.1: care leavers


def test_1_4_a_care_leaver_of_twenty_is_an_adult_to_the_police() -> None:
    """1.4: "Police will treat 18 and above as adults."; 4.1: "If a Care Leaver goes missing,
    the Northamptonshire Leaving Care Service may need to re-assess the young person's
    needs" - not the child's MASH episode, strategy meetings or Assistant Director."""
    timeline = Timeline()
    timeline.receive(misper(**care_leaver(date(2006, 1, 1))))
    timeline.advance(START + timedelta(days=100))
    recipients = {d.recipient for d in by_the_rules(timeline.decisions)}
    assert "leaving_care" in recipients
    assert not recipients & {"mash", "assistant_director", "head_of_safeguarding"}
    assert not [d for d in timeline.decisions if d.action == "convene_strategy_meeting"]


def test_1_4_a_care_leaver_of_twenty_found_is_not_shared_as_a_child_found() -> None:
    """1.4: an adult to the police, so the MPU's sharing of missing and found children
    (6.4, 6.11) is not theirs, found as when missing."""
    timeline = Timeline()
    timeline.receive(misper(**care_leaver(date(2006, 1, 1))))
    decisions = timeline.receive(found(at=START + timedelta(hours=5)))
    assert not told(decisions, "ats")
    assert not told(decisions, "health")


def test_1_4_a_care_leaver_of_twenty_living_elsewhere_is_not_told_as_a_child_placed_there() -> None:
    """3.9 and 8.3 are for "a child in care" placed out of area: a care leaver of 18 or over
    is an adult (1.4), and was described to the host force and authority as a child in our
    care placed there, with its details."""
    decisions = Timeline().receive(
        misper(**care_leaver(date(2006, 1, 1), residence_authority="kent"))
    )
    assert not told(decisions, "host_police")
    assert not told(decisions, "host_authority")
    assert not told(decisions, "mct", "share_incident_and_location_forms")


def test_1_4_nor_told_as_a_child_returned_once_found() -> None:
    timeline = Timeline()
    timeline.receive(misper(**care_leaver(date(2006, 1, 1), residence_authority="kent")))
    assert not told(timeline.receive(found(at=START + timedelta(hours=5))), "host_authority")


@pytest.mark.parametrize(
    ("lives_in", "reported_to"),
    [("kent", "northamptonshire-police"), ("west-northamptonshire", "kent-police")],
    ids=["living in Kent, reported here", "living here, reported to Kent"],
)
def test_1_4_a_care_leaver_found_is_checked_by_the_force_that_has_the_report(
    lives_in: str, reported_to: str
) -> None:
    """1.4: "Police will treat 18 and above as adults": the force told of the young person's
    absence is the one it was reported to; the host force never heard of it (3.9, 8.3 are
    for a child in care). MCT-PG's "local Police to their placement" is for children "looked
    after and ... placed out of county": found, the safe and well check, due at once, and
    the prevention interview (5.12) go to the force that has the report."""
    timeline = Timeline()
    young_person = care_leaver(
        date(2006, 1, 1), residence_authority=lives_in, reporting_force=reported_to
    )
    timeline.receive(misper(**young_person))
    decisions = timeline.receive(found(at=FOUND_AT, safe_and_well_check_done=False))
    assert not told(decisions, "host_police")
    [check] = told(decisions, "police", "carry_out_safe_and_well_check")
    [interview] = told(decisions, "police", "conduct_prevention_interview")
    assert check.authority == interview.authority == reported_to


def test_4_3_the_home_office_is_told_the_asylum_seeking_child_is_found() -> None:
    """4.3: "The Home Office should be informed of the child/young person's missing
    status": a status that ends when the child is found."""
    timeline = Timeline()
    timeline.receive(misper(uasc=True))
    decisions = timeline.receive(found(at=FOUND_AT))
    [told_found] = told(decisions, "home_office", "child_found")
    assert told_found.child["found_at"] == "2026-11-20T10:00:00Z"  # FOUND_AT
    assert "last_seen_place" not in told_found.child


def test_4_3_the_home_office_is_not_told_who_found_the_asylum_seeking_child() -> None:
    """4.3: the Home Office is told the child's missing status, and "the appropriateness of
    information being divulged as to the whereabouts of the young person" is weighed: found
    by a parent or carer says with whom the child is, which its status does not need."""
    timeline = Timeline()
    timeline.receive(misper(uasc=True))
    decisions = timeline.receive(found(at=FOUND_AT, found_by=FoundBy.PARENT_OR_CARER))
    [told_found] = told(decisions, "home_office", "child_found")
    assert "found_by" not in told_found.details


def test_1_4_raised_to_high_risk_out_of_hours_edt_is_told_at_once() -> None:
    """1.4: "Children's services must also be notified immediately"; out of hours that is
    the Emergency Duty Team (3.10, 3.13)."""
    saturday_night = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    timeline = Timeline()
    timeline.receive(misper(at=saturday_night - timedelta(hours=12)))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, saturday_night))
    [edt] = told(decisions, "edt", "high_risk_child_missing")
    assert edt.due == saturday_night


def test_1_4_reported_high_risk_out_of_hours_edt_is_told_it_is_high_risk() -> None:
    """1.4: "Children's services must also be notified immediately": out of hours EDT acts
    for them, for a child reported high risk as for one raised to it."""
    saturday_night = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    decisions = Timeline().receive(misper(at=saturday_night, risk_level=RiskLevel.HIGH))
    [edt] = told(decisions, "edt", "high_risk_child_missing")
    assert edt.due == saturday_night


def test_1_4_reported_high_risk_in_office_hours_edt_is_not_told() -> None:
    assert not told(Timeline().receive(misper(risk_level=RiskLevel.HIGH)), "edt")


def test_3_10_a_report_read_after_the_office_closed_is_told_to_edt() -> None:
    """Out of hours is when the hub tells: a report made at 17:20 and read at 17:40 (after
    an outage) finds MASH closed, and the police may call EDT for the forms (3.10)."""
    friday_1720 = datetime(2026, 11, 20, 17, 20, tzinfo=UTC)
    decisions = Timeline().receive(misper(at=friday_1720), at=friday_1720 + timedelta(minutes=20))
    assert told(decisions, "edt", "missing_child_out_of_hours")


def concerns_told_to(found_at: datetime, read_at: datetime) -> set[str]:
    """Who is told of concerns about returning the child home (5.6)."""
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(found(at=found_at, concerns_about_returning_home=True), at=read_at)
    return {d.recipient for d in decisions if d.action == "concerns_about_return"}


def test_5_6_concerns_read_after_the_office_closed_go_to_edt() -> None:
    """5.6: "contact the MASH or the out-of-hours EDT before the child is returned": found
    at 17:15 on a Friday and read at 17:45, the decision is EDT's; MASH opens on Monday."""
    friday_1715 = datetime(2026, 11, 20, 17, 15, tzinfo=UTC)
    assert concerns_told_to(friday_1715, friday_1715 + timedelta(minutes=30)) == {"edt"}


def test_5_6_concerns_found_before_opening_and_read_after_go_to_mash() -> None:
    """Found at 08:40 on a Monday and read at 09:20: EDT has handed over to the day teams."""
    monday_0840 = datetime(2026, 11, 23, 8, 40, tzinfo=UTC)
    assert concerns_told_to(monday_0840, monday_0840 + timedelta(minutes=40)) == {"mash"}


@pytest.mark.parametrize(
    ("day", "chair"),
    [(3, "team_manager"), (8, "service_manager"), (11, "sqas_service_manager")],
)
def test_7_18_raised_to_high_risk_late_the_meeting_is_held_at_once_by_that_days_chair(
    day: int, chair: str
) -> None:
    """7.18: "For children who have been missing 10 days or over the Strategy Meeting must
    be chaired by the ... (SQAS) Service Manager"; day 7 the Service Manager. Raised to high
    after 48 hours, the meeting cannot be brought to 48 hours: it is held at once."""
    raised = START + timedelta(days=day, hours=1)
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, raised))
    [meeting] = told(decisions, chair, "convene_strategy_meeting")
    assert meeting.due == raised
    assert meeting.details["meeting"] == f"day {day} (high risk)"


def test_1_4_raised_to_high_risk_in_office_hours_edt_is_not_told() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    assert not told(decisions, "edt")


def test_5_18_the_prevention_interview_of_a_child_placed_here_goes_to_its_placing_authority() -> (
    None
):
    """5.18: shared with "the child's social worker ... and the Independent Reviewing
    Officer": for a child placed here, the placing authority's (8.10)."""
    timeline = returned(**PLACED_HERE)
    interview = PreventionInterviewCompleted(
        episode_id="EP-1", child_id=CHILD, completed_at=FOUND_AT + timedelta(hours=5),
        concerns_identified=True,
    )  # fmt: skip
    decisions = timeline.receive(interview)
    [shared] = told(decisions, "placing_authority", "prevention_interview_shared")
    assert shared.details["concerns_identified"] is True


def test_1_4_a_care_leaver_of_22_not_in_full_time_education_is_refused() -> None:
    """1.4: "such young people remain the responsibility of the Local Authority up to 21 (25
    years if in full time education)" """
    report = misper(**care_leaver(date(2004, 6, 1), in_full_time_education=False))
    with pytest.raises(ProtocolViolation) as refused:
        Timeline().receive(report)
    assert refused.value.field == "data.in_full_time_education"
    assert "1.4" in refused.value.reason


def test_1_4_a_care_leaver_of_25_is_refused_by_the_engine_not_the_contract() -> None:
    """1.4: "... up to 21 (25 years if in full time education)"; 4.1: "up until 25". The ages
    are the deployment's, which a contract cannot see."""
    report = misper(**care_leaver(date(2001, 6, 1), in_full_time_education=True))
    with pytest.raises(ProtocolViolation) as refused:
        Timeline().receive(report)
    assert refused.value.field == "data.child.date_of_birth"


def test_1_4_the_care_leaver_ages_are_the_deployments() -> None:
    """1.4: "up to 21 (25 years if in full time education)", as this deployment sets it:
    one that follows 4.1 ("up until 25") keeps a 22-year-old not in education."""
    ts = DIRECTORY.timescales.model_copy(update={"care_leaver_until_age": 25})
    timeline = Timeline(DIRECTORY.model_copy(update={"timescales": ts}))
    decisions = timeline.receive(
        misper(**care_leaver(date(2004, 6, 1), in_full_time_education=False))
    )
    assert told(decisions, "leaving_care", "reassess_care_leaver")


# MCT-PG: who takes the return interview over


def test_mct_pg_the_allocated_team_takes_the_interview_when_the_mct_cannot() -> None:
    """MCT-PG: "If the OOC Engagement Worker is unable to complete the IRI and there is no
    capacity within the MCT to complete the IRI, the MCT must notify the allocated social
    work team immediately." """
    timeline = returned(**PLACED_OUT)
    decisions = timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=4)))
    [handed] = told(decisions, "team_manager", "complete_return_interview")
    assert handed.due == FOUND_AT + timedelta(hours=72)


def test_mct_pg_a_late_interview_goes_to_its_owners_manager_not_the_allocated_team() -> None:
    """MCT-PG: the allocated team takes it only "If the OOC Engagement Worker is unable to
    complete the IRI and there is no capacity within the MCT"; 6.7 names the MCT's manager,
    "the RISE/MCT Service Manager"."""
    fired = returned().advance(FOUND_AT + timedelta(hours=73))
    assert told(fired, "rise_mct_service_manager", "return_interview_overdue")
    assert not told(fired, "team_manager")


def test_mct_pg_only_the_missing_service_can_say_the_interview_cannot_be_done() -> None:
    """MCT-PG: "... there is no capacity within the MCT to complete the IRI, the MCT must
    notify the allocated social work team" """
    with pytest.raises(ValidationError, match="interviewer"):
        cannot_complete(FOUND_AT, by=Interviewer.TRUSTED_ADULT)


def test_mct_pg_the_team_that_took_the_interview_over_is_chased_when_it_is_late() -> None:
    """MCT-PG: "It will then be the responsibility of the allocated social work team to
    perform this task"; 7.18 names "the Service Manager of the allocated team"."""
    timeline = returned(**PLACED_OUT)
    timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=4)))
    fired = timeline.advance(FOUND_AT + timedelta(hours=73))
    assert told(fired, "service_manager", "return_interview_overdue")
    assert not told(fired, "ooc_engagement_worker")


def test_mct_pg_a_team_handed_the_interview_after_its_72_hours_is_chased_at_once() -> None:
    """MCT-PG: the MCT "must notify the allocated social work team immediately", even once
    the 72 hours have passed; the team's Service Manager (7.18) hears it is late."""
    timeline = returned(**PLACED_OUT)
    timeline.advance(FOUND_AT + timedelta(hours=73))  # the MCT's own lateness escalated
    timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=75)))
    fired = timeline.advance(FOUND_AT + timedelta(hours=75, minutes=1))
    assert told(fired, "service_manager", "return_interview_overdue")


def test_mct_pg_a_team_handed_the_interview_again_after_its_first_chase_is_chased_again() -> None:
    timeline = returned(**PLACED_OUT)
    timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=50)))
    first = timeline.advance(FOUND_AT + timedelta(hours=73))
    timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=80)))
    again = timeline.advance(FOUND_AT + timedelta(hours=80, minutes=1))
    [chased] = told(first, "service_manager", "return_interview_overdue")
    [rechased] = told(again, "service_manager", "return_interview_overdue")
    assert rechased.notification_id != chased.notification_id  # not taken for a re-send


def test_mct_pg_a_team_handed_the_interview_twice_within_72_hours_is_chased_once() -> None:
    timeline = returned(**PLACED_OUT)
    timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=4)))
    timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=10)))
    fired = timeline.advance(FOUND_AT + timedelta(hours=73))
    assert len(told(fired, "service_manager", "return_interview_overdue")) == 1


def test_8_7_the_iro_hears_when_the_team_that_took_over_a_child_placed_outs_interview_is_late() -> (
    None
):
    """8.7: the IRO tells the team manager of an out-of-county child's return interview
    not managed in time, whoever had it when it fell late."""
    timeline = returned(**PLACED_OUT)
    timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=4)))
    fired = timeline.advance(FOUND_AT + timedelta(hours=73))
    [iro] = told(fired, "iro", "return_interview_overdue")
    assert iro.paragraph == "8.7"


def test_8_7_the_iro_hears_when_a_meeting_for_our_child_placed_out_of_county_is_not_held() -> None:
    """8.7: "The IRO should inform the relevant team manager of any escalation
    meetings/Independent Return Interviews for children placed out of county [that] have not
    been managed in accordance with these procedures": 7.22's first strategy meeting (7.25:
    held "to plan or escalate"), neither acknowledged nor held by its 72 hours."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    # Due on the Saturday: escalated when the day teams open on Monday (3.10).
    fired = timeline.advance(START + timedelta(days=5))
    [iro] = [
        d
        for d in told(fired, "iro", ESCALATED)
        if d.details["duty_action"] == "convene_strategy_meeting"
        and d.details["owed_to"] == "team_manager"
    ]
    assert iro.paragraph == "8.7"


def first_meeting_acknowledged() -> tuple[Timeline, Decision]:
    """Our child in care placed out of county, missing 24 hours: 7.22's first strategy
    meeting, due at 72 hours (Saturday 10:00), acknowledged by its chair an hour on."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    fired = timeline.advance(START + timedelta(hours=24))
    [convene] = told(fired, "team_manager", "convene_strategy_meeting")
    timeline.receive(acknowledged(convene, START + timedelta(hours=25)))
    return timeline, convene


def iro_told_of(decisions: list[Decision], convene: Decision) -> list[Decision]:
    return [
        d
        for d in told(decisions, "iro", ESCALATED)
        if d.details["duty_notification_id"] == convene.notification_key
    ]


def test_8_7_the_iro_hears_when_an_acknowledged_meeting_for_our_child_placed_out_is_not_held() -> (
    None
):
    """8.7: "The IRO should inform the relevant team manager of any escalation
    meetings/Independent Return Interviews for children placed out of county [that] have not
    been managed": acknowledged, the meeting is escalated to no one for want of an answer;
    not held by its 72 hours (7.22), the IRO is told then, once, as of an overdue interview."""
    timeline, convene = first_meeting_acknowledged()
    fired = timeline.advance(START + timedelta(days=6))
    [iro] = iro_told_of(fired, convene)
    assert (iro.paragraph, iro.at, iro.due) == ("8.7", convene.due, None)


def test_8_7_the_iro_hears_of_a_meeting_acknowledged_after_its_deadline_passed_unheld() -> None:
    """Due on the Saturday, its escalation waits for Monday's opening (3.10): picked up on
    the Sunday, it is escalated to no one, and not held by its 72 hours (7.22)."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    fired = timeline.advance(START + timedelta(hours=24))
    [convene] = told(fired, "team_manager", "convene_strategy_meeting")
    sunday = START + timedelta(days=4)
    timeline.receive(acknowledged(convene, sunday))
    [iro] = iro_told_of(timeline.advance(START + timedelta(days=9)), convene)
    assert (iro.paragraph, iro.at) == ("8.7", sunday)


def test_8_7_a_meeting_due_at_once_picked_up_in_its_window_is_not_told_to_the_iro() -> None:
    """7.18's meeting at 24 hours is convened at once: picked up in its window, it is
    managed as every duty due at once is (not overdue)."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    fired = timeline.advance(START + timedelta(hours=24))
    [convene] = told(fired, "practice_manager", "convene_strategy_meeting")
    timeline.receive(acknowledged(convene, START + timedelta(hours=25)))
    assert not iro_told_of(timeline.advance(START + timedelta(days=9)), convene)


def test_8_7_the_iro_is_not_told_of_an_acknowledged_meeting_held_in_time() -> None:
    timeline, convene = first_meeting_acknowledged()
    timeline.receive(held(convene, START + timedelta(hours=60)))
    assert not iro_told_of(timeline.advance(START + timedelta(days=6)), convene)


def test_8_7_the_iro_is_not_told_of_an_acknowledged_meeting_for_a_child_found_before_it() -> None:
    """7.22: meetings are held "if the child has not returned"."""
    timeline, convene = first_meeting_acknowledged()
    timeline.receive(found(at=START + timedelta(hours=60)))
    assert not iro_told_of(timeline.advance(START + timedelta(days=6)), convene)


def test_8_7_the_iro_is_not_told_of_an_acknowledged_meeting_of_an_episode_closed_before_it() -> (
    None
):
    """7.24: the case closed, no meeting is owed."""
    timeline, convene = first_meeting_acknowledged()
    timeline.receive(closed(START + timedelta(hours=60)))
    assert not iro_told_of(timeline.advance(START + timedelta(days=6)), convene)


def test_8_7_an_acknowledged_meeting_of_our_child_in_care_living_here_is_not_the_iros() -> None:
    """8.7 is about children "placed out of county"."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    [convene] = told(
        timeline.advance(START + timedelta(hours=24)), "team_manager", "convene_strategy_meeting"
    )
    timeline.receive(acknowledged(convene, START + timedelta(hours=25)))
    assert not iro_told_of(timeline.advance(START + timedelta(days=6)), convene)


def test_mct_pg_the_ooc_worker_unable_asks_the_mct_not_the_allocated_team() -> None:
    """MCT-PG: "If the OOC Engagement Worker is unable to complete the IRI and there is no
    capacity within the MCT to complete the IRI, the MCT must notify the allocated social
    work team immediately": the OOC worker unable, the MCT completes it if it can."""
    timeline = returned(**PLACED_OUT)
    decisions = timeline.receive(
        cannot_complete(FOUND_AT + timedelta(hours=4), by=Interviewer.OOC_ENGAGEMENT_WORKER)
    )
    [asked] = told(decisions, "mct", "complete_return_interview")
    assert (asked.paragraph, asked.due) == ("MCT-PG", FOUND_AT + timedelta(hours=72))
    assert not told(decisions, "team_manager")


def test_mct_pg_the_mct_with_no_capacity_after_the_ooc_worker_hands_it_to_the_team() -> None:
    """MCT-PG: "... and there is no capacity within the MCT ..., the MCT must notify the
    allocated social work team immediately." """
    timeline = returned(**PLACED_OUT)
    timeline.receive(
        cannot_complete(FOUND_AT + timedelta(hours=4), by=Interviewer.OOC_ENGAGEMENT_WORKER)
    )
    decisions = timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=6)))
    [handed] = told(decisions, "team_manager", "complete_return_interview")
    assert handed.due == FOUND_AT + timedelta(hours=72)


def test_mct_pg_the_mct_asked_after_the_ooc_worker_is_chased_at_72_hours() -> None:
    """MCT-PG: the interview the OOC worker could not do is the MCT's until it says it has
    no capacity; late, the MCT and its manager hear of it (6.7)."""
    timeline = returned(**PLACED_OUT)
    timeline.receive(
        cannot_complete(FOUND_AT + timedelta(hours=4), by=Interviewer.OOC_ENGAGEMENT_WORKER)
    )
    fired = timeline.advance(FOUND_AT + timedelta(hours=73))
    assert told(fired, "mct", "return_interview_overdue")
    assert told(fired, "rise_mct_service_manager", "return_interview_overdue")


def test_mct_pg_an_interview_handed_to_mash_for_a_child_with_no_team_is_chased_too() -> None:
    """MCT-PG: "the MCT must notify the allocated social work team immediately"; a child
    with no allocated team has MASH (as 7.18 names MASH where there is no team), whose
    manager answers to the RISE/MCT Service Manager (6.7)."""
    timeline = returned(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None)
    handed = timeline.receive(cannot_complete(FOUND_AT + timedelta(hours=10)))
    assert told(handed, "mash_manager", "complete_return_interview")
    fired = timeline.advance(FOUND_AT + timedelta(hours=73))
    assert told(fired, "mash_manager", "return_interview_overdue")
    assert told(fired, "rise_mct_service_manager", "return_interview_overdue")


# MCT-PG: the safe and well check


def test_mct_pg_police_carry_out_a_safe_and_well_check_not_yet_done() -> None:
    """MCT-PG: "Upon children and young people returning or being found; Northamptonshire
    Police will carry out a 'Safe and well check'" """
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(found(at=FOUND_AT, safe_and_well_check_done=False))
    [check] = told(decisions, "police", "carry_out_safe_and_well_check")
    assert check.authority == "northamptonshire-police"


@pytest.mark.parametrize(
    "child",
    [{}, PLACED_HERE],
    ids=["living at home here", "placed here by Essex"],
)
def test_mct_pg_a_child_here_reported_to_another_force_is_checked_by_northamptonshire_police(
    child: dict[str, Any],
) -> None:
    """MCT-PG: "In Northamptonshire ... Northamptonshire Police will carry out a 'Safe and
    well check'", whichever force took the report (the child reported to Kent Police on a
    visit there): the check, due at once, is the local force's, as out of county it is "the
    local Police to their placement". Sent to Kent, it reached a force that does not police
    the child's home, and Northamptonshire Police never heard of it."""
    timeline = Timeline()
    timeline.receive(misper(reporting_force="kent-police", **child))
    decisions = timeline.receive(found(at=FOUND_AT, safe_and_well_check_done=False))
    [check] = told(decisions, "police", "carry_out_safe_and_well_check")
    assert check.authority == "northamptonshire-police"


def test_mct_pg_out_of_county_the_local_police_do_the_safe_and_well_visit() -> None:
    """MCT-PG: "Where children and young people are looked after and are placed out of county,
    it is the local Police to their placement that are responsible for carrying out the Safe
    and well visit." """
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    decisions = timeline.receive(found(at=FOUND_AT, safe_and_well_check_done=False))
    [check] = told(decisions, "host_police", "carry_out_safe_and_well_check")
    assert check.authority == "kent-police"


def test_7_24_the_force_the_child_was_reported_to_hears_it_was_found_in_its_placements_area() -> (
    None
):
    """Our child placed in Kent, reported missing to Northamptonshire Police; the found
    report comes in, and Kent Police, local to the placement, is asked for the safe and well
    check and the Prevention Interview. 7.24: the police file "remain[s] live until the child
    is formally deemed as 'Found'": the force that holds it is told the child was found,
    when, and nothing more (it was told nothing, and its file stayed open)."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_OUT))
    decisions = timeline.receive(found(at=FOUND_AT))
    [told_found] = told(decisions, "police", "child_found")
    assert told_found.authority == "northamptonshire-police"
    assert told_found.paragraph == "7.24"
    assert set(told_found.child) == {"name", "date_of_birth", "sex", "found_at"}


def test_7_24_a_host_force_that_took_the_report_is_not_told_twice() -> None:
    timeline = Timeline()
    timeline.receive(misper(reporting_force="kent-police", **PLACED_OUT))
    decisions = timeline.receive(found(at=FOUND_AT))
    assert not told(decisions, "police", "child_found")


# Other readings of the same kind


def test_mct_pg_parents_are_informed_through_the_allocated_worker() -> None:
    """MCT-PG: "For looked after children and young people, the allocated Social Worker must
    ensure those with parental responsibility are informed about the missing episode";
    8.4: "unless the latter is inconsistent with the child's welfare"."""
    timeline = returned(legal_status=LegalStatus.LOOKED_AFTER)
    assert told(timeline.decisions, "allocated_worker", "inform_parental_responsibility_holders")
    assert not told(timeline.decisions, "parent_carer")


def test_5_17_the_interviewer_makes_the_mash_referral_of_a_child_not_known() -> None:
    """5.17: "If the child is not known, a MASH referral will be completed by the worker who
    completed the return interview" """
    timeline = returned(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None)
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=20)))
    assert told(decisions, "mct", "make_mash_referral")
    assert not told(decisions, "mash")


def test_7_7_the_missing_children_coordinator_makes_the_referral() -> None:
    """7.7: "The missing episode is significant. In this case the Missing Children
    Co-ordinator will refer the child to the MASH team for an Initial Assessment." """
    timeline = returned()
    decisions = timeline.receive(
        return_interview(FOUND_AT + timedelta(hours=20), EpisodeAssessment.SIGNIFICANT)
    )
    assert told(decisions, "mct", "refer_to_mash_for_initial_assessment")
    assert not told(decisions, "mash")


def test_8_10_a_placed_childs_social_worker_is_in_the_placing_authority() -> None:
    """8.10: "MCT will contact the social worker in the Placing Authority"; a worker named on
    the report of a child placed here is theirs, never one of ours."""
    placed_with_worker = {**PLACED_HERE, "allocated_worker": misper().allocated_worker}
    timeline = Timeline()
    timeline.receive(misper(**placed_with_worker))
    timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    assert not told(timeline.decisions, "allocated_worker")
    assert told(timeline.decisions, "placing_authority", "risk_level_changed")


def test_5_16_the_ooc_engagement_worker_considers_a_referral_after_declines() -> None:
    """5.16: "If the child continues to decline be interviewed, the MCT worker / Out of County
    Missing Engagement Worker and their line manager should consider whether it is
    appropriate to make a referral to the MASH" """
    timeline = returned(**PLACED_OUT)
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=9), declined=True))
    assert told(decisions, "ooc_engagement_worker", "consider_mash_referral_after_declines")
