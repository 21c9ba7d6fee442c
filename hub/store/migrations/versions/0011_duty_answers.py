"""what became of each duty: acknowledged, done, escalated, stood down

Issue 14: a notification with a deadline is a duty its recipient answers. The engine keeps
the answers in the child's state; the routing log carries them too, for the console's
deadlines and the protocol's reports (section 10) to query.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_STAMPS = ("duty_due", "acknowledged_at", "done_at", "escalated_at", "stood_down_at")
_NAMES = ("acknowledged_by", "done_by")


def upgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        for name in _STAMPS:
            table.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        for name in _NAMES:
            table.add_column(sa.Column(name, sa.String(200), nullable=True))
    # Every duty logged before this revision keeps its deadline as it was sent.
    op.execute("UPDATE routing_decisions SET duty_due = due WHERE due IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        for name in (*_STAMPS, *_NAMES):
            table.drop_column(name)
