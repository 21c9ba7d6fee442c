"""A refused or held record is known by its source and its digest: a topic made again (or
a cluster failed over to) numbers its records from 0, and a new record at the offset of
one refused before was taken for it, read again, and dropped.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

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
