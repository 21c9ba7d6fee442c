"""duties held for a party the directory does not know

A duty whose recipient cannot be named (a misspelt authority, one missing from the
directory) is logged with why, and queued for no one; once the directory is corrected, ops
replays it and it is delivered under the id it was logged with.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        table.add_column(sa.Column("unroutable_field", sa.String(64), nullable=True))
        table.add_column(sa.Column("unroutable_named", sa.String(100), nullable=True))
        table.add_column(sa.Column("unroutable_reason", sa.Text, nullable=True))
        table.add_column(sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True))
        table.create_index("ix_routing_unroutable", ["unroutable_field", "routed_at"])


def downgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        table.drop_index("ix_routing_unroutable")
        table.drop_column("routed_at")
        table.drop_column("unroutable_reason")
        table.drop_column("unroutable_named")
        table.drop_column("unroutable_field")
