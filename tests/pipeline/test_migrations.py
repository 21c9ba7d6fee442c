"""Migrations carry the rows already stored: an outbox written by an older hub is sent
as it was queued after an upgrade."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from hub.store.database import alembic_config, make_engine

HEADERS = [["ce_id", "3f0c"], ["content-type", "application/json"]]


def _stored_headers(url: str) -> object:
    engine = make_engine(url)
    with engine.connect() as connection:
        query = sa.select(sa.column("headers", sa.JSON)).select_from(sa.table("outbox"))
        headers = connection.execute(query).scalar_one()
    engine.dispose()
    return headers


def test_an_outbox_row_queued_before_headers_were_text_keeps_its_headers(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    command.upgrade(config, "0001")
    engine = make_engine(database_url)
    outbox = sa.table(
        "outbox",
        *(sa.column(name) for name in ("message_id", "topic", "key", "value", "status")),
        sa.column("headers", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("attempts", sa.Integer),
    )
    as_base64 = [[name, base64.b64encode(value.encode()).decode()] for name, value in HEADERS]
    with engine.begin() as connection:
        connection.execute(
            outbox.insert().values(
                message_id="notification:old",
                topic="notify.northamptonshire.mash",
                key=b"child",
                value=b"{}",
                status="pending",
                headers=as_base64,
                created_at=datetime(2026, 11, 20, tzinfo=UTC),
                attempts=0,
            )
        )
    engine.dispose()
    command.upgrade(config, "head")
    assert _stored_headers(database_url) == HEADERS
    command.downgrade(config, "0001")
    assert _stored_headers(database_url) == as_base64
