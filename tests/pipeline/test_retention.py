"""Retention (issue 13, section 5), on SQLite and PostgreSQL: a found child's personal data
goes when the policy's time is up, the routing log stays without it, a missing child's is
never touched, and the protocol still counts the child's earlier episodes (7.17, 3.3)."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app
from hub.clock import ManualClock
from hub.console.access import record
from hub.console.actions import retry_deliveries, route_held_duties
from hub.console.views import episode_timeline, outbox, unroutable
from hub.contracts.personal import REDACTED
from hub.routing.directory import load_directory
from hub.routing.facts import Episode
from hub.routing.rules.strategy import dated_by_the_birthday
from hub.scheduler import RetentionJob
from hub.service.answers import answer_on_behalf
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.service.rerouting import HELD
from hub.settings import RetentionSettings
from hub.store import retention
from hub.store.database import make_engine, migrate, sessions
from hub.store.models import (
    AuditEntry,
    ChildRecord,
    InboundEvent,
    OutboxMessage,
    RejectedMessage,
    RoutingDecision,
    TimerRecord,
)
from hub.store.outcomes import STATE, load_children
from hub.store.retention import REDACTED_REASON, apply_retention
from tests.console.conftest import parts_over
from tests.helpers import example
from tests.pipeline.records import (
    luton_missing_notice_naming_no_episode,
    misper_record,
    raw_record,
    record_of,
)
from tests.pipeline.scheduling import fired_on_time

DIRECTORY = load_directory()
REPORTED = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
FOUND = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)  # the example found report's time
POLICY = RetentionSettings()  # the documented defaults: 180 days after found
Store = sessionmaker[Session]


def found_report() -> dict[str, object]:
    return example("05-found-report")


def missing_then_found(store: Store) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    apply_batch(store, [record_of(found_report(), "inbound.found-report")], DIRECTORY, FOUND)


def missing_again(episode_id: str, reported_at: datetime) -> Record:
    """The same child reported missing again, two hours before `reported_at`."""
    return misper_record(
        id="evt-police-0100",
        data={
            "episode_id": episode_id,
            "reported_at": reported_at.isoformat(),
            "missing_since": (reported_at - timedelta(hours=2)).isoformat(),
        },
    )


def count(store: Store, model: type, *where: Any) -> int:
    with store() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def run(store: Store, days_after_found: int, dry_run: bool = False) -> dict[str, int]:
    done = apply_retention(
        store, POLICY, FOUND + timedelta(days=days_after_found), "test", dry_run=dry_run
    )
    return done.counts()


def test_a_found_childs_personal_data_is_kept_until_its_time(store: Store) -> None:
    missing_then_found(store)
    assert run(store, 179)["episodes_retired"] == 0
    with store() as session:
        [report] = session.scalars(
            select(InboundEvent.body).where(InboundEvent.ce_type.contains("misper"))
        )
    assert report["child"]["name"] == "Jordan Example"


def test_then_the_episode_is_redacted_and_the_routing_log_kept_without_it(store: Store) -> None:
    missing_then_found(store)
    decisions = count(store, RoutingDecision)
    done = run(store, 181)
    assert done["episodes_retired"] == 1
    assert done["events_redacted"] == 2
    with store() as session:
        bodies = session.scalars(select(InboundEvent.body)).all()
        state = STATE.validate_python(session.scalar(select(ChildRecord.state)))
        particulars = session.scalars(select(RoutingDecision.child)).all()
    report = next(body for body in bodies if "child" in body)
    assert report["child"]["name"] == REDACTED
    assert report["circumstances"] == REDACTED
    assert report["child_id"] == "CF-100231"  # the routing log still joins on it
    assert report["risk_level"] == "medium"
    assert count(store, RoutingDecision) == decisions
    assert particulars == [None] * decisions
    assert state.episodes == ()
    [retired] = state.retired
    assert (retired.episode_id, retired.found_at) == ("EP-2026-0412", FOUND)
    assert count(store, TimerRecord, TimerRecord.status == "pending") == 0


def test_a_report_the_hub_read_otherwise_is_redacted_as_it_was_sent(store: Store) -> None:
    """The raw record keeps what the force sent (docs/contracts.md): a child graded low (6.5)
    and a start and last sighting after the report (7.22) stay so, without the child."""
    ahead = "2026-11-20T18:45:00Z"  # five minutes after the report
    seen = {"place": "Home", "at": ahead}
    sent = {"risk_level": "low", "missing_since": ahead, "last_seen": seen}
    apply_batch(store, [misper_record(data=sent)], DIRECTORY, REPORTED)
    apply_batch(store, [record_of(found_report(), "inbound.found-report")], DIRECTORY, FOUND)
    assert run(store, 181)["episodes_retired"] == 1
    with store() as session:
        [report] = session.scalars(
            select(InboundEvent.body).where(InboundEvent.ce_type.contains("misper"))
        )
    assert (report["risk_level"], report["missing_since"]) == ("low", ahead)
    assert report["last_seen"] == {"place": REDACTED, "at": ahead}
    assert report["child"]["name"] == REDACTED


def test_the_eighteenth_birthday_timer_goes_with_the_episode(store: Store) -> None:
    """Its due is the child's date of birth, 18 years on: kept, it outlived the rest."""
    missing_then_found(store)
    birthday = TimerRecord.name == "eighteenth_birthday"
    assert count(store, TimerRecord, birthday) == 1
    run(store, 181)
    assert count(store, TimerRecord, birthday) == 0


AT_18_FOUND = datetime(2027, 2, 1, tzinfo=UTC)


def missing_past_eighteen(store: Store) -> Episode:
    """6.8: missing on 20 November, 18 on 19 January, the timers fired to 1 February; the
    episode as it then is."""
    child = {"name": "Jordan Example", "date_of_birth": "2009-01-19", "sex": "male"}
    apply_batch(store, [misper_record(data={"child": child})], DIRECTORY, REPORTED)
    fired_on_time(store, DIRECTORY, AT_18_FOUND)
    with store() as session:
        [episode] = STATE.validate_python(session.scalar(select(ChildRecord.state))).episodes
    return episode


def found_on_1_february(store: Store) -> None:
    report = example("05-found-report")
    report["data"]["found_at"] = AT_18_FOUND.isoformat()
    apply_batch(store, [record_of(report, "inbound.found-report")], DIRECTORY, AT_18_FOUND)


def test_the_meeting_at_18s_follow_up_goes_with_the_episode(store: Store) -> None:
    """6.8: missing past the eighteenth birthday, then found. The meeting decided on the
    birthday was followed up a window on: kept, that timer dated the birthday within a day,
    and with the episode's duties gone from the state nothing told it from the others."""
    episode = missing_past_eighteen(store)
    found_at = AT_18_FOUND
    [sequence] = [
        n
        for n, duty in enumerate(episode.duties, start=1)
        if duty.action == "hold_missing_child_meeting"
    ]
    its_follow_up = (TimerRecord.name == "duty_follow_up", TimerRecord.sequence == sequence)
    assert count(store, TimerRecord, *its_follow_up) == 1
    found_on_1_february(store)
    follow_ups = count(store, TimerRecord, TimerRecord.name == "duty_follow_up")
    apply_retention(store, POLICY, found_at + timedelta(days=181), "test")
    assert count(store, TimerRecord, *its_follow_up) == 0
    assert count(store, TimerRecord, TimerRecord.name == "duty_follow_up") == follow_ups - 1


def test_the_meeting_at_18_and_its_escalations_leave_the_routing_log_with_the_episode(
    store: Store,
) -> None:
    """6.8: the meeting decided on the eighteenth birthday, and its escalations hours on,
    date the child's birth, as its timer did (docs/console.md keeps their times back): once
    the episode retires, the routing log keeps its other decisions, not these."""
    episode = missing_past_eighteen(store)
    dated = {d.notification_id for d in episode.duties if dated_by_the_birthday(d, episode)}
    meeting = [d.action for d in episode.duties if d.notification_id in dated]
    assert meeting == ["hold_missing_child_meeting"]  # not yet escalated
    found_on_1_february(store)
    with store() as session:
        logged = set(session.scalars(select(RoutingDecision.notification_id)))
    assert dated <= logged
    done = apply_retention(store, POLICY, AT_18_FOUND + timedelta(days=181), "test")
    with store() as session:
        kept = set(session.scalars(select(RoutingDecision.notification_id)))
    assert kept == logged - dated
    assert done.counts()["decisions_deleted"] == len(dated)


def test_an_answer_to_the_meeting_at_18_dates_the_birthday_no_more_once_the_episode_goes(
    store: Store,
) -> None:
    """6.8: the Assistant Director picks up the meeting decided on the eighteenth birthday
    an hour on. Its acknowledgement, naming the meeting's notification, is kept back from a
    masked timeline (docs/console.md); once the episode retires, the meeting's decision goes
    (its time dates the birth) and nothing told the acknowledgement from any other: a masked
    timeline showed it, an hour after the birthday, and a revealed one the birth retention
    removed."""
    missing_past_eighteen(store)
    with store() as session:
        meeting = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == "hold_missing_child_meeting")
        ).one()
    an_hour_on = meeting.decided_at + timedelta(hours=1)
    answer = example("09-duty-acknowledged")
    answer["data"].update(
        notification_id=meeting.notification_id,
        answered_by=meeting.authority,
        acknowledged_at=an_hour_on.isoformat(),
    )
    topic = "inbound.duty-acknowledged"
    assert apply_batch(store, [record_of(answer, topic)], DIRECTORY, AT_18_FOUND).applied == 1
    found_on_1_february(store)
    apply_retention(store, POLICY, AT_18_FOUND + timedelta(days=181), "test")
    with store() as session:
        masked = episode_timeline(session, "EP-2026-0412")
        revealed = episode_timeline(session, "EP-2026-0412", reveal=True)
    assert masked.entries  # the episode's other events and decisions stay
    for timeline in (masked, revealed):  # revealed: the birth retention removed
        assert meeting.notification_id not in timeline.model_dump_json()
        assert an_hour_on not in {entry.at for entry in timeline.entries}


def test_the_meeting_at_18_still_waiting_to_be_sent_dates_the_birthday_no_more_once_it_goes(
    store: Store,
) -> None:
    """6.8: the meeting decided on the eighteenth birthday is still waiting in the outbox (its
    recipient's topic failing) when the episode retires. The outbox lists it without when it
    was queued or tried (docs/console.md); its decision gone with the episode, nothing told
    it from any other row, and the outbox showed it queued on the birthday."""
    missing_past_eighteen(store)
    with store() as session:
        meeting = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == "hold_missing_child_meeting")
        ).one()
    found_on_1_february(store)
    apply_retention(store, POLICY, AT_18_FOUND + timedelta(days=181), "test")
    with store() as session:
        _, waiting = outbox(session)
    [listed] = [e for e in waiting if e.message_id.endswith(meeting.notification_id)]
    assert (listed.id, listed.created_at, listed.attempts) == (None, None, None)
    # nor is it retried by its number, as a row not waiting (its number would date it)
    with store() as session:
        number = session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.message_id == listed.message_id)
        ).one()
    parts = parts_over(store, DIRECTORY, ManualClock(AT_18_FOUND + timedelta(days=181)))
    try:
        retried = asyncio.run(retry_deliveries(parts, "olive", [number]))
    finally:
        parts.close()
    assert (retried.sent, retried.still_failing, retried.not_pending) == ([], {}, [number])


def test_a_failed_timer_of_a_retired_episode_is_settled_with_it(store: Store) -> None:
    """A timer that failed to fire waits for ops; once its episode is retired there is
    nothing to fire it for, and left failed it kept the health page red for ever."""
    missing_then_found(store)
    with store.begin() as session:
        timer = session.scalars(select(TimerRecord).where(TimerRecord.status == "pending"))
        next(iter(timer)).status = "failed"
    run(store, 181)
    assert count(store, TimerRecord, TimerRecord.status == "failed") == 0


def test_a_child_still_missing_is_never_touched(store: Store) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    assert run(store, 3650)["episodes_retired"] == 0
    with store() as session:
        [body] = session.scalars(select(InboundEvent.body)).all()
    assert body["child"]["name"] == "Jordan Example"


def test_a_child_missing_again_the_very_minute_it_was_found_is_never_touched(
    store: Store,
) -> None:
    """Found, then reported missing again from the very minute of the finding: the hub
    searches for the child under the second report (1.4: it may be missing). Only the first
    episode goes in its time; the second, taken as come back from at that minute, went too."""
    missing_then_found(store)
    again = misper_record(
        id="evt-police-0100",
        data={
            "episode_id": "EP-2026-0500",
            "reported_at": (FOUND + timedelta(hours=1)).isoformat(),
            "missing_since": FOUND.isoformat(),
        },
    )
    assert apply_batch(store, [again], DIRECTORY, FOUND + timedelta(hours=1)).applied == 1
    assert run(store, 3650)["episodes_retired"] == 1
    with store() as session:
        state = STATE.validate_python(session.scalar(select(ChildRecord.state)))
    assert [e.episode_id for e in state.episodes] == ["EP-2026-0500"]


def test_a_run_reads_only_the_children_whose_row_says_one_came_back_in_time(
    store: Store,
) -> None:
    """Each child's row says when the child came back from the first episode it still holds
    (`earliest_return`, written with the state), and a run reads those past its cutoff
    alone, not every state of the store: a child whose row says none came back is not read,
    though its state says found in time. Retired, the row says none again."""
    missing_then_found(store)
    with store() as session:
        assert session.scalar(select(ChildRecord.earliest_return)) == FOUND
    with store.begin() as session:  # as no writer of this hub leaves it
        session.execute(update(ChildRecord).values(earliest_return=None))
    assert run(store, 181)["episodes_retired"] == 0
    with store.begin() as session:
        session.execute(update(ChildRecord).values(earliest_return=FOUND))
    assert run(store, 181)["episodes_retired"] == 1
    with store() as session:
        assert session.scalar(select(ChildRecord.earliest_return)) is None


def test_a_missing_child_is_never_touched_whatever_its_row_says(store: Store) -> None:
    """The row only chooses whom to read: the state, read again once locked, decides, and
    a child still missing (1.4) keeps its data though its row said it came back long ago."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    with store.begin() as session:
        session.execute(update(ChildRecord).values(earliest_return=REPORTED))
    assert run(store, 3650)["episodes_retired"] == 0
    with store() as session:
        [body] = session.scalars(select(InboundEvent.body)).all()
    assert body["child"]["name"] == "Jordan Example"


def test_children_due_are_read_a_chunk_at_a_time_none_left_out(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three children found, two at the same minute, and one missing: read two at a time
    by when each came back, every found one is counted by a dry run (which leaves their
    rows as they were) and retired by a run, and the missing one never."""
    monkeypatch.setattr(retention, "CHUNK", 2)
    for child, found_at in (("CF-1", FOUND), ("CF-2", FOUND), ("CF-3", FOUND - timedelta(days=1))):
        data = {"child_id": child, "episode_id": f"EP-{child}"}
        apply_batch(store, [misper_record(id=f"evt-{child}", data=data)], DIRECTORY, REPORTED)
        found = example("05-found-report")
        found["id"] = f"evt-found-{child}"
        found["data"].update(child_id=child, episode_id=f"EP-{child}")
        apply_batch(store, [record_of(found, "inbound.found-report")], DIRECTORY, found_at)
    data = {"child_id": "CF-4", "episode_id": "EP-CF-4"}
    apply_batch(store, [misper_record(id="evt-CF-4", data=data)], DIRECTORY, REPORTED)
    assert run(store, 181, dry_run=True)["episodes_retired"] == 3  # the rows left in place
    assert run(store, 181)["episodes_retired"] == 3
    with store() as session:
        held = {
            c: len(STATE.validate_python(s).episodes)
            for c, s in session.execute(select(ChildRecord.child_id, ChildRecord.state))
        }
    assert held == {"CF-1": 0, "CF-2": 0, "CF-3": 0, "CF-4": 1}


def test_a_dry_run_counts_and_changes_nothing(store: Store) -> None:
    missing_then_found(store)
    dry = run(store, 181, dry_run=True)
    assert dry["episodes_retired"] == 1
    assert count(store, InboundEvent, InboundEvent.redacted_at.is_not(None)) == 0
    assert count(store, AuditEntry) == 0
    assert run(store, 181) == dry  # what it said it would do


def test_a_dry_run_counts_a_placement_notice_going_with_the_childs_episode_once(
    store: Store,
) -> None:
    """The placement notice, about no episode, goes with the placed child's episode: the
    dry run must not count it again among the notices of children with none due."""
    placed_missing_then_found(store)
    dry = run(store, 181, dry_run=True)
    assert dry["events_redacted"] == 3  # the notice, the MISPER report, the found report
    assert run(store, 181) == dry


def test_a_second_run_changes_nothing_and_each_run_that_did_is_audited(store: Store) -> None:
    missing_then_found(store)
    run(store, 181)
    assert not any(run(store, 182).values())
    with store() as session:
        [audit] = session.scalars(select(AuditEntry)).all()
    assert (audit.who, audit.action) == ("test", "retention")
    assert "episodes retired: 1" in audit.outcome


def test_the_child_missing_again_later_is_still_known_to_have_gone_missing_before(
    store: Store,
) -> None:
    """3.3's forms go on a first episode only, and 7.17 counts repeats: a retired episode
    still counts, without its personal data."""
    missing_then_found(store)
    run(store, 181)
    later = FOUND + timedelta(days=200)
    again = missing_again("EP-2027-0001", later)
    assert apply_batch(store, [again], DIRECTORY, later).applied == 1
    with store() as session:
        state = STATE.validate_python(session.scalar(select(ChildRecord.state)))
    assert state.history == 2
    assert len(state.episodes) == 1


def test_sent_notifications_refused_bodies_and_reveal_reasons_go_in_their_time(
    store: Store,
) -> None:
    missing_then_found(store)
    apply_batch(store, [raw_record(b"{not json")], DIRECTORY, FOUND)
    sent_at = FOUND
    with store.begin() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.status, row.sent_at = "sent", sent_at
        record(session, FOUND, "ops", "reveal", "EP-2026-0412", "reason: the child's name is …")
    done = run(store, 365)
    assert done["notifications_deleted"] > 0
    assert count(store, OutboxMessage) == 0
    assert done["refusals_emptied"] == 1
    with store() as session:
        [refused] = session.scalars(select(RejectedMessage)).all()
        reasons = session.scalars(
            select(AuditEntry.outcome).where(AuditEntry.action == "reveal")
        ).all()
    assert (refused.value, refused.status) == (None, "expired")
    assert refused.problems  # why it was refused stays
    assert reasons == [REDACTED_REASON]


def test_a_refused_message_with_no_body_loses_its_headers_and_expires_in_its_time(
    store: Store,
) -> None:
    """A tombstone (no value) refused as a bad message: its headers, which may name the
    child, go in their time all the same, and it is no longer replayable."""
    tombstone = raw_record(None, ce_subject=b"Jordan Example")
    apply_batch(store, [tombstone], DIRECTORY, FOUND)
    assert run(store, 90, dry_run=True)["refusals_emptied"] == 1
    assert run(store, 90)["refusals_emptied"] == 1
    with store() as session:
        [refused] = session.scalars(select(RejectedMessage)).all()
    assert (refused.value, refused.headers, refused.status) == (None, [], "expired")
    assert refused.problems  # why it was refused stays
    assert not any(run(store, 91).values())


@pytest.mark.parametrize("action", ["acknowledge_duty", "complete_duty"])
def test_a_reason_given_for_answering_on_an_agencys_behalf_goes_in_its_time(
    store: Store, action: str
) -> None:
    """docs/answers.md: an operator's reason for recording an answer may name the child."""
    missing_then_found(store)
    with store.begin() as session:
        record(session, FOUND, "ops", action, "a-notification", "reason: rang Jordan's carer")
    run(store, 365)
    with store() as session:
        reasons = session.scalars(select(AuditEntry.outcome).where(AuditEntry.action == action))
        assert list(reasons) == [REDACTED_REASON]


def test_an_answer_on_an_agencys_behalf_that_was_refused_stays_refused_in_the_audit_trail(
    store: Store,
) -> None:
    """docs/answers.md: the attempt is kept either way; refused, its line says why and holds
    no reason of the operator's (none was recorded). Nothing in it to redact: rewritten as a
    redacted reason, the trail would come to say the answer was recorded."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    with store() as session:
        forms = session.scalars(
            select(RoutingDecision.notification_id).where(
                RoutingDecision.action == "complete_incident_and_location_forms"
            )
        ).one()
    answered = REPORTED + timedelta(hours=1)
    for reason in ("rang Jordan's carer", "rang Jordan's carer again"):
        answer_on_behalf(store, DIRECTORY, forms, "done", "ops", reason, answered)
    apply_batch(store, [record_of(found_report(), "inbound.found-report")], DIRECTORY, FOUND)
    with store() as session:
        outcomes = session.scalars(select(AuditEntry.outcome).order_by(AuditEntry.id)).all()
    [recorded, refused] = outcomes
    assert (recorded, refused[:9]) == ("reason: rang Jordan's carer", "refused: ")
    assert run(store, 365)["reasons_redacted"] == 1
    with store() as session:
        kept = session.scalars(select(AuditEntry.outcome).order_by(AuditEntry.id)).all()
    assert kept[:2] == [REDACTED_REASON, refused]


def test_sent_notifications_go_a_chunk_per_transaction_and_only_those_past_their_time(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large outbox is never deleted in one long transaction; a notification sent within
    the policy's days, or not yet sent, stays."""
    missing_then_found(store)
    with store.begin() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for row in rows[:-2]:
            row.status, row.sent_at = "sent", FOUND
        rows[-2].status, rows[-2].sent_at = "sent", FOUND + timedelta(days=360)
        expired, kept = len(rows) - 2, [rows[-2].id, rows[-1].id]
    monkeypatch.setattr(retention, "SENT_CHUNK", 2)
    deleted: list[int] = []  # rows each DELETE FROM outbox removed
    per_transaction: list[int] = []  # how many such DELETEs each committed transaction ran

    def deleting(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("DELETE FROM outbox"):
            deleted.append(cursor.rowcount)

    def committing(conn: Any) -> None:
        per_transaction.append(len(deleted) - sum(per_transaction))

    event.listen(Engine, "after_cursor_execute", deleting)
    event.listen(Engine, "commit", committing)
    try:
        done = run(store, 365)
    finally:
        event.remove(Engine, "after_cursor_execute", deleting)
        event.remove(Engine, "commit", committing)
    assert expired > 2
    assert done["notifications_deleted"] == expired
    assert sum(deleted) == expired
    assert max(deleted) <= 2
    assert max(per_transaction) == 1
    with store() as session:
        assert session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all() == kept


def test_a_held_duty_keeps_its_particulars_until_the_episode_goes(store: Store) -> None:
    """A duty held for an authority the directory does not know keeps what it would have
    sent (for ops to route it); the other decisions never held any."""
    unknown = misper_record(data={"residence_authority": "wiltshre"})
    apply_batch(store, [unknown], DIRECTORY, REPORTED)
    apply_batch(store, [record_of(found_report(), "inbound.found-report")], DIRECTORY, FOUND)
    with store() as session:
        held = [c for c in session.scalars(select(RoutingDecision.child)) if c is not None]
    assert held
    assert run(store, 181)["decisions_stripped"] == len(held)
    with store() as session:
        assert set(session.scalars(select(RoutingDecision.child))) == {None}


def test_a_placement_notice_goes_in_its_time_though_it_is_about_no_episode(store: Store) -> None:
    placed = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    notice = record_of(example("08-cross-border-notice"), "inbound.cross-border-notice")
    assert apply_batch(store, [notice], DIRECTORY, placed).applied == 1
    assert run(store, 150)["events_redacted"] == 0  # 172 days after it arrived
    assert run(store, 200)["events_redacted"] == 1
    with store() as session:
        [body] = session.scalars(select(InboundEvent.body)).all()
    assert body["placed_child"]["name"] == REDACTED
    assert body["child_id"] == "LEI-558812"


def placement_kept(store: Store, child_id: str) -> Any:
    with store() as session:
        return load_children(session, [child_id])[child_id].placed_here


def placed_missing_then_found(store: Store) -> None:
    """Leicestershire's child placed here (8.9), reported missing naming no placing
    authority (the notice confirmed by the date of birth), then found."""
    notice = record_of(example("08-cross-border-notice"), "inbound.cross-border-notice")
    apply_batch(store, [notice], DIRECTORY, datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    report = misper_record(
        data={
            "child_id": "LEI-558812",
            "child": {"name": "Riley Placed", "date_of_birth": "2010-07-02", "sex": "female"},
            "responsible_authority": None,
            "residence_authority": "northamptonshire",
            "allocated_worker": None,
        }
    )
    apply_batch(store, [report], DIRECTORY, REPORTED)
    back = found_report()
    back["data"]["child_id"] = "LEI-558812"  # type: ignore[index]
    apply_batch(store, [record_of(back, "inbound.found-report")], DIRECTORY, FOUND)


def test_8_9_the_placed_childs_date_of_birth_goes_with_the_placement_notice(store: Store) -> None:
    """8.9: the child's state keeps the notice's date of birth until a MISPER report confirms
    the notice is of this child; none came: it goes when the notice is redacted, who placed
    the child and when staying."""
    notice = record_of(example("08-cross-border-notice"), "inbound.cross-border-notice")
    apply_batch(store, [notice], DIRECTORY, datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    run(store, 150)
    assert placement_kept(store, "LEI-558812").date_of_birth is not None  # not yet its time
    run(store, 200)
    kept = placement_kept(store, "LEI-558812")
    assert (kept.authority, kept.date_of_birth) == ("leicestershire", None)


def test_8_9_a_confirmed_placement_keeps_its_date_of_birth_until_the_notice_goes(
    store: Store,
) -> None:
    """8.9: a MISPER report naming no placing authority confirms Leicestershire's notice is
    of this child; the date of birth stays to compare the next report with, and goes with the
    notice when the episode retires. Confirmed, the placement is still taken."""
    placed_missing_then_found(store)
    confirmed = placement_kept(store, "LEI-558812")
    assert (confirmed.checked, confirmed.date_of_birth) == (True, date(2010, 7, 2))
    run(store, 181)
    kept = placement_kept(store, "LEI-558812")
    assert (kept.authority, kept.checked, kept.date_of_birth) == ("leicestershire", True, None)


def test_8_9_a_placement_notice_after_the_childs_return_goes_in_its_own_time(store: Store) -> None:
    """The child found on 24 November; 170 days on, Leicestershire tells us it has placed
    the child here (8.9). When the episode retires, 181 days after the return, the notice
    is 11 days old: it stays, with the date of birth a MISPER report naming no placing
    authority is checked against, until 180 days after it arrived. It went with the
    episode, and so did that date of birth: the next such report was routed as ours, the
    MCT asked to check the notice, not Leicestershire's child at once (8.10)."""
    missing_then_found(store)
    arrived = FOUND + timedelta(days=170)
    notice = example("08-cross-border-notice")
    notice["time"] = notice["data"]["occurred_at"] = arrived.isoformat()
    notice["data"]["child_id"] = "CF-100231"
    apply_batch(store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, arrived)
    assert run(store, 181)["episodes_retired"] == 1
    with store() as session:
        [body] = session.scalars(
            select(InboundEvent.body).where(InboundEvent.ce_type.contains("cross-border"))
        ).all()
    assert body["placed_child"]["name"] == "Riley Placed"
    assert placement_kept(store, "CF-100231").date_of_birth is not None
    run(store, 351)  # 181 days after it arrived
    assert placement_kept(store, "CF-100231").date_of_birth is None


def test_a_placement_notice_naming_an_episode_the_hub_never_had_goes_in_its_time(
    store: Store,
) -> None:
    notice = example("08-cross-border-notice")
    notice["data"]["episode_id"] = "EP-NEVER-REPORTED"
    placed = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    apply_batch(store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, placed)
    assert run(store, 200)["events_redacted"] == 1
    with store() as session:
        [body] = session.scalars(select(InboundEvent.body)).all()
    assert body["placed_child"]["name"] == REDACTED


PLACED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def our_notice_to_a_misspelt_authority(store: Store, child_id: str) -> None:
    """7.14 to "kentt": the duty is held for ops with the child's particulars."""
    notice = example("08-cross-border-notice")
    notice["source"] = "/la/northamptonshire/carefirst"
    notice["data"].update(
        child_id=child_id, from_authority="northamptonshire", to_authority="kentt"
    )
    apply_batch(store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, PLACED)


def keeping_particulars(store: Store) -> int:
    with store() as session:
        return sum(1 for d in session.scalars(select(RoutingDecision)) if d.held and d.child)


def test_a_duty_held_from_our_placement_notice_loses_the_childs_particulars_in_time(
    store: Store,
) -> None:
    """7.14: our notice to a host authority misspelt ("kentt"): the duty is held for ops
    with the child's particulars, which go with the notice."""
    our_notice_to_a_misspelt_authority(store, "LEI-558812")  # a child with no episode
    assert keeping_particulars(store) == 1
    run(store, 150)
    assert keeping_particulars(store) == 1  # not yet its time
    assert run(store, 200)["decisions_stripped"] == 1
    assert keeping_particulars(store) == 0


def test_a_duty_held_from_our_placement_notice_goes_with_the_childs_episode(store: Store) -> None:
    """7.14: the same held notice, about a child of ours who then goes missing and is found:
    the notice is redacted when the episode retires, and the held duty's particulars too."""
    our_notice_to_a_misspelt_authority(store, "CF-100231")  # the child of misper_record
    missing_then_found(store)
    assert run(store, 200)["episodes_retired"] == 1
    assert keeping_particulars(store) == 0


def test_a_duty_held_from_a_notice_redacted_before_it_could_be_stripped_loses_them_too(
    store: Store,
) -> None:
    """Retention before 63a9b30 redacted such a notice with the episode and left its held
    duty the particulars: the next run strips them."""
    our_notice_to_a_misspelt_authority(store, "CF-100231")
    with store.begin() as session:  # as the earlier retention left it
        for event in session.scalars(select(InboundEvent)):
            event.redacted_at = PLACED
    assert run(store, 1)["decisions_stripped"] == 1
    assert keeping_particulars(store) == 0


def held_names(store: Store) -> list[tuple[str | None, str | None, str | None]]:
    """Each held duty's field, what the sender wrote there, and why it is held."""
    with store() as session:
        rows = session.scalars(select(RoutingDecision).where(HELD))
        return sorted((d.unroutable_field, d.unroutable_named, d.unroutable_reason) for d in rows)


def test_what_the_sender_wrote_for_an_unknown_authority_goes_with_the_episode(
    store: Store,
) -> None:
    """7.14: "wiltshre" may be anything a sender typed where an authority's name should be,
    a child's name or address by mistake: it goes with the episode's personal data, as the
    held duty's particulars do, the field and why it was held staying for ops."""
    unknown = misper_record(data={"residence_authority": "wiltshre"})
    apply_batch(store, [unknown], DIRECTORY, REPORTED)
    apply_batch(store, [record_of(found_report(), "inbound.found-report")], DIRECTORY, FOUND)
    before = held_names(store)
    assert {named for _, named, _ in before} == {"wiltshre"}
    run(store, 181)
    assert held_names(store) == [(field, REDACTED, why) for field, _, why in before]
    with store() as session:
        _, duties = unroutable(session)  # the console's page, API and `hub unroutable`
    assert {(d.field, d.named) for d in duties} == {("data.residence_authority", REDACTED)}
    assert run(store, 182)["decisions_stripped"] == 0  # done once


def test_what_our_placement_notice_named_the_host_goes_with_the_notice(store: Store) -> None:
    """7.14: "kentt" goes when the notice does, 180 days after it arrived."""
    our_notice_to_a_misspelt_authority(store, "LEI-558812")  # a child with no episode
    run(store, 150)
    assert {named for _, named, _ in held_names(store)} == {"kentt"}  # not yet its time
    run(store, 200)
    assert {named for _, named, _ in held_names(store)} == {REDACTED}


def test_a_held_duty_whose_party_s_name_went_is_settled_when_ops_route_them(
    store: Store,
) -> None:
    """With "kentt" redacted no directory names the host now: routed again, the duty is
    logged as routed to no one and not sent, and leaves the held duties (and health)."""
    our_notice_to_a_misspelt_authority(store, "LEI-558812")
    run(store, 200)
    clock = ManualClock(FOUND + timedelta(days=200))
    report = route_held_duties(store, "ops", DIRECTORY, clock)
    assert (len(report.not_sent), report.routed, report.still_held) == (1, {}, {})
    assert held_names(store) == []
    assert count(store, OutboxMessage, OutboxMessage.topic.contains("kent")) == 0


def test_what_a_sender_wrote_kept_by_an_earlier_run_goes_at_the_next(store: Store) -> None:
    """Retention before this kept it when it stripped the particulars: the next run
    redacts it, as it strips a held duty's particulars left behind."""
    our_notice_to_a_misspelt_authority(store, "CF-100231")
    with store.begin() as session:  # as the earlier retention left it
        for event in session.scalars(select(InboundEvent)):
            event.redacted_at = PLACED
        session.execute(update(RoutingDecision).values(child=None))
    assert run(store, 1)["decisions_stripped"] == 1
    assert {named for _, named, _ in held_names(store)} == {REDACTED}


def test_a_resend_of_a_redacted_event_is_still_known_by_its_digest(store: Store) -> None:
    """docs/retention.md: the redacted placement notice's body_sha256 is of its body as
    sent, kept so that the sender's resend of it is a duplicate, not the notice applied
    again (the child's name stored, the host notified twice), and a different body under
    its id still a conflicting resend."""
    notice = record_of(example("08-cross-border-notice"), "inbound.cross-border-notice")
    apply_batch(store, [notice], DIRECTORY, PLACED)
    run(store, 200)
    later = FOUND + timedelta(days=201)
    assert apply_batch(store, [notice], DIRECTORY, later).duplicates == 1
    changed = example("08-cross-border-notice")
    changed["data"]["placed_child"]["name"] = "Riley Other"
    resent = record_of(changed, "inbound.cross-border-notice")
    assert apply_batch(store, [resent], DIRECTORY, later).rejected == 1
    assert count(store, InboundEvent) == 1


def test_a_notification_still_waiting_to_be_sent_is_kept_until_it_is(store: Store) -> None:
    """docs/retention.md: the outbox keeps a notification until it is sent, whatever its
    episode: one never delivered is still owed to its recipient, its episode retired or not."""
    missing_then_found(store)
    waiting = count(store, OutboxMessage, OutboxMessage.status == "pending")
    assert waiting
    assert run(store, 181)["notifications_deleted"] == 0
    assert count(store, OutboxMessage, OutboxMessage.status == "pending") == waiting


def test_a_notification_refused_by_the_relay_goes_when_a_sent_one_would(store: Store) -> None:
    """Never sent (its topic outside the directory), it still holds the child's details."""
    missing_then_found(store)
    with store.begin() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.status, row.created_at = "refused", FOUND
    run(store, 59)
    assert count(store, OutboxMessage) > 0
    run(store, 61)
    assert count(store, OutboxMessage) == 0


def test_a_late_event_about_a_retired_episode_is_refused_not_held(store: Store) -> None:
    """Nothing will come for it to wait for: its MISPER report has been retired."""
    missing_then_found(store)
    run(store, 181)
    late = example("07-return-interview")
    late["id"] = "evt-late-ri"
    later = FOUND + timedelta(days=182)
    result = apply_batch(store, [record_of(late, "inbound.return-interview")], DIRECTORY, later)
    assert (result.rejected, result.held) == (1, 0)
    with store() as session:
        [refusal] = session.scalars(select(RejectedMessage)).all()
    assert "retention" in refusal.problems[0]["reason"]


@pytest.mark.parametrize("kind", ["child_missing", "child_found"])
def test_a_host_authority_s_late_notice_about_a_retired_episode_is_checked_by_the_mct(
    store: Store, kind: str
) -> None:
    """8.4: Luton's notice about the child placed there, naming the episode retired. Of it
    the hub no longer knows the host, so Luton may be a stranger: refused, it would learn the
    child was once missing (docs/security.md). Nor is it taken as news of a child with no
    MISPER report: the MCT alone is told, to check it with Luton, and Luton nothing."""
    missing_then_found(store)
    run(store, 181)
    notice = example("08-cross-border-notice")
    notice["id"] = f"evt-late-{kind}"
    notice["source"] = "/la/luton/childrens-services"
    notice["data"] = {
        "notice_id": f"LUT-{kind}",
        "kind": kind,
        "child_id": "CF-100231",
        "episode_id": "EP-2026-0412",
        "from_authority": "luton",
        "to_authority": "northamptonshire",
        "occurred_at": "2027-05-25T09:00:00Z",
    }
    later = FOUND + timedelta(days=182)
    before = count(store, RoutingDecision)
    result = apply_batch(
        store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, later
    )
    assert (result.applied, count(store, RoutingDecision)) == (1, before + 1)
    with store() as session:
        told = session.scalars(select(OutboxMessage.topic)).all()
        checks = session.scalars(
            select(RoutingDecision.episode_id).where(
                RoutingDecision.action == "check_cross_border_notice"
            )
        ).all()
    assert checks == [f"placement:LUT-{kind}"]
    assert not [topic for topic in told if topic.endswith(".refusals")]


def test_hub_retention_run_counts_then_applies_and_audits_the_operator(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing_then_found(store)
    with store.begin() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.status, row.sent_at = "sent", FOUND  # days ago, by the system clock
    sent = count(store, OutboxMessage)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HUB_RETENTION_SENT_NOTIFICATIONS_DAYS", "1")
    dry = CliRunner().invoke(app, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would change (dry run): " in dry.output
    assert f"notifications deleted: {sent}" in dry.output
    assert count(store, OutboxMessage) == sent
    done = CliRunner().invoke(app, ["retention", "run"])
    assert f"notifications deleted: {sent}" in done.output
    assert count(store, OutboxMessage) == 0
    with store() as session:
        [audit] = session.scalars(select(AuditEntry)).all()
    assert audit.who.startswith("cli:")


@pytest.mark.postgres
def test_a_run_does_not_wait_for_a_child_it_has_nothing_to_retire_of(postgres_url: str) -> None:
    """A consumer's batch holding a child found yesterday (its lock, FOR UPDATE) does not
    hold up the run, nor the run that batch: only a child with an episode due is locked
    (PostgreSQL, where each child is locked on its own)."""
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    try:
        missing_then_found(store)
        with ThreadPoolExecutor(1) as pool, store.begin() as consumer:
            load_children(consumer, ["CF-100231"])  # the batch holds the child
            running = pool.submit(apply_retention, store, POLICY, FOUND + timedelta(days=1), "t")
            done = running.result(timeout=10)  # before: waited for the batch to commit
        assert done.counts()["episodes_retired"] == 0
    finally:
        engine.dispose()


def placement_notice_of(child_id: str) -> Record:
    notice = example("08-cross-border-notice")
    notice["id"] = f"evt-placement-{child_id}"
    notice["data"].update(child_id=child_id, notice_id=f"PN-{child_id}")
    return record_of(notice, "inbound.cross-border-notice")


def waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
        )
    return bool(waiting)


def test_placement_notices_lock_their_children_in_the_consumers_order(postgres_url: str) -> None:
    """Two children placed here 200 days ago, neither missing: their notices go (8.9). A
    consumer's batch of both locks them in child-id order, as every writer does; retention
    locked them as their notices came (the later child first) and the two deadlocked, one
    of them failing. Now it waits for the batch, then redacts both (PostgreSQL)."""
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    try:
        apply_batch(store, [placement_notice_of("LEI-2")], DIRECTORY, PLACED)
        apply_batch(store, [placement_notice_of("LEI-1")], DIRECTORY, PLACED)
        with ThreadPoolExecutor(1) as pool:
            with store.begin() as consumer:
                load_children(consumer, ["LEI-1"])  # the batch's first child locked
                at = PLACED + timedelta(days=200)
                running = pool.submit(apply_retention, store, POLICY, at, "t")
                for _ in range(100):
                    if waiting_for_a_lock(engine):
                        break
                    time.sleep(0.05)
                load_children(consumer, ["LEI-2"])  # and its second: before, a deadlock
            done = running.result(timeout=10)
        assert done.counts()["events_redacted"] == 2
    finally:
        engine.dispose()


async def test_hub_run_s_scheduler_applies_the_policy_at_start(store: Store) -> None:
    missing_then_found(store)
    job = RetentionJob(store, POLICY, ManualClock(FOUND + timedelta(days=181)))
    stop = asyncio.Event()
    running = asyncio.create_task(job.run(stop))
    for _ in range(100):
        if count(store, AuditEntry, AuditEntry.action == "retention"):
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert count(store, InboundEvent, InboundEvent.redacted_at.is_not(None)) == 2


def test_the_routing_log_still_says_sent_after_the_outbox_row_goes(store: Store) -> None:
    """Retention deletes a sent notification's outbox row; the routing log ops trust must
    not then say it was never queued ("none"), nor the episode lose its delivery."""
    from hub.console.views import LogFilter, routing_log

    missing_then_found(store)
    sent_at = FOUND + timedelta(minutes=1)
    with store.begin() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.status, row.sent_at = "sent", sent_at
    with store() as session:
        before = routing_log(session, LogFilter(), per_page=500).entries
        delivered = [
            e
            for e in episode_timeline(session, "EP-2026-0412").entries
            if e.happening == "delivered"
        ]
    assert before
    assert {e.delivery for e in before if e.delivery != "unroutable"} == {"sent"}
    run(store, 365)
    assert count(store, OutboxMessage) == 0
    with store() as session:
        after = routing_log(session, LogFilter(), per_page=500).entries
        timeline = episode_timeline(session, "EP-2026-0412").entries
    assert [(e.notification_id, e.delivery, e.sent_at) for e in after] == [
        (e.notification_id, e.delivery, e.sent_at) for e in before
    ]
    assert [e for e in timeline if e.happening == "delivered"] == delivered


def test_an_episode_the_child_came_back_from_unreported_goes_in_its_time(store: Store) -> None:
    """One child is missing once at a time (1.4): missing again under a second report, and
    found under it, the child had come back from the first, never reported found. Its
    personal data goes when the second's does, not never."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    again_at = REPORTED + timedelta(days=2)
    apply_batch(store, [missing_again("EP-2026-0500", again_at)], DIRECTORY, again_at)
    found = example("05-found-report")
    found["id"] = "evt-police-0101"
    found["data"]["episode_id"] = "EP-2026-0500"
    apply_batch(store, [record_of(found, "inbound.found-report")], DIRECTORY, FOUND)
    assert run(store, 179)["episodes_retired"] == 0
    assert run(store, 181)["episodes_retired"] == 2
    with store() as session:
        bodies = session.scalars(
            select(InboundEvent.body).where(InboundEvent.ce_type.contains("misper"))
        ).all()
    assert [body["child"]["name"] for body in bodies] == [REDACTED, REDACTED]


def test_a_child_the_host_authority_says_has_returned_is_retired_in_its_time(
    store: Store,
) -> None:
    """8.4: our child placed in Luton is reported missing; Luton says the child has
    returned, and Bedfordshire Police's found report never comes. The episode's personal
    data goes 180 days after that return, as after a found report."""
    placed_out = {"legal_status": "looked_after", "residence_authority": "luton"}
    apply_batch(store, [misper_record(data=placed_out)], DIRECTORY, REPORTED)
    notice = example("08-cross-border-notice")
    notice["data"] = {
        "notice_id": "LUT-2026-0099",
        "kind": "child_found",
        "from_authority": "luton",
        "to_authority": "northamptonshire",
        "child_id": "CF-100231",
        "episode_id": "EP-2026-0412",
        "occurred_at": FOUND.isoformat(),
    }
    notice["id"], notice["source"] = "evt-luton-0099", "/la/luton/childrens-services"
    applied = apply_batch(
        store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, FOUND
    )
    assert applied.applied == 1
    assert run(store, 181)["episodes_retired"] == 1


NAME = "Peregrine Quillfeather"


def found_child_in_sqlite(tmp_path: Path) -> tuple[Engine, Store]:
    """A child named NAME missing and found, among 20 still missing whose rows share its
    pages, its notifications sent (they go after 60 days), on SQLite built not to zero
    deleted content (its own default; Debian's build zeroes it)."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    migrate(url)
    engine = make_engine(url)

    def built_not_to_zero(connection: Any, _: Any) -> None:
        connection.execute("PRAGMA secure_delete=OFF")

    event.listen(engine, "connect", built_not_to_zero, insert=True)  # before the hub's own
    store = sessions(engine)
    child = {"name": NAME, "date_of_birth": "2011-03-14", "sex": "male"}
    others = [
        misper_record(
            id=f"evt-other-{n}",
            data={"child_id": f"CF-9{n:05}", "episode_id": f"EP-2026-9{n:03}"},
        )
        for n in range(20)
    ]
    apply_batch(store, [misper_record(data={"child": child}), *others], DIRECTORY, REPORTED)
    apply_batch(store, [record_of(found_report(), "inbound.found-report")], DIRECTORY, FOUND)
    with store.begin() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.status, row.sent_at = "sent", FOUND
    return engine, store


def files_holding_the_name(tmp_path: Path) -> list[str]:
    files = [tmp_path / "hub.db", tmp_path / "hub.db-wal"]
    return [f.name for f in files if f.exists() and NAME.encode() in f.read_bytes()]


@pytest.mark.parametrize("written_to", ["hub.db-wal", "hub.db"])
def test_a_retired_childs_name_is_not_left_in_the_sqlite_files(
    tmp_path: Path, written_to: str
) -> None:
    """Section 5: once its time is up the child's personal data goes from the store, not
    just from its rows. SQLite keeps a deleted or overwritten row's bytes in the file's free
    space, and the pages as they were in the write-ahead log (and, until a checkpoint, in the
    file) until something overwrites them: the name redacted, `strings hub.db` still showed
    it. The child's rows still in the log, or already checkpointed into the file; whatever
    SQLite's build zeroes by default (its own default: nothing; Debian's: deleted content).
    PostgreSQL's dead tuples: docs/retention.md."""
    engine, store = found_child_in_sqlite(tmp_path)
    try:
        if written_to == "hub.db":  # as SQLite's own checkpoints do, in time
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert files_holding_the_name(tmp_path) == [written_to]
        assert run(store, 181)["episodes_retired"] == 1  # the hub still running
        left = files_holding_the_name(tmp_path)
    finally:
        engine.dispose()
    assert left == []


def test_a_name_left_in_the_log_by_a_busy_checkpoint_goes_at_the_next_run(
    tmp_path: Path,
) -> None:
    """Section 5: a reader holding SQLite's write-ahead log through the run that retired
    the child leaves its name there (the checkpoint gives up); the next run empties the log,
    though it has nothing of its own to remove."""
    engine, store = found_child_in_sqlite(tmp_path)
    try:
        with engine.connect() as reader:
            # A read transaction (begun on first use) holds the log until it ends.
            reader.exec_driver_sql("SELECT count(*) FROM child_states").all()
            assert run(store, 181)["episodes_retired"] == 1
            assert files_holding_the_name(tmp_path) == ["hub.db-wal"]
            reader.commit()
        assert run(store, 182)["episodes_retired"] == 0
        left = files_holding_the_name(tmp_path)
    finally:
        engine.dispose()
    assert left == []


def test_8_4_a_host_notice_naming_no_episode_goes_with_the_episode_it_was_read_as(
    store: Store,
) -> None:
    """Luton's missing notice names no episode (8.4): read as the child's one open episode,
    it is that episode's, kept as long as it is (7.17's look-back, 7.28's forum). The child,
    missing half a year, has just been found: the notice stays, and goes with the episode
    180 days after the return, not 180 days after it arrived."""
    went = FOUND - timedelta(days=200)
    placed_out = {
        "legal_status": "looked_after",
        "residence_authority": "luton",
        "reported_at": went.isoformat(),
        "missing_since": (went - timedelta(hours=2)).isoformat(),
    }
    apply_batch(store, [misper_record(data=placed_out)], DIRECTORY, went)
    read = luton_missing_notice_naming_no_episode(went)
    assert apply_batch(store, [read], DIRECTORY, went + timedelta(hours=1)).applied == 1
    apply_batch(store, [record_of(found_report(), "inbound.found-report")], DIRECTORY, FOUND)
    notices = InboundEvent.ce_type == retention.CROSS_BORDER_NOTICE
    run(store, 1)
    assert count(store, InboundEvent, notices, InboundEvent.redacted_at.is_not(None)) == 0
    run(store, 181)
    assert count(store, InboundEvent, notices, InboundEvent.redacted_at.is_(None)) == 0
