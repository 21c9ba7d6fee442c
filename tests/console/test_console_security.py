"""The console against an attacker (issue 13, section 4): headers that keep its pages out of
other sites' frames and scripts, sign-in throttled, sessions that end on the server, the
API's own documents served only when asked for."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import Type
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.console import context
from hub.console.access import add_user, remove_user
from hub.console.context import Console
from hub.console.health import Health
from hub.console.roles import Role
from hub.console.web import create_app
from hub.service.heartbeat import beat
from hub.store.models import AuditEntry
from tests.console.conftest import (
    NOW,
    PASSWORDS,
    PRODUCTION_DUMMY_HASH,
    PRODUCTION_HASHER,
    SECRET,
)
from tests.console.test_web import csrf_of, signed_in, signing_in


def test_every_page_forbids_framing_sniffing_and_foreign_scripts(app: FastAPI) -> None:
    headers = TestClient(app).get("/login").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # plain HTTP: HSTS would mean nothing


def test_over_tls_the_browser_is_told_to_keep_to_it(app: FastAPI) -> None:
    headers = TestClient(app, base_url="https://console.example").get("/login").headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")


def test_passwords_are_hashed_with_argon2id_at_its_recommended_cost() -> None:
    """The tests' users are hashed cheaply (conftest); the console's own hasher is argon2id
    at RFC 9106's second recommended parameters (3 passes, 64 MiB, 4 lanes), and an unknown
    name is checked against a hash as costly as a user's: it takes as long to refuse."""
    hasher = PRODUCTION_HASHER
    assert (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        Type.ID,
        3,
        64 * 1024,
        4,
    )
    assert PRODUCTION_DUMMY_HASH.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_fifty_wrong_passwords_are_not_all_tried(app: FastAPI) -> None:
    """After five wrong passwords for one user from one address, the rest are refused
    unchecked, and so is the right one, or guessing would go on."""
    client = TestClient(app)
    answers = [
        signing_in(client, username="olive", password=f"guess {n}").status_code for n in range(50)
    ]
    assert answers[:5] == [401] * 5
    assert set(answers[5:]) == {429}
    right = signing_in(client, username="olive", password=PASSWORDS["olive"][0])
    assert right.status_code == 429
    assert "Too many failed sign-ins" in right.text


def test_api_clients_guessing_passwords_are_throttled_too(app: FastAPI) -> None:
    client = TestClient(app)
    wrong = "Basic " + base64.b64encode(b"ada:not the password").decode()
    statuses = [
        client.get("/api/log", headers={"Authorization": wrong}).status_code for _ in range(7)
    ]
    assert statuses == [401] * 5 + [429] * 2


def test_a_cookie_kept_after_signing_out_no_longer_works(app: FastAPI) -> None:
    client = signed_in(app, "vera")
    cookie = client.cookies.get("hub_console")
    assert cookie is not None
    token = csrf_of(client.get("/log").text)
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    replayed = TestClient(app, cookies={"hub_console": cookie})
    assert replayed.get("/api/log").status_code == 401


def test_a_removed_users_sessions_end_at_once(app: FastAPI, console: Console) -> None:
    client = signed_in(app, "olive")
    assert client.get("/api/log").status_code == 200
    with console.sessions.begin() as session:
        remove_user(session, "olive", NOW, "ada")
    assert client.get("/api/log").status_code == 401
    with console.sessions() as session:
        removal = session.scalars(select(AuditEntry).where(AuditEntry.action == "remove_user"))
        assert [(e.who, e.target) for e in removal] == [("ada", "olive")]


def test_a_removed_users_cookie_never_signs_in_to_an_account_of_the_same_name(
    app: FastAPI, console: Console
) -> None:
    """Removing and adding a user again is how a password is reset or a role changed: a
    cookie of the removed account (stolen, say) must not work for the new one."""
    client = signed_in(app, "olive")
    with console.sessions.begin() as session:
        remove_user(session, "olive", NOW, "ada")
    with console.sessions.begin() as session:
        add_user(
            session,
            "olive",
            "a brand new long password",
            Role.VIEWER,
            datetime.now(UTC) + timedelta(seconds=1),  # the session began before it
            "ada",
        )
    assert client.get("/api/me").status_code == 401


def test_the_api_documents_are_not_served_unless_asked_for(app: FastAPI) -> None:
    client = signed_in(app, "ada")
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404


def test_metrics_are_read_once_however_often_they_are_scraped(
    app: FastAPI, console: Console
) -> None:
    """Each reading opens a Kafka client and counts rows: a scraper, or anyone, asking many
    times a second gets the figures of the last reading (hub.console.metrics.FRESH_FOR)."""
    client = TestClient(app)
    assert "hub_running 0.0" in client.get("/metrics").text
    beat(console.sessions, "host:1:a", ["consumer", "relay", "scheduler"])
    assert "hub_running 0.0" in client.get("/metrics").text  # not read again yet


def test_readiness_is_read_once_however_often_anyone_asks(app: FastAPI, console: Console) -> None:
    """/readyz is open without sign-in, as orchestrators expect: asked many times a second,
    it answers from the last reading (hub.console.probes.FRESH_FOR), as /metrics does."""
    client = TestClient(app)
    assert client.get("/readyz").json()["failing"] == ["broker", "hub"]
    beat(console.sessions, "host:1:a", ["consumer", "relay", "scheduler"])
    assert client.get("/readyz").json()["failing"] == ["broker", "hub"]  # not read again yet


def test_metrics_can_be_turned_off(console: Console) -> None:
    app = create_app(console, SECRET, secure_cookies=False, metrics_served=False)
    assert TestClient(app).get("/metrics").status_code == 404


def test_another_page_on_the_same_site_cannot_make_the_api_act_for_a_signed_in_operator(
    app: FastAPI,
) -> None:
    # A page on a sibling host of the console (the same site, so its SameSite=strict cookie
    # goes with the request) may POST without a CORS preflight only if the body is not
    # declared JSON: a form's text/plain, or a bare Blob with no Content-Type at all. Either
    # read as JSON would route every held duty in the operator's name; FastAPI's
    # strict_content_type (its default) reads neither.
    operator = signed_in(app, "olive")
    for headers in ({}, {"Content-Type": "text/plain"}):
        forged = operator.post("/api/unroutable/route", content=b'{"ids": []}', headers=headers)
        assert forged.status_code == 422, (headers, forged.text)
    meant = operator.post("/api/unroutable/route", json={"ids": []})
    assert meant.status_code == 200, meant.text


async def test_many_asking_for_health_at_once_share_one_reading(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    readings = 0
    read = context.health_of

    async def counted(console: Console) -> Health:
        nonlocal readings
        readings += 1
        return await read(console)

    monkeypatch.setattr(context, "health_of", counted)
    await asyncio.gather(*(context.recent_health(console, 5.0) for _ in range(10)))
    assert readings == 1


def test_a_session_ends_eight_hours_after_sign_in_however_busy(
    app: FastAPI, console: Console
) -> None:
    """The cookie is signed again with every answer (the log page asks every 5 s), so its
    own age never reaches the 8 hours: a session kept busy, or a copied cookie kept in use,
    would never end. The session's beginning is what ends it."""
    import json

    import itsdangerous

    began = datetime.now(UTC) - timedelta(hours=9)
    with console.sessions.begin() as session:
        add_user(session, "nina", "nina's long password", Role.VIEWER, began, "ada")
    # What the console's last answer set: a session begun 9 hours ago, signed just now.
    payload = base64.b64encode(json.dumps({"user": "nina", "since": began.isoformat()}).encode())
    cookie = itsdangerous.TimestampSigner(SECRET).sign(payload).decode()
    assert TestClient(app, cookies={"hub_console": cookie}).get("/api/me").status_code == 401
    recent = (datetime.now(UTC) - timedelta(hours=7)).isoformat()
    payload = base64.b64encode(json.dumps({"user": "nina", "since": recent}).encode())
    cookie = itsdangerous.TimestampSigner(SECRET).sign(payload).decode()
    assert TestClient(app, cookies={"hub_console": cookie}).get("/api/me").status_code == 200


def test_a_removed_accounts_cookie_cannot_sign_out_the_new_account(
    app: FastAPI, console: Console
) -> None:
    """Signing out with a cookie of the removed account (stolen, say) ends no session of
    the account added again under its name."""
    old = signed_in(app, "olive")
    with console.sessions.begin() as session:
        remove_user(session, "olive", NOW, "ada")
    with console.sessions.begin() as session:
        added = datetime.now(UTC)  # after the old session began, before the new one
        add_user(session, "olive", "a brand new long password", Role.VIEWER, added, "ada")
    new = TestClient(app)
    signing_in(new, username="olive", password="a brand new long password")
    assert new.get("/api/me").status_code == 200
    token = csrf_of(old.get("/login").text)  # the old session's token: its form's
    assert old.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert new.get("/api/me").status_code == 200


def test_guessing_from_many_addresses_of_one_ipv6_network_is_throttled_as_one_address(
    app: FastAPI,
) -> None:
    """Every IPv6 connection has a /64 of its own, 2^64 addresses: a throttle keyed on the
    whole address would give a guesser a fresh count at each one, so the network counts as
    one address."""
    answers = [
        signing_in(
            TestClient(app, client=(f"2001:db8:1:2::{n:x}", 50000)),
            username="olive",
            password=f"guess {n}",
        ).status_code
        for n in range(1, 11)
    ]
    assert answers == [401] * 5 + [429] * 5
    elsewhere = TestClient(app, client=("2001:db8:1:3::1", 50000))
    right = signing_in(elsewhere, username="olive", password=PASSWORDS["olive"][0])
    assert right.status_code == 303  # another network is not held back by it


def test_a_page_elsewhere_on_the_site_cannot_sign_an_operator_out(app: FastAPI) -> None:
    """Signing out ends every session of the user (on every screen of the MCT's shift): a
    page on a sibling host (the same site, so the SameSite=strict cookie goes with its form)
    must not do it. The sign-out form carries the session's token, as every form does."""
    operator = signed_in(app, "olive")
    forged = operator.post("/logout", follow_redirects=False)
    assert forged.status_code in (403, 422)
    assert operator.get("/api/me").status_code == 200
    token = csrf_of(operator.get("/log").text)
    meant = operator.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert meant.status_code == 303
    assert operator.get("/api/me").status_code == 401


def test_a_page_elsewhere_on_the_site_cannot_sign_an_operator_in_to_its_own_account(
    app: FastAPI,
) -> None:
    """Signed in to an account a sibling host's page chose, an operator would reveal a
    child's data with its reason recorded as that account's: the sign-in form carries the
    token of the session that showed it, as every form does."""
    victim = TestClient(app)
    forged = victim.post(
        "/login",
        data={"username": "vera", "password": PASSWORDS["vera"][0]},
        follow_redirects=False,
    )
    assert forged.status_code in (403, 422)
    assert victim.get("/api/me").status_code == 401
