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
CHUNK = 500


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
    # The engine's own test of a child still missing, the one the hub writes with the state.
    from hub.store.models import Stamp
    from hub.store.outcomes import STATE

    children = sa.table(
        "child_states",
        sa.column("child_id", sa.String),
        sa.column("state", sa.JSON),
        sa.column("missing_since", Stamp()),
    )
    connection = op.get_bind()
    after = ""
    while True:
        rows = connection.execute(
            sa.select(children.c.child_id, sa.cast(children.c.state, sa.Text))
            .where(children.c.child_id > after)
            .order_by(children.c.child_id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        after = rows[-1][0]
        since = {c: STATE.validate_json(state).missing_since() for c, state in rows}
        missing = [{"id": c, "since": at} for c, at in since.items() if at is not None]
        if missing:
            connection.execute(
                children.update()
                .where(children.c.child_id == sa.bindparam("id"))
                .values(missing_since=sa.bindparam("since")),
                missing,
            )


def downgrade() -> None:
    op.drop_index("ix_child_states_missing", table_name="child_states")
    with op.batch_alter_table("child_states") as table:
        table.drop_column("missing_since")
