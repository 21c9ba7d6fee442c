"""The project's own servers behave like the real thing they are."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import sqlalchemy as sa

from hub.contracts.envelope import parse_structured
from hub.devtools.kafka_local import LocalKafka
from hub.devtools.reader import read_records
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from tests.helpers import EXAMPLES


def test_both_databases_store_and_read_back_a_row(database: sa.Engine) -> None:
    table = sa.Table(
        "probe",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True)),
    )
    table.metadata.create_all(database)
    with database.begin() as connection:
        connection.execute(table.insert().values(id=1))
    with database.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 1


def test_postgresql_supports_skip_locked_claims(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("select 1 for update skip locked")).scalar() == 1
    engine.dispose()


def test_a_restarted_broker_keeps_what_was_published() -> None:
    """The fault tests (issue 4) stop and restart the broker mid-run: data must survive."""
    broker = LocalKafka(Path(tempfile.mkdtemp(prefix="hub-kafka-restart-")))
    broker.start()
    try:
        event = parse_structured((EXAMPLES / "02-mash-rating.json").read_bytes())
        [sent] = asyncio.run(publish(KafkaConnection(broker.bootstrap), [event]))
        broker.stop()
        assert broker.running_pid() is None
        broker.start()
        [record] = asyncio.run(
            read_records(
                KafkaConnection(broker.bootstrap), [(sent.topic, sent.partition, sent.offset)]
            )
        )
        assert record.key == b"CF-100231"
    finally:
        broker.stop()
