"""Fetching the next records while a batch is being applied.

aiokafka's fetcher sends no fetch to a broker while any record it fetched from that broker
less than `prefetch_backoff` ago (0.1 s, not one of the consumer's options) is still waiting
to be consumed. The hub applies a batch for tens of milliseconds, so at 200 events/s a
record sent just after a fetch was fetched only once the next batch had been read, and
waited for two batches to be applied before its own began. With no backoff, the
partitions that hold nothing unconsumed are fetched while a batch is applied, and their
records are in the next batch (docs/benchmark.md: from send to the start of its batch,
p50 62 ms before, 39 ms after). Memory stays bounded as before: a partition that holds
unconsumed records is never fetched again until they are consumed, and each fetch at most
`fetch_max_bytes`."""

from __future__ import annotations

import functools
import logging

from aiokafka import AIOKafkaConsumer

log = logging.getLogger(__name__)
PREFETCH_BACKOFF_S = 0.0


def fetch_while_applying(consumer: object) -> None:
    """Set the started consumer's prefetch backoff (a test's stand-in is left alone). Only
    a wait is changed: if a newer aiokafka no longer has it, the hub reads as before, and
    says so."""
    if not isinstance(consumer, AIOKafkaConsumer):
        return
    fetcher = getattr(consumer, "_fetcher", None)
    if fetcher is None:  # not started
        return
    if not hasattr(fetcher, "_prefetch_backoff"):
        _not_settable()
        return
    fetcher._prefetch_backoff = PREFETCH_BACKOFF_S


@functools.cache
def _not_settable() -> None:
    log.warning("aiokafka's fetcher has no prefetch backoff: fetching as it does")
