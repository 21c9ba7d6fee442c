"""A PostgreSQL database with years of history, for the benchmark: millions of rows in the
routing log, each with its sent outbox row, the inbound events that caused them, and a
million timers still open; and how long the scheduler's round takes on it.

Seeded in the database itself (generate_series), indexes built after the rows as a restore
would: the point is the size of the tables and their indexes when the hub runs, not how
they were filled. The rows are shaped like the hub's (the same columns filled, ids as
long as its ids), with no child's details."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import delete, insert

from hub.routing.directory import Directory
from hub.service.timers import fire_due_timers
from hub.settings import RetentionSettings
from hub.store.database import make_engine, migrate, sessions
from hub.store.models import TimerRecord

NOTIFICATIONS_PER_EVENT = 5
TIMERS_PER_CHILD = 4


@dataclass(frozen=True)
class History:
    routing_rows: int
    open_timers: int
    seconds: float  # to seed it


@dataclass(frozen=True)
class TimerRounds:
    """The scheduler's round (hub.service.timers.fire_due_timers) on a large database, in
    milliseconds: with nothing due (most rounds), with one timer due, and with a full
    batch due."""

    idle_ms: float
    one_ms: float
    full_ms: float
    full: int


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def fresh_database(server_url: str, name: str) -> str:
    """An empty database `name` on the server (dropped first if there), as a URL."""
    with psycopg.connect(_plain(server_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


# The indexes the schema gives these tables, dropped while seeding and built again after.
_SEEDED = ("routing_decisions", "outbox", "inbound_events", "timers")


def seed_history(url: str, routing_rows: int, open_timers: int) -> History:
    """Migrate, then fill: `routing_rows` routing-log rows and as many sent outbox rows, one
    inbound event per NOTIFICATIONS_PER_EVENT of them, and `open_timers` pending timers due
    in the next 30 days, for past children.

    The routing log goes back three years; the sent outbox rows only as far as the retention
    policy keeps them (HUB_RETENTION_SENT_NOTIFICATIONS_DAYS), as a deployment's daily
    retention would leave them: rows older than that, the hub's first retention round
    deleted in one statement while its throughput was measured (every earlier history run)."""
    started = time.monotonic()
    migrate(url)
    events = routing_rows // NOTIFICATIONS_PER_EVENT
    kept_days = RetentionSettings().sent_notifications_days - 1
    with psycopg.connect(_plain(url), autocommit=True) as db:
        definitions = [
            (name, definition)
            for name, definition in db.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [list(_SEEDED)],
            ).fetchall()
        ]
        for name, _ in definitions:
            db.execute(f'DROP INDEX "{name}"')
        db.execute("SET maintenance_work_mem = '512MB'")
        db.execute(
            """
            INSERT INTO inbound_events (event_id, ce_type, child_id, episode_id, body_sha256,
                body, topic, partition, "offset", received_at)
            SELECT 'history-' || i, 'uk.gov.missing-children.police.misper-report.v1',
                'history-child-' || (i / 5), 'history-episode-' || (i / 5),
                md5(i::text) || md5(i::text),
                '{"redacted": true}'::json, 'inbound.misper-report', i %% 3, i,
                now() - interval '3 years' + i * interval '1 second'
            FROM generate_series(1, %s) AS i
            """,
            [events],
        )
        db.execute(
            """
            INSERT INTO routing_decisions (notification_id, child_id, episode_id, recipient,
                authority, action, paragraph, cause, summary, decided_at, due, details,
                duty_due, done_at)
            SELECT md5(i::text)::uuid::text, 'history-child-' || (i / 25),
                'history-episode-' || (i / 25), (ARRAY['mash', 'mct', 'social_worker',
                'iro', 'police'])[1 + i %% 5], 'northamptonshire', 'notify_missing',
                '7.13', 'history-' || (i / 5), 'A past duty, kept without personal data.',
                now() - interval '3 years' + (i / 5) * interval '1 second', NULL, '{}'::json,
                NULL, now() - interval '3 years' + (i / 5) * interval '1 second'
            FROM generate_series(1, %s) AS i
            """,
            [routing_rows],
        )
        db.execute(
            """
            INSERT INTO outbox (message_id, topic, key, headers, value, created_at, status,
                attempts, sent_at, last_attempt_at)
            SELECT 'notification:' || md5(i::text)::uuid::text, 'notify.northamptonshire.mct',
                convert_to('history-child-' || (i / 25), 'UTF8'), '[]'::json,
                convert_to('{"redacted": true}', 'UTF8'), sent, 'sent', 1, sent, sent
            FROM generate_series(1, %s) AS i,
                LATERAL (SELECT now() - (1 - i::float8 / %s) * %s * interval '1 day') AS t(sent)
            """,
            [routing_rows, routing_rows, kept_days],
        )
        db.execute(
            """
            INSERT INTO timers (child_id, timer_id, episode_id, name, sequence, paragraph,
                due, status)
            SELECT 'open-child-' || (i / %s), 'follow_up:' || i, 'open-episode-' || (i / %s),
                'follow_up', 0, '6.7', now() + interval '1 hour' + (i %% 43200) * interval
                '1 minute', 'pending'
            FROM generate_series(1, %s) AS i
            """,
            [TIMERS_PER_CHILD, TIMERS_PER_CHILD, open_timers],
        )
        for _, definition in definitions:
            db.execute(definition)
        db.execute("ANALYZE")
    return History(routing_rows, open_timers, time.monotonic() - started)


def time_timer_rounds(url: str, directory: Directory, batch: int = 200) -> TimerRounds:
    """The scheduler's round on this database, timed in this process (the median of five
    rounds each): nothing due, one timer due, then `batch` due at once (past children with
    no open episode: each fires, finds nothing owed, and is settled)."""
    engine = make_engine(url)
    made = sessions(engine)
    now = datetime.now(UTC)

    def due_now(count: int) -> None:
        with made.begin() as session:
            session.execute(delete(TimerRecord).where(TimerRecord.child_id.like("due-%")))
            if count:
                session.execute(
                    insert(TimerRecord),
                    [
                        {
                            "child_id": f"due-{n}",
                            "timer_id": f"follow_up:{n}",
                            "episode_id": f"due-episode-{n}",
                            "name": "follow_up",
                            "sequence": 0,
                            "paragraph": "6.7",
                            "due": now - timedelta(minutes=1),
                            "status": "pending",
                        }
                        for n in range(count)
                    ],
                )

    def timed(count: int) -> float:
        rounds = []
        for _ in range(5):
            due_now(count)
            started = time.perf_counter()
            fired = fire_due_timers(made, directory, now, batch)
            rounds.append((time.perf_counter() - started) * 1000)
            assert fired == count, f"{fired} timers fired of {count} due"
        return statistics.median(rounds)

    try:
        return TimerRounds(timed(0), timed(1), timed(batch), batch)
    finally:
        due_now(0)
        engine.dispose()
