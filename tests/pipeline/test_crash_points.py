"""Every crash window, proven one at a time: `hub run` is armed to die at a named point
(hub.crashpoints, as abrupt as SIGKILL), then a fresh hub finishes the work, on the real
broker and both databases. Each test asserts what that window may cause and no more:
nothing is lost, each event is applied once, each child's notifications first arrive in
order, and the raw duplicates are exactly those the window can make.

The consumer's windows are tried in a process with no relay, and the relay's in a process
with no consumer, so a duplicate can only come from the window under test."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hub.crashpoints import CRASH_EXIT
from hub.kafka.connection import KafkaConnection
from hub.store.models import InboundEvent, OutboxMessage
from tests.helpers import ReportFigure
from tests.pipeline.faults import Delivery, FaultRun, HubProcess, assert_exactly_once

pytestmark = pytest.mark.faults

EVENTS = 600
RELAY_ROUND = 100  # HUB_BATCH_SIZE of the relay that crashes: the rows of one round


async def crashed_at(hub: HubProcess, point: str) -> None:
    code = await asyncio.to_thread(hub.exited)
    assert code == CRASH_EXIT, f"the hub was to die at {point}; it ended with {code}"
    assert f'"point": "{point.partition(":")[0]}"' in hub.log.read_text()


async def a_fresh_hub_finishes(run: FaultRun, publishing: asyncio.Task[None]) -> Delivery:
    """Nothing was marked sent by the crashed process; a fresh hub finishes the work, and
    what the recipients received is checked against what the protocol owes."""
    assert run.count(OutboxMessage, OutboxMessage.status == "sent") == 0
    run.hub().start()
    await publishing
    return await assert_exactly_once(run)


@pytest.mark.parametrize(
    ("point", "committed_by_crash"),
    [
        # the second batch validated and decided, written, not committed: it rolls back
        ("consumer.validated:2", "as many as the offsets"),
        # a record with others decided before it in its batch, past the first phase's
        # 131 events: none of its batch is kept
        ("consumer.mid-batch:200", "as many as the offsets"),
        # the second batch committed to the database, its offsets not to Kafka: read
        # again, changing nothing
        ("consumer.committed:2", "more than the offsets"),
    ],
)
async def test_a_consumer_dying_in_a_window_loses_nothing_and_applies_each_event_once(
    kafka: KafkaConnection,
    database_url: str,
    tmp_path: Path,
    point: str,
    committed_by_crash: str,
    report_figure: ReportFigure,
) -> None:
    run = FaultRun(kafka, database_url, tmp_path, events=EVENTS)
    doomed = run.hub(HUB_CRASH_AT=point, HUB_ROLES="consumer,scheduler")
    doomed.start()
    publishing = asyncio.create_task(run.publish_all())
    try:
        await crashed_at(doomed, point)
        applied, offsets = run.count(InboundEvent), await run.committed_offsets()
        assert offsets > 0  # a batch before it was applied and committed whole
        if committed_by_crash == "as many as the offsets":
            assert applied == offsets  # the batch in hand left no trace in the store
        else:
            assert applied > offsets  # the batch in the store, to be read again
        delivery = await a_fresh_hub_finishes(run, publishing)
    finally:
        publishing.cancel()
        run.close()
    assert delivery.duplicates == 0  # a batch read again queues nothing new
    report_figure(
        f"crash at {point}: {applied} events in the store, {offsets} offsets committed; "
        f"{delivery.expected} notifications, {delivery.duplicates} raw duplicates"
    )


@pytest.mark.parametrize(
    ("point", "most_duplicates"),
    [
        ("relay.claimed", 0),  # claimed, nothing sent: sent once, later
        ("relay.acknowledged", RELAY_ROUND),  # sent, not marked: that round is sent again
    ],
)
async def test_a_relay_dying_in_a_window_loses_nothing_and_resends_at_most_its_round(
    kafka: KafkaConnection,
    database_url: str,
    tmp_path: Path,
    point: str,
    most_duplicates: int,
    report_figure: ReportFigure,
) -> None:
    run = FaultRun(kafka, database_url, tmp_path, events=EVENTS)
    consumer = run.hub(HUB_ROLES="consumer,scheduler")
    consumer.start()
    publishing = asyncio.create_task(run.publish_all())
    try:
        await run.until(lambda: run.count(InboundEvent) == len(run.load))
        assert await asyncio.to_thread(consumer.stop) == 0  # one process per SQLite file
        doomed = run.hub(HUB_CRASH_AT=point, HUB_ROLES="relay", HUB_BATCH_SIZE=str(RELAY_ROUND))
        doomed.start()
        await crashed_at(doomed, point)
        delivery = await a_fresh_hub_finishes(run, publishing)
    finally:
        publishing.cancel()
        run.close()
    assert delivery.duplicates <= most_duplicates
    if most_duplicates:
        assert delivery.duplicates > 0  # the window was really hit: its round went out
    report_figure(
        f"crash at {point} (rounds of {RELAY_ROUND}): {delivery.expected} notifications, "
        f"{delivery.duplicates} raw duplicates"
    )
