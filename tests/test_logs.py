"""The hub's logs: the Kafka client's repeated warnings do not flood them."""

from __future__ import annotations

import logging

from hub.logs import ClientRepeats


def _record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)


def test_a_producer_retrying_a_partition_every_100_ms_warns_once_a_minute() -> None:
    now = [0.0]
    repeats = ClientRepeats(clock=lambda: now[0])
    retrying = "Got error produce response on topic-partition %s, retrying. Error: %s"
    passed = []
    for tick in range(1_201):  # two minutes of retries, every 100 ms
        now[0] = tick / 10
        record = _record("aiokafka.producer.sender", retrying, "notify.x-0", "NotEnoughReplicas")
        if repeats.filter(record):
            passed.append(record)
    assert [getattr(r, "repeats_left_out", 0) for r in passed] == [0, 599, 599]


def test_the_hubs_own_warnings_are_never_left_out() -> None:
    repeats = ClientRepeats(clock=lambda: 0.0)
    record = _record("hub.producers.relay", "outbox rows refused: a topic outside the directory")
    assert all(repeats.filter(record) for _ in range(5))
