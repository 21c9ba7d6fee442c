"""console sessions revocable on the server

A console session was a signed cookie alone: one copied before sign-out worked for eight
more hours. A user's sessions now end when the user signs out (or is removed): each
session remembers when it began, and a session begun before the user's last sign-out is
refused.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("console_users") as table:
        table.add_column(sa.Column("signed_out_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("console_users") as table:
        table.drop_column("signed_out_at")
