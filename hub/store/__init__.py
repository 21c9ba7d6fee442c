"""The hub's durable store: inbound events, child state, the routing log, the outbox,
timers and rejected messages (SQLAlchemy 2, migrated by Alembic)."""
