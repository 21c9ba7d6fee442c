"""The Incident Form at every episode, not only the first (3.3, 3.6), and whose a missing
care leaver's duties are (4.1, 5.6, MCT-PG), in words for a young person (1.4)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from hub.contracts.events import ChildDetails
from hub.contracts.vocabulary import LegalStatus, RiskLevel, Sex
from hub.routing.rules.repeat import DISCUSSION
from tests.routing.builders import (
    PLACED_IN,
    START,
    Timeline,
    by_the_rules,
    found,
    misper,
    risk_update,
    told,
)


def _care_leaver(born: date, **changes: Any) -> dict[str, Any]:
    return {
        "child": ChildDetails(name="Young Person", date_of_birth=born, sex=Sex.MALE),
        "legal_status": LegalStatus.CARE_LEAVER,
        "risk_level": RiskLevel.MEDIUM,
        **changes,
    }


# 3.6: "Part two of the Incident Form must be reviewed and updated as necessary in the event
# of a missing episode." 3.4: the forms are "completed and updated by the allocated worker"
# (a Missing Co-ordinator for a child not known or placed here).


def test_3_6_the_allocated_worker_reviews_the_incident_form_at_a_later_episode() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    second = timeline.receive(misper("EP-2", at=START + timedelta(days=40)))
    forms = told(second, "allocated_worker", "complete_incident_and_location_forms")
    assert [(d.paragraph, d.due) for d in forms] == [("3.6", START + timedelta(days=40))]


def test_3_6_the_mct_reviews_the_incident_form_of_a_child_placed_here_at_a_later_episode() -> None:
    timeline = Timeline()
    timeline.receive(misper("EP-1", **PLACED_IN))  # type: ignore[arg-type]
    later = START + timedelta(days=40)
    second = timeline.receive(misper("EP-2", at=later, **PLACED_IN))
    forms = told(second, "mct", "complete_incident_and_location_forms")
    assert [d.paragraph for d in forms] == ["3.6"]


def test_3_3_the_first_episode_still_cites_3_3_only() -> None:
    forms = told(
        Timeline().receive(misper()), "allocated_worker", "complete_incident_and_location_forms"
    )
    assert [d.paragraph for d in forms] == ["3.3"]


# MCT-PG: "You should always inform your Team Manager and Service Manager when a child or
# young person is reported missing." The engine keeps the Team Manager half for a care
# leaver of 18 or over (the docs: a care leaver keeps "the allocated worker ... and the
# rest"), but the Service Manager half lives only in 7.22, which it skips for them.


def test_mct_pg_the_worker_of_a_care_leaver_of_19_informs_the_service_manager_too() -> None:
    decisions = Timeline().receive(misper(**_care_leaver(date(2007, 1, 1))))
    assert told(decisions, "allocated_worker", "inform_team_manager")
    [inform] = told(decisions, "allocated_worker", "inform_service_manager")
    assert inform.paragraph == "MCT-PG"


# 4.1: "Children's Social Care therefore remains responsible for them [care leavers] ... If a
# Care Leaver goes missing, the Northamptonshire Leaving Care Service may need to re-assess";
# 1.4: the placing authority is "responsible for the child's care and Care planning". Another
# authority's care leaver placed here is that authority's to re-assess, not ours.


def test_4_1_a_care_leaver_placed_here_is_reassessed_by_the_placing_authority() -> None:
    report = misper(
        **_care_leaver(date(2009, 1, 1), responsible_authority="essex", allocated_worker=None)
    )
    decisions = Timeline().receive(report)
    assert not told(decisions, "leaving_care")
    [reassess] = told(decisions, "placing_authority", "reassess_care_leaver")
    assert (reassess.paragraph, reassess.authority) == ("4.1", "essex")


# 5.6: concerns about the safety of a child's return go to "the MASH or the out-of-hours
# Emergency Duty Team (EDT) before the child is returned". MASH is never told of a care leaver
# of 18 or over (1.4: "Police will treat 18 and above as adults"), whose needs are the Leaving
# Care Service's (4.1: "Children's Social Care therefore remains responsible for them").


def test_5_6_concerns_about_a_care_leaver_of_19_going_back_go_to_the_leaving_care_service() -> None:
    timeline = Timeline()
    timeline.receive(misper(**_care_leaver(date(2007, 1, 1))))
    decisions = timeline.receive(found(concerns_about_returning_home=True))
    concerns = [d for d in decisions if d.action == "concerns_about_return"]
    assert [(d.recipient, d.paragraph) for d in concerns] == [("leaving_care", "5.6")]


# 1.4: "The term 'child' is used throughout this document to include young people", but a
# care leaver of 18 or over is no child in care placed here (8.8-8.13), nor an
# unaccompanied asylum-seeking child (4.3: no longer one once "age assessed as being over
# 18yrs"): the notices call them the young person, as the other care leaver notices do.
A_CHILD_BY_STATUS = re.compile(r"child (you |it )?placed here|child in care|asylum-seeking child")


def test_1_4_a_care_leaver_of_19_placed_here_is_never_told_of_as_a_child() -> None:
    timeline = Timeline()
    placed_here = _care_leaver(
        date(2007, 1, 1), responsible_authority="essex", allocated_worker=None, uasc=True
    )
    timeline.receive(misper(**placed_here))
    timeline.receive(found())
    timeline.advance(START + timedelta(days=10))
    assert [d.summary for d in timeline.decisions if A_CHILD_BY_STATUS.search(d.summary)] == []


# 8.12: a child placed here by another authority, missing 3 times in 90 days with serious
# concerns: the placing authority's Head of Safeguarding is told in writing, and a MASH
# Manager chairs a strategy discussion. 1.4: "Police will treat 18 and above as adults", and
# MASH hears of no care leaver of 18 or over; but "the term 'child' is used throughout this
# document to include young people", and the placing authority, which "remains responsible"
# for its care leaver (4.1), is still told in writing of the repeat episodes.


def _placed_here_three_times_at_high_risk(born: date) -> Timeline:
    timeline = Timeline()
    placed_here = _care_leaver(
        born, responsible_authority="essex", allocated_worker=None, risk_level=RiskLevel.HIGH
    )
    timeline.repeatedly_missing(3, every=timedelta(days=20), **placed_here)
    return timeline


def test_1_4_a_care_leaver_of_19_placed_here_missing_3_times_has_no_mash_strategy_discussion() -> (
    None
):
    timeline = _placed_here_three_times_at_high_risk(date(2007, 1, 1))
    discussion = [
        d.recipient
        for d in by_the_rules(timeline.decisions)
        if d.action == "chair_strategy_discussion" or d.details.get("meeting") == DISCUSSION
    ]
    assert discussion == []


def test_8_12_a_care_leaver_of_19_placed_here_missing_3_times_is_told_of_it_in_writing() -> None:
    timeline = _placed_here_three_times_at_high_risk(date(2007, 1, 1))
    [notice] = told(timeline.decisions, "placing_authority", "head_of_safeguarding_written_notice")
    assert (notice.paragraph, notice.authority) == ("8.12", "essex")


# 7.16: a new grading goes to the child's social worker, or MASH. 1.4: "Police will treat 18
# and above as adults": MASH hears of no care leaver of 18 or over; the Leaving Care Service,
# responsible for the young person (4.1), is told instead, as of 5.6's concerns.


def test_7_16_a_new_grading_of_a_care_leaver_of_19_goes_to_the_leaving_care_service() -> None:
    timeline = Timeline()
    timeline.receive(misper(**_care_leaver(date(2007, 1, 1), allocated_worker=None)))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    changed = [d for d in by_the_rules(decisions) if d.action == "risk_level_changed"]
    assert [d.recipient for d in changed] == ["leaving_care", "mct"]


def test_7_16_a_new_grading_of_a_care_leaver_of_19_placed_here_goes_to_the_placing_authority() -> (
    None
):
    """One placed here by another authority is that authority's (1.4, 4.1), as its 5.6
    concerns are."""
    timeline = Timeline()
    placed_here = _care_leaver(
        date(2007, 1, 1), allocated_worker=None, responsible_authority="essex"
    )
    timeline.receive(misper(**placed_here))
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, START + timedelta(hours=2)))
    changed = [d for d in by_the_rules(decisions) if d.action == "risk_level_changed"]
    assert [d.recipient for d in changed] == ["placing_authority", "mct"]


def test_4_3_a_care_leaver_of_19_suspected_trafficked_is_referred_by_the_leaving_care_service() -> (
    None
):
    """4.3: the National Referral Mechanism, considered by the social worker, or MASH for a
    child with none. MASH hears of no adult (1.4): the Leaving Care Service, responsible for
    the young person (4.1), considers it, as it is told of the new grading (7.16)."""
    timeline = Timeline()
    leaver = _care_leaver(date(2007, 1, 1), allocated_worker=None, suspected_trafficking=True)
    decisions = by_the_rules(timeline.receive(misper(**leaver)))
    referral = [
        d.recipient for d in decisions if d.action == "consider_national_referral_mechanism"
    ]
    assert referral == ["leaving_care"]
