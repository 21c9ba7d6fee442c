"""Real infrastructure for the suite, started once per session.

- Kafka: `HUB_KAFKA_BOOTSTRAP` names an external cluster; `HUB_TEST_CONTAINERS=1` uses
  testcontainers (needs a Docker engine); otherwise the project's own KRaft broker runs from
  the Maven jars on free ports in a temporary folder.
- PostgreSQL: `HUB_TEST_POSTGRES_URL`, or testcontainers, or a throwaway cluster from
  Debian's binaries.

A broker or database that cannot start fails the test that needs it: never a skip, so a
green run always means the real thing was exercised. Deselect with `-m "not kafka"` for a
quick unit run instead.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import make_url
from sqlalchemy.orm import Session, sessionmaker

from hub.devtools.kafka_local import KafkaUnavailable, LocalKafka
from hub.devtools.postgres_local import LocalPostgres, PostgresUnavailable
from hub.kafka.connection import KafkaConnection
from hub.store.database import is_sqlite, make_engine, migrate, sessions
from tests.helpers import ReportFigure

EXAMPLES = Path(__file__).resolve().parents[1] / "contracts" / "examples"


def _use_containers() -> bool:
    return os.environ.get("HUB_TEST_CONTAINERS") == "1"


@pytest.fixture(autouse=True)
def _logging_as_pytest_set_it() -> Iterator[None]:
    """`hub run` or `hub console` driven in a test sets the hub's handler on the standard
    error pytest captured for that test, closed after it: every later test's log lines then
    failed to write ("I/O operation on closed file"). Each test leaves logging as it found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in ("aiokafka", "faststream", "alembic")}
    yield
    root.handlers[:], root.level = handlers, level
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


@pytest.fixture(scope="session")
def local_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """The project's own broker, secured as production runs (TLS, SASL/SCRAM, deny-by-default
    ACLs; the hub's user a super user, as on the development broker); also for tests that
    must stop and restart it."""
    broker = LocalKafka(tmp_path_factory.mktemp("kafka"), secured=True)
    try:
        broker.start()
    except KafkaUnavailable as error:
        pytest.fail(f"a real Kafka broker is required and could not start: {error}")
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def kafka_connection(request: pytest.FixtureRequest) -> Iterator[KafkaConnection]:
    if os.environ.get("HUB_KAFKA_BOOTSTRAP"):  # an external cluster, with HUB_KAFKA_* security
        from hub.bootstrap import kafka_connection

        yield kafka_connection()
    elif _use_containers():
        from testcontainers.community.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:  # PLAINTEXT, allowed by its settings
            yield KafkaConnection(container.get_bootstrap_server())
    else:
        broker: LocalKafka = request.getfixturevalue("local_kafka")
        yield broker.connection()


@pytest.fixture
def kafka(kafka_connection: KafkaConnection) -> KafkaConnection:
    """How the hub's clients connect to the test broker (hub.kafka.connection); a `hub run`
    a test starts is given `kafka.environment()`."""
    return kafka_connection


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    external = os.environ.get("HUB_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    if _use_containers():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver="psycopg") as container:
            yield container.get_connection_url()
        return
    server = LocalPostgres()
    try:
        server.start()
    except PostgresUnavailable as error:
        pytest.fail(f"a real PostgreSQL server is required and could not start: {error}")
    yield server.url
    server.stop()


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped afterwards."""
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_server_url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every database test runs on both: the embedded SQLite file and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to the newest schema once, copied for each test's store: the
    same schema, without running every migration again for each test (test_migrations runs
    them, one by one, on empty databases)."""
    path = tmp_path_factory.mktemp("migrated") / "hub.db"
    migrate(f"sqlite:///{path}")
    return path


def _copy_sqlite(source: Path, target: str) -> None:
    """Through SQLite's backup API: what the source's write-ahead log holds is copied too."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as copy:
        reading.backup(copy)


@pytest.fixture
def store(database_url: str, request: pytest.FixtureRequest) -> Iterator[sessionmaker[Session]]:
    """The hub's store, migrated to the newest schema, on SQLite and on PostgreSQL."""
    if is_sqlite(database_url):
        migrated: Path = request.getfixturevalue("migrated_sqlite")
        _copy_sqlite(migrated, str(make_url(database_url).database))
    # On PostgreSQL the migrations run: a database made from a migrated template (dropped
    # and made again) took as long. On SQLite, at the newest already: checked, nothing run.
    migrate(database_url)
    engine = make_engine(database_url)
    yield sessions(engine)
    engine.dispose()


FIGURES: list[str] = []


@pytest.fixture
def report_figure(request: pytest.FixtureRequest) -> ReportFigure:
    """Figures a test measured (duplicates after a crash, say), printed after the run."""

    def report(text: str) -> None:
        FIGURES.append(f"{request.node.nodeid}: {text}")

    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("figures measured by the tests")
        for line in FIGURES:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the real infrastructure they use, so `-m` selects them honestly."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if {"kafka", "kafka_bootstrap", "local_kafka"} & set(fixtures):
            item.add_marker(pytest.mark.kafka)
        if {"postgres_server_url", "postgres_url"} & set(fixtures):
            item.add_marker(pytest.mark.postgres)
