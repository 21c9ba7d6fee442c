"""Connecting to the store and migrating it. SQLite (a file) is the embedded default;
PostgreSQL is production. Both are migrated by the same Alembic scripts."""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_core import from_json, to_json
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    make_url,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker

if TYPE_CHECKING:  # alembic is imported by what migrates, not by every `hub run` process
    from alembic.config import Config

SQLITE_BEGIN = "sqlite_begin"  # an execution option: how an SQLite transaction begins
READ_ONLY = {SQLITE_BEGIN: "DEFERRED"}
# Package data, as Alembic reads it (package:folder): an installed wheel has no source tree.
MIGRATIONS = "hub.store:migrations"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


BUSY_TIMEOUT_MS = 30_000
# How long a checkpoint after retention waits for the store's other readers and writers; a
# writer that comes meanwhile waits for it (docs/retention.md).
CHECKPOINT_WAIT_MS = 1_000
CHECKPOINT_ATTEMPTS = 3


def sqlite_secure_delete(connection: Any, _record: Any = None) -> None:
    """Deleted or overwritten content zeroed, free pages included (ON, not FAST, which
    leaves whole freed pages as they were): a redacted child's name must not stay readable
    in the file's free space (docs/retention.md). Per connection, so set on every one."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers read while the consumer writes; a busy timeout makes concurrent
    # writers wait for each other instead of failing.
    connection.isolation_level = None  # transactions begin in _sqlite_begin, not in pysqlite
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    sqlite_secure_delete(connection)


def truncate_wal(engine: Engine) -> bool:
    """Copy SQLite's write-ahead log into the file and empty it: the log keeps every page
    written, a child's name before its redaction among them, until overwritten. Outside any
    transaction (the checkpoint waits for readers; this connection must not be one). It
    waits CHECKPOINT_WAIT_MS for the others, holding off new writers meanwhile, then gives
    up having copied what it could; a few tries. False: the log still holds old pages."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            for attempt in range(CHECKPOINT_ATTEMPTS):
                if attempt:
                    time.sleep(CHECKPOINT_WAIT_MS / 1000)  # the writers it held off go first
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = cursor.fetchone()  # (busy, pages in the log, pages copied)
                if busy is not None and not busy[0]:
                    return True
            return False
        finally:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.close()
    finally:
        raw.close()


def _sqlite_begin(connection: Connection) -> None:
    """A transaction that reads and then writes must take SQLite's write lock when it
    begins (IMMEDIATE): begun as a reader, it fails at once, without waiting, if another
    writer commits in between ("database is locked"). Sessions write; plain connections
    read (SQLITE_BEGIN)."""
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _json_text(value: Any) -> str:
    return to_json(value).decode()


def make_engine(url: str) -> Engine:
    # hide_parameters: a failing statement's error (and so a log line) would otherwise quote
    # the values it tried to write, a child's MISPER report among them.
    # JSON columns (a child's state, each event's body) encoded and decoded by pydantic's
    # compiled codec rather than the json module: a measurable share of the hub's CPU
    # (docs/benchmark.md). As text: psycopg's COPY would take bytes for bytea.
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"timeout": 30},
            hide_parameters=True,
            json_serializer=_json_text,
            json_deserializer=from_json,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        hide_parameters=True,
        json_serializer=_json_text,
        json_deserializer=from_json,
    )


def sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for transactions that write (on SQLite: BEGIN IMMEDIATE). A session that only
    reads can say so: `session.connection(execution_options=READ_ONLY)`."""
    return sessionmaker(
        engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}), expire_on_commit=False
    )


def count_rows(bind: Engine | Connection, model: type, *where: Any) -> int:
    """How many rows of a table match (the hub's progress, and the tests' checks); on an
    engine, in a connection of its own."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return count_rows(connection, model, *where)
    return int(bind.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database to the newest schema (idempotent), creating an SQLite file's
    folder first."""
    if is_sqlite(url) and (database := make_url(url).database) not in (None, "", ":memory:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def past(
    column: ColumnElement[Any], tie: ColumnElement[Any], last: tuple[Any, Any]
) -> ColumnElement[bool]:
    """The rows after `last` (its `column`, its `tie`) in (column, tie) order: a page read
    on from where the last one stopped, in an index's order, never skipping a tie."""
    value, key = last
    return or_(column > value, and_(column == value, tie > key))


def among(
    session: Session, column: QueryableAttribute[Any] | ColumnElement[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL one array parameter (`= ANY`): psycopg converts a
    statement with a thousand placeholders to PostgreSQL's form slowly, and every length is
    a different statement to plan."""
    if on_postgresql(session):
        array = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column == any_(array)
    return column.in_(values)


def not_among(
    session: Session, column: QueryableAttribute[Any] | ColumnElement[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """`column NOT IN values`. On PostgreSQL a NOT IN over the array unnested, which it
    hashes: `<> ALL(array)` compares each row with every value (16 ms a relay round of 500
    rows)."""
    if on_postgresql(session):
        array = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column.not_in(select(func.unnest(array)))
    return column.not_in(values)
