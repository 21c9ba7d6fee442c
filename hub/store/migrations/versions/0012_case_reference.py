"""the sending agency's own case reference on each inbound event

Issue 14: ops search the routing log by the reference the agency itself uses (a police
MISPER number, a case management system's id), when its event carries one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_events") as table:
        table.add_column(sa.Column("case_reference", sa.String(64), nullable=True))
        table.create_index("ix_inbound_events_case_reference", ["case_reference"])


def downgrade() -> None:
    with op.batch_alter_table("inbound_events") as table:
        table.drop_index("ix_inbound_events_case_reference")
        table.drop_column("case_reference")
