"""a child's held records found by an index, not a scan of every refused message

Issue 15: while a backlog drains, every record of a child with a held record looks up that
child's held records; without an index each look-up read the whole table, and the drain
slowed as the held records grew (54,000 in a 100,000-event backlog).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 23:59:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

HELD = sa.text("status = 'held'")


def upgrade() -> None:
    op.create_index(
        "ix_rejected_held",
        "rejected_messages",
        ["key", "id"],
        postgresql_where=HELD,
        sqlite_where=HELD,
    )


def downgrade() -> None:
    op.drop_index("ix_rejected_held", table_name="rejected_messages")
