"""An authority is known by its council's official name and the short forms senders use
(mySociety, uk_local_authority_names_and_codes, `official-name` and `alt-names`): a child of
Bradford or the Isles of Scilly named as its council names itself is routed, never held for
ops or taken for a child placed here."""

from __future__ import annotations

import pytest

from hub.contracts.vocabulary import LegalStatus
from hub.routing.facts import ProtocolViolation
from tests.routing.builders import DIRECTORY, Timeline, misper, told


@pytest.mark.parametrize(
    ("named", "code"),
    [
        ("City of Bradford Metropolitan District Council", "bradford"),
        ("Bradford Metropolitan District Council", "bradford"),
        ("Wakefield Metropolitan District Council", "wakefield"),
        ("Council of the Isles of Scilly", "isles-of-scilly"),
        ("Newcastle City Council", "newcastle-upon-tyne"),
        ("Metropolitan Borough of Wirral", "wirral"),
        ("The Royal Borough of Kensington and Chelsea", "kensington-and-chelsea"),
        ("Derby City", "derby"),
        ("Leicester City", "leicester"),
        ("Nottingham City", "nottingham"),
        ("Peterborough City", "peterborough"),
        ("Kent County", "kent"),
    ],
)
def test_a_council_named_officially_or_in_short_resolves_to_its_authority(
    named: str, code: str
) -> None:
    assert DIRECTORY.resolve_authority(named).code == code


def test_our_child_placed_in_bradford_named_officially_reaches_its_host() -> None:
    decisions = Timeline().receive(
        misper(
            legal_status=LegalStatus.LOOKED_AFTER,
            residence_authority="City of Bradford Metropolitan District Council",
        )
    )
    [host] = told(decisions, "host_authority")
    assert host.unroutable is None
    assert host.authority == "bradford"
    [police] = told(decisions, "host_police")
    assert police.authority == "west-yorkshire-police"


def test_a_child_of_two_other_authorities_named_officially_is_outside_the_protocol() -> None:
    """1.5: a Leeds child living in Wakefield is neither ours nor living here; Leeds is not
    told of a child "placed here"."""
    with pytest.raises(ProtocolViolation, match=r"1\.5"):
        Timeline().receive(
            misper(
                legal_status=LegalStatus.LOOKED_AFTER,
                responsible_authority="Leeds City Council",
                residence_authority="Wakefield Metropolitan District Council",
                allocated_worker=None,
            )
        )
