"""A refused or held record is known by its source and its digest: a topic made again (or
a cluster failed over to) numbers its records from 0, and a new record at the offset of
one refused before was taken for it, read again, and dropped.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_SOURCE = ["topic", "partition", "offset"]


def upgrade() -> None:
    with op.batch_alter_table("rejected_messages") as batch:
        batch.add_column(sa.Column("record_sha256", sa.String(64), nullable=True))
        batch.drop_constraint("uq_rejected_source", type_="unique")
        batch.create_unique_constraint("uq_rejected_source", [*_SOURCE, "record_sha256"])
    # Rows whose record is still kept get its digest. Those emptied by retention keep none
    # and are taken for any record at their source, as before.
    bind = op.get_bind()
    kept = bind.execute(
        sa.text("SELECT id, key, value, headers FROM rejected_messages WHERE value IS NOT NULL")
    ).all()
    for row_id, key, value, headers in kept:
        stored = json.loads(headers) if isinstance(headers, str) else headers
        bind.execute(
            sa.text("UPDATE rejected_messages SET record_sha256 = :digest WHERE id = :id"),
            {"digest": _digest(key, value, stored), "id": row_id},
        )


def _digest(key: bytes | None, value: bytes | None, headers: list[list[str | None]]) -> str:
    """hub.service.batch.Record.digest as of this revision, from the row as stored."""
    hashed = hashlib.sha256()
    parts: list[bytes | None] = [key, value]
    for name, hex_value in headers:
        assert name is not None
        parts += [
            name.encode("utf-8", errors="surrogateescape"),
            None if hex_value is None else bytes.fromhex(hex_value),
        ]
    for part in parts:
        hashed.update(b"-" if part is None else len(part).to_bytes(8, "big") + bytes(part))
    return hashed.hexdigest()


def downgrade() -> None:
    shared = op.get_bind().execute(
        sa.text(
            'SELECT count(*) FROM (SELECT topic, partition, "offset" FROM rejected_messages '
            'GROUP BY topic, partition, "offset" HAVING count(*) > 1) AS shared'
        )
    )
    if shared.scalar_one():
        raise RuntimeError(
            "rejected_messages holds two records at one source (a topic made again): "
            "below 0016 one of them would have to go"
        )
    with op.batch_alter_table("rejected_messages") as batch:
        batch.drop_constraint("uq_rejected_source", type_="unique")
        batch.create_unique_constraint("uq_rejected_source", _SOURCE)
        batch.drop_column("record_sha256")
