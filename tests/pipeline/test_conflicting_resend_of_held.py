"""An event held for its predecessor and a different message under the same id: whichever
is applied, the other is stored and its sender told; neither is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.registry import REJECTED_TOPIC
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.store.models import InboundEvent, OutboxMessage, RejectedMessage
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
Store = sessionmaker[Session]


def _found(**data: object) -> Record:
    document = example("05-found-report")
    document["data"].update(data)
    return record_of(document, topic="inbound.found-report")


def _state(store: Store) -> tuple[dict[str, str], list[tuple[str, str]], int]:
    with store() as session:
        found = session.execute(select(InboundEvent.event_id, InboundEvent.ce_type))
        applied = {event_id: ce_type for event_id, ce_type in found}
        rows = [(r.kind, r.status) for r in session.scalars(select(RejectedMessage))]
        reports = len(
            session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.topic == REJECTED_TOPIC)
            ).all()
        )
    return applied, rows, reports


def test_a_held_event_then_another_message_under_its_id_that_applies(store: Store) -> None:
    """Held found report E; then a MISPER report for the same child reusing E's id: the
    later one is applied (the held one was never stored as an event), and the held one,
    released by it, is refused as a conflicting resend and reported."""
    assert apply_batch(store, [_found()], DIRECTORY, NOW).held == 1
    later = misper_record(id="evt-police-0005")
    assert apply_batch(store, [later], DIRECTORY, NOW + timedelta(minutes=5)).applied == 1
    applied, rows, reports = _state(store)
    assert applied == {"evt-police-0005": "uk.missing-children.misper-report.v1"}
    assert rows == [("conflicting_resend", "open")]
    assert reports == 1


def test_two_held_copies_under_one_id_the_first_stands(store: Store) -> None:
    first = _found()
    second = _found(found_at="2026-11-24T11:00:00Z")
    assert apply_batch(store, [first], DIRECTORY, NOW).held == 1
    assert apply_batch(store, [second], DIRECTORY, NOW).held == 1
    apply_batch(store, [misper_record()], DIRECTORY, NOW + timedelta(minutes=5))
    applied, rows, reports = _state(store)
    assert set(applied) == {"evt-police-0001", "evt-police-0005"}
    assert sorted(rows) == [("awaiting_predecessor", "resolved"), ("conflicting_resend", "open")]
    assert reports == 1
