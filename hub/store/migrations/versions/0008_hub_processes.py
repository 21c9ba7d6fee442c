"""every running hub says it is alive

The console said "all well" when no `hub run` was running at all. Each process now writes
a heartbeat row; health reads how recent the newest is, per role.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_processes",
        sa.Column("instance", sa.String(128), primary_key=True),
        sa.Column("roles", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_hub_processes_last_seen", "hub_processes", ["last_seen"])


def downgrade() -> None:
    op.drop_index("ix_hub_processes_last_seen", "hub_processes")
    op.drop_table("hub_processes")
