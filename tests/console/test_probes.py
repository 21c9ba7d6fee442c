"""Liveness and readiness for orchestrators, and whether a `hub run` is alive: open without
sign-in, and nothing about any child."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.console.context import Console
from hub.service.heartbeat import beat, leave
from hub.store.models import OutboxMessage, RejectedMessage
from tests.console.test_web import signed_in


def test_liveness_answers_without_sign_in_and_says_nothing_about_a_child(app: FastAPI) -> None:
    answer = TestClient(app).get("/livez")
    assert (answer.status_code, answer.json()) == (200, {"status": "alive"})


def test_readiness_names_what_is_failing_without_sign_in(app: FastAPI) -> None:
    answer = TestClient(app).get("/readyz")  # the test console's broker is unreachable
    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready", "failing": ["broker", "hub"]}
    assert "CF-" not in answer.text


def test_no_hub_running_is_not_all_well(app: FastAPI, console: Console) -> None:
    """A quiet store looks the same with no hub at all: health says which roles lack one."""
    health = signed_in(app, "vera").get("/api/health").json()
    assert health["hub"] == {
        "ok": False,
        "detail": "no hub run alive for: consumer, relay, scheduler",
    }
    beat(console.sessions, "host:1:a", ["consumer", "scheduler"])
    beat(console.sessions, "host:2:b", ["relay"])
    health = signed_in(app, "vera").get("/api/health").json()
    assert health["hub"] == {"ok": True, "detail": "alive: consumer, relay, scheduler"}
    assert "hub_running 1.0" in TestClient(app).get("/metrics").text
    leave(console.sessions, "host:2:b")  # a clean stop is gone at once
    health = signed_in(app, "vera").get("/api/health").json()
    assert health["hub"]["detail"] == "no hub run alive for: relay"


def test_a_delivery_failing_is_not_all_well(app: FastAPI, console: Console) -> None:
    """Health's headline covers what it shows: a notification owed that is not reaching its
    recipient (a delivery failing, a timer that failed to fire, a duty held for a party the
    directory does not know) is "attention", as its tile is red, though every part is up."""
    beat(console.sessions, "host:1:a", ["consumer", "relay", "scheduler"])
    with console.sessions.begin() as session:
        pending = select(OutboxMessage).where(OutboxMessage.status == "pending")
        row = session.scalars(pending.limit(1)).one()
        row.attempts, row.last_error = 3, "KafkaTimeoutError: the topic's leader is down"
    health = signed_in(app, "vera").get("/api/health").json()
    assert health["deliveries"] == {"ok": False, "detail": "1 delivery failing"}


def test_a_message_the_relay_refused_is_not_all_well(app: FastAPI, console: Console) -> None:
    """A message queued for a topic the directory no longer names (a refusal report to an
    agency retired while it waited: Surrey's councils, April 2027, docs/directory.md; a
    notification so queued is held for ops instead) is refused by the relay and never sent:
    health is "attention" while it is kept, as for a delivery failing."""
    beat(console.sessions, "host:1:a", ["consumer", "relay", "scheduler"])
    with console.sessions.begin() as session:
        pending = select(OutboxMessage).where(OutboxMessage.status == "pending")
        row = session.scalars(pending.limit(1)).one()
        row.status, row.last_error = "refused", "not a directory entry's topic: not sent"
    health = signed_in(app, "vera").get("/api/health").json()
    assert health["deliveries"] == {
        "ok": False,
        "detail": "1 message refused by the relay, never sent (a topic outside the directory)",
    }
    assert "hub_outbox_refused 1.0" in TestClient(app).get("/metrics").text


def test_a_message_dead_lettered_is_not_all_well(app: FastAPI, console: Console) -> None:
    """A dead letter is the hub's own fault, not the sender's: a child's report, found report
    or answer it failed to apply, whose duties nobody was told of. Until ops replay it once
    the cause is fixed, health is "attention", though every part is up."""
    beat(console.sessions, "host:1:a", ["consumer", "relay", "scheduler"])
    with console.sessions.begin() as session:
        session.add(
            RejectedMessage(
                kind="dead_letter",
                problems=[{"field": "(message)", "reason": "RuntimeError at rules.py:1"}],
                topic="inbound.misper-report",
                partition=0,
                offset=7,
                key=b"CF-9",
                value=b"{}",
                headers=[],
                received_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
            )
        )
    health = signed_in(app, "vera").get("/api/health").json()
    assert health["deliveries"] == {"ok": False, "detail": "1 message dead-lettered"}
    assert "hub_dead_letters_open 1.0" in TestClient(app).get("/metrics").text
