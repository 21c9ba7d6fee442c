"""In the store, on SQLite and PostgreSQL: a notification the hub cannot build against its
published contract (a rule's fault, as when check_return_interview's deadline became
"not given" and its schema still asked for a time) is held for ops alone. The event is
applied and its other notifications go: dead-lettering the whole event left every other
party of the child's MISPER report untold until the hub was mended. Ops sees the duty held
and why, tells its recipient by other means, and routes it again once the hub is mended:
it goes under the id it was logged with."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock
from hub.console.actions import route_held_duties, view_episode
from hub.contracts.actions import FACTS, Action
from hub.contracts.base import Message
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.rerouting import count_held
from hub.store.models import OutboxMessage, RoutingDecision
from hub.store.outbox import NOT_BUILT
from tests.helpers import example
from tests.pipeline.records import misper_record

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
BROKEN = Action.RECORD_MISSING_EPISODE  # MASH's, one of the MISPER report's seventeen
Store = sessionmaker[Session]


class _StricterThanTheRule(Message):
    """A contract asking for a fact the rule does not give."""

    never_given: str


@pytest.fixture
def contract_stricter_than_its_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FACTS, BROKEN, _StricterThanTheRule)


def _held(session: Session) -> list[RoutingDecision]:
    return list(
        session.scalars(
            select(RoutingDecision).where(RoutingDecision.unroutable_field.is_not(None))
        )
    )


def test_a_notification_that_cannot_be_built_is_held_and_the_others_go(
    store: Store, contract_stricter_than_its_rule: None
) -> None:
    result = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered, result.notifications) == (1, 0, 16)
    with store() as session:
        [held] = _held(session)
        topics = set(session.scalars(select(OutboxMessage.topic)))
        assert count_held(session) == 1  # health shows "attention" while it is held
    assert (held.action, held.recipient, held.unroutable_field) == (BROKEN, "mash", NOT_BUILT)
    assert held.unroutable_reason is not None
    assert "details.never_given" in held.unroutable_reason
    assert "notify.northamptonshire.mct" in topics
    assert "notify.northamptonshire.mash" not in topics


def test_held_as_unbuilt_it_stays_held_while_the_hub_still_cannot_build_it(
    store: Store, contract_stricter_than_its_rule: None
) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    report = route_held_duties(store, "ops", DIRECTORY, ManualClock(NOW))
    assert not report.routed
    [reason] = report.still_held.values()
    assert "details.never_given" in reason
    with store() as session:
        assert count_held(session) == 1
        assert "notify.northamptonshire.mash" not in set(
            session.scalars(select(OutboxMessage.topic))
        )


def test_held_as_unbuilt_it_goes_under_its_logged_id_once_the_hub_is_mended(
    store: Store,
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(FACTS, BROKEN, _StricterThanTheRule)
        apply_batch(store, [misper_record()], DIRECTORY, NOW)
    # mended: the contract is the rule's again
    report = route_held_duties(store, "ops", DIRECTORY, ManualClock(NOW))
    with store() as session:
        [held] = _held(session)
        queued = set(
            session.scalars(
                select(OutboxMessage.message_id).where(
                    OutboxMessage.topic == "notify.northamptonshire.mash"
                )
            )
        )
        assert count_held(session) == 0
    assert report.routed == {held.notification_id: "northamptonshire"}
    assert queued == {f"notification:{held.notification_id}"}
    assert held.child is None  # routed: the outbox message is the one copy


def test_the_episodes_timeline_says_the_hub_could_not_build_it(
    store: Store, contract_stricter_than_its_rule: None
) -> None:
    """Ops reading the child's episode see why MASH has not been told, and that it is the
    hub's fault, not a recipient the directory does not know."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    timeline = view_episode(store, "vera", example("01-misper-report")["data"]["episode_id"], NOW)
    [held] = [e for e in timeline.entries if e.happening == "delivery_held"]
    assert held.what.startswith(f"{BROKEN} held, the hub could not build it: ")
