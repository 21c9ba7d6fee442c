"""The hub builds its notifications' CloudEvents headers itself, for speed: they must be the
very headers the CloudEvents SDK writes, and the body the same JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from hub.contracts.envelope import ParsedEvent, from_kafka, to_kafka
from hub.contracts.registry import NOTIFICATION
from hub.routing.facts import Decision
from hub.store.outbox import SOURCE, notification_message


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 20, 18, 40, 0, 123456, tzinfo=UTC),
        datetime(2026, 11, 20, 18, 40, tzinfo=UTC),
    ],
)
def test_a_notification_is_encoded_as_the_cloudevents_sdk_would(at: datetime) -> None:
    decision = Decision(
        at,
        "mash",
        "northamptonshire",
        "record_missing_episode",
        "6.14",
        "EP-1",
        "CF-1",
        "evt-1",
        "New missing episode.",
        child={"name": "Test Child", "risk_level": "high"},
    )
    ours = notification_message(decision)
    sdk = to_kafka(
        ParsedEvent(
            NOTIFICATION, str(decision.notification_id), SOURCE, at, decision.notification()
        )
    )
    assert ours.headers == list(sdk.headers.items())
    assert json.loads(ours.value) == json.loads(sdk.value)
    assert from_kafka(ours.headers, ours.key, ours.value).body == decision.notification()
