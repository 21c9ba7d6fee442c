"""Inbound event ids per sender: an event on an agency's own topic is known by the agency's
code and its CloudEvents id (unique within its source only), up to 48 + 1 + 128 characters.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_COLUMNS = (("inbound_events", "event_id"), ("rejected_messages", "event_id"))


def upgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.String(200), existing_type=sa.String(128))


def downgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.String(128), existing_type=sa.String(200))
