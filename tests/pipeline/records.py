"""Kafka records as they would arrive, built from the contract's examples."""

from __future__ import annotations

from itertools import count
from typing import Any

from hub.contracts.envelope import parse_structured, to_kafka
from hub.service.batch import Record
from tests.helpers import encoded, example

_offsets = count()


def record_of(document: dict[str, Any], topic: str = "inbound.misper-report") -> Record:
    """The example in Kafka's binary mode, at the next offset."""
    message = to_kafka(parse_structured(encoded(document)))
    key = message.key if isinstance(message.key, bytes) else str(message.key).encode()
    return Record(
        topic=topic,
        partition=0,
        offset=next(_offsets),
        key=key,
        value=message.value,
        headers=[(name, value) for name, value in message.headers.items()],
    )


def raw_record(value: bytes | None, key: bytes | None = b"CF-1", **headers: bytes | None) -> Record:
    return Record(
        topic="inbound.misper-report",
        partition=0,
        offset=next(_offsets),
        key=key,
        value=value,
        headers=list(headers.items()),
    )


def misper_record(**changes: Any) -> Record:
    document = example("01-misper-report")
    document.update({k: v for k, v in changes.items() if k != "data"})
    document["data"].update(changes.get("data", {}))
    return record_of(document)
