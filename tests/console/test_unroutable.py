"""Ops see the duties held for a party the directory does not know, on the web page, the API
and the command line, and route them once the directory is corrected; a viewer cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app as cli_app
from hub.clock import ManualClock
from hub.console.context import Console
from hub.console.web import create_app
from hub.routing.directory import DEFAULT_PATH, load_directory
from hub.service.applying import apply_batch
from tests.console.conftest import NOW, SECRET, add_users, parts_over
from tests.console.test_web import csrf_of, signed_in
from tests.pipeline.records import misper_record

MISSPELT = {"residence_authority": "wiltshre"}


@pytest.fixture
def held_store(store: sessionmaker[Session]) -> sessionmaker[Session]:
    apply_batch(store, [misper_record(data=MISSPELT)], load_directory(), NOW)
    add_users(store)
    return store


def corrected(tmp_path: Path) -> Path:
    """The deployment's file with the name its senders misspell added as an alias."""
    path = tmp_path / "deployment.yaml"
    path.write_text(DEFAULT_PATH.read_text() + "\naliases:\n  wiltshre: {to: [wiltshire]}\n")
    return path


def test_the_unroutable_page_shows_why_and_an_operator_routes_them(
    held_store: sessionmaker[Session], tmp_path: Path
) -> None:
    directory = load_directory(corrected(tmp_path))
    console = Console(parts_over(held_store, directory, ManualClock(NOW)))
    app = create_app(console, SECRET, secure_cookies=False)
    viewer = signed_in(app, "vera")
    page = viewer.get("/unroutable")
    assert "data.residence_authority" in page.text
    assert "host_police" in page.text
    assert viewer.post("/api/unroutable/route", json={}).status_code == 403
    operator = signed_in(app, "olive")
    form = operator.get("/unroutable").text
    done = operator.post("/unroutable/route", data={"csrf": csrf_of(form)})
    assert "2 routed" in done.text
    assert operator.get("/api/unroutable").json()["total"] == 0
    log = operator.get("/api/log", params={"recipient": "host_authority"}).json()
    assert [e["delivery"] for e in log["entries"]] == ["queued"]
    health = operator.get("/api/health").json()
    assert health["figures"]["unroutable"] == 0


def test_hub_unroutable_lists_them_and_routes_them_with_the_corrected_directory(
    held_store: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    cli = CliRunner()
    listed = cli.invoke(cli_app, ["unroutable", "--json"])
    assert listed.exit_code == 0, listed.output
    duties = json.loads(listed.output)["duties"]
    assert {d["recipient"] for d in duties} == {"host_police", "host_authority"}
    assert {d["named"] for d in duties} == {"wiltshre"}
    still = cli.invoke(cli_app, ["unroutable", "--route", "--json"])
    assert still.exit_code == 1  # the directory does not know the name yet
    monkeypatch.setenv("HUB_DIRECTORY", str(corrected(tmp_path)))
    routed = cli.invoke(cli_app, ["unroutable", "--route", "--json"])
    assert routed.exit_code == 0, routed.output
    assert sorted(json.loads(routed.output)["routed"].values()) == ["wiltshire", "wiltshire-police"]


def test_the_metrics_count_the_held_duties(held_store: sessionmaker[Session]) -> None:
    console = Console(parts_over(held_store, load_directory(), ManualClock(NOW)))
    scrape = TestClient(create_app(console, SECRET, secure_cookies=False)).get("/metrics")
    assert "hub_unroutable_duties 2.0" in scrape.text
