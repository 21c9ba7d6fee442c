"""A rebalance hands a partition to a second instance while the first is still applying its
batch (PostgreSQL, where instances share a database): the second reads the same records
from the last committed offsets. It must find them applied once the first lets go of the
children, not apply them again (a found report applied twice is refused: "the child was
found")."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hub import crashpoints
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import BatchResult, Record
from hub.store.database import make_engine, migrate, sessions
from hub.store.models import InboundEvent, RejectedMessage
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of

DIRECTORY = load_directory()
REPORTED = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
FOUND = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)


def test_a_found_report_applied_by_two_instances_at_once_is_applied_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    found: Record = record_of(example("05-found-report"), "inbound.found-report")
    written, release = threading.Event(), threading.Event()

    def first_holds_its_transaction(point: crashpoints.Point, position: int = 1) -> None:
        if point == "consumer.validated" and threading.current_thread().name == "first":
            written.set()  # its writes are made and its locks held, not yet committed
            release.wait(timeout=30)

    monkeypatch.setattr(crashpoints, "reach", first_holds_its_transaction)
    results: dict[str, BatchResult] = {}

    def instance(name: str) -> None:
        results[name] = apply_batch(store, [found], DIRECTORY, FOUND + timedelta(seconds=1))

    first = threading.Thread(target=instance, args=("first",), name="first")
    second = threading.Thread(target=instance, args=("second",), name="second")
    first.start()
    assert written.wait(timeout=30)
    second.start()  # reads the batch while the first is still applying it
    second.join(timeout=1)  # it waits for the first's locks ...
    release.set()  # ... which the first lets go of when it commits
    first.join(timeout=30)
    second.join(timeout=30)
    with store() as session:
        refused = session.scalars(select(RejectedMessage.problems)).all()
        applied = session.scalar(select(func.count()).select_from(InboundEvent))
    engine.dispose()
    assert refused == []
    assert applied == 2  # the MISPER report and the found report, once each
