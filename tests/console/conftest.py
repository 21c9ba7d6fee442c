"""A console over a store holding one child's episode and some refused messages, with one
user of each role. The broker address points nowhere: these tests need no Kafka (the
browser test brings a real one)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from hub.bootstrap import HubParts
from hub.clock import Clock, ManualClock
from hub.console import access
from hub.console.access import add_user
from hub.console.context import Console
from hub.console.roles import Role
from hub.console.web import create_app
from hub.contracts.actions import Recipient
from hub.kafka.connection import KafkaConnection
from hub.routing.directory import Directory, load_directory
from hub.routing.escalation import DEFAULT_ESCALATION, Escalation, FollowUp
from hub.service.applying import apply_batch
from hub.settings import HubSettings
from tests.pipeline.records import misper_record, raw_record

NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
PASSWORDS = {
    "vera": ("viewer password 1", Role.VIEWER),
    "olive": ("operator password 1", Role.OPERATOR),
    "ada": ("admin password 123", Role.ADMIN),
}
SECRET = "a test secret that is long enough for the console"
# argon2id at its cheapest for the tests' users (a hash verified with the parameters it was
# made with): these tests are about who may do what, and production's hasher, 0.1 to 0.25 s
# a sign-in here, is checked for its parameters on its own (test_console_security).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PRODUCTION_HASHER, PRODUCTION_DUMMY_HASH = access._HASHER, access._DUMMY_HASH


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The users made and the unknown names checked in a test, at CHEAP_HASHER's cost."""
    monkeypatch.setattr(access, "_HASHER", CHEAP_HASHER)
    monkeypatch.setattr(access, "_DUMMY_HASH", CHEAP_HASHER.hash("not a password anyone has"))


def parts_over(
    store: sessionmaker[Session], directory: Directory, clock: Clock, bootstrap: str = "127.0.0.1:1"
) -> HubParts:
    """The hub's parts over a test's own store (a broker nobody answers at, by default)."""
    engine = store.kw["bind"]
    settings = HubSettings(database_url=engine.url.render_as_string(hide_password=False))
    return HubParts(settings, KafkaConnection(bootstrap), directory, clock, engine)


def escalating_the_assistant_director(directory: Directory) -> Directory:
    """A deployment that escalates the Assistant Director's unanswered duties to a service
    manager, and the Head of Safeguarding's to nobody (docs/answers.md: `escalate_to`): the
    meeting at 18 (6.8), left unanswered, escalated twice, hours after the birthday."""
    escalate_to = {
        **DEFAULT_ESCALATION,
        Recipient.ASSISTANT_DIRECTOR: Escalation(to=Recipient.SERVICE_MANAGER, paragraph="6.8"),
        Recipient.HEAD_OF_SAFEGUARDING: Escalation(to=None, paragraph="6.8"),
    }
    return directory.model_copy(update={"follow_up": FollowUp(escalate_to=escalate_to)})


def add_users(store: sessionmaker[Session]) -> None:
    with store.begin() as session:
        for name, (password, role) in PASSWORDS.items():
            add_user(session, name, password, role, NOW, "test")


def console_of(store: sessionmaker[Session]) -> Console:
    directory = load_directory()
    apply_batch(store, [misper_record(), raw_record(b"not json")], directory, NOW)
    add_users(store)
    return Console(parts_over(store, directory, ManualClock(NOW)))


def console_app(store: sessionmaker[Session]) -> FastAPI:
    """With /docs and /openapi.json served, as a developer would ask (HUB_CONSOLE_API_DOCS)."""
    return create_app(console_of(store), SECRET, secure_cookies=False, api_docs=True)


@pytest.fixture
def console(store: sessionmaker[Session]) -> Console:
    return console_of(store)


@pytest.fixture
def app(console: Console) -> FastAPI:
    return create_app(console, SECRET, secure_cookies=False)
