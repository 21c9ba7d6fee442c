"""Personal data is marked on the contract and redacted wherever the hub shows a message."""

from __future__ import annotations

import json

from hub.contracts.envelope import parse_structured
from hub.contracts.personal import REDACTED, redacted
from tests.helpers import encoded, example


def test_a_misper_report_shows_no_name_birth_date_place_or_circumstances() -> None:
    event = parse_structured(encoded(example("01-misper-report")))
    shown = redacted(event.body)
    assert shown["child"]["name"] == REDACTED
    assert shown["child"]["date_of_birth"] == REDACTED
    assert shown["last_seen"]["place"] == REDACTED
    assert shown["circumstances"] == REDACTED
    assert "Jordan" not in json.dumps(shown)
    assert shown["risk_level"] == "medium"  # what ops need to see stays visible
