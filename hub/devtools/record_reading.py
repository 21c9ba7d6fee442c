"""What reading fetched records through `hub.consumers.header_names` costs, side by side with
aiokafka's compiled reader alone (docs/benchmark.md): `python -m hub.devtools.record_reading`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiokafka.record.default_records import DefaultRecordBatchBuilder
from aiokafka.record.memory_records import MemoryRecords

from hub.consumers.header_names import Records

BATCHES, RECORDS, ROUNDS = 20, 200, 20
HEADERS = [
    ("ce_id", b"e" * 20),
    ("ce_time", b"2026-11-20T18:41:00Z"),
    ("ce_type", b"t" * 40),
    ("ce_source", b"s" * 30),
    ("ce_specversion", b"1.0"),
    ("content-type", b"application/json"),
]


def fetched() -> bytes:
    """BATCHES batches of RECORDS records of 900 bytes with six headers, as one fetch."""
    raw = b""
    for _ in range(BATCHES):
        builder = DefaultRecordBatchBuilder(
            2,
            0,
            is_transactional=0,
            producer_id=-1,
            producer_epoch=-1,
            base_sequence=0,
            batch_size=1 << 22,
        )
        for offset in range(RECORDS):
            builder.append(offset, timestamp=1, key=b"CF-1", value=b"x" * 900, headers=HEADERS)
        raw += bytes(builder.build())
    return raw


def per_record_us(reader: Callable[[bytes], Any], raw: bytes) -> float:
    started, read = time.perf_counter(), 0
    for _ in range(ROUNDS):
        records = reader(raw)
        while records.has_next():
            for _record in records.next_batch():
                read += 1
    return (time.perf_counter() - started) / read * 1e6


def main() -> None:
    raw = fetched()
    for _ in range(3):
        alone, wrapped = per_record_us(MemoryRecords, raw), per_record_us(Records, raw)
        print(f"aiokafka's reader {alone:.3f} µs a record, through the hub's {wrapped:.3f} µs")


if __name__ == "__main__":
    main()
