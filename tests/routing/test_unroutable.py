"""A missing child is never refused for an authority the directory does not know: every
duty of the home authority is routed, and only the duties that need the unknown party are
held, with the reason (DESIGN.md, "the directory")."""

from __future__ import annotations

from hub.contracts.vocabulary import LegalStatus
from hub.routing.directory import Alias
from hub.routing.facts import Decision, Unroutable
from hub.routing.rerouting import route_again
from tests.routing.builders import DIRECTORY, Timeline, found, misper, told

HOME_TEAMS = {"mash", "mct", "allocated_worker"}


def held(decisions: list[Decision]) -> list[Decision]:
    return [d for d in decisions if d.unroutable is not None]


def routed_to(decisions: list[Decision]) -> set[str]:
    return {d.recipient for d in decisions if d.unroutable is None}


def test_a_misspelt_host_authority_holds_only_the_host_duties() -> None:
    decisions = Timeline().receive(
        misper(residence_authority="wiltshre", legal_status=LegalStatus.LOOKED_AFTER)
    )
    assert HOME_TEAMS | {"iro"} <= routed_to(decisions)
    assert {d.recipient for d in held(decisions)} == {"host_police", "host_authority"}
    for decision in held(decisions):
        assert decision.authority == ""
        assert decision.unroutable is not None
        assert decision.unroutable.field == "data.residence_authority"
        assert decision.unroutable.named == "wiltshre"
        assert "not an authority in the hub's directory" in decision.unroutable.reason


def test_an_unknown_placing_authority_holds_only_its_own_duties() -> None:
    decisions = Timeline().receive(
        misper(
            legal_status=LegalStatus.LOOKED_AFTER,
            responsible_authority="atlantis",
            allocated_worker=None,
        )
    )
    assert {"mash", "mct"} <= routed_to(decisions)
    assert {d.recipient for d in held(decisions)} == {"placing_authority"}


def test_a_report_naming_no_authority_is_the_home_authoritys_child() -> None:
    decisions = Timeline().receive(
        misper(responsible_authority=None, residence_authority=None, reporting_force=None)
    )
    assert routed_to(decisions) >= HOME_TEAMS
    assert not held(decisions)


def test_a_report_naming_no_force_leaves_the_police_duties_to_the_home_force() -> None:
    """1.6: police are the first point of contact. A report (a replay on a shared topic)
    that names no force has its police duties (5.12's prevention interview) with the home
    force, which passes them on (3.9.1), never held for a name that cannot come."""
    timeline = Timeline()
    timeline.receive(misper(reporting_force=None))
    decisions = timeline.receive(found())
    [interview] = told(decisions, "police", "conduct_prevention_interview")
    assert interview.unroutable is None
    assert interview.authority == DIRECTORY.home_police_force


def test_a_police_duty_held_for_a_force_not_given_routes_to_the_home_force() -> None:
    """Held before a report naming no force went to the home force: routed again, it does."""
    held_for = Unroutable("data.reporting_force", None, "was not given")
    assert route_again(DIRECTORY, "police", held_for) == DIRECTORY.home_police_force


def test_a_force_named_by_the_sender_never_becomes_a_topic() -> None:
    timeline = Timeline()
    timeline.receive(misper(reporting_force="evil-collector"))
    decisions = timeline.receive(found())
    assert all(d.authority != "evil-collector" for d in timeline.decisions)
    [interview] = told(decisions, "police", "conduct_prevention_interview")
    assert interview.unroutable is not None
    assert interview.unroutable.field == "data.reporting_force"
    assert "mct" in routed_to(decisions)


def test_an_older_name_now_covering_two_authorities_holds_the_host_authoritys_duty() -> None:
    decisions = Timeline().receive(misper(residence_authority="bedfordshire"))
    assert told(decisions, "host_police")[0].authority == "bedfordshire-police"
    [host] = told(decisions, "host_authority")
    assert host.unroutable is not None
    assert "bedford" in host.unroutable.reason


def test_a_held_duty_routes_once_the_directory_knows_the_name() -> None:
    [host] = told(Timeline().receive(misper(residence_authority="wiltshre")), "host_authority")
    assert host.unroutable is not None
    assert route_again(DIRECTORY, "host_authority", host.unroutable) == host.unroutable
    reference = DIRECTORY.reference.model_copy(
        update={"aliases": {**DIRECTORY.reference.aliases, "wiltshre": Alias(to=("wiltshire",))}}
    )
    corrected = DIRECTORY.model_copy(update={"reference": reference})
    assert route_again(corrected, "host_authority", host.unroutable) == "wiltshire"
    assert route_again(corrected, "host_police", host.unroutable) == "wiltshire-police"


def test_a_held_duty_keeps_its_id_whatever_it_is_later_routed_to() -> None:
    first = told(Timeline().receive(misper(residence_authority="wiltshre")), "host_authority")
    again = told(Timeline().receive(misper(residence_authority="wiltshre")), "host_authority")
    other = told(Timeline().receive(misper(residence_authority="wilts")), "host_authority")
    assert first[0].notification_id == again[0].notification_id != other[0].notification_id
