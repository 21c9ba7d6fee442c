"""The example messages in contracts/examples are valid, and every contract has one."""

from __future__ import annotations

import json

import jsonschema
import pytest

from hub.contracts.envelope import parse_structured
from hub.contracts.export import json_schema
from hub.contracts.registry import CONTRACTS
from tests.helpers import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_each_example_meets_its_contract(path: object) -> None:
    assert parse_structured(path.read_bytes()).body  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_each_example_meets_the_published_json_schema(path: object) -> None:
    """Senders validate with the JSON Schema, not our models: both must agree."""
    event = parse_structured(path.read_bytes())  # type: ignore[attr-defined]
    document = json.loads(path.read_bytes())  # type: ignore[attr-defined]
    jsonschema.validate(document["data"], json_schema(event.contract))


def test_every_inbound_contract_has_an_example() -> None:
    covered = {parse_structured(p.read_bytes()).contract.name for p in EXAMPLE_FILES}
    assert covered == {c.name for c in CONTRACTS}
