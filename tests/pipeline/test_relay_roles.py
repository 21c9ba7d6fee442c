"""On PostgreSQL the outbox relay can run in a process of its own (HUB_ROLES): consumers
wake it with NOTIFY when the rows they queued are committed, and the split hub delivers
exactly what the whole one does."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from hub.bootstrap import build
from hub.contracts.envelope import from_kafka
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.producers.wakeup import listen
from hub.runtime import Hub
from hub.settings import HubSettings
from hub.store.database import make_engine, migrate, sessions
from hub.store.models import RoutingDecision
from hub.store.outcomes import enqueue
from tests.pipeline.hub_harness import count, isolated_settings, publish_in_order
from tests.pipeline.test_end_to_end import events
from tests.pipeline.test_relay import NOW, row

pytestmark = pytest.mark.postgres


def test_roles_are_read_comma_separated_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ROLES", "consumer, scheduler")
    assert HubSettings().roles == {"consumer", "scheduler"}
    monkeypatch.setenv("HUB_ROLES", "consumer,publisher")
    with pytest.raises(ValidationError, match="roles"):
        HubSettings()


@contextlib.asynccontextmanager
async def listening(url: str) -> AsyncIterator[asyncio.Event]:
    wake, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(listen(url, wake, stop))
    await asyncio.wait_for(wake.wait(), timeout=10)  # set once it is listening
    wake.clear()
    try:
        yield wake
    finally:
        stop.set()
        task.cancel()


async def test_a_relay_is_woken_when_queued_rows_are_committed_not_before(
    postgres_url: str,
) -> None:
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store: sessionmaker[Session] = sessions(engine)
    try:
        async with listening(postgres_url) as wake:
            with store() as session, session.begin():
                enqueue(session, row("rolled-back", b"{}"), NOW)
                session.rollback()
            await asyncio.sleep(0.5)
            assert not wake.is_set()
            with store.begin() as session:
                enqueue(session, row("committed", b"{}"), NOW)
            await asyncio.wait_for(wake.wait(), timeout=5)
    finally:
        engine.dispose()


async def test_a_hub_split_into_consumer_and_relay_processes_delivers_every_notification(
    kafka: KafkaConnection, postgres_url: str
) -> None:
    settings = isolated_settings(postgres_url, roles={"consumer", "scheduler"})
    consumer = Hub(build(settings, kafka))
    relay = Hub(build(settings.model_copy(update={"roles": frozenset({"relay"})}), kafka))
    prefix = settings.topic_prefix
    await consumer.start()
    await relay.start()
    try:
        await publish_in_order(kafka, consumer, events())
        logged = count(consumer, RoutingDecision)
    finally:
        await relay.stop()
        await consumer.stop()
    received = await read_topics(kafka, f"{prefix}notify.")
    arrived = {from_kafka(r.headers, r.key, r.value).event_id for r in received}
    assert len(arrived) == logged > 0
