"""when retention redacted an inbound event's personal data

Retention (hub.store.retention) replaces the personal fields of an inbound event's body
with a marker once its episode's time is up; the time it did so marks the row done, so a
second run passes it by.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_events") as table:
        table.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_events") as table:
        table.drop_column("redacted_at")
