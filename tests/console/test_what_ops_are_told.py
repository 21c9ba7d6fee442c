"""What the console tells ops must be true and whole: every refusal counted and replayed,
every time filter read, an answer reported recorded only if it was, every retried row
tried (each test failed on the code before its fix)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app as hub_cli
from hub.console import actions
from hub.console.access import audit_trail
from hub.console.context import Console
from hub.console.views import refusals
from hub.kafka.connection import KafkaConnection
from hub.producers.relay import Pending, Relay
from hub.service.answers import answer_on_behalf
from hub.service.applying import apply_batch
from hub.service.refusals import stored
from hub.settings import HubSettings
from hub.store.models import OutboxMessage, RoutingDecision
from tests.console.test_commands import cli  # noqa: F401 (a fixture)
from tests.console.test_views_and_actions import DIRECTORY, NOW, reported_with_a_forms_duty
from tests.console.test_web import signed_in
from tests.pipeline.records import raw_record

Store = sessionmaker[Session]


# -- 1. `hub log --since/--until` ---------------------------------------------------------


def test_hub_log_filters_by_time_on_the_command_line(cli: CliRunner) -> None:  # noqa: F811
    """The options are documented; typer hands over a time without a zone, which the store
    refuses to compare ('a naive datetime cannot be stored'): every use failed."""
    result = cli.invoke(hub_cli, ["log", "--since", "2026-11-20", "--json"])
    assert result.exit_code == 0, repr(result.exception)
    assert json.loads(result.output)["total"] > 5  # decided 2026-11-20 18:41 UTC
    later = cli.invoke(hub_cli, ["log", "--since", "2026-11-20T19:00:00", "--json"])
    assert later.exit_code == 0, repr(later.exception)
    assert json.loads(later.output)["total"] == 0


def test_hub_log_reads_a_time_with_a_zone_on_the_command_line(cli: CliRunner) -> None:  # noqa: F811
    result = cli.invoke(hub_cli, ["log", "--until", "2026-11-20T18:00:00+00:00", "--json"])
    assert result.exit_code == 0, repr(result.exception)
    assert json.loads(result.output)["total"] == 0


# -- 2. a date-time at the calendar's ends ------------------------------------------------


@pytest.mark.parametrize(
    "query", [{"since": "0001-01-01T00:00:00+01:00"}, {"until": "9999-12-31T23:59:59-01:00"}]
)
def test_a_time_off_the_calendar_in_utc_is_a_422_not_a_500(
    app: FastAPI, query: dict[str, str]
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies = signed_in(app, "vera").cookies
    answer = client.get("/api/log", params=query)
    assert answer.status_code == 422, answer.text
    assert {p["field"] for p in answer.json()["problems"]} == {f"query.{next(iter(query))}"}
    assert client.get("/log", params=query).status_code == 422


# -- 3. the refusals view stops at 1000 rows -----------------------------------------------


def _refused(store: Store, how_many: int) -> None:
    """Refusals of another cause than the console's own (a message that is not JSON)."""
    with store.begin() as session:
        for _ in range(how_many):
            record = raw_record(b"{}", **{"ce_specversion": b"1.0"})
            session.add(stored(record, "bad_message", [], None, NOW, "open"))


def test_every_refusal_of_a_cause_is_counted_shown_and_replayed(
    app: FastAPI, console: Console
) -> None:
    """1000 refusals of one cause, then one more of the console's own: the /rejected page
    and the API counted that group short and replay-by-cause left its newest one out."""
    store = console.sessions
    _refused(store, 1000)
    apply_batch(store, [raw_record(b"not json either")], DIRECTORY, NOW)
    operator = signed_in(app, "olive")
    groups = {g["cause"]: g for g in operator.get("/api/rejected").json()}
    not_json = next(g for cause, g in groups.items() if cause != "bad_message")
    assert sum(g["count"] for g in groups.values()) == 1002
    assert not_json["count"] == 2
    report = operator.post("/api/rejected/replay", json={"cause": not_json["cause"]}).json()
    assert sum(report["outcomes"].values()) == 2


def test_a_group_beyond_the_first_thousand_refusals_is_listed(store: Store) -> None:
    _refused(store, 1000)
    apply_batch(store, [raw_record(b"not json")], DIRECTORY, NOW)
    with store() as session:
        causes = {g.cause for g in refusals(session)}
    assert len(causes) == 2  # the newest cause was not listed at all


# -- 4. an answer that the engine ignored is reported, and audited, as recorded ------------


def test_an_answer_to_a_duty_already_answered_is_not_reported_recorded(store: Store) -> None:
    forms = reported_with_a_forms_duty(store)
    first = NOW + timedelta(hours=1)
    answer_on_behalf(store, DIRECTORY, forms, "done", "olive", "worker phoned: forms done", first)
    again = answer_on_behalf(
        store, DIRECTORY, forms, "done", "ada", "manager says done today", NOW + timedelta(hours=3)
    )
    assert again.outcome == "refused"  # the first answer stands: nothing was recorded
    assert "already" in again.reason
    with store() as session:
        row = session.get(RoutingDecision, forms)
        assert row is not None
        assert (row.done_at, row.done_by) == (first, "olive (hub console, on the agency's behalf)")
        lines = audit_trail(session)
    # The audit trail must not say ada completed the duty: it keeps the attempt, refused.
    assert [(line.who, line.outcome.split(":")[0]) for line in lines] == [
        ("ada", "refused"),
        ("olive", "reason"),
    ]


def test_a_refused_answer_is_in_the_audit_trail(store: Store) -> None:
    """An acknowledgement dated before the child went missing is refused by the engine: the
    operator's attempt on the agency's behalf is recorded, with why, like a refused replay."""
    forms = reported_with_a_forms_duty(store)
    answered = answer_on_behalf(
        store,
        DIRECTORY,
        forms,
        "acknowledged",
        "olive",
        "worker phoned in",
        NOW - timedelta(days=2),
    )
    assert answered.outcome == "refused"
    with store() as session:
        [line] = audit_trail(session)
    assert (line.who, line.action, line.target) == ("olive", "acknowledge_duty", forms)
    assert line.outcome.startswith("refused")


# -- 5. an operator's retry of more rows than the relay's batch --------------------------


class _Producer:
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


async def test_a_retry_of_more_rows_than_a_batch_sends_them_all(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broker that takes everything: every pending row retried is sent. With more rows
    than HUB_BATCH_SIZE, only the first batch was tried and the rest were reported as
    waiting behind an earlier notification of the same child, which was not so."""
    parts = console.parts
    parts.settings = HubSettings(database_url=parts.settings.database_url, batch_size=3)
    monkeypatch.setattr(KafkaConnection, "producer", lambda self, **_: _Producer())

    def accepted(self: Relay, rows: list[Pending], on_loop: Any, session: Any) -> int:
        if session is not None:
            return self._mark(session, rows, [None] * len(rows))
        with self.sessions.begin() as marking:
            return self._mark(marking, rows, [None] * len(rows))

    monkeypatch.setattr(Relay, "_publish_and_mark", accepted)
    with console.sessions() as session:
        pending = list(
            session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending"))
        )
    assert len(pending) > 3
    report = await actions.retry_deliveries(parts, "olive", pending)
    assert report.still_failing == {}
    assert report.sent == sorted(pending)


# -- 6. the routing log's From and To boxes, given a time with a zone -----------------------


@pytest.mark.parametrize(
    ("given", "box"),
    [
        ({"until": "2026-11-20T14:00:00-05:00"}, "2026-11-20T19:00"),  # GMT: decided 18:41 UTC
        ({"since": "2026-07-01T10:00:00Z"}, "2026-07-01T11:00"),  # BST
    ],
)
def test_a_time_with_a_zone_fills_its_box_in_london_time(
    app: FastAPI, given: dict[str, str], box: str
) -> None:
    """The From and To boxes are London time, as the form reads them back. A time given
    with a zone in the URL (a link, the API's form) was shown as written, as if London's:
    the form sent again moved the window by the offset, and lost what it had found."""
    client = signed_in(app, "vera")
    [(name, _)] = given.items()
    page = client.get("/log", params=given).text
    assert f'name="{name}" type="datetime-local" value="{box}"' in page
    found = client.get("/api/log", params=given).json()["total"]
    again = client.get("/api/log", params={name: box}).json()["total"]
    assert again == found
