"""the console reads the children still missing alone, by an index of them

Still missing (hub.console.views) read and validated every child's state on each request:
on 40,000 children of some 17 KB each, 401 of them missing, 12 to 16 seconds a page
(PostgreSQL), and years of history hold hundreds of thousands. Each child's row now says
when the earliest episode the child may still be missing from began (ChildState's
missing_since), written with the state; an index of the children missing, longest missing
first, pages them.

The rows written before are filled in here, from their states, a chunk at a time.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

MISSING = sa.text("missing_since IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("child_states") as table:
        table.add_column(sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True))
    _fill_in()
    op.create_index(
        "ix_child_states_missing",
        "child_states",
        ["missing_since", "child_id"],
        postgresql_where=MISSING,
        sqlite_where=MISSING,
    )


def _fill_in() -> None:
    # The engine's own test of a child still missing, the one the hub writes with the state;
    # `hub migrate --fill-missing-since` runs the same after an upgrade that needed it.
    from hub.store.missing_since import refill_chunk

    connection = op.get_bind()
    after: str | None = ""
    while after is not None:
        after, _ = refill_chunk(connection, after, ["missing_since"])  # the schema's own


def downgrade() -> None:
    op.drop_index("ix_child_states_missing", table_name="child_states")
    with op.batch_alter_table("child_states") as table:
        table.drop_column("missing_since")
