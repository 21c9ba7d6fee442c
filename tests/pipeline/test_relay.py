"""The outbox relay on the real broker: a row that cannot be published stays pending with
its error and is tried again; the rows beside it are sent."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import OutOfOrderSequenceNumber
from aiokafka.producer.sender import SendProduceReqHandler
from sqlalchemy import Engine, event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock, SystemClock
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection, guarantees_of
from hub.kafka.topics import TopicConfig, TopicsNotCreated, ensure_topics, raise_for_refused
from hub.producers.relay import (
    ROW_BACKOFF_CAP,
    DeliveryFailed,
    Pending,
    Relay,
    UnsafeProducer,
    not_behind_another,
    require_safe,
    row_backoff,
)
from hub.routing.directory import load_directory
from hub.settings import HubSettings
from hub.store.database import make_engine, migrate, sessions
from hub.store.models import OutboxMessage
from hub.store.outbox import Outgoing, publishable_topic
from hub.store.outcomes import enqueue

NOW = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)
# What `hub run` publishes to: the default deployment's topics (hub.bootstrap).
PUBLISHABLE = partial(publishable_topic, load_directory())


def row(message_id: str, value: bytes, child: bytes | None = None) -> Outgoing:
    """A row to MASH, for a child of its own unless `child` is given."""
    key = child or f"CF-{message_id}".encode()
    return Outgoing(message_id, "notify.northamptonshire.mash", key, [], value)


def outbox_by_message_id(store: sessionmaker[Session]) -> dict[str, OutboxMessage]:
    with store() as session:
        return {row.message_id: row for row in session.scalars(select(OutboxMessage))}


async def test_a_row_that_fails_stays_pending_with_its_error(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    with store.begin() as session:
        enqueue(session, row("too-big", b"x" * 2_000_000), NOW)  # over the 1 MB request limit
        enqueue(session, row("fine", b"{}"), NOW)
    client = kafka.producer()
    await client.start()
    try:
        clock = ManualClock(NOW)
        relay = Relay(
            store,
            client,
            kafka,
            clock,
            topic_prefix=f"r{uuid.uuid4().hex[:8]}.",
            wall_clock=clock,
            publishable=PUBLISHABLE,
        )
        loop = asyncio.get_running_loop()
        with pytest.raises(DeliveryFailed):
            await asyncio.to_thread(relay.publish_batch, loop)
        assert await asyncio.to_thread(relay.publish_batch, loop) == 0  # backing off
        clock.advance(ROW_BACKOFF_CAP)
        with pytest.raises(DeliveryFailed):  # tried again once due, still failing
            await asyncio.to_thread(relay.publish_batch, loop)
    finally:
        await client.stop()
    rows = outbox_by_message_id(store)
    assert rows["fine"].status == "sent"
    assert rows["fine"].attempts == 1
    assert rows["too-big"].status == "pending"
    assert rows["too-big"].attempts == 2
    assert rows["too-big"].last_error
    assert "MessageSizeTooLarge" in rows["too-big"].last_error


async def test_a_relay_given_no_batch_size_claims_rounds_of_hub_batch_size(
    store: sessionmaker[Session],
) -> None:
    """A relay built without the setting (a test's, a tool's) sends rounds the size `hub
    run`'s do: HUB_BATCH_SIZE's default (docs/pipeline.md, settings)."""
    batch_size = HubSettings.model_fields["batch_size"].default
    with store.begin() as session:
        for n in range(batch_size + 1):
            enqueue(session, row(f"m-{n}", b"{}"), NOW)
    nowhere = KafkaConnection("127.0.0.1:9")
    unstarted = nowhere.producer()  # claiming only: nothing is sent
    try:
        with store.begin() as session:
            claimed = Relay(
                store, unstarted, nowhere, ManualClock(NOW), publishable=PUBLISHABLE
            )._claim(session)
    finally:
        await unstarted.stop()
    assert len(claimed) == batch_size


async def test_a_row_for_a_topic_outside_the_directory_is_refused_never_created(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    directory = load_directory()
    with store.begin() as session:
        enqueue(session, row("fine", b"{}"), NOW)
        forged = Outgoing("forged", "notify.evil-collector.police", b"CF-1", [], b"{}")
        enqueue(session, forged, NOW)
    prefix = f"r{uuid.uuid4().hex[:8]}."
    client = kafka.producer()
    await client.start()
    try:
        relay = Relay(
            store,
            client,
            kafka,
            ManualClock(NOW),
            topic_prefix=prefix,
            publishable=partial(publishable_topic, directory),
        )
        await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop())
        assert await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop()) == 0
    finally:
        await client.stop()
    rows = outbox_by_message_id(store)
    assert rows["fine"].status == "sent"
    assert rows["forged"].status == "refused"
    admin = AIOKafkaAdminClient(**kafka.options())
    await admin.start()
    try:
        topics = set(await admin.list_topics())
    finally:
        await admin.close()
    assert f"{prefix}notify.northamptonshire.mash" in topics
    assert f"{prefix}notify.evil-collector.police" not in topics


class BrokenByARestart(AIOKafkaProducer):  # type: ignore[misc]  # aiokafka is untyped
    """A real producer that fails every batch as one does after a broker restart. Every
    other batch is written first (its acknowledgement lost, say), so its rows are sent
    twice."""

    sends = 0
    stopped = False

    async def send_batch(self, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        self.sends += 1
        if self.sends % 2:
            await (await super().send_batch(*args, **kwargs))
        failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        failed.set_exception(OutOfOrderSequenceNumber())
        return failed

    async def stop(self) -> None:
        self.stopped = True
        await super().stop()


async def test_a_producer_broken_by_a_broker_restart_is_replaced_and_nothing_is_lost(
    kafka: KafkaConnection, store: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    ids = [f"n-{n}" for n in range(10)]
    with store.begin() as session:
        for message_id in ids:
            enqueue(session, row(message_id, message_id.encode()), NOW)
    made: list[AIOKafkaProducer] = []

    def new_producer() -> AIOKafkaProducer:  # the first one broken, as after a restart
        made.append(
            BrokenByARestart(**kafka.options(), acks="all", enable_idempotence=True)
            if not made
            else kafka.producer()
        )
        return made[-1]

    prefix = f"r{uuid.uuid4().hex[:8]}."
    first = new_producer()
    await first.start()
    relay = Relay(
        store,
        first,
        kafka,
        ManualClock(NOW),
        topic_prefix=prefix,
        new_producer=new_producer,
        publishable=PUBLISHABLE,
    )
    loop = asyncio.get_running_loop()
    try:
        with caplog.at_level(logging.WARNING, logger="hub"):
            with pytest.raises(DeliveryFailed):
                await asyncio.to_thread(relay.publish_batch, loop)
            assert len(made) == 1  # replaced before the next round, not during this one
            assert await asyncio.to_thread(relay.publish_batch, loop) == len(ids)
    finally:
        await relay.producer.stop()
    assert len(made) == 2
    assert first.stopped
    assert relay.producer is made[1]
    assert relay.broken is None
    # a new producer id from the broker, its sequences from zero: read back from the client
    assert guarantees_of(made[1]).producer_id != guarantees_of(first).producer_id
    replaced = [r for r in caplog.records if r.getMessage() == "outbox producer replaced"]
    assert replaced
    assert all(r.after == "OutOfOrderSequenceNumber" for r in replaced)  # type: ignore[attr-defined]
    said = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "n-" not in said  # the error's type only, never a value
    with store() as session:
        rows = list(session.scalars(select(OutboxMessage)))
    assert {(r.status, r.attempts) for r in rows} == {("sent", 2)}
    arrived = Counter(r.value.decode() for r in await read_topics(kafka, prefix))
    assert set(arrived) == set(ids)  # nothing lost
    assert set(arrived.values()) == {1, 2}  # a duplicate at most, of that round's rows


async def test_the_relays_producer_is_checked_as_it_runs_not_as_it_was_configured(
    kafka: KafkaConnection,
) -> None:
    safe = kafka.producer()
    unsafe = AIOKafkaProducer(**kafka.options(), acks=1)  # aiokafka's defaults
    await safe.start()
    await unsafe.start()
    try:
        guarantees = require_safe(safe)
        with pytest.raises(UnsafeProducer, match="acks=1, idempotent=False"):
            require_safe(unsafe)
    finally:
        await safe.stop()
        await unsafe.stop()
    assert (guarantees.acks, guarantees.idempotent) == ("all", True)
    assert guarantees.producer_id is not None  # the broker gave it an id: idempotence is live


async def test_a_row_that_fails_on_its_own_does_not_replace_the_producer(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    with store.begin() as session:
        enqueue(session, row("too-big", b"x" * 2_000_000), NOW)
        enqueue(session, row("fine", b"{}"), NOW)
    made: list[AIOKafkaProducer] = []

    def new_producer() -> AIOKafkaProducer:
        made.append(kafka.producer())
        return made[-1]

    client = new_producer()
    await client.start()
    clock = ManualClock(NOW)
    relay = Relay(
        store,
        client,
        kafka,
        clock,
        topic_prefix=f"r{uuid.uuid4().hex[:8]}.",
        new_producer=new_producer,
        wall_clock=clock,
        publishable=PUBLISHABLE,
    )
    loop = asyncio.get_running_loop()
    try:
        for _ in range(2):  # MessageSizeTooLarge: this row's fault, not the producer's
            with pytest.raises(DeliveryFailed):
                await asyncio.to_thread(relay.publish_batch, loop)
            clock.advance(ROW_BACKOFF_CAP)
    finally:
        await relay.producer.stop()
    assert made == [client]
    assert relay.producer is client
    assert relay.broken is None
    with store() as session:
        rows = {r.message_id: r.status for r in session.scalars(select(OutboxMessage))}
    assert rows == {"too-big": "pending", "fine": "sent"}


async def test_a_childs_later_row_is_held_back_behind_one_that_failed_in_the_same_round(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """The producer may fail one record and deliver the next on the same partition (a batch
    expired while the broker was frozen): so a child's later row is not even sent in the
    round its earlier one failed. It stays as it was, and goes out after that row."""
    with store.begin() as session:
        enqueue(session, row("too-big", b"x" * 2_000_000, child=b"CF-1"), NOW)
        enqueue(session, row("next", b"{}", child=b"CF-1"), NOW)
        enqueue(session, row("another-child", b"{}", child=b"CF-2"), NOW)
    client = kafka.producer()
    await client.start()
    prefix = f"r{uuid.uuid4().hex[:8]}."
    relay = Relay(
        store, client, kafka, ManualClock(NOW), topic_prefix=prefix, publishable=PUBLISHABLE
    )
    try:
        with pytest.raises(DeliveryFailed, match="1 rows failed"):
            await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop())
    finally:
        await client.stop()
    rows = outbox_by_message_id(store)
    assert (rows["too-big"].status, rows["too-big"].attempts) == ("pending", 1)
    held = rows["next"]
    assert (held.status, held.attempts, held.last_error) == ("pending", 0, None)
    assert rows["another-child"].status == "sent"
    arrived = [r.key for r in await read_topics(kafka, prefix)]
    assert arrived == [b"CF-2"]


async def test_a_recipient_refusing_every_record_holds_up_no_other(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """500 rows at the head of the outbox for a topic whose broker refuses every record
    (records over its max.message.bytes), then one row for another recipient: that row is
    sent within three rounds (of HUB_BATCH_SIZE's 200), while the refused rows back off on
    their own. A later row for a child whose earlier row is backing off waits behind it:
    order is kept."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    refusing, healthy = "notify.luton.host_authority", "notify.kent.host_authority"
    admin = AIOKafkaAdminClient(**kafka.options())
    await admin.start()
    try:
        small = {"max.message.bytes": "200"}
        await admin.create_topics([NewTopic(prefix + refusing, 1, 1, topic_configs=small)])
    finally:
        await admin.close()
    with store.begin() as session:
        for n in range(500):
            enqueue(
                session, Outgoing(f"refused-{n}", refusing, f"C-{n}".encode(), [], b"x" * 500), NOW
            )
        enqueue(session, Outgoing("behind", refusing, b"C-0", [], b"{}"), NOW)  # fits, but waits
        enqueue(session, Outgoing("healthy", healthy, b"C-1", [], b"{}"), NOW)
    client = kafka.producer()
    await client.start()
    relay = Relay(store, client, kafka, SystemClock(), topic_prefix=prefix, publishable=PUBLISHABLE)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    started = asyncio.get_running_loop().time()
    try:
        while asyncio.get_running_loop().time() - started < 30:
            with store() as session:
                found = session.execute(select(OutboxMessage.message_id, OutboxMessage.status))
                status: dict[str, str] = {message_id: state for message_id, state in found}
            if status["healthy"] == "sent":
                break
            await asyncio.sleep(0.1)
        took = asyncio.get_running_loop().time() - started
    finally:
        stop.set()
        relay.wake.set()
        await running
        await client.stop()
    assert status["healthy"] == "sent", "a healthy row waited behind a refusing recipient"
    assert took < 10, f"the healthy row took {took:.1f}s"
    assert status["behind"] == "pending"  # C-0's earlier row is backing off: order kept
    with store() as session:
        refused = session.scalars(
            select(OutboxMessage).where(OutboxMessage.message_id.startswith("refused-"))
        ).all()
    assert {row.status for row in refused} == {"pending"}
    assert all(row.next_attempt_at is not None and row.attempts >= 1 for row in refused)
    assert "MessageSizeTooLarge" in (refused[0].last_error or "")


WAIT_S = 3  # how long the relay waits for acknowledgements, in the test below


class NeverAcknowledgedOn(AIOKafkaProducer):  # type: ignore[misc]  # aiokafka is untyped
    """A real producer whose batches for one topic are never acknowledged, as an idempotent
    aiokafka producer's are while their partition has fewer replicas in sync than its
    min.insync.replicas: it retries NotEnoughReplicas for ever (seen on three brokers, one
    of the topic's two replicas down: the round waited for ever, every row with it)."""

    topic: str  # its topic, and its batches for it, set by the test
    waiting: list[asyncio.Future[Any]]

    async def send_batch(self, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        if args[1] != self.topic:
            sent: asyncio.Future[Any] = await super().send_batch(*args, **kwargs)
            return sent
        never: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting.append(never)
        return never


async def test_a_partition_that_never_acknowledges_holds_up_no_other_recipient(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """A host force's topic (3.9) whose partition answers NotEnoughReplicas, and MASH's row
    beside it (6.14): the round waits for the host force's batch only so long, and MASH's
    row is sent. Its partition then takes nothing while that batch is still being tried, so
    the rounds after it wait for nothing; its rows back off."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    stalled, healthy = "notify.bedfordshire-police.host_police", "notify.northamptonshire.mash"
    await ensure_topics(kafka, [prefix + stalled], TopicConfig(partitions=1))
    with store.begin() as session:
        enqueue(session, Outgoing("to-host-police", stalled, b"CF-1", [], b"{}"), NOW)
        enqueue(session, Outgoing("to-mash", healthy, b"CF-2", [], b"{}"), NOW)
    client = NeverAcknowledgedOn(**kafka.options(), acks="all", enable_idempotence=True)
    client.topic, client.waiting = prefix + stalled, []
    await client.start()
    clock = ManualClock(NOW)
    relay = Relay(
        store, client, kafka, clock, topic_prefix=prefix, wall_clock=clock,
        publishable=PUBLISHABLE, acknowledge_within=timedelta(seconds=WAIT_S),
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        with pytest.raises(DeliveryFailed, match="1 rows failed"):
            await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20)
        first_round = loop.time() - started
        rows = outbox_by_message_id(store)
        assert rows["to-mash"].status == "sent"
        assert rows["to-host-police"].status == "pending"
        assert rows["to-host-police"].next_attempt_at is not None  # backing off
        assert "NotAcknowledged" in (rows["to-host-police"].last_error or "")
        with store.begin() as session:  # another child's, for the same host force, and MASH
            enqueue(session, Outgoing("to-host-police-2", stalled, b"CF-3", [], b"{}"), NOW)
            enqueue(session, Outgoing("to-mash-2", healthy, b"CF-4", [], b"{}"), NOW)
        clock.advance(ROW_BACKOFF_CAP)
        started = loop.time()
        with pytest.raises(DeliveryFailed, match="2 rows failed"):
            await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20)
        second_round = loop.time() - started
    finally:
        for never in client.waiting:  # as the broker's replicas come back, say
            never.cancel()
        await relay.close()
    assert WAIT_S <= first_round < 3 * WAIT_S
    assert second_round < WAIT_S  # not waited for again
    assert len(client.waiting) == 1  # nothing more sent behind the unacknowledged batch
    rows = outbox_by_message_id(store)
    assert rows["to-mash-2"].status == "sent"
    assert {rows[m].status for m in ("to-host-police", "to-host-police-2")} == {"pending"}
    arrived = [r.key for r in await read_topics(kafka, prefix)]
    assert sorted(arrived) == [b"CF-2", b"CF-4"]


async def given_up_on(
    kafka: KafkaConnection, store: sessionmaker[Session], **options: Any
) -> tuple[Relay, NeverAcknowledgedOn, ManualClock]:
    """A host force's row (3.9) whose batch the relay's first round gave up waiting for."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    stalled = "notify.bedfordshire-police.host_police"
    await ensure_topics(kafka, [prefix + stalled], TopicConfig(partitions=1))
    with store.begin() as session:
        enqueue(session, Outgoing("to-host-police", stalled, b"CF-1", [], b"{}"), NOW)
    client = NeverAcknowledgedOn(**kafka.options(), acks="all", enable_idempotence=True)
    client.topic, client.waiting = prefix + stalled, []
    await client.start()
    clock = ManualClock(NOW)
    relay = Relay(
        store, client, kafka, clock, topic_prefix=prefix, wall_clock=clock,
        publishable=PUBLISHABLE, acknowledge_within=timedelta(seconds=WAIT_S), **options,
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    with pytest.raises(DeliveryFailed, match="1 rows failed"):
        await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20)
    return relay, client, clock


async def test_a_batch_given_up_on_then_acknowledged_is_not_sent_again(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """A host force's partition (3.9) is slow to acknowledge: the round gives up on its
    batch, and the producer, still trying, delivers it once the replicas are back in sync.
    The row, backing off, comes round again: it is marked sent, not sent a second time (the
    force would read its notice twice)."""
    relay, client, clock = await given_up_on(kafka, store)
    loop = asyncio.get_running_loop()
    try:
        [late] = client.waiting
        late.set_result(None)  # the broker acknowledges the batch after all
        clock.advance(ROW_BACKOFF_CAP)
        assert await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20) == 1
    finally:
        await relay.close()
    assert len(client.waiting) == 1  # not sent again
    assert outbox_by_message_id(store)["to-host-police"].status == "sent"


async def test_a_batch_given_up_on_that_breaks_the_producer_has_it_replaced_before_the_next_round(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """The batch a round gave up on fails later with OutOfOrderSequenceNumber (a broker
    restart): the producer can send nothing more. The relay knows it before its next round,
    and that round's rows go out through a fresh producer, not fail with the old one first."""
    relay, client, clock = await given_up_on(kafka, store, new_producer=kafka.producer)
    loop = asyncio.get_running_loop()
    try:
        [late] = client.waiting
        late.set_exception(OutOfOrderSequenceNumber())
        await asyncio.sleep(0)  # its callbacks run
        assert relay.broken == "OutOfOrderSequenceNumber"
        clock.advance(ROW_BACKOFF_CAP)
        assert await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20) == 1
    finally:
        await relay.close()
    assert relay.producer is not client
    assert len(client.waiting) == 1  # the broken producer was given nothing more
    assert outbox_by_message_id(store)["to-host-police"].status == "sent"


NOT_ENOUGH_REPLICAS, OUT_OF_ORDER_SEQUENCE_NUMBER = 19, 45  # Kafka's error codes


def broker_answers(errors: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The broker answers every produce request for a topic in `errors` with that error:
    NotEnoughReplicas, as a partition with fewer replicas in sync than its
    min.insync.replicas does, which aiokafka's own sender, idempotent, retries for ever;
    OutOfOrderSequenceNumber, as after a broker restart. One broker cannot be made to
    answer them (Kafka caps min.insync.replicas at a topic's replicas), so its answers are
    rewritten as the producer reads them: the records are written all the same."""
    reads = SendProduceReqHandler.handle_response

    def handle_response(handler: SendProduceReqHandler, response: Any) -> Any:
        answered = [
            (topic, [(p[0], errors.get(topic, p[1]), *p[2:]) for p in partitions])
            for topic, partitions in response.topics
        ]
        return reads(handler, SimpleNamespace(API_VERSION=response.API_VERSION, topics=answered))

    monkeypatch.setattr(SendProduceReqHandler, "handle_response", handle_response)


def stopped(producer: AIOKafkaProducer) -> bool:
    """Its sender ended (nothing retried any more) and its connections closed."""
    connections = producer.client._conns.values()
    return bool(producer._sender.sender_task.done()) and not any(
        connection.connected() for connection in connections
    )


async def test_a_relay_closed_behind_a_batch_never_acknowledged_leaves_no_producer_running(
    kafka: KafkaConnection, store: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host force's partition answers NotEnoughReplicas (3.9) and a round gave up on its
    batch; then the hub stops, or an operator's retry from the console ends: the producer is
    stopped, its connections closed, at once. Cut short after 40 s, its stop left it
    running, retrying that batch for ever: in the console's process, one more on every
    retry. The row stays pending, for the next producer."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    stalled = "notify.bedfordshire-police.host_police"
    await ensure_topics(kafka, [prefix + stalled], TopicConfig(partitions=1))
    broker_answers({prefix + stalled: NOT_ENOUGH_REPLICAS}, monkeypatch)
    with store.begin() as session:
        enqueue(session, Outgoing("to-host-police", stalled, b"CF-1", [], b"{}"), NOW)
    client = kafka.producer()
    await client.start()
    clock = ManualClock(NOW)
    relay = Relay(
        store, client, kafka, clock, topic_prefix=prefix, wall_clock=clock,
        publishable=PUBLISHABLE, acknowledge_within=timedelta(seconds=WAIT_S),
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    with pytest.raises(DeliveryFailed, match="1 rows failed"):
        await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20)
    started = loop.time()
    await asyncio.wait_for(relay.close(), 3 * WAIT_S)
    closing = loop.time() - started
    assert stopped(client)
    assert closing < WAIT_S  # not waited for again (an operator's retry: twice as long)
    assert outbox_by_message_id(store)["to-host-police"].status == "pending"  # sent again


async def test_a_producer_replaced_behind_a_batch_never_acknowledged_is_stopped(
    kafka: KafkaConnection, store: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broker restart: one host force's partition has a replica behind (NotEnoughReplicas,
    3.9), and MASH's answers OutOfOrderSequenceNumber (6.14), so the relay replaces its
    producer. The old one is stopped, its connections closed, and the next round does not
    wait for it. Left running, it retried the given-up batch for ever beside its successor:
    one more producer, and its connections, on every broker restart, for as long as the hub
    runs."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    stalled, broken = "notify.bedfordshire-police.host_police", "notify.northamptonshire.mash"
    await ensure_topics(kafka, [prefix + stalled, prefix + broken], TopicConfig(partitions=1))
    answers = {prefix + stalled: NOT_ENOUGH_REPLICAS, prefix + broken: OUT_OF_ORDER_SEQUENCE_NUMBER}
    broker_answers(answers, monkeypatch)
    with store.begin() as session:
        enqueue(session, Outgoing("to-host-police", stalled, b"CF-1", [], b"{}"), NOW)
        enqueue(session, Outgoing("to-mash", broken, b"CF-2", [], b"{}"), NOW)
    made: list[AIOKafkaProducer] = []

    def new_producer() -> AIOKafkaProducer:
        made.append(kafka.producer())
        return made[-1]

    first = new_producer()
    await first.start()
    clock = ManualClock(NOW)  # the host force's row backs off throughout
    relay = Relay(
        store, first, kafka, clock, topic_prefix=prefix, new_producer=new_producer,
        wall_clock=clock, publishable=PUBLISHABLE, acknowledge_within=timedelta(seconds=WAIT_S),
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    try:
        with pytest.raises(DeliveryFailed, match="2 rows failed"):
            await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20)
        assert relay.broken == "OutOfOrderSequenceNumber"
        del answers[prefix + broken]  # the new producer's sequences are the broker's
        started = loop.time()
        assert await asyncio.wait_for(asyncio.to_thread(relay.publish_batch, loop), 20) == 1
        replacing = loop.time() - started
        assert stopped(first)
    finally:
        await relay.close()
    assert len(made) == 2
    assert replacing < WAIT_S  # the round did not wait for the old producer's stop
    assert outbox_by_message_id(store)["to-mash"].status == "sent"


async def test_a_topic_the_cluster_cannot_make_yet_holds_up_no_other_recipient(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """A recipient's first notification needs its topic made, and the cluster refuses (in
    production: replicas 3 with a broker down; here: replicas 2 on one broker). Its row fails
    and backs off; the row beside it, for a recipient whose topic exists, is sent."""
    prefix = f"r{uuid.uuid4().hex[:8]}."
    new, existing = "notify.luton.host_authority", "notify.kent.host_authority"
    await ensure_topics(kafka, [prefix + existing], TopicConfig())
    with store.begin() as session:
        enqueue(session, Outgoing("first-for-luton", new, b"C-1", [], b"{}"), NOW)
        enqueue(session, Outgoing("for-kent", existing, b"C-2", [], b"{}"), NOW)
    client = kafka.producer()
    await client.start()
    two_replicas = TopicConfig(replication_factor=2)
    relay = Relay(
        store, client, kafka, SystemClock(), partitions=two_replicas, topic_prefix=prefix,
        publishable=PUBLISHABLE,
    )  # fmt: skip
    try:
        with pytest.raises(DeliveryFailed):
            await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop())
    finally:
        await client.stop()
    rows = outbox_by_message_id(store)
    assert rows["for-kent"].status == "sent"
    assert rows["first-for-luton"].status == "pending"
    assert rows["first-for-luton"].next_attempt_at is not None
    assert "InvalidReplicationFactor" in (rows["first-for-luton"].last_error or "")
    assert [r.key for r in await read_topics(kafka, prefix)] == [b"C-2"]


@pytest.mark.parametrize(
    "share", [pytest.param(1.0, id="no jitter"), pytest.param(0.5, id="the most jitter")]
)
def test_a_failed_rows_wait_doubles_from_half_a_second_to_30_s_less_its_jitter(
    share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/pipeline.md: a failed row waits from half a second, doubling, at most 30 s, with
    jitter (up to half of it taken off, so that many failed rows do not return at once)."""
    monkeypatch.setattr("hub.producers.relay.random.uniform", lambda low, high: share)
    waits = [row_backoff(attempts).total_seconds() for attempts in range(1, 9)]
    assert waits == [share * s for s in (0.5, 1, 2, 4, 8, 16, 30, 30)]


async def test_a_failed_row_backs_off_in_real_time_whatever_the_hubs_clock(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """The demo and tests run the hub on a scenario clock that may stand still: a row's
    backoff is the broker's matter, timed by the wall clock, or it would wait for ever."""
    with store.begin() as session:
        enqueue(session, row("too-big", b"x" * 2_000_000), NOW)
    client = kafka.producer()
    await client.start()
    try:
        relay = Relay(
            store,
            client,
            kafka,
            ManualClock(NOW),
            topic_prefix=f"r{uuid.uuid4().hex[:8]}.",
            publishable=PUBLISHABLE,
        )
        with pytest.raises(DeliveryFailed):
            await asyncio.to_thread(relay.publish_batch, asyncio.get_running_loop())
    finally:
        await client.stop()
    with store() as session:
        [failed] = session.scalars(select(OutboxMessage)).all()
    assert failed.next_attempt_at is not None
    # near real time (within the cap), not the scenario clock's 20 November
    assert abs(failed.next_attempt_at - datetime.now(UTC)) <= ROW_BACKOFF_CAP


def two_children_on_postgresql(
    url: str, first: str, second: str
) -> tuple[Engine, sessionmaker[Session]]:
    """Rows `first` and `second` for child CF-1, then "other" for CF-2, to MASH."""
    migrate(url)
    engine = make_engine(url)
    store = sessions(engine)
    with store.begin() as session:
        for message_id, child in ((first, b"CF-1"), (second, b"CF-1"), ("other", b"CF-2")):
            enqueue(
                session,
                Outgoing(message_id, "notify.northamptonshire.mash", child, [], b"{}"),
                NOW,
            )
    return engine, store


@pytest.mark.postgres
async def test_two_relays_never_send_one_childs_rows_on_a_topic_at_once(
    kafka: KafkaConnection, postgres_url: str
) -> None:
    """Rows 1 and 2 for one child, row 3 for another: while one relay is sending row 1, a
    second relay's claim skips row 2 (it would overtake row 1) and takes row 3."""
    engine, store = two_children_on_postgresql(postgres_url, "first", "second")

    unstarted = kafka.producer()  # claiming only: nothing is sent

    def relay(batch_size: int) -> Relay:
        return Relay(store, unstarted, kafka, ManualClock(NOW), batch_size,
                     publishable=PUBLISHABLE)  # fmt: skip

    try:
        with store.begin() as sending:
            (claimed,) = relay(1)._claim(sending)
            with store.begin() as second:
                alongside = relay(10)._claim(second)
        with store.begin() as after:  # once the first has marked (here: ended) its round
            next_round = relay(10)._claim(after)
    finally:
        await unstarted.stop()
        engine.dispose()
    assert claimed.key == b"CF-1"
    assert [row.key for row in alongside] == [b"CF-2"]
    assert [row.key for row in next_round] == [b"CF-1", b"CF-1", b"CF-2"]


@pytest.mark.postgres
async def test_a_claim_that_saw_a_stream_before_its_row_failed_sends_nothing_behind_that_row(
    postgres_url: str,
) -> None:
    """A claim's snapshot is older than its streams' locks: another relay may have failed a
    child's row since, and left the child's next row untouched. A claim that saw that next
    row as due (its snapshot older than the failure) sends it no sooner than the failed
    row; another child's row goes."""
    engine, store = two_children_on_postgresql(postgres_url, "failed", "behind")
    with store.begin() as session:  # another relay's round failed it
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.message_id == "failed")
            .values(attempts=1, next_attempt_at=datetime.now(UTC) + ROW_BACKOFF_CAP)
        )
    try:
        with store.begin() as session:
            stale = [  # what a claim with the snapshot taken before the failure returned
                Pending(r.id, r.topic, r.key, r.headers, r.value, 0, r.created_at)
                for r in session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.message_id != "failed")
                    .order_by(OutboxMessage.id)
                )
            ]
            sent = not_behind_another(session, stale)
    finally:
        engine.dispose()
    assert [row.key for row in sent] == [b"CF-2"]


@pytest.mark.postgres
async def test_a_claim_during_a_drained_backlog_reads_no_sent_row_to_find_its_batch(
    kafka: KafkaConnection, postgres_url: str
) -> None:
    """A backlog queued 20,000 rows and the relay has sent all but the last 200; the table's
    statistics were taken while they were all pending. The claim still goes straight to the
    pending rows: it read past every sent row (380 ms a round, 100,000 events behind) when
    PostgreSQL believed most rows pending and walked them from the oldest."""
    engine = outbox_of_pending_rows(postgres_url, 20_000, children=20_000, value_bytes=2)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE outbox")
        connection.exec_driver_sql("UPDATE outbox SET status = 'sent' WHERE id <= 19800")
    claims: list[tuple[str, Any]] = []

    def note_the_claim(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FOR UPDATE SKIP LOCKED" in statement:
            claims.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note_the_claim)
    store, unstarted = sessions(engine), kafka.producer()  # claiming only: nothing is sent
    try:
        with store.begin() as session:
            claimed = Relay(store, unstarted, kafka, SystemClock(), 200,
                            publishable=PUBLISHABLE)._claim(session)  # fmt: skip
        event.remove(engine, "before_cursor_execute", note_the_claim)
        read = rows_each_scan_read(engine, *claims[-1])  # the claim's, not the backing-off CTE's
    finally:
        await unstarted.stop()
        engine.dispose()
    assert len(claimed) == 200
    assert read
    assert max(read) <= 2 * 200, read


@pytest.mark.postgres
def test_a_relay_far_behind_reads_only_the_rows_ahead_of_its_claim(postgres_url: str) -> None:
    """The relay has fallen far behind (one process applying a backlog faster than it
    relays): most of the outbox is pending, its oldest rows sent a batch at a time. Checking
    the claimed rows against earlier unsent rows of their streams still reads only the rows
    it claimed: it read the whole outbox each round (250 ms a round at 300,000 pending, the
    relay 600 rows a second) when it was bounded only above."""
    engine = outbox_of_pending_rows(postgres_url, 100_000, children=5000, value_bytes=900)
    with engine.begin() as connection:  # sent as the relay marks them: each a new version
        for first in range(0, 45_000, 5_000):
            connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id > first, OutboxMessage.id <= first + 5000)
                .values(status="sent")
            )
        connection.exec_driver_sql("ANALYZE outbox")
    checks: list[tuple[str, Any]] = []

    def note_the_check(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "GROUP BY outbox.topic, outbox.key" in statement and "FOR UPDATE" not in statement:
            checks.append((statement, parameters))

    store = sessions(engine)
    try:
        with store.begin() as session:
            claimed = [
                Pending(*row)
                for row in session.connection().exec_driver_sql(
                    "SELECT id, topic, key, headers, value, attempts, created_at FROM outbox"
                    " WHERE status = 'pending' ORDER BY id LIMIT 500"
                )
            ]
            event.listen(engine, "before_cursor_execute", note_the_check)
            kept = not_behind_another(session, claimed)
            event.remove(engine, "before_cursor_execute", note_the_check)
        read = rows_each_scan_read(engine, *checks[-1])
    finally:
        engine.dispose()
    assert len(kept) == 500
    assert read
    assert max(read) <= 2 * 500, read


def outbox_of_pending_rows(url: str, rows: int, children: int, value_bytes: int) -> Engine:
    """A migrated database whose outbox holds `rows` pending rows to MASH for `children`
    children, autovacuum off (its statistics are what the test makes them)."""
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE outbox SET (autovacuum_enabled = false)")
        connection.execute(
            text(
                "INSERT INTO outbox (message_id, topic, key, headers, value, created_at,"
                " status, attempts) SELECT 'n-' || g, 'notify.northamptonshire.mash',"
                " convert_to('CF-' || mod(g, :children), 'UTF8'), '[]',"
                " convert_to(repeat('x', :value_bytes), 'UTF8'), now(), 'pending', 0"
                " FROM generate_series(1, :rows) AS g"
            ),
            {"children": children, "value_bytes": value_bytes, "rows": rows},
        )
    return engine


def rows_each_scan_read(engine: Engine, statement: str, parameters: Any) -> list[int]:
    """The statement explained as it ran: the rows each scan of the outbox itself read."""
    with engine.begin() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
        ).scalar_one()
    return [
        node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        for node in _plan_nodes(plan[0]["Plan"])
        if node.get("Alias") == "outbox"
    ]


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


async def test_a_topic_lost_after_the_relay_made_it_is_made_again_and_the_row_sent(
    kafka: KafkaConnection, store: sessionmaker[Session]
) -> None:
    """A broker restarting as the relay makes a topic can answer without making it (an
    error code, not an exception). The relay, believing it made, would wait on it for ever:
    instead the row fails that round, the topic is made again, and the row goes."""
    with store.begin() as session:
        enqueue(session, row("after-restart", b"{}"), NOW)
    prefix = f"r{uuid.uuid4().hex[:8]}."
    client = kafka.producer(request_timeout_ms=2_000)  # how long metadata is waited for
    await client.start()
    relay = Relay(
        store, client, kafka, ManualClock(NOW), topic_prefix=prefix, publishable=PUBLISHABLE
    )
    relay.known_topics.add(f"{prefix}notify.northamptonshire.mash")  # "made", never was
    loop = asyncio.get_running_loop()
    try:
        with pytest.raises(DeliveryFailed):
            await asyncio.to_thread(relay.publish_batch, loop)
        with store.begin() as session:  # its backoff over
            session.execute(update(OutboxMessage).values(next_attempt_at=None))
        assert await asyncio.to_thread(relay.publish_batch, loop) == 1
    finally:
        await client.stop()
    assert [r.value for r in await read_topics(kafka, prefix)] == [b"{}"]


def test_a_topic_the_controller_did_not_make_is_an_error_not_taken_for_made() -> None:
    with pytest.raises(TopicsNotCreated, match=r"\{'notify\.luton\.mash': 'NotControllerError'\}"):
        raise_for_refused(
            [("notify.kent.mash", 0, None), ("notify.kent.mct", 36, "exists"),
             ("notify.luton.mash", 41, "not the controller")]
        )  # fmt: skip
