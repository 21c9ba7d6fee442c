"""the audit trail found by its target, not a scan of the whole trail

The console reads the audit trail of one target, newest first: an episode's is who saw the
child's record (hub.console.access.audit_trail). The trail is never deleted; without an
index, each look-up read all of it, and it grew for as long as the hub ran.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_target", "audit_log", ["target", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_target", table_name="audit_log")
