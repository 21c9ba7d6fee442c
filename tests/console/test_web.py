"""The console over HTTP: sign-in, roles, masking, recorded reveals and replays, errors
that name the field and never echo the value."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.console.context import Console
from hub.store.models import AuditEntry, ConsoleUser, RejectedMessage, RoutingDecision
from tests.console.conftest import PASSWORDS

EPISODE = "EP-2026-0412"
ANY_DUTY = "00000000-0000-4000-8000-000000000000"  # a notification id's form


def signing_in(client: TestClient, **form: str) -> Any:  # the client's response
    """The sign-in form filled in and sent, with its token (from the form, as a browser)."""
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={**form, "csrf": token}, follow_redirects=False)


def signed_in(app: FastAPI, name: str) -> TestClient:
    client = TestClient(app)
    answer = signing_in(client, username=name, password=PASSWORDS[name][0], next="/log")
    assert (answer.status_code, answer.headers["location"]) == (303, "/log"), answer.text
    assert client.get("/log").status_code == 200
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_nothing_is_shown_before_sign_in(app: FastAPI) -> None:
    client = TestClient(app)
    page = client.get("/log", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2Flog")
    assert client.get("/api/log").status_code == 401


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(app: FastAPI) -> None:
    answer = signing_in(TestClient(app), username="olive", password="nope")
    assert answer.status_code == 401
    assert "do not match an account" in answer.text


def test_there_is_no_default_user(console: Console) -> None:
    with console.sessions() as session:
        names = set(session.scalars(select(ConsoleUser.username)))
    assert names == set(PASSWORDS)  # only those the test created


def test_a_sign_in_link_cannot_send_anyone_to_another_site(app: FastAPI) -> None:
    client = TestClient(app)
    name = "vera"
    answer = signing_in(client, username=name, password=PASSWORDS[name][0], next="//evil.example/")
    assert answer.headers["location"] == "/log"


def test_the_routing_log_page_filters_by_paragraph(app: FastAPI) -> None:
    client = signed_in(app, "vera")
    page = client.get("/log", params={"paragraph": "6.14"})
    assert "record_missing_episode" in page.text
    assert "child_missing_in_your_area" not in page.text  # 8.3, filtered out


def test_an_episode_page_masks_the_childs_name_and_the_view_is_recorded(
    app: FastAPI, console: Console
) -> None:
    page = signed_in(app, "vera").get(f"/episodes/{EPISODE}")
    assert page.status_code == 200
    assert "«redacted»" in page.text
    assert "Jordan" not in page.text
    with console.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.who == "vera"))
        assert list(actions) == ["view_episode"]


def test_a_viewer_may_not_reveal_personal_data(app: FastAPI) -> None:
    client = signed_in(app, "vera")
    answer = client.post(f"/api/episodes/{EPISODE}/reveal", json={"reason": "just curious, ok"})
    assert answer.status_code == 403


def test_an_operator_reveals_with_a_reason_on_the_record(app: FastAPI, console: Console) -> None:
    client = signed_in(app, "olive")
    page = client.get(f"/episodes/{EPISODE}")
    shown = client.post(
        f"/episodes/{EPISODE}/reveal",
        data={"reason": "confirming identity for the strategy meeting", "csrf": csrf_of(page.text)},
    )
    assert "Jordan" in shown.text
    with console.sessions() as session:
        outcomes = session.scalars(select(AuditEntry.outcome).where(AuditEntry.action == "reveal"))
        assert list(outcomes) == ["reason: confirming identity for the strategy meeting"]


def test_a_form_without_its_token_is_refused(app: FastAPI) -> None:
    client = signed_in(app, "olive")
    answer = client.post(f"/episodes/{EPISODE}/reveal", data={"reason": "x" * 20, "csrf": "forged"})
    assert answer.status_code == 403


def test_a_viewer_may_not_replay_and_an_operator_may(app: FastAPI) -> None:
    viewer, operator = signed_in(app, "vera"), signed_in(app, "olive")
    [group] = operator.get("/api/rejected").json()
    assert viewer.post("/api/rejected/replay", json={"cause": group["cause"]}).status_code == 403
    report = operator.post("/api/rejected/replay", json={"cause": group["cause"]}).json()
    assert report["outcomes"] == {"refused_again": 1}
    [problem, *_] = report["results"][0]["problems"]  # the new failure shown, not hidden
    assert problem["field"] == "ce_specversion"


def test_a_bad_query_names_the_field_and_never_echoes_the_value(app: FastAPI) -> None:
    client = signed_in(app, "vera")
    answer = client.get("/api/log", params={"since": "Jordan Smith", "page": 0})
    assert answer.status_code == 422
    fields = {p["field"] for p in answer.json()["problems"]}
    assert fields == {"query.since", "query.page"}
    assert "Jordan" not in answer.text


def test_only_an_admin_reads_the_audit_trail(app: FastAPI) -> None:
    assert signed_in(app, "olive").get("/api/audit").status_code == 403
    lines = signed_in(app, "ada").get("/api/audit").json()
    assert {line["action"] for line in lines} == {"add_user"}


def test_health_reports_an_unreachable_broker_instead_of_failing(app: FastAPI) -> None:
    health = signed_in(app, "vera").get("/api/health").json()
    assert (health["ok"], health["database"]["ok"], health["broker"]["ok"]) == (False, True, False)
    metrics = TestClient(app).get("/metrics").text
    assert "hub_broker_up 0.0" in metrics
    assert "hub_refused_open 1.0" in metrics


def test_retrying_with_the_broker_down_says_so(app: FastAPI) -> None:
    client = signed_in(app, "olive")
    [first, *_] = client.get("/api/outbox").json()
    answer = client.post("/api/outbox/retry", json={"ids": [first["id"]]})
    assert answer.status_code == 503
    assert "broker unreachable" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/rejected/replay", {"ids": [1]}),
        ("/api/outbox/retry", {"ids": [1]}),
        (f"/api/episodes/{EPISODE}/reveal", {"reason": "a reason long enough"}),
        (f"/api/deadlines/{ANY_DUTY}/answer", {"answer": "done", "reason": "a reason long enough"}),
        ("/api/unroutable/route", {}),
    ],
)
def test_nothing_an_operator_may_do_is_open_to_a_viewer(
    app: FastAPI, path: str, body: dict[str, object]
) -> None:
    answer = TestClient(app).post(path, json=body, auth=("vera", PASSWORDS["vera"][0]))
    assert answer.status_code == 403


def test_an_operator_records_an_answer_from_the_deadlines_page_and_a_viewer_cannot(
    app: FastAPI, console: Console
) -> None:
    """docs/console.md, /deadlines: an operator records an answer on an agency's behalf,
    with a reason; a duty done leaves the page; a viewer is shown no form to do it."""
    with console.sessions() as session:
        forms = session.scalars(
            select(RoutingDecision.notification_id).where(
                RoutingDecision.action == "complete_incident_and_location_forms"
            )
        ).one()
    form = f'action="/deadlines/{forms}/answer"'
    assert form not in signed_in(app, "vera").get("/deadlines").text
    operator = signed_in(app, "olive")
    page = operator.get("/deadlines").text
    assert form in page
    answered = operator.post(
        f"/deadlines/{forms}/answer",
        data={"answer": "done", "reason": "worker phoned: forms done", "csrf": csrf_of(page)},
    )
    assert answered.status_code == 200
    assert "recorded" in answered.text
    assert form not in answered.text  # done: off the page
    [newest, *_] = signed_in(app, "ada").get("/api/audit").json()
    assert (newest["who"], newest["action"], newest["outcome"]) == (
        "olive",
        "complete_duty",
        "reason: worker phoned: forms done",
    )


def test_the_audit_trail_reaches_past_its_newest_page_and_finds_who_saw_an_episode(
    app: FastAPI,
) -> None:
    """docs/console.md, /audit: who viewed a child's record and when, every view recorded.
    Only the newest 200 lines were shown, with no way further back nor to one episode: a
    busy shift's views hid who saw the child's record that morning."""
    viewer = signed_in(app, "vera")
    for _ in range(200):
        assert viewer.get(f"/api/episodes/{EPISODE}").status_code == 200
    admin = signed_in(app, "ada")
    newest = admin.get("/api/audit").json()
    assert len(newest) == 200
    assert {line["action"] for line in newest} == {"view_episode"}
    older = admin.get("/api/audit", params={"page": 2}).json()
    assert {line["action"] for line in older} == {"add_user"}  # the three users, made first
    views = admin.get("/api/audit", params={"target": EPISODE, "who": "vera"}).json()
    assert len(views) == 200
    assert {(line["who"], line["target"]) for line in views} == {("vera", EPISODE)}
    page = admin.get("/audit", params={"target": EPISODE}).text
    assert "page=2" in page  # a link to the older views
    assert "add_user" not in page


def test_a_refusal_numbered_past_2_31_can_be_replayed(app: FastAPI, console: Console) -> None:
    """The store numbers its rows past 2^31 (BIGINT on PostgreSQL, migration 0006): in a
    long-lived hub ops must still replay them by number."""
    far = 2**31 + 5
    with console.sessions.begin() as session:
        [row] = session.scalars(select(RejectedMessage))
        row.id = far
    answer = signed_in(app, "olive").post("/api/rejected/replay", json={"ids": [far]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcomes"] == {"refused_again": 1}
