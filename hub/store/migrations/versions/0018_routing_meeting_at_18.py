"""the console finds the meetings at 18 by an index of them alone

The routing log, the deadlines and the timelines leave out the meeting at 18 (6.8) and its
escalations (hub.console.views): each query follows the chain from every such meeting.
Found by paragraph 6.8 and cause, the meetings were read among all of the Assistant
Director's 6.8 notices (the 24-hour and three-month ones, for every child in care missing
that long): on 2.25 million decisions, 200,000 of them 6.8, 100 ms a query, and one
episode's page of the log took 181 ms for 3 ms without the chain. By an index of the
meetings alone: 35 ms, the chains of 500 children missing at 18 followed twice.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

MEETING_AT_18 = sa.text("action = 'hold_missing_child_meeting'")


def upgrade() -> None:
    op.create_index(
        "ix_routing_meeting_at_18",
        "routing_decisions",
        ["notification_id"],
        postgresql_where=MEETING_AT_18,
        sqlite_where=MEETING_AT_18,
    )


def downgrade() -> None:
    op.drop_index("ix_routing_meeting_at_18", table_name="routing_decisions")
