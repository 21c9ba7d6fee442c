"""retention reads the children with an episode due alone, by an index of them

Retention (hub.store.retention) read and validated every child's state, 500 at a time, at
every start of `hub run` and every HUB_RETENTION_EVERY_HOURS, to find the few with an
episode due: on hundreds of thousands of children of some 17 KB each, minutes of CPU beside
the consumer. Each child's row now says when the child came back from the first episode it
still holds (`ChildState.earliest_return`), written with the state; an index of those rows,
earliest first, gives retention the children past its cutoff.

The rows written before are filled in here, from their states, a chunk at a time, and
their `missing_since` checked again on the way (hub.store.missing_since).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

RETURNED = sa.text("earliest_return IS NOT NULL")


def upgrade() -> None:
    from hub.store.missing_since import refill_chunk

    with op.batch_alter_table("child_states") as table:
        table.add_column(sa.Column("earliest_return", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    after: str | None = ""
    while after is not None:
        after, _ = refill_chunk(connection, after, ["missing_since", "earliest_return"])
    op.create_index(
        "ix_child_states_returned",
        "child_states",
        ["earliest_return", "child_id"],
        postgresql_where=RETURNED,
        sqlite_where=RETURNED,
    )


def downgrade() -> None:
    op.drop_index("ix_child_states_returned", table_name="child_states")
    with op.batch_alter_table("child_states") as table:
        table.drop_column("earliest_return")
