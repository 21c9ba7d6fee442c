"""Structured JSON logs. Records carry ids, sources and reasons; the code that logs never
passes a child's details (names, circumstances), which stay in the database. An error
logged with its traceback, by the hub or by a library (the web server's for a console page
that failed), is written frame by frame with its type, never its message, which can quote
the value that broke it (hub.errors.traceback_of)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pythonjsonlogger.json import JsonFormatter

from hub.errors import traceback_of

if TYPE_CHECKING:
    from logging import _SysExcInfoType


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonLines(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(ClientRepeats())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "faststream", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class JsonLines(JsonFormatter):
    """One JSON object a line; an error's traceback without its message."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == "asyncio":
            record = _first_line_only(record)
        return super().format(record)

    def formatException(self, ei: _SysExcInfoType) -> str:
        return traceback_of(ei[1]) if ei[1] is not None else ""


def _first_line_only(record: logging.LogRecord) -> logging.LogRecord:
    """asyncio's report of a failure nobody read ("Task exception was never retrieved")
    follows its first line with the task's or future's repr, which quotes the error's text:
    the first line says what happened, the traceback (by type) where."""
    first_line = (record.getMessage().splitlines() or [""])[0]
    return logging.makeLogRecord({**record.__dict__, "msg": first_line, "args": None})


class ClientRepeats(logging.Filter):
    """The Kafka client's own warnings, each at most once a minute: an idempotent producer
    retrying a partition that never acknowledges (NotEnoughReplicas) warns every 100 ms,
    some 860,000 lines a day a partition. The first of a minute goes out, with how many of
    the same were left out before it (`repeats_left_out`)."""

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every, self.clock = every, clock
        self.last: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("aiokafka"):
            return True
        key, now = (record.name, record.msg), self.clock()
        sent, left_out = self.last.get(key, (float("-inf"), 0))
        if now - sent < self.every:
            self.last[key] = (sent, left_out + 1)
            return False
        self.last[key] = (now, 0)
        if left_out:
            record.repeats_left_out = left_out
        return True
