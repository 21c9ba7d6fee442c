"""The console's views on the command line, as JSON for scripts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app
from hub.clock import ManualClock
from hub.console import commands
from hub.store.models import ConsoleUser
from tests.console.conftest import console_of
from tests.helpers import example


@pytest.fixture
def cli(
    store: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    console_of(store)  # one episode and one message that is not JSON
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    return CliRunner()


def test_hub_log_filters_by_paragraph_as_json(cli: CliRunner) -> None:
    result = cli.invoke(app, ["log", "--paragraph", "6.14", "--json"])
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert {e["paragraph"] for e in page["entries"]} == {"6.14"}


def test_hub_log_finds_an_episode_by_the_polices_own_case_reference(cli: CliRunner) -> None:
    """Issue 14: ops given the force's MISPER number on the phone find its episode from the
    terminal, as on the console's page."""
    reference = example("01-misper-report")["data"]["case_reference"]
    found = cli.invoke(app, ["log", "--case-reference", reference, "--json"])
    other = cli.invoke(app, ["log", "--case-reference", "NP-MISPER-26-000001", "--json"])
    assert found.exit_code == 0, found.output
    episodes = {e["episode_id"] for e in json.loads(found.output)["entries"]}
    assert episodes == {example("01-misper-report")["data"]["episode_id"]}
    assert json.loads(other.output)["entries"] == []


def test_hub_rejected_replays_a_group_and_fails_when_it_is_refused_again(cli: CliRunner) -> None:
    [group] = json.loads(cli.invoke(app, ["rejected", "--json"]).output)
    result = cli.invoke(app, ["rejected", "--replay-cause", group["cause"], "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["outcomes"] == {"refused_again": 1}


def test_hub_episode_needs_a_reason_to_reveal(cli: CliRunner) -> None:
    result = cli.invoke(app, ["episode", "EP-2026-0412", "--reveal", "why"])
    assert result.exit_code == 2
    assert "reveal: give the reason" in result.output


def test_hub_console_refuses_to_start_without_its_secret(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUB_CONSOLE_SECRET", raising=False)
    result = cli.invoke(app, ["console"])
    assert result.exit_code == 2
    assert "HUB_CONSOLE_SECRET: Field required" in result.output


def test_hub_users_remove_removes_a_user_and_names_one_that_is_not(
    cli: CliRunner, store: sessionmaker[Session]
) -> None:
    assert cli.invoke(app, ["users", "remove", "vera"]).exit_code == 0
    with store() as session:
        assert session.get(ConsoleUser, "vera") is None
    again = cli.invoke(app, ["users", "remove", "vera"])
    assert again.exit_code == 2
    assert "username: 'vera' is not a console user" in again.output


def test_hub_console_in_production_refuses_a_broker_in_the_clear(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console's Kafka clients (health, and retry, which publishes notifications
    through the relay's code) talk to the same brokers as `hub run`: in production, in the
    clear, as `hub run` refuses (docs/security.md), anyone on the network would read a
    child's notification it publishes, or answer as the broker."""
    served: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.append(app))
    monkeypatch.setenv("HUB_CONSOLE_SECRET", "x" * 40)
    monkeypatch.setenv("HUB_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # PLAINTEXT: the default
    monkeypatch.delenv("HUB_ENVIRONMENT", raising=False)  # production: the default
    monkeypatch.delenv("HUB_KAFKA_ALLOW_PLAINTEXT", raising=False)
    result = cli.invoke(app, ["console"])
    assert served == []
    assert result.exit_code == 2, result.output
    assert "HUB_KAFKA_SECURITY_PROTOCOL: PLAINTEXT in production" in result.output


def test_hub_outbox_retry_in_production_refuses_a_broker_in_the_clear(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    monkeypatch.delenv("HUB_ENVIRONMENT", raising=False)
    monkeypatch.delenv("HUB_KAFKA_ALLOW_PLAINTEXT", raising=False)
    result = cli.invoke(app, ["outbox", "--retry", "1"])
    assert result.exit_code == 2, result.output
    assert "HUB_KAFKA_SECURITY_PROTOCOL: PLAINTEXT in production" in result.output


# Half past midnight on 1 July in Europe/London (BST), the directory's zone: still 30 June
# in UTC.
FIRST_OF_JULY_0030_BST = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def first_of_july(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "SystemClock", lambda: ManualClock(FIRST_OF_JULY_0030_BST))


@pytest.mark.usefixtures("first_of_july")
def test_hub_report_covers_the_last_full_month_of_the_local_calendar_by_default(
    cli: CliRunner,
) -> None:
    """Section 10's figures, by default last month's: at 00:30 on 1 July, June is over."""
    result = cli.invoke(app, ["report", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    period = [datetime.fromisoformat(figures[k]) for k in ("period_from", "period_to")]
    assert period == [datetime(2026, 6, 1, tzinfo=LONDON), datetime(2026, 7, 1, tzinfo=LONDON)]


@pytest.mark.usefixtures("first_of_july")
def test_hub_report_forum_lists_this_month_of_the_local_calendar_by_default(
    cli: CliRunner,
) -> None:
    """7.28's forum list, by default this month's: at 00:30 on 1 July, July's."""
    result = cli.invoke(app, ["report", "forum"])
    assert result.exit_code == 0, result.output
    assert "CSE and Missing Persons Forum, July 2026 (7.28)" in result.output
