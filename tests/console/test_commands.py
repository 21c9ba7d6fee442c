"""The console's views on the command line, as JSON for scripts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app
from hub.clock import ManualClock
from hub.console import commands
from hub.console.when import local_time
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.store.models import ConsoleUser, RoutingDecision
from tests.console.conftest import NOW, console_of
from tests.helpers import example
from tests.pipeline.records import misper_record, raw_record
from tests.pipeline.scheduling import fired_on_time


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


def test_the_command_line_writes_every_time_in_london_with_its_zone(
    store: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/console.md: every time is shown in Europe/London with its zone, as `hub log
    --since` reads one. A report applied at 09:15 BST (08:15 UTC): the routing log, the
    timeline and the deadlines said "08:15", an hour early, a zone unsaid."""
    summer = datetime(2026, 7, 1, 8, 15, tzinfo=UTC)
    at = "2026-07-01T08:10:00Z"
    seen = {"place": "Outside the children's home, Luton", "at": "2026-07-01T06:00:00Z"}
    data = {"reported_at": at, "missing_since": seen["at"], "last_seen": seen}
    apply_batch(store, [misper_record(time=at, data=data)], load_directory(), summer)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setattr(commands, "SystemClock", lambda: ManualClock(summer))
    wide = {"COLUMNS": "300"}
    for command in (["log"], ["episode", "EP-2026-0412"], ["deadlines"]):
        shown = CliRunner().invoke(app, command, env=wide)
        assert shown.exit_code == 0, shown.output
        assert "BST" in shown.output, command
        assert "08:15" not in shown.output, command


def test_hub_deadlines_says_which_duty_was_escalated(
    store: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the /deadlines page: a duty left unanswered and escalated up the protocol's chain
    says so, and when (the table said only "overdue")."""
    apply_batch(store, [misper_record()], load_directory(), NOW)
    later = NOW + timedelta(days=3)
    fired_on_time(store, load_directory(), later)
    with store() as session:
        escalated = session.scalars(
            select(RoutingDecision).where(
                RoutingDecision.escalated_at.is_not(None), RoutingDecision.done_at.is_(None)
            )
        ).first()
    assert escalated is not None
    assert escalated.escalated_at is not None
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setattr(commands, "SystemClock", lambda: ManualClock(later))
    shown = CliRunner().invoke(app, ["deadlines", "--within-hours", "2160"], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    team = f"{escalated.authority}/{escalated.recipient}"
    [row] = [
        line
        for line in shown.output.splitlines()
        if team in line and f" {escalated.action} " in line
    ]
    assert local_time(escalated.escalated_at, LONDON, later) in row
    assert escalated.notification_id in row  # to answer it on the agency's behalf (API)


def test_hub_rejected_names_the_sender_of_each_group(
    store: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: ops call the agency that sent them. One cause from two forces is two groups,
    as on the /rejected page; the command line printed the same cause twice, unnamed."""
    on = "inbound.misper-report"
    not_json = [
        replace(raw_record(b"{bad"), topic=f"{on}.bedfordshire-police"),
        replace(raw_record(b"{bad"), topic=f"{on}.northamptonshire-police"),
    ]
    apply_batch(store, not_json, load_directory(), NOW)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    shown = CliRunner().invoke(app, ["rejected"], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    groups = [line for line in shown.output.splitlines() if not line.startswith(" ")]
    assert len(groups) == 2
    assert ["bedfordshire-police" in groups[0], "northamptonshire-police" in groups[1]] == [
        True,
        True,
    ]
