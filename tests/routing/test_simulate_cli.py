"""`hub simulate` runs a timeline through the same engine and prints each notification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hub.cli import app
from hub.contracts.actions import FACTS, Action
from hub.contracts.base import Message
from hub.routing.directory import DEFAULT_PATH

SCENARIO = (
    Path(__file__).resolve().parents[2] / "scenarios" / "looked-after-placed-out-of-area.jsonl"
)
runner = CliRunner()


def test_simulate_json_prints_one_object_per_notification_with_its_paragraph() -> None:
    result = runner.invoke(app, ["simulate", str(SCENARIO), "--json", "--until", "2026-12-31"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert {
        "at",
        "recipient",
        "authority",
        "action",
        "due",
        "paragraph",
        "episode",
        "cause",
    } <= set(lines[0])
    recipients = {line["recipient"] for line in lines}
    assert {
        "mash",
        "mct",
        "allocated_worker",
        "iro",
        "edt",
        "rise",
        "host_police",
        "host_authority",
        "head_of_safeguarding",
    } <= recipients
    # Found on day 4: no day-7 meeting is ever called.
    assert not [
        line
        for line in lines
        if line["recipient"] == "service_manager" and line["action"] == "convene_strategy_meeting"
    ]
    assert all(line["due"] is None or line["due"] >= line["at"] for line in lines)


def test_simulate_reports_an_impossible_event_and_exits_1(tmp_path: Path) -> None:
    found_only = tmp_path / "found-first.jsonl"
    found_only.write_text(SCENARIO.read_text().splitlines()[3] + "\n")  # the found report
    result = runner.invoke(app, ["simulate", str(found_only)])
    assert result.exit_code == 1
    assert "no MISPER report has been received" in result.output


def test_simulate_prints_each_notification_for_people_with_its_paragraph() -> None:
    result = runner.invoke(app, ["simulate", str(SCENARIO)])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("2026-11-20T18:40:00Z  mash (northamptonshire): record_missing_episode")
    assert "para 6.14 [evt-police-0001]" in first


def test_simulate_json_names_the_heading_of_each_paragraph() -> None:
    result = runner.invoke(app, ["simulate", str(SCENARIO), "--json", "--until", "2026-12-31"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    iri = [line for line in lines if line["action"] == "conduct_prevention_interview"]
    assert iri
    assert iri[0]["heading"] == "Police Prevention Interview in all cases"


def test_simulate_json_prints_details_and_child_exactly_as_each_recipient_receives_them() -> None:
    """The same bytes the outbox publishes: a manager's meeting carries no name, Luton's
    notice the placing authority and whom to call (8.3)."""
    arguments = ["simulate", str(SCENARIO), "--json", "--until", "2026-12-31"]
    result = runner.invoke(app, [*arguments, "--reveal-personal-data"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    [luton] = [
        n
        for n in lines
        if n["authority"] == "luton" and n["action"] == "child_missing_in_your_area"
    ]
    assert luton["child"]["name"] == "Jordan Example"
    assert luton["child"]["placing_authority"] == "Northamptonshire Children's Trust"
    assert luton["child"]["placing_authority_contact"].startswith("MCT: ")
    meetings = [n for n in lines if n["action"] == "convene_strategy_meeting"]
    assert meetings
    assert all("name" not in n["child"] for n in meetings)
    assert all(n["details"]["meeting"] for n in meetings)
    # without --reveal-personal-data, the same keys, with the child's personal data redacted
    redacted = [json.loads(line) for line in runner.invoke(app, arguments).output.splitlines()]
    assert [set(n["child"]) for n in redacted] == [set(n["child"]) for n in lines]
    [hidden] = [n for n in redacted if n["notification_id"] == luton["notification_id"]]
    assert hidden["child"]["name"] == "«redacted»"
    assert hidden["child"]["placing_authority"] == "Northamptonshire Children's Trust"


def test_simulate_refuses_a_deployment_whose_policy_withholds_what_a_host_force_needs(
    tmp_path: Path,
) -> None:
    deployment = yaml.safe_load(DEFAULT_PATH.read_text())
    deployment["data_policy"] = {
        "recipients": {"host_police": {"default": {"fields": ["name"], "why": "Less."}}}
    }
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump(deployment))
    result = runner.invoke(app, ["simulate", str(SCENARIO), "--directory", str(path)])
    assert result.exit_code == 1
    assert "data_policy.recipients.host_police.default.fields: withholds" in result.output


def test_simulate_names_a_notification_its_contract_refuses_and_exits_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rule's fault shown as `hub run` would hold it for ops (docs/pipeline.md): every
    other notification printed, that one named with the contract's field, not a traceback."""
    monkeypatch.setitem(FACTS, Action.RECORD_MISSING_EPISODE, _StricterThanTheRule)
    for json_lines in ([], ["--json"]):
        result = runner.invoke(app, ["simulate", str(SCENARIO), *json_lines])
        assert result.exit_code == 1, result.output
        [refused] = [line for line in result.output.splitlines() if "NOT BUILT" in line]
        assert "record_missing_episode" in refused
        assert "details.never_given" in refused
        assert "missing_child_notified" in result.output  # the others printed


class _StricterThanTheRule(Message):
    never_given: str
