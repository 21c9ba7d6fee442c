"""Alembic's entry point; the URL comes from hub.store.database.alembic_config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from hub.store.models import Base

config = context.config


def run(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


url = config.get_main_option("sqlalchemy.url")
if url is None:
    raise RuntimeError("sqlalchemy.url is not set: use hub.store.database.migrate")
run(url)
