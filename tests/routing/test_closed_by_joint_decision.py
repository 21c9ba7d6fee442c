"""7.24: "All Police missing person's files remain live until the child is formally deemed as
'Found' or until a senior Police officer in conjunction with the Assistant Director
Safeguarding and Children's Services ... make a joint decision to close the case." The
closure stands the search down: every party told of the absence when the child went missing
is told the case was closed, the child not found (a notice: nothing is owed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub.contracts.events import EpisodeClosed
from hub.contracts.vocabulary import CrossBorderNoticeKind, LegalStatus
from hub.routing.facts import Decision
from tests.routing.builders import PLACED_IN, START, Timeline, found, misper, told
from tests.routing.test_cross_border_notices import host_notice

CLOSED_AT = START + timedelta(days=20)
HOME_FORCE = "northamptonshire-police"
# Our child in care placed in Luton (3.9, 8.3): Bedfordshire Police searches for it there.
PLACED_IN_LUTON: dict[str, Any] = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "residence_authority": "luton",
}
PLACED_HERE: dict[str, Any] = PLACED_IN  # by Essex (8.10)


def closure(by: str = HOME_FORCE, at: datetime = CLOSED_AT) -> EpisodeClosed:
    return EpisodeClosed(
        episode_id="EP-1",
        child_id="CF-1",
        answered_by=by,
        closed_at=at,
        senior_police_officer="Detective Chief Inspector",
        assistant_director="Assistant Director, Safeguarding",
    )


def closed(*, by: str = HOME_FORCE, **report: Any) -> list[Decision]:
    """The child reported missing as `report` says, its case closed 20 days on."""
    timeline = Timeline()
    timeline.receive(misper(**report))
    return timeline.receive(closure(by))


def notice_of_closure(decisions: list[Decision], recipient: str) -> Decision:
    [notice] = told(decisions, recipient, "episode_closed")
    assert notice.paragraph == "7.24"
    assert notice.due is None  # a notice: nothing is owed
    assert notice.details == {"closed_at": "2026-12-08T10:00:00Z"}
    return notice


def test_7_24_our_teams_hear_the_case_was_closed_with_the_child_not_found() -> None:
    """7.2: the MCT tracks every episode; 7.3: the allocated worker holds the case. The
    police file is closed; the child is still not found, and its plan goes on."""
    decisions = closed()
    for team in ("mct", "allocated_worker"):
        notice = notice_of_closure(decisions, team)
        assert "joint decision" in notice.summary
        assert "not found" in notice.summary
    assert not told(decisions, "iro")  # not a child in care
    assert not told(decisions, "police")  # the force that closed it knows


def test_7_24_the_iro_of_our_child_in_care_hears_of_the_closure() -> None:
    """7.15: the IRO addresses the episode in statutory review."""
    notice = notice_of_closure(closed(legal_status=LegalStatus.LOOKED_AFTER), "iro")
    assert "not found" in notice.summary


def test_7_24_the_child_protection_chair_hears_of_the_closure() -> None:
    """7.15: the child protection chair of a child on a plan, told when the child went
    missing, as the IRO of a child in care."""
    decisions = closed(legal_status=LegalStatus.CHILD_PROTECTION_PLAN)
    assert "not found" in notice_of_closure(decisions, "cp_chair").summary


def test_7_24_the_host_force_and_authority_of_our_child_placed_out_hear_of_the_closure() -> None:
    """3.9: the host force was asked to search, and would go on searching; 8.3: the host
    authority acts with us. Both are told the police file is closed, the child not found."""
    decisions = closed(**PLACED_IN_LUTON)
    search = notice_of_closure(decisions, "host_police")
    assert search.authority == "bedfordshire-police"
    assert "file" in search.summary
    host = notice_of_closure(decisions, "host_authority")
    assert host.authority == "luton"
    assert "not found" in host.summary


def test_7_24_the_force_the_child_was_reported_to_hears_its_file_was_closed() -> None:
    """The home force or the home authority closed the case of a child reported to another
    force: that force holds the missing person's file. Reported to the force where our child
    is placed, it is told once, as the force that holds the file."""
    for by in (HOME_FORCE, "northamptonshire"):
        decisions = closed(by=by, **PLACED_IN_LUTON, reporting_force="bedfordshire-police")
        file = notice_of_closure(decisions, "police")
        assert file.authority == "bedfordshire-police"
        assert not told(decisions, "host_police")
    reported_there = {**PLACED_IN_LUTON, "reporting_force": "bedfordshire-police"}
    decisions = closed(by="bedfordshire-police", **reported_there)
    assert not told(decisions, "police")
    assert not told(decisions, "host_police")


def test_7_24_the_placing_authority_of_a_child_placed_here_hears_of_the_closure() -> None:
    """8.10: the child is the placing authority's; our duties to it are stood down."""
    decisions = closed(**PLACED_HERE)
    notice = notice_of_closure(decisions, "placing_authority")
    assert notice.authority == "essex"
    assert not told(decisions, "allocated_worker")
    assert not told(decisions, "iro")


def test_7_24_the_home_office_hears_the_case_of_an_asylum_seeking_child_was_closed() -> None:
    """4.3: the Home Office was told the child is missing; the child is still not found."""
    notice = notice_of_closure(closed(uasc=True), "home_office")
    assert "not found" in notice.summary
    assert not told(closed(), "home_office")


def test_7_24_rise_told_of_a_missing_child_at_risk_of_cse_hears_of_the_closure() -> None:
    """6.6: RISE, told at once of the missing child with a CSE risk marker, works the
    exploitation risk: the child is still not found."""
    notice = notice_of_closure(closed(cse_risk=True), "rise")
    assert "not found" in notice.summary
    assert not told(closed(), "rise", "episode_closed")


def test_7_24_the_leaving_care_service_hears_a_missing_care_leaver_s_case_was_closed() -> None:
    """4.1: the Leaving Care Service, told the care leaver is missing, may re-assess needs."""
    notice = notice_of_closure(closed(legal_status=LegalStatus.CARE_LEAVER), "leaving_care")
    assert "not found" in notice.summary


def test_7_24_a_care_leaver_of_18_or_over_is_no_host_s_to_hear_of() -> None:
    """1.4: an adult to the police, never described to a host (`told_the_host`)."""
    decisions = closed(
        **PLACED_IN_LUTON | {"legal_status": LegalStatus.CARE_LEAVER},
        child={"name": "Test Adult", "date_of_birth": "2006-05-01", "sex": "female"},
    )
    assert not told(decisions, "host_police")
    assert not told(decisions, "host_authority")
    notice_of_closure(decisions, "mct")


def test_7_24_a_host_the_hub_could_not_name_hears_of_no_closure() -> None:
    """Its notice of the search is held for ops (a misspelt host authority) and stood down
    by the closure: told of the closure once named, it would hear of a search it never had."""
    decisions = closed(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="wiltshre")
    assert not told(decisions, "host_police")
    assert not told(decisions, "host_authority")
    notice_of_closure(decisions, "mct")


def test_7_24_a_closure_that_changes_nothing_tells_nobody() -> None:
    """Read after the found report, or after the host's word of the return (8.4): the
    search was over already; the closure is recorded, and nobody is told."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN_LUTON))
    timeline.receive(found(at=START + timedelta(days=40)))
    assert timeline.receive(closure()) == []
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN_LUTON))
    returned = host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(days=5), "luton")
    timeline.receive(returned)
    assert timeline.receive(closure()) == []


def test_7_24_each_party_is_sent_who_the_child_is_and_whom_to_call_nothing_more() -> None:
    """Data minimisation: the closure tells which child (and, to another agency, whom to
    call), with when the case was closed in the duty's details: no grading, no episode."""
    our_child = {
        "mct": set(),
        "allocated_worker": set(),
        "iro": set(),
        "host_police": {"placing_authority", "placing_authority_contact"},
        "host_authority": {"placing_authority", "placing_authority_contact"},
        "home_office": set(),
        "rise": set(),
    }
    decisions = closed(**PLACED_IN_LUTON, uasc=True, cse_risk=True)
    placed_here = closed(**PLACED_HERE)
    reported_there = closed(**PLACED_IN_LUTON, reporting_force="bedfordshire-police")
    for decisions, recipient, reach in (
        *((decisions, r, reach) for r, reach in our_child.items()),
        (placed_here, "placing_authority", {"host_authority", "host_authority_contact"}),
        (reported_there, "police", set()),
        (closed(legal_status=LegalStatus.CARE_LEAVER), "leaving_care", set()),
    ):
        sent = notice_of_closure(decisions, recipient).child
        assert set(sent) == {"name", "date_of_birth", "sex", *reach}, recipient
