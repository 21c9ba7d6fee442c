"""a ladder timer says the start it is counted from

7.22's strategy-meeting ladder counts every rung from a start. A rung kept when a found
report read late showed a new absence began is counted from the child's earlier start, which
was worked out from the rung's date; a meeting held that brought the rung forward changed
that date, no start matched it any more, and its successor was counted from the new
absence's start, months late. A ladder timer now keeps its start (`Timer.counted_from`),
read back when it fires. Rows written before have none: their start is worked out as
before.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timers") as table:
        table.add_column(sa.Column("counted_from", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("timers") as table:
        table.drop_column("counted_from")
