"""each outbox row backs off on its own

A row that fails for a reason of its own (its topic refuses every record) was retried in
every round with the others, and with 500 such rows at the head of the outbox no other row
was ever claimed. Now it waits until `next_attempt_at`, and rows for the same child on the
same topic wait behind it, so that order is kept.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_outbox_backing_off",
        "outbox",
        ["topic", "key", "id"],
        postgresql_where=sa.text("next_attempt_at IS NOT NULL"),
        sqlite_where=sa.text("next_attempt_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_backing_off", "outbox")
    with op.batch_alter_table("outbox") as table:
        table.drop_column("next_attempt_at")
