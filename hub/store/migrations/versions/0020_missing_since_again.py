"""each child's missing_since worked out again: a return at the very minute an episode
began is no return from it (1.4)

`ChildState.came_back` counted a return at the very minute a report said the child went
missing as the child's return from that report, where the engine searches for the child
under it: such a child was left off Still missing. The rows are checked against their
states, as 0019 filled them, and mended (hub.store.missing_since).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from hub.store.missing_since import refill_chunk

    connection = op.get_bind()
    after: str | None = ""
    while after is not None:
        after, _ = refill_chunk(connection, after, ["missing_since"])  # the schema's own


def downgrade() -> None:
    pass  # nothing to undo: the older code reads the column as it is
