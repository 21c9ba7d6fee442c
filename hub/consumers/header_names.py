"""Reading a record whose header name is not UTF-8.

Kafka lets a client send any bytes as a header's name. Kafka's Java client reads such a
name with replacement characters (`new String(bytes, UTF_8)`); aiokafka's record reader
raises in the middle of the batch instead. FastStream's consume loop then restarts at that
record for ever, and the records aiokafka handed out before it in the same fetch are
skipped: one stray header from one sender stopped every inbound topic and lost reports.

The hub reads each fetched batch with aiokafka's compiled reader, as before. Only a batch
that reader fails on with such a name is read again here, by the record format Kafka
documents (its "Record Batch" and "Record" layouts), with every name read as Kafka's Java
client reads it. The record is then validated like any other: a stray header is ignored,
and a CloudEvents header whose name is unreadable is missing, and refused by its name."""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, NamedTuple

from aiokafka.codec import gzip_decode, lz4_decode, snappy_decode, zstd_decode
from aiokafka.consumer import fetcher
from aiokafka.errors import CorruptRecordException
from aiokafka.record.memory_records import MemoryRecords
from aiokafka.record.util import decode_varint

log = logging.getLogger(__name__)

# baseOffset, batchLength, partitionLeaderEpoch, magic, crc, attributes, lastOffsetDelta,
# baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence, records
BATCH_HEADER = struct.Struct(">qiibIhiqqqhii")
LOG_OVERHEAD = 12  # baseOffset and batchLength, before the length counts
MAGIC_AT = 16
CODEC_MASK, LOG_APPEND_TIME = 0x07, 0x08
DECOMPRESS: dict[int, Callable[[bytes], bytes]] = {
    1: gzip_decode,
    2: snappy_decode,
    3: lz4_decode,
    4: zstd_decode,
}


class ReadRecord(NamedTuple):
    """What aiokafka's fetcher takes from a record to make its ConsumerRecord."""

    offset: int
    timestamp: int
    timestamp_type: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]]
    checksum: None = None  # format 2 has none per record


def read_batch(raw: bytes) -> Iterator[ReadRecord]:
    """Every record of one batch (format 2), header names read as Kafka's Java client reads
    them."""
    (base_offset, _, _, _, _, attributes, _, base_time, max_time, _, _, _, count) = (
        BATCH_HEADER.unpack_from(raw)
    )
    body = bytes(raw[BATCH_HEADER.size :])
    codec = attributes & CODEC_MASK
    if codec:
        body = DECOMPRESS[codec](body)
    data = bytearray(body)
    log_append = bool(attributes & LOG_APPEND_TIME)
    pos = 0
    for _ in range(count):
        length, pos = decode_varint(data, pos)
        end = pos + length
        pos += 1  # the record's attributes: none are used
        time_delta, pos = decode_varint(data, pos)
        offset_delta, pos = decode_varint(data, pos)
        key, pos = _bytes(data, pos)
        value, pos = _bytes(data, pos)
        headers: list[tuple[str, bytes | None]] = []
        header_count, pos = decode_varint(data, pos)
        for _ in range(header_count):
            name, pos = _bytes(data, pos)
            header_value, pos = _bytes(data, pos)
            headers.append(((name or b"").decode("utf-8", errors="replace"), header_value))
        if pos != end:
            raise CorruptRecordException(f"a record of batch {base_offset} is not {length} bytes")
        time = max_time if log_append else base_time + time_delta
        yield ReadRecord(base_offset + offset_delta, time, int(log_append), key, value, headers)


def _bytes(data: bytearray, pos: int) -> tuple[bytes | None, int]:
    length, pos = decode_varint(data, pos)
    if length < 0:
        return None, pos
    return bytes(data[pos : pos + length]), pos + length


class Batch:
    """aiokafka's batch, read again here if its reader fails on a header name."""

    __slots__ = ("_batch", "_end", "_raw", "_start")

    def __init__(self, batch: Any, raw: bytes, start: int, end: int) -> None:
        self._batch, self._raw, self._start, self._end = batch, raw, start, end

    def __getattr__(self, name: str) -> Any:
        return getattr(self._batch, name)

    def __next__(self) -> Any:  # a control batch's marker is read so
        return next(self._batch)

    def __iter__(self) -> Iterator[Any]:
        read = 0
        try:
            for record in self._batch:
                read += 1
                yield record
        except (UnicodeDecodeError, CorruptRecordException) as error:
            # aiokafka's Python reader (no compiled wheel) wraps the decoding error
            if not isinstance(error, UnicodeDecodeError) and not isinstance(
                error.__cause__, UnicodeDecodeError
            ):
                raise
            log.warning(
                "a header name in the batch at offset %d is not UTF-8: batch read by the hub",
                self._batch.base_offset,
            )
            yield from islice(read_batch(self._raw[self._start : self._end]), read, None)


class Records:
    """aiokafka's records of one fetch, each batch kept with its bytes."""

    __slots__ = ("_pos", "_raw", "_records")

    def __init__(self, raw: bytes) -> None:
        self._records, self._raw, self._pos = MemoryRecords(raw), raw, 0

    def size_in_bytes(self) -> int:
        return int(self._records.size_in_bytes())

    def has_next(self) -> bool:
        return bool(self._records.has_next())

    def next_batch(self) -> Any:
        batch = self._records.next_batch()
        start = self._pos
        _, length = struct.unpack_from(">qi", self._raw, start)
        self._pos = start + LOG_OVERHEAD + length
        if batch is None or self._raw[start + MAGIC_AT] < 2:  # older formats have no headers
            return batch
        return Batch(batch, self._raw, start, self._pos)


def read_header_names_as_kafka_does() -> None:
    """Have aiokafka's fetcher read fetched records through `Records` (once, at start)."""
    current = getattr(fetcher, "MemoryRecords", None)
    if current is MemoryRecords:
        fetcher.MemoryRecords = Records
    elif current is not Records:
        log.warning("aiokafka's fetcher reads records otherwise: header names as it reads")
