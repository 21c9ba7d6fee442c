"""A notification's id is uuid5 of its cause, rule, recipient and facts (hub.routing.facts),
so that a duty decided again after a crash keeps its id and a receiver drops the re-send.
The hub writes the id out from uuid5's digest without making a UUID object: it must be the
very id uuid5 makes, for every duty and for one held for a party the directory lacks."""

from __future__ import annotations

import uuid

from hub.contracts.vocabulary import LegalStatus
from hub.routing.facts import NAMESPACE, Decision, _uuid5_text
from tests.routing.builders import Timeline, misper


def uuid5_of(decision: Decision) -> uuid.UUID:
    """The id as uuid5 makes it from the duty's parts (the formula before it was inlined)."""
    facts = ",".join(f"{k}={v}" for k, v in sorted(decision.details.items()))
    held = decision.unroutable
    authority = f"?{held.field}={held.named}" if held is not None else decision.authority
    parts = (
        decision.cause,
        decision.action,
        decision.paragraph,
        decision.recipient,
        authority,
        facts,
    )
    return uuid.uuid5(NAMESPACE, "|".join(parts))


def test_each_duty_of_a_report_has_uuid5_of_its_parts_as_its_id() -> None:
    decisions = Timeline().receive(
        misper(residence_authority="wiltshre", legal_status=LegalStatus.LOOKED_AFTER)
    )
    assert any(d.unroutable is not None for d in decisions)  # a held duty among them
    for decision in decisions:
        assert decision.notification_id == uuid5_of(decision)
        assert decision.notification_key == str(uuid5_of(decision))
        if decision.unroutable is None:  # a held duty is sent once routed, by its row
            assert decision.notification().notification_id == uuid5_of(decision)


def test_the_text_of_any_name_is_uuid5s() -> None:
    names = ["", "evt-1|notify_mct|7.18|mct|northamptonshire|", "Zoë|Łódź|ß|北京|🙂", "x" * 500]
    for name in names:
        assert _uuid5_text(name) == str(uuid.uuid5(NAMESPACE, name))
