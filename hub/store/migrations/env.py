"""Alembic's entry point; the URL comes from hub.store.database.alembic_config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, event, text

from hub.store.database import sqlite_secure_delete
from hub.store.models import Base

config = context.config
# Held while migrating: hub processes starting at once on a new database would otherwise
# each create the tables, and all but one fail (UniqueViolation). Any fixed number will do.
MIGRATION_LOCK = 7_302_118_424_115_046_001


def run(url: str) -> None:
    # A data migration's failing statement would otherwise quote the stored rows it was
    # converting, a child's particulars among them, in the error printed and logged.
    engine = create_engine(url, hide_parameters=True)
    if url.startswith("sqlite"):  # a table copied by a batch migration leaves its old pages
        event.listen(engine, "connect", sqlite_secure_delete)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":  # the others wait, then find it done
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            context.run_migrations()
    engine.dispose()


url = config.get_main_option("sqlalchemy.url")
if url is None:
    raise RuntimeError("sqlalchemy.url is not set: use hub.store.database.migrate")
run(url)
