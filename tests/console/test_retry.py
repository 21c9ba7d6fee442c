"""An operator's retry publishes a waiting notification now, on the real broker, through
the relay's own code, and the retry is recorded."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.console.access import audit_trail
from hub.console.actions import retry_deliveries
from hub.kafka.connection import KafkaConnection
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.settings import HubSettings
from hub.store.models import OutboxMessage
from tests.console.conftest import NOW
from tests.pipeline.records import misper_record


@pytest.mark.kafka
async def test_a_retried_notification_is_sent_and_the_retry_recorded(
    store: sessionmaker[Session], database_url: str, kafka: KafkaConnection
) -> None:
    apply_batch(store, [misper_record()], load_directory(), NOW)
    with store() as session:
        first, second = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()[
            :2
        ]
    prefix = f"t{uuid.uuid4().hex[:8]}."
    parts = build(
        HubSettings(database_url=database_url, topic_prefix=prefix), kafka, ManualClock(NOW)
    )
    report = await retry_deliveries(parts, "olive", [first, 999_999])
    parts.close()
    assert (report.sent, report.still_failing, report.not_pending) == ([first], {}, [999_999])
    with store() as session:
        assert session.get(OutboxMessage, second).status == "pending"  # type: ignore[union-attr]
        [line] = audit_trail(session)
    assert (line.who, line.action, line.outcome) == ("olive", "retry", "1 sent, 0 still failing")


@pytest.mark.kafka
async def test_a_retry_never_sends_a_childs_notification_before_an_earlier_one(
    store: sessionmaker[Session], database_url: str, kafka: KafkaConnection
) -> None:
    """Two notifications for one child to the allocated worker, both waiting: retrying only
    the later one sends nothing and says why; retrying both sends them in order."""
    apply_batch(store, [misper_record()], load_directory(), NOW)
    with store() as session:
        earlier, later = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.topic == "notify.northamptonshire.allocated_worker")
            .order_by(OutboxMessage.id)
        ).all()[:2]
    prefix = f"t{uuid.uuid4().hex[:8]}."
    parts = build(
        HubSettings(database_url=database_url, topic_prefix=prefix), kafka, ManualClock(NOW)
    )
    try:
        alone = await retry_deliveries(parts, "olive", [later])
        both = await retry_deliveries(parts, "olive", [later, earlier])
    finally:
        parts.close()
    assert alone.sent == []
    assert alone.still_failing[later].startswith("waits behind an earlier notification")
    assert both.sent == [earlier, later]


async def test_a_row_not_pending_is_reported_once_as_nothing_to_retry(
    store: sessionmaker[Session],
) -> None:
    """A row the relay refused (or one already sent) was not retried: it is in
    `not_pending`, and neither in `still_failing` nor in `sent`. No broker is reached."""
    from hub.clock import ManualClock as Clock
    from tests.console.conftest import parts_over

    apply_batch(store, [misper_record()], load_directory(), NOW)
    with store.begin() as session:
        refused, sent = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[:2]
        refused.status, refused.last_error = "refused", "not a directory entry's topic: not sent"
        sent.status, sent.sent_at = "sent", NOW
        ids = [refused.id, sent.id]
    parts = parts_over(store, load_directory(), Clock(NOW))
    try:
        report = await retry_deliveries(parts, "olive", ids)
    finally:
        parts.close()
    assert (report.sent, report.still_failing, report.not_pending) == ([], {}, sorted(ids))
