"""The inbound consumer (FastStream): one consumer group over every inbound topic, a batch at
a time. Each batch is applied in one database transaction (hub.service.applying) and the
Kafka offsets are committed only after that transaction commits.

FastStream's defaults would lose messages here, so each is set explicitly:
- ack_policy MANUAL: the default (ACK_FIRST) commits offsets before the handler runs;
- auto_offset_reset "earliest": a new group would otherwise start at the end;
- isolation_level "read_committed": a transactional sender's aborted records are not read;
- our own parser and decoder: the stock ones decode headers and JSON bodies before the
  handler runs, and a poison message (a header that is not UTF-8, a body that is not JSON)
  would fail there, outside our handling, instead of being stored and reported;
- no NACK on error: a NACK re-reads at once, in a tight loop. A failing batch (the database
  down, or two instances racing in a rebalance) is instead retried with backoff inside the
  handler, and its offsets committed when it succeeds. A bug in one message never fails
  the batch: apply_batch dead-letters that message."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from sqlalchemy.orm import Session, sessionmaker

from hub import crashpoints
from hub.access.senders import inbound_pattern
from hub.clock import Clock
from hub.consumers.header_names import read_header_names_as_kafka_does
from hub.consumers.prefetch import fetch_while_applying
from hub.consumers.read_order import BACKLOG_BATCHES, ReadOrder, in_time_order
from hub.retrying import Stopped, until_done
from hub.routing.directory import Directory
from hub.service.applying import apply_batch
from hub.service.batch import BatchResult, Record
from hub.settings import DEFAULT_BATCH_SIZE, HubSettings
from hub.tracing import attributes, span

log = logging.getLogger(__name__)
T = TypeVar("T")
FETCH_WAIT_MS = 50
BATCH_WAIT_MS = 10
HEARTBEAT_MS = 3000  # aiokafka's default, at most


def _is_text(value: bytes | None) -> bool:
    """A header value FastStream can decode: not one that is not UTF-8, nor one with no
    value at all (Kafka allows it; FastStream's `.decode()` of it failed the whole batch,
    which FastStream then dropped without a word)."""
    if value is None:
        return False
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def keep_raw_records(
    records: tuple[ConsumerRecord[Any, Any], ...],
    original: Callable[[tuple[ConsumerRecord[Any, Any], ...]], Awaitable[StreamMessage[Any]]],
) -> StreamMessage[Any]:
    """FastStream's batch parser decodes every header as UTF-8 and would fail the whole batch
    on one bad header. Give it copies without such headers, and keep the originals (which
    the hub validates, and which `nack` uses to rewind) as the raw message."""
    safe = tuple(
        replace(r, headers=tuple((k, v) for k, v in r.headers if _is_text(v))) for r in records
    )
    message = await original(safe)
    message.raw_message = records
    return message


async def no_decoding(message: StreamMessage[Any], original: Any) -> None:
    """The hub decodes and validates each record itself (hub.contracts.envelope)."""
    return


class InboundConsumer:
    """Applies each batch the subscriber (inbound_router) hands it."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        directory: Directory,
        clock: Clock,
        stopping: asyncio.Event,
        on_applied: Callable[[BatchResult, float], None] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.sessions, self.directory, self.clock = sessions, directory, clock
        self.stopping, self.on_applied = stopping, on_applied
        # Every batch applied on one thread of its own: memory a batch frees is reused by the
        # next, where the shared pool's threads each grew their own allocator arena to a
        # backlog batch's high-water mark (docs/benchmark.md).
        self.applier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="apply")
        self.read_order = ReadOrder(
            stopping, backlog_after=BACKLOG_BATCHES * batch_size, batch_size=batch_size
        )

    def _on_applier(self, apply: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """As asyncio.to_thread, on the applier's thread: in this task's context, so the
        batch's span reaches the trace headers of the notifications it queues."""
        context = contextvars.copy_context()
        return asyncio.get_running_loop().run_in_executor(self.applier, context.run, apply, *args)

    async def handle(self, message: KafkaMessage) -> None:
        """Never lets an exception escape: with manual acknowledgement FastStream would move
        on past an uncommitted batch, so a failure rewinds to it instead."""
        fetch_while_applying(message.consumer)  # a setting, every batch: the consumer may change
        try:
            await self._apply_and_commit(message)
        except Stopped:
            log.info("stopping: a batch not yet applied is left uncommitted, to be read again")
        except Exception:
            log.exception("inbound batch failed; rewinding to read it again")
            await asyncio.sleep(1)  # not a tight loop
            with contextlib.suppress(Exception):  # a revoked partition cannot be rewound
                await message.nack()
        finally:
            self._keep_read_order(message)

    def _keep_read_order(self, message: KafkaMessage) -> None:
        try:
            self.read_order.steer(message.consumer)
        except Exception:  # never a reason to read a batch again
            log.exception("inbound partitions not steered; reading them as fetched")

    async def _apply_and_commit(self, message: KafkaMessage) -> None:
        raw = message.raw_message
        batch = raw if isinstance(raw, (tuple, list)) else (raw,)  # a list in TestKafkaBroker
        self.read_order.read(batch)
        records = [
            Record(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers))
            for r in in_time_order(batch)
        ]
        started = time.perf_counter()
        with span("apply inbound batch", records=len(records)) as batch_span:
            result = await until_done(
                f"applying a batch of {len(records)} records",
                lambda: self._on_applier(
                    apply_batch, self.sessions, records, self.directory, self.clock.now()
                ),
                self.stopping,
            )
            batch_span.set_attributes(attributes(**vars(result)))
        if self.on_applied is not None:  # the relay and metrics: the outbox rows are committed
            self.on_applied(result, time.perf_counter() - started)
        crashpoints.reach("consumer.committed")
        await message.ack()  # offsets committed only now, after the database commit


def inbound_router(settings: HubSettings, consumer: InboundConsumer) -> KafkaRouter:
    """One subscriber over every inbound topic under the deployment's topic prefix, shared
    or an agency's own (hub.access.senders), for one consumer group, a batch at a time,
    handled by `consumer`. A pattern: an agency onboarded while the hub runs is read from
    its first record once the consumer next refreshes its metadata (5 minutes at most)."""
    read_header_names_as_kafka_does()  # one stray header name stalled every topic
    router = KafkaRouter()
    router.subscriber(
        pattern=inbound_pattern(settings.topic_prefix),
        group_id=settings.group_id,
        batch=True,
        max_records=settings.batch_size,
        # How long a read waits for a first record; FastStream then sleeps as long again
        # before the next read when none came, and a record arriving meanwhile waits. At
        # 50 ms, an event to an idle hub (real load is a few a minute) waited up to 50 ms
        # more: at 5 events/s, send to batch start p99 60 ms, 20 ms at 10 (docs/benchmark.md).
        # A read returns as soon as records are there, so this costs no batch its size.
        batch_timeout_ms=BATCH_WAIT_MS,
        # Read ahead of the batch being applied by at most 256 KiB a partition and 4 MiB in
        # all (aiokafka's defaults: 1 MiB and 50 MiB): after an outage the defaults held
        # tens of MB of backlog in memory for no gain in speed (docs/benchmark.md).
        max_partition_fetch_bytes=256 * 1024,
        fetch_max_bytes=4 * 1024 * 1024,
        # A fetch waits for new records at most 50 ms (aiokafka's default: 500). aiokafka
        # leaves out of its next fetch a partition whose records are still being applied,
        # so when that partition's next record came, it waited for the fetch asking after
        # the idle ones to time out: up to half a second, the p99 at 200 events/s.
        fetch_max_wait_ms=FETCH_WAIT_MS,
        # A member killed without leaving (SIGKILL, its host lost) holds its partitions
        # until its session times out; heartbeats a third of it apart, as Kafka advises
        # (aiokafka's defaults, 10 s and 3 s, unless HUB_CONSUMER_SESSION_TIMEOUT_MS says).
        session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=min(HEARTBEAT_MS, settings.consumer_session_timeout_ms // 3),
        auto_offset_reset="earliest",
        # A sender writing in transactions did not send what it aborted (aiokafka's default,
        # read_uncommitted, applied it). A transaction left open holds back the partitions
        # it wrote to until the broker aborts it at the sender's timeout (a minute by
        # default), and, while a backlog is read in order, the others for at most STUCK_S.
        isolation_level="read_committed",
        ack_policy=AckPolicy.MANUAL,
        parser=keep_raw_records,
        decoder=no_decoding,
        title="inbound",
        description="Every inbound topic, shared (inbound.<type>) or an agency's own "
        "(inbound.<type>.<agency>): police and local-authority events (contracts/).",
    )(consumer.handle)
    return router
