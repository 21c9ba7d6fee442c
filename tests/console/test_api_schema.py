"""The JSON API checked against its own OpenAPI document with generated, bad and hostile
input (schemathesis): no server errors, answers that match the document, and nothing an
operator may do is open to a viewer (that part in test_web)."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any
from unittest.mock import patch

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, not_a_server_error

from hub.console import access
from hub.console.throttle import SignInThrottle
from hub.store.database import make_engine, migrate, sessions
from tests.console.conftest import CHEAP_HASHER, PASSWORDS, console_app


def basic(name: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{PASSWORDS[name][0]}".encode()).decode()


def _app() -> FastAPI:
    """Built at import, as schemathesis reads the document when the tests are collected:
    an embedded store in a folder of its own (the store code is tested on both databases
    elsewhere; this is about the HTTP layer); its users' passwords hashed as cheaply as the
    other console tests' (tests/console/conftest.py), every request's check with them."""
    folder = Path(tempfile.mkdtemp(prefix="hub-api-schema-"))
    url = f"sqlite:///{folder / 'hub.db'}"
    migrate(url)
    with patch.object(access, "_HASHER", CHEAP_HASHER):
        return console_app(sessions(make_engine(url)))


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_document_for_an_operator(case: schemathesis.Case[Any]) -> None:
    # Unknown query parameters are ignored, as HTTP APIs do; schemathesis would count
    # that as accepting bad input, so that one check is left out. Type errors are 422s.
    excluded = [negative_data_rejection]
    if case.operation.path == "/api/outbox/retry":
        excluded.append(not_a_server_error)  # no broker here on purpose: a documented 503
    # Each case a newcomer: schemathesis tries wrong credentials in every one, and the
    # sign-in throttle (tests/console/test_console_security.py) would answer 429 after five.
    APP.state.throttle = SignInThrottle()
    case.call_and_validate(headers={"Authorization": basic("olive")}, excluded_checks=excluded)
