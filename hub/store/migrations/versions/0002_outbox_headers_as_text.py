"""outbox headers stored as text, not base64

The hub's headers are CloudEvents attributes and a content type: text. Stored as base64
they cost the consumer an encoding and the relay a decoding for each of the nine headers
of every notification, and ops reading the outbox saw them scrambled.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("headers", sa.JSON))


def _rewrite(convert: Callable[[str], str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.headers)).all()
    changed = [
        {"row_id": row_id, "new": [[name, convert(value)] for name, value in headers]}
        for row_id, headers in rows
    ]
    if changed:
        connection.execute(
            outbox.update()
            .where(outbox.c.id == sa.bindparam("row_id"))
            .values(headers=sa.bindparam("new")),
            changed,
        )


def upgrade() -> None:
    _rewrite(lambda value: base64.b64decode(value).decode("utf-8"))


def downgrade() -> None:
    _rewrite(lambda value: base64.b64encode(value.encode("utf-8")).decode("ascii"))
