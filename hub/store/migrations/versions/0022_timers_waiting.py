"""the scheduler says its timers wait for the broker, and since when

Before a round that would fire due timers the scheduler asks the broker, and waits while it
does not answer or while what it holds is not yet applied (hub.scheduler). Ops saw only "N
timers due" on the health page: a scheduler waiting on purpose looked like a stuck one, and
nothing said since when escalations were not being sent. The scheduler's heartbeat row now
says so (`timers_waiting_since`, wall clock; `timers_waiting_reason`).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hub_processes") as table:
        table.add_column(
            sa.Column("timers_waiting_since", sa.DateTime(timezone=True), nullable=True)
        )
        table.add_column(sa.Column("timers_waiting_reason", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hub_processes") as table:
        table.drop_column("timers_waiting_reason")
        table.drop_column("timers_waiting_since")
