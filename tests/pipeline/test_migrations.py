"""Migrations carry the rows already stored: an outbox written by an older hub is sent
as it was queued after an upgrade."""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app
from hub.console.views import still_missing_page
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.settings import RetentionSettings
from hub.store.database import alembic_config, make_engine, migrate, sessions
from hub.store.models import AuditEntry, ChildRecord, RoutingDecision, table_of
from hub.store.retention import apply_retention
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of
from tests.pipeline.scheduling import fired_on_time

HEADERS = [["ce_id", "3f0c"], ["content-type", "application/json"]]


def _stored_headers(url: str) -> object:
    engine = make_engine(url)
    with engine.connect() as connection:
        query = sa.select(sa.column("headers", sa.JSON)).select_from(sa.table("outbox"))
        headers = connection.execute(query).scalar_one()
    engine.dispose()
    return headers


def test_an_outbox_row_queued_before_headers_were_text_keeps_its_headers(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    command.upgrade(config, "0001")
    engine = make_engine(database_url)
    outbox = sa.table(
        "outbox",
        *(sa.column(name) for name in ("message_id", "topic", "key", "value", "status")),
        sa.column("headers", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("attempts", sa.Integer),
    )
    as_base64 = [[name, base64.b64encode(value.encode()).decode()] for name, value in HEADERS]
    with engine.begin() as connection:
        connection.execute(
            outbox.insert().values(
                message_id="notification:old",
                topic="notify.northamptonshire.mash",
                key=b"child",
                value=b"{}",
                status="pending",
                headers=as_base64,
                created_at=datetime(2026, 11, 20, tzinfo=UTC),
                attempts=0,
            )
        )
    engine.dispose()
    command.upgrade(config, "head")
    assert _stored_headers(database_url) == HEADERS
    command.downgrade(config, "0001")
    assert _stored_headers(database_url) == as_base64


@pytest.mark.postgres
def test_hubs_starting_at_once_on_a_new_database_each_find_it_migrated(postgres_url: str) -> None:
    """Three `hub run` processes started together on a new PostgreSQL database (a relay in a
    process of its own, say) each migrate at start: one creates the schema, the others wait
    for it and find it done. None fails."""
    migrating = [
        subprocess.Popen(
            [sys.executable, "-c", "import sys; from hub.store.database import migrate; "
             "migrate(sys.argv[1])", postgres_url],
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]  # fmt: skip
    outcomes = [(p.communicate(timeout=120)[1].decode(), p.returncode) for p in migrating]
    assert [error for error, returncode in outcomes if returncode != 0] == []
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert len(versions) == 1


def test_a_migrated_store_finds_a_childs_held_records_by_index(database_url: str) -> None:
    """Every record of a child with held records looks them up while a backlog drains: the
    migrations build the index the model declares, on both databases."""
    migrate(database_url)
    engine = make_engine(database_url)
    indexes = {
        index["name"]: index for index in sa.inspect(engine).get_indexes("rejected_messages")
    }
    engine.dispose()
    assert indexes["ix_rejected_held"]["column_names"] == ["key", "id"]


def test_a_migrated_store_finds_the_meetings_at_18_by_index(database_url: str) -> None:
    """Every console page that lists decisions leaves out the meeting at 18 and its
    escalations (6.8): the migrations build the index of the meetings alone that the model
    declares, on both databases, so that none reads every 6.8 notice to find them."""
    migrate(database_url)
    engine = make_engine(database_url)
    indexes = {
        index["name"]: index for index in sa.inspect(engine).get_indexes("routing_decisions")
    }
    engine.dispose()
    assert indexes["ix_routing_meeting_at_18"]["column_names"] == ["notification_id"]


def test_a_migrated_store_finds_who_saw_an_episode_by_index(database_url: str) -> None:
    """The audit trail is read one target's at a time (an episode's: who saw the child's
    record, hub.console.access), newest first: the migrations build the index the model
    declares on it, on both databases, so that none reads the whole trail, kept for ever.
    The downgrade takes it away."""
    migrate(database_url)
    engine = make_engine(database_url)
    declared = {str(i.name): [c.name for c in i.columns] for i in table_of(AuditEntry).indexes}
    built = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("audit_log")}
    command.downgrade(alembic_config(database_url), "0023")
    before = {i["name"] for i in sa.inspect(engine).get_indexes("audit_log")}
    command.upgrade(alembic_config(database_url), "head")
    engine.dispose()
    assert built == declared
    assert declared["ix_audit_log_target"] == ["target", "id"]
    assert "ix_audit_log_target" not in before


def test_a_refusal_stored_before_0016_is_known_by_its_record_after_it(
    database_url: str,
) -> None:
    """A topic made again numbers its records from 0: a refusal stored before the digests
    were gets its record's, so a new record where it was is not taken for it."""
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    command.upgrade(config, "0015")
    refused = Record("inbound.misper-report", 0, 7, b"CF-1", b"not json", [("ce_id", b"E1")])
    rejected = sa.table(
        "rejected_messages",
        *(sa.column(name) for name in ("kind", "topic", "partition", "offset", "key", "value")),
        *(sa.column(name) for name in ("status", "event_id")),
        sa.column("problems", sa.JSON),
        sa.column("headers", sa.JSON),
        sa.column("received_at", sa.DateTime(timezone=True)),
    )
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            rejected.insert().values(
                kind="bad_message",
                problems=[{"field": "data", "reason": "is not JSON"}],
                topic=refused.topic,
                partition=refused.partition,
                offset=refused.offset,
                key=refused.key,
                value=refused.value,
                headers=[["ce_id", b"E1".hex()]],
                status="open",
                received_at=datetime(2026, 11, 20, tzinfo=UTC),
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        digest = connection.execute(sa.text("SELECT record_sha256 FROM rejected_messages"))
        assert digest.scalar_one() == refused.digest()
    engine.dispose()


def test_a_failing_migration_quotes_none_of_the_rows_it_was_converting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data migration reads and rewrites stored rows (0002 an outbox row's headers, a
    child's particulars among them): its error, which `hub migrate` prints and `hub run`
    logs, must not quote their values, as no statement of the running hub does."""
    made: list[dict[str, object]] = []
    real = sa.create_engine

    def recording(url: str, **options: Any) -> sa.Engine:
        made.append(options)
        return real(url, **options)

    monkeypatch.setattr(sa, "create_engine", recording)
    migrate(f"sqlite:///{tmp_path / 'hub.db'}")
    assert made
    assert all(options.get("hide_parameters") for options in made)


def test_a_child_missing_before_0019_is_read_by_still_missing_after_it(
    database_url: str,
) -> None:
    """The console's Still missing reads the children whose row says they may still be
    missing: the upgrade says it, from their states, of every child stored before it, and
    of no child found (1.4)."""
    directory, reported = load_directory(), datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
    migrate(database_url)
    engine = make_engine(database_url)
    store = sessions(engine)
    for child in ("CF-1", "CF-2"):
        data = {"child_id": child, "episode_id": f"EP-{child}"}
        record = misper_record(id=f"evt-{child}", data=data)
        assert apply_batch(store, [record], directory, reported).applied == 1
    found = example("05-found-report")
    found["id"] = "evt-found-CF-2"
    found["data"].update(episode_id="EP-CF-2", child_id="CF-2")
    record = record_of(found, "inbound.found-report")
    assert apply_batch(store, [record], directory, reported + timedelta(days=4)).applied == 1
    config = alembic_config(database_url)
    command.downgrade(config, "0018")
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT child_id, missing_since FROM child_states"))
        marked = {child: since is not None for child, since in rows}
    with store() as session:
        listed = still_missing_page(session, directory, reported + timedelta(days=40))
    engine.dispose()
    assert marked == {"CF-1": True, "CF-2": False}
    assert [m.episode_id for m in listed.episodes] == ["EP-CF-1"]


def test_a_child_missing_again_the_minute_it_was_found_is_listed_again_after_0020(
    database_url: str,
) -> None:
    """Found at 11:20, then reported missing since 11:20: the hub searches for the child
    (1.4), but the hub before 0020 took the finding for a return from the new report too and
    wrote no `missing_since`: the child was off Still missing. 0020 works it out again."""
    directory = load_directory()
    found_at = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)  # the example found report's time
    migrate(database_url)
    engine = make_engine(database_url)
    store = sessions(engine)
    apply_batch(store, [misper_record()], directory, found_at - timedelta(days=3))
    apply_batch(
        store, [record_of(example("05-found-report"), "inbound.found-report")], directory, found_at
    )
    again = misper_record(
        id="evt-police-0100",
        data={
            "episode_id": "EP-2026-0500",
            "reported_at": (found_at + timedelta(hours=1)).isoformat(),
            "missing_since": found_at.isoformat(),
        },
    )
    assert apply_batch(store, [again], directory, found_at + timedelta(hours=1)).applied == 1
    with engine.begin() as connection:  # as the hub before 0020 wrote it
        connection.execute(sa.text("UPDATE child_states SET missing_since = NULL"))
    config = alembic_config(database_url)
    command.downgrade(config, "0019")
    command.upgrade(config, "head")
    with store() as session:
        listed = still_missing_page(session, directory, found_at + timedelta(days=2))
    engine.dispose()
    assert [m.episode_id for m in listed.episodes] == ["EP-2026-0500"]


def test_children_an_older_hub_wrote_after_0019_are_mended_by_fill_missing_since(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older hub beside a newer one writes states and leaves `missing_since` as it was:
    a child it saw go missing stayed off Still missing, one it saw found stayed on it (1.4).
    `hub migrate --fill-missing-since` mends both from their states."""
    directory, reported = load_directory(), datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
    migrate(database_url)
    engine = make_engine(database_url)
    store = sessions(engine)
    for child in ("CF-1", "CF-2", "CF-3"):
        data = {"child_id": child, "episode_id": f"EP-{child}"}
        record = misper_record(id=f"evt-{child}", data=data)
        assert apply_batch(store, [record], directory, reported).applied == 1
    found = example("05-found-report")
    found["id"] = "evt-found-CF-2"
    found["data"].update(episode_id="EP-CF-2", child_id="CF-2")
    record = record_of(found, "inbound.found-report")
    assert apply_batch(store, [record], directory, reported + timedelta(days=4)).applied == 1
    with engine.begin() as connection:  # as the older hub left them
        connection.execute(
            sa.text("UPDATE child_states SET missing_since = NULL WHERE child_id = 'CF-1'")
        )
        connection.execute(
            sa.text("UPDATE child_states SET missing_since = :at WHERE child_id = 'CF-2'"),
            {"at": reported},
        )
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["migrate", "--fill-missing-since"])
    with store() as session:
        listed = still_missing_page(session, directory, reported + timedelta(days=40))
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert "2 mended" in result.output
    assert [m.episode_id for m in listed.episodes] == ["EP-CF-1", "EP-CF-3"]


def found_and_missing_children(store: sessionmaker[Session], reported: datetime) -> None:
    """CF-1 missing since `reported`; CF-2 too, found four days later."""
    directory = load_directory()
    for child in ("CF-1", "CF-2"):
        data = {"child_id": child, "episode_id": f"EP-{child}"}
        record = misper_record(id=f"evt-{child}", data=data)
        assert apply_batch(store, [record], directory, reported).applied == 1
    found = example("05-found-report")
    found["id"] = "evt-found-CF-2"
    found["data"].update(episode_id="EP-CF-2", child_id="CF-2")
    record = record_of(found, "inbound.found-report")
    assert apply_batch(store, [record], directory, reported + timedelta(days=4)).applied == 1


def test_a_child_found_before_0021_is_retired_in_its_time_after_it(database_url: str) -> None:
    """Retention reads the children whose row says when they came back from an episode
    (`earliest_return`): the upgrade says it, from their states, of every child stored
    before it, and of no child still missing (1.4), whose data is never touched."""
    reported = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
    migrate(database_url)
    engine = make_engine(database_url)
    store = sessions(engine)
    found_and_missing_children(store, reported)
    config = alembic_config(database_url)
    command.downgrade(config, "0020")
    command.upgrade(config, "head")
    with store() as session:
        rows = session.execute(select(ChildRecord.child_id, ChildRecord.earliest_return))
        returned = dict(rows.tuples().all())
    done = apply_retention(store, RetentionSettings(), reported + timedelta(days=200), "test")
    engine.dispose()
    found = example("05-found-report")["data"]["found_at"]
    assert returned == {"CF-1": None, "CF-2": datetime.fromisoformat(found)}
    assert (done.children, done.episodes_retired) == (1, 1)


def test_a_wrong_earliest_return_is_mended_by_fill_derived(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older hub beside a newer one past 0021 writes states and leaves `earliest_return`
    as it was: a child it saw found stayed unread by retention, its data kept past its time;
    one whose row says found, though missing, read at every run for nothing. `hub migrate
    --fill-derived` (or `--fill-missing-since`) mends both from their states."""
    reported = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
    migrate(database_url)
    engine = make_engine(database_url)
    store = sessions(engine)
    found_and_missing_children(store, reported)
    with store.begin() as session:  # as the older hub left them
        session.execute(update(ChildRecord).values(earliest_return=None))
        session.execute(
            update(ChildRecord)
            .where(ChildRecord.child_id == "CF-1")
            .values(earliest_return=reported)
        )
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["migrate", "--fill-derived"])
    with store() as session:
        rows = session.execute(select(ChildRecord.child_id, ChildRecord.earliest_return))
        returned = dict(rows.tuples().all())
    again = CliRunner().invoke(app, ["migrate", "--fill-missing-since"])
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert "2 mended" in result.output
    found = example("05-found-report")["data"]["found_at"]
    assert returned == {"CF-1": None, "CF-2": datetime.fromisoformat(found)}
    assert "0 mended" in again.output


def test_0022_adds_and_removes_the_schedulers_wait_on_its_heartbeat_row(
    database_url: str,
) -> None:
    """The scheduler's heartbeat row says whether its timers wait for the broker, and since
    when: the upgrade adds both columns to the rows already there (a running hub's), empty
    (not waiting); the downgrade takes them away and keeps the rows."""
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    command.upgrade(config, "0021")
    engine = make_engine(database_url)
    seen = datetime(2026, 12, 6, 14, 2, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO hub_processes (instance, roles, started_at, last_seen) "
                "VALUES ('host:1:a', 'scheduler', :at, :at)"
            ),
            {"at": seen},
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        upgraded = connection.execute(
            sa.text("SELECT timers_waiting_since, timers_waiting_reason FROM hub_processes")
        ).one()
    command.downgrade(config, "0021")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("hub_processes")}
    with engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT instance FROM hub_processes")).scalar_one()
    command.upgrade(config, "head")
    engine.dispose()
    assert tuple(upgraded) == (None, None)
    assert columns == {"instance", "roles", "started_at", "last_seen"}
    assert kept == "host:1:a"


@pytest.mark.parametrize("state_by", ["older hub", "newer hub"])
def test_a_ladder_timer_stored_before_0023_fires_and_sets_the_next_rung_after_it(
    database_url: str, state_by: str
) -> None:
    """A strategy meeting timer (7.22) stored by an older hub says no start it is counted
    from in its row (the upgrade leaves it empty), nor in the child's state, or there only (a
    newer hub beside it wrote the state since). Fired, it convenes its meeting and sets the
    next rung, counted from when the child went missing (day 7, then day 10). Told apart by
    its start, the row's timer was not the state's, and fired nothing."""
    directory, reported = load_directory(), datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
    migrate(database_url)
    engine = make_engine(database_url)
    store = sessions(engine)
    assert apply_batch(store, [misper_record()], directory, reported).applied == 1
    config = alembic_config(database_url)
    command.downgrade(config, "0022")
    if state_by == "older hub":
        with store.begin() as session:
            child = session.scalars(select(ChildRecord)).one()
            child.state = _without_counted_from(child.state)
    command.upgrade(config, "head")
    fired_on_time(store, directory, reported + timedelta(days=11))
    with store() as session:
        meetings = session.scalars(
            select(RoutingDecision.details).where(
                RoutingDecision.action == "convene_strategy_meeting"
            )
        ).all()
    engine.dispose()
    assert {"day 7", "day 10"} <= {m.get("meeting") for m in meetings}


def _without_counted_from(stored: Any) -> Any:
    if isinstance(stored, dict):
        return {k: _without_counted_from(v) for k, v in stored.items() if k != "counted_from"}
    if isinstance(stored, list):
        return [_without_counted_from(v) for v in stored]
    return stored
