"""Kafka records as they would arrive, built from the contract's examples."""

from __future__ import annotations

from datetime import datetime
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


def luton_missing_notice_naming_no_episode(at: datetime) -> Record:
    """Luton, the host, says the example child placed there is missing, naming no episode
    (8.4: the host may never learn the id of our MISPER report)."""
    notice = example("08-cross-border-notice")
    notice["data"] = {
        "notice_id": "LUT-2026-0098",
        "kind": "child_missing",
        "from_authority": "luton",
        "to_authority": "northamptonshire",
        "child_id": "CF-100231",
        "occurred_at": at.isoformat(),
    }
    notice["id"], notice["source"] = "evt-luton-0098", "/la/luton/childrens-services"
    return record_of(notice, "inbound.cross-border-notice")
