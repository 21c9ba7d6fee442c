"""A held record replayed by ops that fails for a reason of its own: its row becomes an open
dead letter, and its sender, never told while it was held, is told once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.registry import REJECTED_TOPIC
from hub.routing.directory import load_directory
from hub.service import applying
from hub.service.applying import apply_batch
from hub.service.refusals import expire_held
from hub.service.replay import replay
from hub.store.models import OutboxMessage, RejectedMessage
from tests.helpers import example
from tests.pipeline.records import record_of

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
Store = sessionmaker[Session]


def _held_found_report(store: Store) -> int:
    found = record_of(example("05-found-report"), topic="inbound.found-report")
    assert apply_batch(store, [found], DIRECTORY, NOW).held == 1
    with store() as session:
        [refusal] = session.scalars(select(RejectedMessage.id)).all()
    return refusal


def _failing_decide(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug in deciding")


def _reports(store: Store) -> list[str]:
    with store() as session:
        return list(
            session.scalars(
                select(OutboxMessage.message_id).where(OutboxMessage.topic == REJECTED_TOPIC)
            )
        )


def fails_when_replayed(
    store: Store, refusal: int, at: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record replayed while deciding raises: refused again, dead-lettered, open."""
    monkeypatch.setattr(applying, "decide", _failing_decide)
    assert replay(store, refusal, DIRECTORY, at).outcome == "refused_again"
    with store() as session:
        row = session.get(RejectedMessage, refusal)
        assert row is not None
        assert (row.kind, row.status) == ("dead_letter", "open")


def test_a_held_record_that_fails_when_replayed_is_reported_to_its_sender(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = _held_found_report(store)
    assert _reports(store) == []  # held: its sender not told yet
    fails_when_replayed(store, refusal, NOW + timedelta(hours=1), monkeypatch)
    assert len(_reports(store)) == 1


def test_a_record_held_again_that_fails_when_replayed_is_not_reported_twice(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = _held_found_report(store)
    with store.begin() as session:  # expired and reported
        expire_held(session, NOW + timedelta(hours=25), timedelta(hours=24), DIRECTORY)
    assert len(_reports(store)) == 1
    assert replay(store, refusal, DIRECTORY, NOW + timedelta(hours=26)).outcome == "held"
    fails_when_replayed(store, refusal, NOW + timedelta(hours=27), monkeypatch)
    assert len(_reports(store)) == 1
