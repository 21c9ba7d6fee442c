"""the child's particulars of a held duty

A duty held for a party the directory does not know keeps the particulars the data policy
gives its recipient, so that it is delivered whole once ops routes it. A duty routed at once
keeps none here: its outbox message carries them, and one copy of a child's details is
enough.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        table.add_column(sa.Column("child", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        table.drop_column("child")
