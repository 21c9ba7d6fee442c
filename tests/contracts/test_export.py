"""The checked-in JSON Schemas and AsyncAPI document are what the models generate."""

from __future__ import annotations

from pathlib import Path

import yaml

from hub.contracts.actions import Action, Recipient
from hub.contracts.export import asyncapi, drift, export
from hub.contracts.registry import CONTRACTS, REJECTED_TOPIC

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"


def test_checked_in_contract_files_match_the_models() -> None:
    stale = drift(CONTRACTS_DIR)
    assert stale == [], "contracts drifted from the models: run `hub contracts export`"


def test_export_writes_every_file_and_then_nothing_is_stale(tmp_path: Path) -> None:
    written = export(tmp_path)
    # every event, the notification, asyncapi, the notifications reference
    assert len(written) == len(CONTRACTS) + 3
    assert drift(tmp_path) == []


def test_asyncapi_names_every_inbound_topic_and_the_rejected_topic() -> None:
    document = yaml.safe_load((CONTRACTS_DIR / "asyncapi.yaml").read_text())
    assert document["asyncapi"].startswith("3.")
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert {c.topic for c in CONTRACTS} | {REJECTED_TOPIC} <= addresses
    assert document == asyncapi() | {}


def test_personal_fields_are_flagged_in_the_published_schema() -> None:
    text = (CONTRACTS_DIR / "schemas" / "misper-report.v1.schema.json").read_text()
    assert '"x-personal-data": true' in text


def test_the_asyncapi_document_names_every_action_and_recipient() -> None:
    document = asyncapi()
    schemas = document["components"]["schemas"]
    assert set(schemas) == {action.value for action in Action}
    recipients = document["channels"]["notify"]["parameters"]["recipient"]["enum"]
    assert recipients == [recipient.value for recipient in Recipient]
