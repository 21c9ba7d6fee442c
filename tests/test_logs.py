"""The hub's logs: the Kafka client's repeated warnings do not flood them, and a failure's
traceback never quotes a child's details."""

from __future__ import annotations

import asyncio
import gc
import io
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hub.logs import ClientRepeats, configure


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


@pytest.fixture
def logged() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The hub's own log set-up (`hub run`, `hub console`) for one test, pytest's after it:
    what it wrote, line by line."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    handler = logging.StreamHandler(io.StringIO())
    configure()  # the hub's handler, on the standard error...
    handler.setFormatter(root.handlers[0].formatter)  # ...written here, as it would be there
    root.handlers[:] = [handler]
    yield lambda: [json.loads(line) for line in handler.stream.getvalue().splitlines()]
    root.handlers[:], root.level = handlers, level


def test_a_failure_logged_with_its_traceback_never_quotes_a_childs_details(
    logged: Callable[[], list[dict[str, Any]]],
) -> None:
    """An error's text may quote a value (a child's name); logged with its traceback, by
    the hub or a library (the web server, a console page failing), the line keeps where it
    failed, frame by frame, and the error's type, never its text."""
    child = {"name": "Jordan Example"}  # the value, never in the source: a traceback quotes that
    try:
        raise RuntimeError(f"a bug that quotes {child}")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    [line] = logged()
    assert "Jordan" not in json.dumps(line)
    assert line["message"] == "Exception in ASGI application"
    assert "RuntimeError" in line["exc_info"]
    assert "test_logs.py" in line["exc_info"]  # where: every frame, with its line


def test_a_database_outage_is_logged_in_the_databases_own_words(
    logged: Callable[[], list[dict[str, Any]]],
) -> None:
    """As hub.errors.failure_of says it: enough for ops to see the database is down."""
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError:
        logging.getLogger("hub.consumers.inbound").exception("inbound batch failed")
    [line] = logged()
    assert "OperationalError: database is locked" in line["exc_info"]


def test_a_task_failing_unseen_is_logged_without_the_errors_text(
    logged: Callable[[], list[dict[str, Any]]],
) -> None:
    """asyncio reports a task whose failure nobody read with the task's repr, which quotes
    the error's text: the line says what happened, and the traceback where, by type."""
    child = {"name": "Jordan Example"}

    async def failing() -> None:
        raise ValueError(f"a bug that quotes {child}")

    async def left_unread() -> None:
        task = asyncio.get_running_loop().create_task(failing())
        await asyncio.sleep(0)  # it runs and fails; nobody awaits it
        del task

    asyncio.run(left_unread())
    gc.collect()  # the task is reported when collected
    [line] = logged()
    assert "Jordan" not in json.dumps(line)
    assert line["message"] == "Task exception was never retrieved"
    assert "ValueError" in line["exc_info"]
