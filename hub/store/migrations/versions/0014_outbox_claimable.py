"""the relay's claim finds the pending outbox rows by an index of them alone

Issue 15: while a backlog drained, the relay's claim (pending rows, oldest first, LIMIT a
batch) took 380 ms a round: with the table's statistics taken while most rows were still
pending, PostgreSQL walked the primary key from the oldest row and read past every sent
row (279,000) to find the batch, and the relay fell behind the consumer by 340,000 rows.
An index of the pending rows alone has no sent rows to read past: 1.7 ms, whatever the
statistics say.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_claimable", "outbox", ["id"], postgresql_where=PENDING, sqlite_where=PENDING
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_claimable", table_name="outbox")
