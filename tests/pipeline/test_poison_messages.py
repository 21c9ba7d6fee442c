"""Poison messages mixed into the stream on the real broker: each is rejected with its reason
and reported on the rejected topic, and everything else is processed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from hub.contracts.envelope import parse_structured, to_kafka
from hub.contracts.registry import REJECTED_TOPIC
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.store.models import InboundEvent, RejectedMessage
from tests.helpers import encoded, example
from tests.pipeline.hub_harness import all_sent, count, eventually, in_process_hub

START = datetime(2026, 11, 20, 18, 45, tzinfo=UTC)


Message = tuple[bytes | None, bytes | None, list[tuple[str, bytes | None]]]


def good(n: int, **data: str) -> Message:
    document = example("01-misper-report")
    document["id"] = f"evt-good-{n}"
    document["data"].update({"child_id": f"CF-GOOD-{n}", **data})
    message = to_kafka(parse_structured(encoded(document)))
    headers: list[tuple[str, bytes | None]] = list(message.headers.items())
    return f"CF-GOOD-{n}".encode(), message.value, headers


def with_header(
    headers: list[tuple[str, bytes | None]], name: str, value: bytes
) -> list[tuple[str, bytes | None]]:
    return [(n, value if n == name else v) for n, v in headers]


def poison() -> dict[str, Message]:
    """Each refused, with the reason it names."""
    key, value, headers = good(100)
    body = json.loads(value or b"")
    extra = {**body, "favourite_colour": "blue"}
    text = json.dumps(body).encode()
    deep = text.replace(b'"medium"', b"[" * 40_000 + b"]" * 40_000)
    since_1970 = json.dumps({**body, "missing_since": 0}).encode()
    grade = b'"risk_level": "medium"'  # the example's
    twice = text.replace(grade, grade + b', "risk_level": "high"')
    assert grade in text
    bidi = {**body, "last_seen": {**body["last_seen"], "place": "Luton\u202e"}}
    return {
        "nests more than 12 deep": (key, deep, headers),
        "not a number": (key, since_1970, headers),
        "has a key twice": (key, twice, headers),
        "bidirectional formatting character": (key, json.dumps(bidi).encode(), headers),
        "is not JSON": (key, b"{not json", headers),
        "is not UTF-8": (key, b"\xff\xfe\x00", headers),
        "is empty": (key, b"", [*headers, ("x-trace", None)]),  # a header with no value too
        "larger than": (key, b"{" + b" " * 300_000 + b"}", headers),
        "not in this contract": (key, json.dumps(extra).encode(), headers),
        "not a contract the hub accepts": (
            key,
            value,
            with_header(headers, "ce_type", b"uk.missing-children.misper-report.v9"),
        ),
        "must be the child's id": (b"CF-SOMEONE-ELSE", value, headers),
        "header is missing": (key, value, []),
    }


def accepted() -> dict[str, Message]:
    """Odd but valid: stored as text and processed, never executed or echoed."""
    hostile = good(101, circumstances="'; DROP TABLE inbound_events; -- <script>")
    key, value, headers = good(102)
    return {
        "hostile strings": hostile,
        "a stray header not UTF-8": (key, value, [*headers, ("x-trace", b"\xff")]),
        "a stray header with no value": (*good(103)[:2], [*good(103)[2], ("x-trace", None)]),
    }


async def test_poison_is_rejected_with_its_reason_and_the_rest_processed(
    kafka: KafkaConnection, database_url: str
) -> None:
    hub = in_process_hub(kafka, database_url, START)
    prefix = hub.settings.topic_prefix
    await hub.start()
    producer = AIOKafkaProducer(**kafka.options(), acks="all", max_request_size=1_048_576)
    await producer.start()
    try:
        topic = f"{prefix}inbound.misper-report"
        bad, odd = poison(), accepted()
        goods = [good(n) for n in range(1, len(bad) + 1)]
        for key, value, headers in [
            m for pair in zip(bad.values(), goods, strict=True) for m in pair
        ]:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
        for key, value, headers in odd.values():
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
        applied = len(goods) + len(odd)
        await eventually(lambda: count(hub, InboundEvent) == applied)
        await eventually(lambda: count(hub, RejectedMessage) == len(bad))
        await eventually(lambda: all_sent(hub))
        assert hub.engine is not None
        with hub.engine.connect() as connection:
            rejected = connection.execute(select(RejectedMessage)).all()
    finally:
        await producer.stop()
        await hub.stop()
    assert all(row.kind == "bad_message" for row in rejected)
    reasons = " ".join(p["reason"] for row in rejected for p in row.problems)
    for expected in bad:
        assert expected in reasons
    reports = await read_topics(kafka, f"{prefix}{REJECTED_TOPIC}")
    assert len(reports) == len(rejected)
    assert all(b"DROP TABLE" not in r.value for r in reports)
