"""`hub validate` explains a bad message and says so in its exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from tests.helpers import EXAMPLES, example

runner = CliRunner()


def test_validate_accepts_every_example() -> None:
    result = runner.invoke(app, ["validate", *map(str, sorted(EXAMPLES.glob("*.json")))])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == len(list(EXAMPLES.glob("*.json")))


def test_validate_names_each_failing_field_and_exits_1(tmp_path: Path) -> None:
    message = example("01-misper-report")
    message["data"]["child"]["date_of_birth"] = "2030-01-01"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(message))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "REFUSED" in result.output
    assert "data.child.date_of_birth: is after the report was made" in result.output


def test_validate_says_what_the_hub_reads_of_a_child_graded_low(tmp_path: Path) -> None:
    message = example("01-misper-report")
    message["data"]["risk_level"] = "low"
    low = tmp_path / "low.json"
    low.write_text(json.dumps(message))
    result = runner.invoke(app, ["validate", str(low)])
    assert result.exit_code == 0, result.output
    assert "data.risk_level: read as medium, not low (6.5;" in result.output


def test_validate_takes_a_report_leaving_out_the_grading_and_says_it_reads_medium(
    tmp_path: Path,
) -> None:
    message = example("01-misper-report")
    del message["data"]["risk_level"]
    ungraded = tmp_path / "ungraded.json"
    ungraded.write_text(json.dumps(message))
    result = runner.invoke(app, ["validate", str(ungraded)])
    assert result.exit_code == 0, result.output
    assert "data.risk_level: read as medium, not given (6.5;" in result.output


def test_validate_says_what_the_hub_reads_of_an_interview_completed_after_its_record(
    tmp_path: Path,
) -> None:
    message = example("07-return-interview")
    message["data"]["completed_at"] = "2026-11-26T18:00:00Z"
    late = tmp_path / "late.json"
    late.write_text(json.dumps(message))
    result = runner.invoke(app, ["validate", str(late)])
    assert result.exit_code == 0, result.output
    assert (
        "data.completed_at: read as 2026-11-26T16:00:00Z, not 2026-11-26T18:00:00Z "
        "(5.12; the sender is told: check_return_interview)"
    ) in result.output


def test_publish_sends_nothing_when_any_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    good = EXAMPLES / "02-mash-rating.json"
    # No broker named or running: had validation passed, publishing would fail with exit 3.
    result = runner.invoke(app, ["publish", str(good), str(bad), "--bootstrap", "127.0.0.1:1"])
    assert result.exit_code == 1
    assert "published" not in result.output


def test_contracts_check_reports_up_to_date() -> None:
    result = runner.invoke(app, ["contracts", "export", "--check"])
    assert result.exit_code == 0, result.output


def test_publish_to_an_unreachable_broker_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ENVIRONMENT", "development")  # a test broker, in the clear
    result = runner.invoke(
        app, ["publish", str(EXAMPLES / "02-mash-rating.json"), "--bootstrap", "127.0.0.1:1"]
    )
    assert result.exit_code == 3
    assert "could not publish" in result.output


def test_contracts_check_names_a_stale_file_and_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["contracts", "export", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "stale:" in result.output


def test_publish_in_production_refuses_a_broker_in_the_clear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`hub publish` sends a police report as it is, name and date of birth included: in
    production, in the clear, as `hub run` refuses (docs/security.md), anyone on the
    network would read it, or answer as the broker."""
    monkeypatch.delenv("HUB_ENVIRONMENT", raising=False)  # production: the default
    monkeypatch.delenv("HUB_KAFKA_SECURITY_PROTOCOL", raising=False)  # PLAINTEXT
    monkeypatch.delenv("HUB_KAFKA_ALLOW_PLAINTEXT", raising=False)
    good = EXAMPLES / "01-misper-report.json"
    result = runner.invoke(app, ["publish", str(good), "--bootstrap", "127.0.0.1:1"])
    assert result.exit_code == 2, result.output
    assert "HUB_KAFKA_SECURITY_PROTOCOL: PLAINTEXT in production" in result.output


def test_a_bad_kafka_setting_is_refused_by_name_never_quoting_it() -> None:
    """docs/pipeline.md: any bad setting is refused naming its variable, never its value,
    by every command, the local broker's too (a value pasted into the wrong variable may be
    a password)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "HUB_KAFKA_PORT": "Jordan-s3cret"}
    env.pop("HUB_KAFKA_BOOTSTRAP", None)
    done = subprocess.run(
        [sys.executable, "-m", "hub", "kafka", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "HUB_KAFKA_PORT: Input should be a valid integer" in done.stderr
    assert "Jordan-s3cret" not in done.stderr + done.stdout
