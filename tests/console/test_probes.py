"""Liveness and readiness for orchestrators, and whether a `hub run` is alive: open without
sign-in, and nothing about any child."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.console.context import Console
from hub.service.heartbeat import beat, leave
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
