"""A name as an office system types it (a curly apostrophe, an en dash, a no-break space
pasted from a web page) is a name the directory reads, never a reason to refuse a missing
child (docs/contracts.md, "Naming authorities and police forces"); a name that is refused is
refused with a reason a sender can act on."""

from __future__ import annotations

import pytest

from hub.contracts.envelope import parse_structured
from hub.contracts.events import MisperReport
from hub.contracts.problems import BadMessage
from hub.routing.directory import Standing
from tests.helpers import encoded, example
from tests.routing.builders import DIRECTORY


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("responsible_authority", "Northamptonshire Children\u2019s Trust"),
        ("residence_authority", "King\u2019s Lynn"),
        ("reporting_force", "Dyfed\u2013Powys Police"),
        ("residence_authority", "St Helens\u00a0Council"),
    ],
)
def test_a_name_typed_with_typographic_punctuation_is_applied(field: str, named: str) -> None:
    message = example("01-misper-report")
    message["data"][field] = named
    body = parse_structured(encoded(message)).body
    assert isinstance(body, MisperReport)
    assert getattr(body, field) == named


def test_the_home_authority_with_a_curly_apostrophe_is_the_home_authority() -> None:
    named = "Northamptonshire Children\u2019s Trust"
    assert DIRECTORY.resolve_authority(named).standing is Standing.HOME
    assert DIRECTORY.resolve_force("Dyfed\u2013Powys Police") == "dyfed-powys-police"


def test_a_name_refused_for_its_characters_says_why_in_words() -> None:
    message = example("01-misper-report")
    message["data"]["residence_authority"] = "Luton <script>"
    with pytest.raises(BadMessage) as caught:
        parse_structured(encoded(message))
    [problem] = caught.value.problems
    assert problem.field == "data.residence_authority"
    assert "pattern" not in problem.reason
    assert "letters" in problem.reason


@pytest.mark.parametrize(
    "field", ["responsible_authority", "residence_authority", "reporting_force"]
)
@pytest.mark.parametrize("blank", ["", "   "])
def test_a_misper_reports_name_left_blank_is_taken_as_not_given(field: str, blank: str) -> None:
    """Police systems send a name they do not have as blank: "may be left out" (docs/
    contracts.md), read as not named (Standing.ABSENT), never a reason to refuse a child."""
    message = example("01-misper-report")
    message["data"][field] = blank
    body = parse_structured(encoded(message)).body
    assert isinstance(body, MisperReport)
    assert getattr(body, field) is None
