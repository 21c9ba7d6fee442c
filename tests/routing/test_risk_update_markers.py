"""4.3: a child the police learn, after the MISPER report, is an unaccompanied asylum-seeking
child, or may have been trafficked (a report that left `uasc` out, read as not seeking asylum,
or a fact found out in the search). The force says so in a risk update, as it raises a CSE
marker (6.6), and those 4.3 names are told then, not never."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.contracts.vocabulary import LegalStatus, RiskLevel
from tests.routing.builders import START, Timeline, found, misper, risk_update, told

LATER = START + timedelta(hours=3)
IN_CARE: dict[str, Any] = {"legal_status": LegalStatus.LOOKED_AFTER}


def test_4_3_a_child_marked_uasc_by_a_risk_update_has_the_home_office_told_at_once() -> None:
    """Its report left `uasc` out; the force, asked to correct it, marks the child."""
    timeline = Timeline()
    timeline.receive(misper(uasc=None, **IN_CARE))
    decisions = timeline.receive(risk_update(RiskLevel.MEDIUM, LATER, uasc=True))
    [home_office] = told(decisions, "home_office", "uasc_missing")
    assert (home_office.paragraph, home_office.due) == ("4.3", LATER)
    assert home_office.authority == "home-office"


def test_4_3_the_home_office_told_by_a_risk_update_is_told_of_the_return() -> None:
    timeline = Timeline()
    timeline.receive(misper(**IN_CARE))
    timeline.receive(risk_update(RiskLevel.MEDIUM, LATER, uasc=True))
    assert told(timeline.receive(found()), "home_office", "child_found")


def test_4_3_a_child_marked_uasc_when_reported_is_not_told_to_the_home_office_twice() -> None:
    timeline = Timeline()
    timeline.receive(misper(uasc=True, **IN_CARE))
    assert not told(timeline.receive(risk_update(RiskLevel.HIGH, LATER, uasc=True)), "home_office")


def test_4_3_a_risk_update_saying_not_uasc_leaves_the_home_office_told_of_the_return() -> None:
    """The Home Office, told the child is missing, must hear the child is back: a marker
    the force takes off changes nothing it was told."""
    timeline = Timeline()
    timeline.receive(misper(uasc=True, **IN_CARE))
    timeline.receive(risk_update(RiskLevel.MEDIUM, LATER, uasc=False))
    assert told(timeline.receive(found()), "home_office", "child_found")


def test_4_3_a_child_marked_uasc_after_being_found_has_the_home_office_told_no_deadline() -> None:
    """The update was made before the return but read after the found report (an outage)."""
    timeline = Timeline()
    timeline.receive(misper(**IN_CARE))
    timeline.receive(found())
    decisions = timeline.receive(
        risk_update(RiskLevel.MEDIUM, LATER, uasc=True), at=START + timedelta(days=3)
    )
    [home_office] = told(decisions, "home_office", "uasc_missing")
    assert home_office.due is None
    assert "found" in home_office.summary


def test_4_3_trafficking_suspected_in_a_risk_update_has_the_worker_refer_to_the_nrm() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(risk_update(RiskLevel.HIGH, LATER, suspected_trafficking=True))
    [worker] = told(decisions, "allocated_worker", "consider_national_referral_mechanism")
    assert worker.paragraph == "4.3"
    again = timeline.receive(
        risk_update(RiskLevel.HIGH, LATER + timedelta(hours=1), suspected_trafficking=True)
    )
    assert not told(again, "allocated_worker", "consider_national_referral_mechanism")


def test_4_3_a_report_leaving_out_uasc_asks_the_force_for_a_risk_update_marking_it() -> None:
    decisions = Timeline().receive(misper(uasc=None))
    [check] = told(decisions, "police", "check_misper_report")
    assert "unaccompanied asylum-seeking" in check.summary


def test_4_3_a_child_marked_uasc_once_located_under_another_report_is_told_found() -> None:
    """1.4: missing "until located". Two forces reported the absence and the child was
    located under the second's; the first force then marks the child: the Home Office hears
    of an asylum-seeking child who has been found, with no deadline, as for a child found
    under the marking report itself, not of a child missing now."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **IN_CARE))
    timeline.receive(
        misper("EP-2", at=START + timedelta(hours=1), reporting_force="thames-valley-police")
    )
    timeline.receive(found("EP-2", at=LATER))
    decisions = timeline.receive(
        risk_update(RiskLevel.MEDIUM, LATER + timedelta(hours=1), uasc=True)
    )
    [home_office] = told(decisions, "home_office", "uasc_missing")
    assert home_office.due is None
    assert "found" in home_office.summary


def test_4_3_a_second_forces_report_of_an_asylum_seeker_read_once_located_is_told_found() -> None:
    """1.4: missing "until located". A second force's report of the absence, saying the
    child seeks asylum (or read so, as the child's last report said: 7.3), is read only
    after the child was found under the first: the Home Office hears of an asylum-seeking
    child who has been found, with no deadline, as for a marking risk update read then."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **IN_CARE))
    timeline.receive(found("EP-1", at=LATER))
    decisions = timeline.receive(
        misper(
            "EP-2",
            at=START + timedelta(hours=1),
            reporting_force="thames-valley-police",
            uasc=True,
            **IN_CARE,
        ),
        at=LATER + timedelta(hours=1),
    )
    [home_office] = told(decisions, "home_office", "uasc_missing")
    assert home_office.due is None
    assert "found" in home_office.summary


def test_7_16_a_risk_update_marking_the_child_says_so_to_those_told_of_the_grading() -> None:
    """The update's news is the marker, not the grading: the worker and the MCT, told of it
    under 7.16, read that the child is now marked (4.3), not only "grading is now medium"."""
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(
        risk_update(RiskLevel.MEDIUM, LATER, uasc=True, suspected_trafficking=True)
    )
    for recipient in ("allocated_worker", "mct"):
        [changed] = told(decisions, recipient, "risk_level_changed")
        assert "unaccompanied asylum-seeking" in changed.summary
        assert "trafficked" in changed.summary
