"""A child of any authority in the country is routed: placed here by it, or ours placed in
its area (1.5, 3.9, 8.3, 8.10)."""

from __future__ import annotations

import pytest

from hub.contracts.events import MisperReport
from hub.contracts.vocabulary import LegalStatus
from hub.routing.directory import AuthorityKind
from tests.routing.builders import DIRECTORY, Timeline, found, misper, told

AUTHORITIES = DIRECTORY.reference.authorities
OTHERS = sorted(code for code in AUTHORITIES if code not in DIRECTORY.home_areas)


def placed_here_by(authority: str) -> MisperReport:
    """Another authority's child in care, placed here, with no worker of ours (8.8-8.13)."""
    return misper(
        legal_status=LegalStatus.LOOKED_AFTER,
        responsible_authority=authority,
        allocated_worker=None,
    )


def ours_placed_in(authority: str) -> MisperReport:
    return misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority=authority)


ONE_OF_EACH_KIND = {
    "hertfordshire": AuthorityKind.COUNTY,
    "wiltshire": AuthorityKind.UNITARY,
    "leeds": AuthorityKind.METROPOLITAN_DISTRICT,
    "croydon": AuthorityKind.LONDON_BOROUGH,
    "cardiff": AuthorityKind.WELSH_PRINCIPAL_AREA,
    "glasgow-city": AuthorityKind.SCOTTISH_COUNCIL,
}


def test_the_examples_cover_each_kind_of_authority() -> None:
    for code, kind in ONE_OF_EACH_KIND.items():
        assert AUTHORITIES[code].kind is kind


@pytest.mark.parametrize("authority", sorted(ONE_OF_EACH_KIND))
def test_a_child_placed_here_by_an_authority_of_each_kind_reaches_its_placing_authority(
    authority: str,
) -> None:
    timeline = Timeline()
    decisions = timeline.receive(placed_here_by(authority))
    assert told(decisions, "mash", "record_missing_episode")
    assert told(decisions, "mct", "missing_child_notified")
    [placing] = told(decisions, "placing_authority", "child_missing_from_placement")
    assert placing.authority == authority
    returned = timeline.receive(found())
    assert any(d.authority == authority for d in returned)
    assert all(d.unroutable is None for d in timeline.decisions)


@pytest.mark.parametrize("authority", sorted(ONE_OF_EACH_KIND))
def test_our_child_placed_in_an_area_of_each_kind_reaches_its_police_and_authority(
    authority: str,
) -> None:
    decisions = Timeline().receive(ours_placed_in(authority))
    [police] = told(decisions, "host_police")
    assert police.authority == AUTHORITIES[authority].police_force
    [host] = told(decisions, "host_authority")
    assert host.authority == authority
    assert told(decisions, "iro", "missing_child_notified")


def test_every_authority_in_the_country_can_place_a_child_here_and_host_ours() -> None:
    for authority in OTHERS:
        placed_here = Timeline().receive(placed_here_by(authority))
        ours_there = Timeline().receive(ours_placed_in(authority))
        for decision in (*placed_here, *ours_there):
            assert decision.unroutable is None, (authority, decision.recipient)
            assert decision.authority in DIRECTORY.topic_authorities
