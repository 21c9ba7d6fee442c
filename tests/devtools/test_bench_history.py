"""The benchmark's seeded history (hub.devtools.bench_history) is one a deployment could
have: the routing log goes back years, the outbox only as far as retention keeps it."""

from datetime import UTC, datetime

import pytest

from hub.devtools.bench_history import seed_history
from hub.settings import RetentionSettings
from hub.store.database import make_engine, sessions
from hub.store.retention import apply_retention

pytestmark = pytest.mark.postgres


def test_the_hubs_first_retention_round_finds_nothing_of_the_seeded_history_to_delete(
    postgres_url: str,
) -> None:
    # Seeded three years old, the sent outbox rows were all deleted, in one statement, by
    # the first `hub run` on the history: inside the run the benchmark was measuring.
    seed_history(postgres_url, routing_rows=1_000, open_timers=10)
    engine = make_engine(postgres_url)
    try:
        retained = apply_retention(
            sessions(engine), RetentionSettings(), datetime.now(UTC), "test", dry_run=True
        )
    finally:
        engine.dispose()
    assert retained.notifications_deleted == 0
