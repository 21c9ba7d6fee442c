"""The CloudEvents 1.0 envelope, in its two forms.

- On disk and in `contracts/examples/`: structured mode, one JSON object with the
  attributes and `data`. This is what `hub validate` and `hub publish` read.
- On Kafka: binary mode (`ce_*` headers, JSON body, key = the child's id), through the
  CloudEvents SDK's Kafka binding.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel, Field, ValidationError

from hub.contracts.base import IDENTIFIER_PATTERN, Message, Timestamp
from hub.contracts.events import ReadAround
from hub.contracts.problems import BadMessage, Problem, problems_from
from hub.contracts.registry import Contract, UnknownMessageType, contract_for_type

MAX_MESSAGE_BYTES = 256 * 1024  # a MISPER report is a few KB; anything larger is refused
MAX_DEPTH = 12  # the deepest contract nests 4 levels (envelope, data, child, a list)
MAX_DIGITS = 18  # no contract has a number near a 64-bit integer's
CONTENT_TYPE: Literal["application/json"] = "application/json"
EVENT_ID_LIMIT = 128
_FORMAT = JSONFormat()


class StructuredEvent(Message):
    """A CloudEvent in structured JSON form (the file form of every message)."""

    specversion: Literal["1.0"]
    id: str = Field(min_length=1, max_length=EVENT_ID_LIMIT, pattern=IDENTIFIER_PATTERN)
    source: str = Field(min_length=1, max_length=256)
    type: str = Field(min_length=1, max_length=200)
    time: Timestamp
    datacontenttype: Literal["application/json"] = CONTENT_TYPE
    data: dict[str, Any]


@dataclass(frozen=True)
class ParsedEvent:
    """A message that met its contract: the envelope's facts and the typed body."""

    contract: Contract
    event_id: str
    source: str
    time: Any
    body: BaseModel

    @property
    def key(self) -> str:
        key: str = self.body.partition_key()  # type: ignore[attr-defined]
        return key

    def data_as_sent(self) -> dict[str, Any]:
        """The body as its sender wrote it (JSON): a message the hub read otherwise than
        sent (`ReadAround.read_as`) is stored and published as sent, the hub's reading of it
        its own, made again whenever it is read."""
        if isinstance(self.body, ReadAround):
            return self.body.as_sent()
        return self.body.model_dump(mode="json")


def _validate_body(contract: Contract, data: object) -> BaseModel:
    try:
        return contract.model.model_validate(data)
    except ValidationError as error:
        raise BadMessage(problems_from(error, prefix="data")) from None


class _Unacceptable(ValueError):
    """JSON that parses but that no contract could mean; the reason names no value."""


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """json.loads keeps the last of a key given twice, silently: a sender's first value
    (a risk grade, say) would be dropped without a word."""
    document = dict(pairs)
    if len(document) != len(pairs):
        raise _Unacceptable("has a key twice in one object (its name is not repeated)")
    return document


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Unacceptable(f"has a number longer than {MAX_DIGITS} digits")
    return int(text)


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _Unacceptable("has a number too large to represent")
    return number


def _not_a_json_constant(name: str) -> object:
    raise _Unacceptable(f"has {name}, which JSON does not allow")


def _depth(document: object) -> int:
    """How deeply arrays and objects nest (without recursion: depth is what is checked)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def _json(raw: bytes) -> object:
    """Decode a message body: UTF-8 JSON only (json.loads would guess UTF-16 from a BOM),
    within the bounds no contract comes near: MAX_DEPTH levels, MAX_DIGITS-digit numbers,
    each key once."""
    if not raw:
        raise BadMessage([Problem("(message)", "is empty")])
    if len(raw) > MAX_MESSAGE_BYTES:
        raise BadMessage([Problem("(message)", f"is larger than {MAX_MESSAGE_BYTES} bytes")])
    try:
        document = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_not_a_json_constant,
        )
    except UnicodeDecodeError:
        raise BadMessage([Problem("(message)", "is not UTF-8 text")]) from None
    except json.JSONDecodeError as error:
        raise BadMessage(
            [Problem("(message)", f"is not JSON ({error.msg} at line {error.lineno})")]
        ) from None
    except RecursionError:
        raise BadMessage([Problem("(message)", f"nests more than {MAX_DEPTH} deep")]) from None
    except _Unacceptable as error:
        raise BadMessage([Problem("(message)", str(error))]) from None
    if _depth(document) > MAX_DEPTH:
        raise BadMessage([Problem("(message)", f"nests more than {MAX_DEPTH} deep")])
    return document


def parse_structured(raw: bytes) -> ParsedEvent:
    """Validate a message in its file form against its contract."""
    document = _json(raw)
    try:
        envelope = StructuredEvent.model_validate(document)
    except ValidationError as error:
        raise BadMessage(problems_from(error)) from None
    try:
        contract = contract_for_type(envelope.type)
    except UnknownMessageType as error:
        raise BadMessage([Problem("type", str(error).removeprefix("type: "))]) from None
    body = _validate_body(contract, envelope.data)
    return ParsedEvent(contract, envelope.id, envelope.source, envelope.time, body)


def to_kafka(event: ParsedEvent) -> ce_kafka.KafkaMessage:
    """Binary mode: attributes in `ce_*` headers, the body as JSON, the child's id as key."""
    cloud_event = CloudEvent(
        attributes={
            "specversion": "1.0",
            "id": event.event_id,
            "source": event.source,
            "type": event.contract.ce_type,
            "time": event.time,
            "datacontenttype": CONTENT_TYPE,
            "dataschema": f"urn:missing-children-hub:schema:{event.contract.schema_file}",
            "partitionkey": event.key,
        },
        data=event.data_as_sent(),
    )
    return ce_kafka.to_binary(cloud_event, _FORMAT)


def binary_headers(
    contract: Contract, event_id: str, source: str, time: datetime, key: str
) -> list[tuple[str, bytes]]:
    """The headers `to_kafka` writes, built directly: the hub writes thousands of
    notifications a second, and the SDK's event object cost more than all the rest of
    their encoding. tests/contracts holds the two equal."""
    stamp = time.astimezone(UTC).isoformat().replace("+00:00", "Z")
    specversion, kind, content_type, schema = _fixed_headers(contract)
    return [
        specversion,
        ("ce_id", event_id.encode()),
        ("ce_source", source.encode()),
        kind,
        ("ce_time", stamp.encode()),
        content_type,
        schema,
        ("ce_partitionkey", key.encode()),
    ]


@functools.cache
def _fixed_headers(contract: Contract) -> tuple[tuple[str, bytes], ...]:
    """The headers a contract's messages share, encoded once."""
    return (
        ("ce_specversion", b"1.0"),
        ("ce_type", contract.ce_type.encode()),
        ("content-type", CONTENT_TYPE.encode()),
        ("ce_dataschema", f"urn:missing-children-hub:schema:{contract.schema_file}".encode()),
    )


def from_kafka(
    headers: Sequence[tuple[str, bytes | None]] | Mapping[str, bytes | None],
    key: bytes | None,
    value: bytes | None,
) -> ParsedEvent:
    """Validate a message as it arrives from Kafka (binary mode); a header may have no value
    (Kafka allows it)."""
    pairs = dict(headers)
    problems: list[Problem] = []
    attributes: dict[str, str] = {}
    for name in ("specversion", "id", "source", "type", "time"):
        if f"ce_{name}" not in pairs:
            problems.append(Problem(f"ce_{name}", "header is missing (CloudEvents binary mode)"))
            continue
        raw = pairs[f"ce_{name}"]
        if raw is None:
            problems.append(Problem(f"ce_{name}", "header has no value"))
            continue
        try:
            attributes[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(f"ce_{name}", "header is not UTF-8"))
    if problems:
        raise BadMessage(problems)
    data = _json(value or b"")
    document = {**attributes, "datacontenttype": CONTENT_TYPE, "data": data}
    if not isinstance(data, dict):
        raise BadMessage([Problem("data", "must be a JSON object")])
    try:
        envelope = StructuredEvent.model_validate(document)
    except ValidationError as error:
        raise BadMessage(
            [
                Problem(f"ce_{p.field}" if p.field in attributes else p.field, p.reason)
                for p in problems_from(error)
            ]
        ) from None
    try:
        contract = contract_for_type(envelope.type)
    except UnknownMessageType as error:
        raise BadMessage([Problem("ce_type", str(error).removeprefix("type: "))]) from None
    body = _validate_body(contract, data)
    parsed = ParsedEvent(contract, envelope.id, envelope.source, envelope.time, body)
    if key is None or key.decode("utf-8", errors="replace") != parsed.key:
        raise BadMessage([Problem("key", "must be the child's id (data.child_id)")])
    return parsed
