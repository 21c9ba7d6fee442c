"""Reading a batch whose header name is not UTF-8 (hub.consumers.header_names): every record
is read, the name as Kafka's Java client reads it, and the rest as aiokafka reads it."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka.record.default_records import _DefaultRecordBatchBuilderPy, _DefaultRecordBatchPy
from aiokafka.record.memory_records import MemoryRecords

from hub.consumers.header_names import Batch, Records, read_batch

CODECS = [0, 1, 2, 3, 4]  # none, gzip, snappy, lz4, zstd: a sender may use any


class RawName(str):
    """A header name that encodes to bytes that are not UTF-8, as a client in another
    language may send (aiokafka's Python builder asks the name for its bytes)."""

    def __new__(cls) -> RawName:
        return super().__new__(cls, "x-name")

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return b"x-\xff\xfe"


def python_builder(compression: int) -> Any:
    return _DefaultRecordBatchBuilderPy(
        2,
        compression,
        is_transactional=0,
        producer_id=-1,
        producer_epoch=-1,
        base_sequence=0,
        batch_size=1_048_576,
    )


def batch(compression: int, *headers: list[tuple[str, bytes | None]]) -> bytes:
    builder = python_builder(compression)
    for n, record_headers in enumerate(headers):
        value = None if n == 1 else f"report {n}".encode()
        builder.append(
            n, timestamp=1_700_000_000_000 + n, key=b"CF-1", value=value, headers=record_headers
        )
    return bytes(builder.build())


def fields(record: Any) -> tuple[Any, ...]:
    headers = list(record.headers)
    return (
        record.offset,
        record.timestamp,
        record.timestamp_type,
        record.key,
        record.value,
        headers,
    )


def every_record(raw: bytes) -> list[Any]:
    """As aiokafka's fetcher reads them: batch by batch, record by record."""
    records, read = Records(raw), []
    while records.has_next():
        read.extend(records.next_batch())
    return read


@pytest.mark.parametrize("compression", CODECS)
def test_a_batch_is_read_by_the_hub_as_aiokafka_reads_it(compression: int) -> None:
    raw = batch(compression, [("ce_id", b"E1")], [("a", None), ("b", b"")], [])
    theirs = [fields(r) for r in MemoryRecords(raw).next_batch()]
    assert [fields(r) for r in read_batch(raw)] == theirs


@pytest.mark.parametrize("compression", CODECS)
def test_a_header_name_not_utf8_is_read_with_replacement_characters_and_no_record_is_lost(
    compression: int,
) -> None:
    good = batch(compression, [("ce_id", b"E0")])
    bad = batch(compression, [("ce_id", b"E1")], [(RawName(), b"1")], [("ce_id", b"E3")])
    read = every_record(good + bad + good)  # the bad batch found by where it starts
    assert [r.offset for r in read] == [0, 0, 1, 2, 0]
    assert read[2].headers == [("x-\ufffd\ufffd", b"1")]
    assert [r.headers for r in read[1::2]] == [[("ce_id", b"E1")], [("ce_id", b"E3")]]


def test_so_it_is_when_aiokafka_reads_without_its_compiled_reader() -> None:
    """Its Python reader (no compiled wheel) wraps the decoding error in another."""
    raw = batch(0, [("ce_id", b"E1")], [(RawName(), b"1")], [("ce_id", b"E3")])
    read = list(Batch(_DefaultRecordBatchPy(raw), raw, 0, len(raw)))
    assert [r.offset for r in read] == [0, 1, 2]
    assert read[1].headers == [("x-\ufffd\ufffd", b"1")]
