"""when a decision's notification was sent, kept on the routing log

Retention (hub.store.retention) deletes a sent notification's outbox row; before it does,
it copies the row's sent time to the decision, so that the routing log goes on saying the
notification was sent, and when, rather than that it was never queued.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        table.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("routing_decisions") as table:
        table.drop_column("sent_at")
