"""Every paragraph the engine cites can be found in the protocol's text (docs/protocol)."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.routing.facts import Timer
from hub.routing.paragraphs import PARAGRAPHS

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol"
TEXT = (PROTOCOL / "multi-agency-protocol.txt").read_text()


@pytest.mark.parametrize("citation", sorted(PARAGRAPHS))
def test_each_cited_paragraph_is_numbered_in_the_text(citation: str) -> None:
    if citation == "MCT-PG":
        assert (PROTOCOL / "mct-practice-guidance.txt").exists()
        return
    number = citation.split(" ")[0]
    assert re.search(rf"^\s*{re.escape(number)}\s", TEXT, re.MULTILINE), citation


def test_the_two_paragraphs_numbered_5_12_are_told_apart_by_heading() -> None:
    assert len(re.findall(r"^5\.12\s", TEXT, re.MULTILINE)) == 2
    assert {"5.12 (Prevention Interview)", "5.12 (Independent Return Interview)"} <= set(PARAGRAPHS)


def test_a_citation_nobody_can_find_is_refused() -> None:
    with pytest.raises(ValueError, match=r"5\.12"):
        Timer("return_interview_overdue", "E1", datetime(2026, 1, 1, tzinfo=UTC), "5.12")
