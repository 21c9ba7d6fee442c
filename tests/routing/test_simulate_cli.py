"""`hub simulate` runs a timeline through the same engine and prints each notification."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app

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
