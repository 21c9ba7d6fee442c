"""Two writers on one SQLite file (docs/pipeline.md): every session's transaction begins
IMMEDIATE, taking the write lock at its start, so a second writer that reads and then
writes waits its turn instead of failing, or writing on a stale read."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from hub.store.database import make_engine, sessions


def test_a_session_holds_the_write_lock_from_its_first_read(tmp_path: Path) -> None:
    store = sessions(make_engine(f"sqlite:///{tmp_path / 'hub.db'}"))
    with store.begin() as session:
        session.execute(text("select 1"))  # reads only, so far
        other = sqlite3.connect(tmp_path / "hub.db", timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_writer_reading_then_writing_waits_its_turn_and_reads_the_others_write(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    with engine.begin() as connection:
        connection.execute(text("create table counter (n integer)"))
        connection.execute(text("insert into counter values (0)"))
    store = sessions(engine)
    first_read, failures = threading.Event(), []

    def increment(read: threading.Event | None) -> None:
        try:
            with store.begin() as session:
                n = session.execute(text("select max(n) from counter")).scalar_one()
                if read is not None:
                    read.set()
                    threading.Event().wait(0.3)  # the other writer begins meanwhile
                session.execute(text("insert into counter values (:n)"), {"n": n + 1})
        except Exception as error:  # reported below, with the thread ended
            failures.append(error)

    first = threading.Thread(target=increment, args=(first_read,))
    first.start()
    first_read.wait(timeout=10)
    second = threading.Thread(target=increment, args=(None,))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    with engine.connect() as connection:
        counted = connection.execute(text("select n from counter order by n")).scalars().all()
    assert failures == []
    assert counted == [0, 1, 2]  # neither wrote on a stale read
