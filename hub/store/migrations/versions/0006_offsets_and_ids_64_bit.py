"""Kafka offsets and row ids as 64-bit integers

An offset is a 64-bit number and grows for ever: stored in a 32-bit column, the hub would
stop at offset 2^31 and never start again. The outbox, rejections and audit log ids grow
the same way. SQLite's INTEGER is 64-bit already: nothing changes there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("inbound_events", "offset"),
    ("rejected_messages", "offset"),
    ("rejected_messages", "id"),
    ("outbox", "id"),
    ("audit_log", "id"),
)
_SEQUENCES = (("rejected_messages", "id"), ("outbox", "id"), ("audit_log", "id"))


def _retype(to: type[sa.types.TypeEngine[int]], sequence_as: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _COLUMNS:
        op.alter_column(table, column, type_=to())
    for table, column in _SEQUENCES:  # a serial id's sequence has its own type
        op.execute(
            f"DO $$ BEGIN EXECUTE 'ALTER SEQUENCE ' || "
            f"pg_get_serial_sequence('{table}', '{column}') || ' AS {sequence_as}'; END $$"
        )


def upgrade() -> None:
    _retype(sa.BigInteger, "bigint")


def downgrade() -> None:
    _retype(sa.Integer, "integer")
