"""A MISPER report the hub can route around is taken, never refused: a child is not left
unnotified while a force fixes and resends its report (docs/contracts.md, "What the hub
reads of a MISPER report"). The force is told what the hub read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from jsonschema import Draft202012Validator

from hub.contracts.events import ChildDetails, LastSeen
from hub.contracts.export import json_schema
from hub.contracts.registry import NOTIFICATION
from hub.contracts.vocabulary import LegalStatus, RiskLevel, Sex
from hub.routing.facts import Decision
from tests.routing.builders import (
    START,
    Timeline,
    by_the_rules,
    found,
    misper,
    risk_update,
    told,
)

FIFTEEN = ChildDetails(name="Test Child", date_of_birth=date(2011, 5, 1), sex=Sex.FEMALE)
CHECK = "check_misper_report"


def routed(decisions: list[Decision]) -> list[tuple[str, str, str]]:
    """Who was told what, and from which paragraph, but the force's check of its report."""
    return sorted(
        (d.recipient, d.action, d.paragraph) for d in by_the_rules(decisions) if d.action != CHECK
    )


def test_6_5_a_15_year_old_graded_low_is_routed_as_medium_risk() -> None:
    low = Timeline().receive(misper(child=FIFTEEN, risk_level=RiskLevel.LOW))
    medium = Timeline().receive(misper(child=FIFTEEN, risk_level=RiskLevel.MEDIUM))
    assert routed(low) == routed(medium)
    [mash] = told(low, "mash", "record_missing_episode")
    assert mash.child["risk_level"] == "medium"


def test_7_22_missing_since_after_the_report_counts_the_absence_from_the_report() -> None:
    typed_ahead = START + timedelta(minutes=10)
    report = misper(missing_since=typed_ahead, last_seen=LastSeen(place="Home", at=typed_ahead))
    decisions = Timeline().receive(report, at=START + timedelta(hours=1))  # read an hour late
    [service_manager] = told(decisions, "allocated_worker", "inform_service_manager")
    assert service_manager.due == START + timedelta(hours=24)


def test_6_5_the_reporting_force_is_told_the_hub_read_its_low_grading_as_medium() -> None:
    report = misper(child=FIFTEEN, risk_level=RiskLevel.LOW, reporting_force="bedfordshire-police")
    [check] = told(Timeline().receive(report), "police", CHECK)
    assert (check.authority, check.paragraph, check.due) == ("bedfordshire-police", "6.5", None)
    assert check.details == {"risk_level_sent": "low", "risk_level_read": "medium"}
    assert set(check.child) == {"name", "date_of_birth", "sex"}  # no more than its match needs
    assert check.notification().details == check.details  # the action's published schema


def test_7_22_the_reporting_force_is_told_the_hub_read_its_times_as_the_report_time() -> None:
    typed_ahead = START + timedelta(minutes=10)
    report = misper(missing_since=typed_ahead, last_seen=LastSeen(place="Home", at=typed_ahead))
    [check] = told(Timeline().receive(report), "police", CHECK)
    assert (check.authority, check.paragraph, check.due) == (
        "northamptonshire-police",
        "7.22",
        None,
    )
    assert check.details == {
        "missing_since_sent": "2026-11-18T10:10:00Z",
        "missing_since_read": "2026-11-18T10:00:00Z",
        "last_seen_at_sent": "2026-11-18T10:10:00Z",
        "last_seen_at_read": "2026-11-18T10:00:00Z",
    }


def test_a_report_read_as_sent_asks_the_force_to_check_nothing() -> None:
    assert not told(Timeline().receive(misper()), "police", CHECK)


def test_a_report_with_no_circumstances_is_routed_all_the_same() -> None:
    """What is known of the absence is for those who search and safeguard; a report sent
    without it is the child reported missing all the same: not refused, routed as any other,
    and nobody is sent circumstances that were not given."""
    without = Timeline().receive(misper(circumstances=None))
    assert routed(without) == routed(Timeline().receive(misper()))
    assert not told(without, "police", CHECK)  # nothing read otherwise: nothing to check
    assert all(d.child.get("circumstances") is None for d in without)


def test_6_5_a_report_leaving_out_the_grading_routes_the_child_as_medium_risk() -> None:
    """Refused, no agency would hear of the child until the force resent it: the child is
    routed as graded medium, the least a child can be graded (6.5), and the force told."""
    ungraded = Timeline().receive(misper(child=FIFTEEN, risk_level=None))
    assert routed(ungraded) == routed(Timeline().receive(misper(child=FIFTEEN)))
    [mash] = told(ungraded, "mash", "record_missing_episode")
    assert mash.child["risk_level"] == "medium"
    [check] = told(ungraded, "police", CHECK)
    assert (check.paragraph, check.due) == ("6.5", None)
    assert check.details == {"risk_level_sent": "not given", "risk_level_read": "medium"}
    assert "risk_level (not given) as medium (6.5)" in check.summary
    assert check.notification().details == check.details  # the action's published schema


def test_7_6_a_report_leaving_out_the_legal_status_has_the_child_screened_as_not_known() -> None:
    report = misper(legal_status=None, allocated_worker=None)
    decisions = Timeline().receive(report)
    assert told(decisions, "mash", "screen_child_not_known")
    assert told(decisions, "mct", "create_record_and_screen")
    [check] = told(decisions, "police", CHECK)
    assert check.paragraph == "7.6"
    assert check.details == {"legal_status_sent": "not given", "legal_status_read": "not_known"}
    assert check.notification().details == check.details


def test_a_report_leaving_out_all_four_is_told_back_as_the_published_schema_says() -> None:
    """The force's check is published: its details must be what the notification schema
    says (a marker read as false is JSON's false, not the text "false")."""
    report = misper(
        risk_level=None, cse_risk=None, uasc=None, legal_status=None, allocated_worker=None
    )
    [check] = told(Timeline().receive(report), "police", CHECK)
    assert check.paragraph == "6.5"  # the grading first: the force may have meant high
    assert check.details == {
        "risk_level_sent": "not given",
        "risk_level_read": "medium",
        "cse_risk_sent": "not given",
        "cse_risk_read": False,
        "uasc_sent": "not given",
        "uasc_read": False,
        "legal_status_sent": "not given",
        "legal_status_read": "not_known",
    }
    assert "at high risk or at risk of sexual exploitation" in check.summary
    published = check.notification().model_dump(mode="json")
    assert not list(Draft202012Validator(json_schema(NOTIFICATION)).iter_errors(published))


def test_7_3_a_report_leaving_out_the_legal_status_but_naming_a_worker_tells_the_worker() -> None:
    """A worker named is a worker allocated (7.3): the child is screened as not known (7.6),
    and the worker who knows the child is told as well, not left to hear of it from MASH."""
    decisions = Timeline().receive(misper(legal_status=None))
    [worker] = told(decisions, "allocated_worker", "missing_child_notified")
    assert worker.paragraph == "7.3"
    assert told(decisions, "allocated_worker", "inform_team_manager")
    assert told(decisions, "mash", "screen_child_not_known")


# What the hub already knows of the child: a field left out is read as the child's last
# report said, where that says more than the protocol's floor (docs/contracts.md).
SECOND_AT = START + timedelta(days=5)


def reported_again_leaving_out(first: dict[str, Any], **left_out: Any) -> Timeline:
    """The child reported and found, then reported missing again by a report that leaves
    the `left_out` fields out."""
    timeline = Timeline()
    timeline.receive(misper(**first))
    timeline.receive(found(at=START + timedelta(hours=5)))
    timeline.receive(misper("EP-2", at=SECOND_AT, **left_out))
    return timeline


def test_7_15_a_child_in_care_reported_again_without_its_status_is_read_as_in_care() -> None:
    timeline = reported_again_leaving_out(
        {"legal_status": LegalStatus.LOOKED_AFTER}, legal_status=None
    )
    again = [d for d in timeline.decisions if d.at == SECOND_AT]
    assert told(again, "iro", "missing_child_notified")
    assert not told(again, "mash", "screen_child_not_known")
    [check] = told(again, "police", CHECK)
    assert check.details == {"legal_status_sent": "not given", "legal_status_read": "looked_after"}
    assert "the child's last report" in check.summary
    assert check.notification().details == check.details


def test_4_3_an_asylum_seeking_child_reported_again_without_uasc_has_the_home_office_told() -> None:
    timeline = reported_again_leaving_out({"uasc": True}, uasc=None)
    again = [d for d in timeline.decisions if d.at == SECOND_AT]
    assert told(again, "home_office", "uasc_missing")


def test_6_6_a_child_with_a_cse_marker_reported_again_without_it_has_rise_told() -> None:
    timeline = reported_again_leaving_out({"cse_risk": True}, cse_risk=None)
    again = [d for d in timeline.decisions if d.at == SECOND_AT]
    assert told(again, "rise", "missing_child_at_risk_of_cse")


def test_4_3_a_value_sent_is_read_as_sent_whatever_the_last_report_said() -> None:
    timeline = reported_again_leaving_out({"uasc": True}, uasc=False)
    again = [d for d in timeline.decisions if d.at == SECOND_AT]
    assert not told(again, "home_office")


def test_7_6_a_child_not_known_last_time_reported_again_without_its_status_is_screened() -> None:
    timeline = reported_again_leaving_out(
        {"legal_status": LegalStatus.NOT_KNOWN, "allocated_worker": None},
        legal_status=None,
        allocated_worker=None,
    )
    again = [d for d in timeline.decisions if d.at == SECOND_AT]
    assert told(again, "mash", "screen_child_not_known")


def test_4_3_a_child_marked_uasc_by_a_risk_update_is_read_so_when_reported_again() -> None:
    """The force marked the child in a risk update during its first absence (4.3); its next
    report leaves `uasc` out: the Home Office is told, and the force is not asked for a risk
    update marking what the hub already reads."""
    timeline = Timeline()
    timeline.receive(misper(uasc=None))
    timeline.receive(risk_update(RiskLevel.MEDIUM, START + timedelta(hours=1), uasc=True))
    timeline.receive(found(at=START + timedelta(hours=5)))
    again = timeline.receive(misper("EP-2", at=SECOND_AT, uasc=None))
    assert told(again, "home_office", "uasc_missing")
    [check] = told(again, "police", CHECK)
    assert check.details == {"uasc_sent": "not given", "uasc_read": True}
    assert "Send a risk update" not in check.summary
