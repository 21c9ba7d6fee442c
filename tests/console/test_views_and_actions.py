"""What ops staff see and do, on SQLite and PostgreSQL: the routing log, a masked timeline,
deadlines, refusals grouped by cause, replay through the same checks, and the audit trail."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app as cli_app
from hub.clock import ManualClock
from hub.console.access import add_user, audit_trail, authenticate
from hub.console.actions import replay_refusals, reveal_episode, view_episode
from hub.console.context import Console
from hub.console.masking import HIDDEN
from hub.console.roles import Role
from hub.console.views import (
    LogFilter,
    deadlines,
    outbox,
    outbox_by_recipient,
    refusals,
    routing_log,
)
from hub.console.web import create_app
from hub.contracts.personal import REDACTED
from hub.kafka.connection import KafkaConnection
from hub.producers.relay import Pending, Relay
from hub.reports.store import child_states
from hub.routing.directory import Directory, load_directory
from hub.service.answers import answer_on_behalf
from hub.service.applying import apply_batch
from hub.service.refusals import expire_held
from hub.service.timers import fire_due_timers
from hub.store.models import (
    AuditEntry,
    ConsoleUser,
    OutboxMessage,
    RejectedMessage,
    RoutingDecision,
    TimerRecord,
)
from hub.store.outbox import NOTIFICATION_PREFIX
from tests.console.conftest import (
    SECRET,
    add_users,
    escalating_the_assistant_director,
    parts_over,
)
from tests.console.test_web import csrf_of, signed_in
from tests.helpers import example
from tests.pipeline.records import (
    luton_missing_notice_naming_no_episode,
    misper_record,
    raw_record,
    record_of,
)
from tests.pipeline.scheduling import fired_on_time

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
EPISODE = "EP-2026-0412"
Store = sessionmaker[Session]


def found_record() -> object:
    return record_of(example("05-found-report"), topic="inbound.found-report")


def test_the_routing_log_counts_a_national_store_so_far_and_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Years of decisions: the log counts no further than it must, and never shows a count
    that stopped as the whole (a filter's exact total, under the cap, stays exact). With
    the cap at 3, as it is at 10,000: the first page says "more than 3", a page further on
    counts to its own end, and one child's few decisions are counted all."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    monkeypatch.setattr("hub.console.views.COUNT_CAP", 3)
    with store() as session:
        first = routing_log(session, LogFilter(), per_page=2)
        further = routing_log(session, LogFilter(), page=3, per_page=2)
        mash = routing_log(session, LogFilter(recipient="mash"))
    assert (first.total, first.more, first.pages) == (3, True, 3)  # 2 counted, 1 more at least
    assert (further.total, further.more, further.pages) == (6, True, 4)
    assert (mash.total, mash.more) == (len(mash.entries), False)
    add_users(store)
    web = create_app(Console(parts_over(store, DIRECTORY, ManualClock(NOW))), SECRET, False)
    rows = signed_in(web, "vera").get("/log/rows", params={"per_page": 2}).text
    assert "more than 3 decisions (counted no further) · page 1" in rows
    assert "page=2" in rows  # the next page, though not counted to its end


def test_the_routing_log_filters_by_paragraph_and_recipient_newest_first(store: Store) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    with store() as session:
        everything = routing_log(session, LogFilter())
        mash = routing_log(session, LogFilter(recipient="mash", episode_id=EPISODE))
        page_two = routing_log(session, LogFilter(), page=2, per_page=2)
    assert everything.total > 5
    assert mash.entries
    assert all(e.recipient == "mash" for e in mash.entries)
    assert [e.decided_at for e in everything.entries] == sorted(
        (e.decided_at for e in everything.entries), reverse=True
    )
    assert {e.delivery for e in everything.entries} == {"queued"}  # not yet relayed
    assert page_two.entries == everything.entries[2:4]


def test_a_timeline_masks_the_childs_personal_data_and_records_the_view(store: Store) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    timeline = view_episode(store, "vera", EPISODE, NOW)
    [received] = [e for e in timeline.entries if e.happening == "event_received"]
    assert isinstance(received.body, dict)
    assert received.body["child"]["name"] == REDACTED
    assert received.body["circumstances"] == REDACTED
    assert received.body["risk_level"] == "medium"  # not personal: shown
    assert "Jordan" not in timeline.model_dump_json()
    assert {e.happening for e in timeline.entries} >= {"decision", "timer_scheduled"}
    with store() as session:
        [line] = audit_trail(session)
    assert (line.who, line.action, line.target) == ("vera", "view_episode", EPISODE)


def test_8_4_a_host_notice_naming_no_episode_is_on_the_timeline_of_the_episode_read_as(
    store: Store,
) -> None:
    """Luton's missing notice names no episode (8.4) and is read as the child's one open
    episode: ops see it on that episode's timeline, beside what it decided."""
    placed_out = {"legal_status": "looked_after", "residence_authority": "luton"}
    apply_batch(store, [misper_record(data=placed_out)], DIRECTORY, NOW)
    read = luton_missing_notice_naming_no_episode(NOW)
    assert apply_batch(store, [read], DIRECTORY, NOW + timedelta(hours=1)).applied == 1
    timeline = view_episode(store, "vera", EPISODE, NOW + timedelta(hours=1))
    received = [e.what for e in timeline.entries if e.happening == "event_received"]
    assert any("evt-luton-0098" in what for what in received)


def test_a_timeline_never_dates_the_childs_eighteenth_birthday_unless_revealed(
    store: Store,
) -> None:
    """The eighteenth-birthday timer (6.8) falls due on the date of birth, 18 years on:
    shown masked, it gave the date the timeline masks in the report."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    masked = view_episode(store, "vera", EPISODE, NOW)
    revealed = reveal_episode(store, "olive", EPISODE, "identity check for the meeting", NOW)
    assert not [e for e in masked.entries if "eighteenth_birthday" in e.what]
    assert [e for e in revealed.entries if "eighteenth_birthday" in e.what]
    assert "2029-03-14" not in masked.model_dump_json()  # born 2011-03-14


def test_a_masked_timeline_leaves_out_what_the_eighteenth_birthday_decided(store: Store) -> None:
    """Still missing at 18 (6.8), the meeting decided on the birthday dates the birth."""
    child = {"name": "Jordan Example", "date_of_birth": "2009-01-19", "sex": "male"}
    apply_batch(store, [misper_record(data={"child": child})], DIRECTORY, NOW)
    while fire_due_timers(store, DIRECTORY, datetime(2027, 2, 1, tzinfo=UTC)):
        pass
    later = datetime(2027, 2, 1, tzinfo=UTC)
    masked = view_episode(store, "vera", EPISODE, later)
    revealed = reveal_episode(store, "olive", EPISODE, "identity check for the meeting", later)
    meeting = "hold_missing_child_meeting"
    assert not [e for e in masked.entries if e.what.startswith(meeting)]
    assert [e for e in revealed.entries if e.what.startswith(meeting)]


def test_the_routing_log_and_the_deadlines_never_date_the_eighteenth_birthday(
    store: Store,
) -> None:
    """6.8: still missing at 18, the Assistant Director holds a Missing Child Meeting,
    decided and due on the birthday. The routing log and the deadlines, open to a viewer with
    no reveal recorded, gave the date of birth the timeline keeps back; the duty still shows
    among the deadlines, overdue, without its date."""
    child = {"name": "Jordan Example", "date_of_birth": "2009-01-19", "sex": "male"}
    apply_batch(store, [misper_record(data={"child": child})], DIRECTORY, NOW)
    later = datetime(2027, 2, 1, tzinfo=UTC)
    fired_on_time(store, DIRECTORY, later)
    birthday = LogFilter(since=datetime(2027, 1, 19, tzinfo=UTC), until=datetime(2027, 1, 20))
    with store() as session:
        log = routing_log(session, LogFilter(episode_id=EPISODE), per_page=500)
        on_the_day = routing_log(session, birthday.in_zone(UTC))
        teams = deadlines(session, later)
    assert "2027-01-19" not in log.model_dump_json()
    assert log.total == len(log.entries)
    assert (on_the_day.total, on_the_day.entries) == (0, [])
    [meeting] = [d for t in teams for d in t.deadlines if d.action == "hold_missing_child_meeting"]
    assert (meeting.due, meeting.state) == (None, "overdue")
    assert "2027-01-19" not in "".join(t.model_dump_json() for t in teams)
    add_users(store)
    web = create_app(Console(parts_over(store, DIRECTORY, ManualClock(later))), SECRET, False)
    viewer = signed_in(web, "vera")
    for page in ("/deadlines", f"/log?episode_id={EPISODE}"):
        shown = viewer.get(page)
        assert shown.status_code == 200
        assert "19 Jan" not in shown.text, page


BORN_18_YEARS_BEFORE = {"name": "Jordan Example", "date_of_birth": "2009-01-19", "sex": "male"}
AFTER_THE_BIRTHDAY = datetime(2027, 2, 1, tzinfo=UTC)
ESCALATING = escalating_the_assistant_director(DIRECTORY)
MEETING_AT_18 = "hold_missing_child_meeting"


def missing_past_the_18th_birthday(store: Store, directory: Directory = ESCALATING) -> None:
    """Reported missing, and not found by two weeks after turning 18 (6.8), every duty left
    unanswered."""
    child = {"child": BORN_18_YEARS_BEFORE}
    apply_batch(store, [misper_record(data=child)], directory, NOW)
    fired_on_time(store, directory, AFTER_THE_BIRTHDAY)


def escalations_of_the_meeting_at_18(store: Store) -> list[RoutingDecision]:
    """Its escalations at every level, as the routing log records them: each names the
    duty it escalates, and is decided after it."""
    with store() as session:
        decisions = session.scalars(select(RoutingDecision).order_by(RoutingDecision.decided_at))
        chain = set[str]()
        found = []
        for d in decisions:
            if d.action == MEETING_AT_18 or d.details.get("duty_notification_id") in chain:
                chain.add(d.notification_id)
                found += [d] if d.action != MEETING_AT_18 else []
        return found


def follow_ups_of_the_meeting_at_18(store: Store) -> list[TimerRecord]:
    """The follow-up timers of the meeting and of its escalations, each numbered by its
    duty's place among the episode's duties (hub.routing.rules.duties)."""
    escalations = {e.notification_id for e in escalations_of_the_meeting_at_18(store)}
    with store() as session:
        [state] = child_states(session)
        [episode] = state.episodes
        sequences = [
            n
            for n, duty in enumerate(episode.duties, start=1)
            if duty.action == MEETING_AT_18 or duty.notification_id in escalations
        ]
        return list(
            session.scalars(
                select(TimerRecord).where(
                    TimerRecord.name == "duty_follow_up", TimerRecord.sequence.in_(sequences)
                )
            )
        )


def test_the_routing_log_and_the_deadlines_never_date_the_birthday_by_its_escalations(
    store: Store,
) -> None:
    """6.8: the meeting decided on the eighteenth birthday, left unanswered, is escalated
    hours on, and its escalation in turn. The routing log and the deadlines keep back the
    meeting's times; they showed its escalations', which date the birthday within a day: in
    the log, and by a since/until filter, and as the deadlines' due and escalated times."""
    missing_past_the_18th_birthday(store)
    escalations = escalations_of_the_meeting_at_18(store)
    assert len(escalations) == 2  # to the service manager, then the Head of Safeguarding
    ids = {e.notification_id for e in escalations}
    decided = [e.decided_at for e in escalations]
    around = LogFilter(since=min(decided), until=max(decided) + timedelta(seconds=1))
    with store() as session:
        log = routing_log(session, LogFilter(episode_id=EPISODE), per_page=500)
        then = routing_log(session, around, per_page=500)
        teams = deadlines(session, AFTER_THE_BIRTHDAY)
    assert not ids & {e.notification_id for e in log.entries}
    assert log.total == len(log.entries)
    assert not ids & {e.notification_id for e in then.entries}
    assert then.total == len(then.entries)
    assert MEETING_AT_18 not in log.model_dump_json()
    owed = [d for t in teams for d in t.deadlines if d.notification_id in ids]
    assert len(owed) == 2  # still owed, escalated, overdue: without their times
    assert {(d.due, d.escalated_at, d.acknowledged_at) for d in owed} == {(None, None, None)}
    assert {(d.state, d.escalated) for d in owed} == {("overdue", True)}
    for d in owed:
        assert not {e.decided_at.date().isoformat() for e in escalations} & {
            str(d.due),
            str(d.escalated_at),
        }
    add_users(store)
    clock = ManualClock(AFTER_THE_BIRTHDAY)
    web = create_app(Console(parts_over(store, ESCALATING, clock)), SECRET, False)
    viewer = signed_in(web, "vera")
    shown_log = viewer.get(f"/log?episode_id={EPISODE}").text
    assert not [i for i in ids if i in shown_log]
    assert MEETING_AT_18 not in shown_log
    shown = viewer.get("/deadlines").text
    for notification_id in ids:
        [row] = re.findall(rf'data-notification="{notification_id}">(.*?)</tr>', shown, re.S)
        assert "Jan" not in row, row
    api = viewer.get("/api/deadlines").json()
    listed = [d for t in api for d in t["deadlines"] if d["notification_id"] in ids]
    assert {(d["due"], d["escalated_at"]) for d in listed} == {(None, None)}


def test_a_masked_timeline_leaves_out_the_meeting_at_18s_escalations_and_follow_ups(
    store: Store,
) -> None:
    """6.8: the meeting decided on the birthday is left out of a masked timeline; its
    escalations, decided hours on, and the follow-ups that escalated them were shown, with
    their times."""
    missing_past_the_18th_birthday(store)
    escalations = {e.notification_id: e for e in escalations_of_the_meeting_at_18(store)}
    follow_ups = follow_ups_of_the_meeting_at_18(store)
    assert len(follow_ups) == 3  # the meeting's and each escalation's
    # (each fired at its due: settled, here, when the test's one round of firing ran)
    times = {t.due for t in follow_ups} | {e.decided_at for e in escalations.values()}
    masked = view_episode(store, "vera", EPISODE, AFTER_THE_BIRTHDAY)
    revealed = reveal_episode(store, "olive", EPISODE, "identity check for the meeting", NOW)
    assert not times & ({e.at for e in masked.entries} | {e.due for e in masked.entries})
    assert MEETING_AT_18 not in masked.model_dump_json()
    assert times <= {e.at for e in revealed.entries} | {e.due for e in revealed.entries}
    assert f"'{MEETING_AT_18}'" in revealed.model_dump_json()


def test_a_masked_timeline_leaves_out_the_meeting_at_18s_follow_up_by_default(
    store: Store,
) -> None:
    """6.8: with nobody above the Assistant Director (the protocol's escalations), the
    meeting decided on the birthday is followed up a window on, and marked escalated: that
    follow-up, due and fired hours after the birthday, was shown in a masked timeline."""
    missing_past_the_18th_birthday(store, DIRECTORY)
    [follow_up] = follow_ups_of_the_meeting_at_18(store)
    assert follow_up.status == "fired"
    masked = view_episode(store, "vera", EPISODE, AFTER_THE_BIRTHDAY)
    revealed = reveal_episode(store, "olive", EPISODE, "identity check for the meeting", NOW)
    assert follow_up.due not in {e.at for e in masked.entries} | {e.due for e in masked.entries}
    assert follow_up.due in {e.due for e in revealed.entries}


def test_the_meeting_at_18s_acknowledgement_never_dates_the_birthday(store: Store) -> None:
    """6.8: the Assistant Director picks up the meeting decided on the birthday an hour on.
    The deadlines showed when, and a masked timeline the acknowledgement itself, naming the
    meeting's notification, which the deadlines list."""
    child = {"child": BORN_18_YEARS_BEFORE}
    apply_batch(store, [misper_record(data=child)], DIRECTORY, NOW)
    birthday = datetime(2027, 1, 19, 16, 15, tzinfo=UTC)  # at the time missing since
    while fire_due_timers(store, DIRECTORY, birthday):
        pass
    with store() as session:
        meeting = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == MEETING_AT_18)
        ).one()
    answer = example("09-duty-acknowledged")
    an_hour_on = birthday + timedelta(hours=1)
    answer["data"].update(
        notification_id=meeting.notification_id,
        answered_by=meeting.authority,
        acknowledged_at=an_hour_on.isoformat(),
    )
    topic = "inbound.duty-acknowledged"
    assert apply_batch(store, [record_of(answer, topic)], DIRECTORY, an_hour_on).applied == 1
    with store() as session:
        teams = deadlines(session, AFTER_THE_BIRTHDAY)
    [listed] = [d for t in teams for d in t.deadlines if d.action == MEETING_AT_18]
    assert (listed.acknowledged_at, listed.due) == (None, None)
    assert listed.acknowledged  # picked up, as the page shows, without when
    masked = view_episode(store, "vera", EPISODE, AFTER_THE_BIRTHDAY)
    assert an_hour_on not in {e.at for e in masked.entries}
    assert meeting.notification_id not in masked.model_dump_json()
    revealed = reveal_episode(store, "olive", EPISODE, "identity check for the meeting", NOW)
    assert an_hour_on in {e.at for e in revealed.entries}


def test_hub_deadlines_and_hub_log_never_date_the_birthday_by_its_escalations(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line shows what the console shows (6.8)."""
    missing_past_the_18th_birthday(store)
    escalations = escalations_of_the_meeting_at_18(store)
    ids = {e.notification_id for e in escalations}
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    cli = CliRunner()
    log = cli.invoke(cli_app, ["log", "--episode", EPISODE, "--per-page", "500", "--json"])
    assert log.exit_code == 0, log.output
    assert not ids & {e["notification_id"] for e in json.loads(log.output)["entries"]}
    listed = cli.invoke(cli_app, ["deadlines", "--json", "--within-hours", str(24 * 90)])
    assert listed.exit_code == 0, listed.output
    owed = [d for t in json.loads(listed.output) for d in t["deadlines"]]
    assert {(d["due"], d["escalated_at"]) for d in owed if d["notification_id"] in ids} == {
        (None, None)
    }


LEADER_DOWN = "KafkaTimeoutError: the topic's leader is down"


def stuck_in_the_outbox(store: Store, message_ids: set[str]) -> None:
    """Their delivery failing since it was first tried, when each was queued (the relay
    stopped after its third try: its times are the queuing's)."""
    with store.begin() as session:
        for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.message_id.in_(message_ids))
        ):
            row.attempts, row.last_error = 3, LEADER_DOWN
            row.last_attempt_at = row.created_at + timedelta(seconds=2)
            row.next_attempt_at = row.created_at + timedelta(seconds=3)


def test_the_outbox_never_dates_the_birthday_by_a_stuck_delivery(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """6.8: the meeting decided on the eighteenth birthday, and its escalations hours on,
    are queued when decided; their delivery stuck, the outbox showed when each was queued
    and tried, and how often (the relay's backoff dates the queuing by the count): each the
    birthday within a day. Listed last, failing, with the error, so ops can act."""
    missing_past_the_18th_birthday(store)
    with store() as session:
        meeting = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == MEETING_AT_18)
        ).one()
    chain = [meeting, *escalations_of_the_meeting_at_18(store)]
    stuck = {NOTIFICATION_PREFIX + d.notification_id for d in chain}
    stuck_in_the_outbox(store, stuck)
    with store() as session:
        backlog, rows = outbox(session)
        _, failing = outbox(session, only_failing=True)
    assert backlog == len(rows) > len(stuck)
    withheld = [r for r in rows if r.message_id in stuck]
    assert {r.message_id for r in withheld} == {r.message_id for r in failing} == stuck
    assert rows[-len(stuck) :] == withheld  # their place among the dated would date them
    for r in withheld:
        assert (r.created_at, r.last_attempt_at, r.next_attempt_at, r.attempts) == (None,) * 4
        assert (r.delivery, r.last_error) == ("failing", LEADER_DOWN)
    add_users(store)
    clock = ManualClock(AFTER_THE_BIRTHDAY)
    web = create_app(Console(parts_over(store, ESCALATING, clock)), SECRET, False)
    viewer = signed_in(web, "vera")
    api = {r["message_id"]: r for r in viewer.get("/api/outbox").json()}
    assert {(api[m]["created_at"], api[m]["next_attempt_at"]) for m in stuck} == {(None, None)}
    page = viewer.get("/outbox").text
    for message_id in stuck:
        [row] = re.findall(rf'data-message="{message_id}">(.*?)</tr>', page, re.S)
        assert "Jan" not in row, row
        assert "failing" in row, row
    operator = signed_in(web, "olive").get("/outbox").text
    assert {f'name="messages" value="{m}"' in operator for m in stuck} == {True}  # retriable
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    listed = CliRunner().invoke(cli_app, ["outbox", "--json"])
    assert listed.exit_code == 0, listed.output
    shown = {r["message_id"]: r for r in json.loads(listed.output)["rows"]}
    assert {(shown[m]["created_at"], shown[m]["last_attempt_at"]) for m in stuck} == {(None, None)}
    table = CliRunner().invoke(cli_app, ["outbox"], env={"COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    for message_id in stuck:
        [line] = [line for line in table.output.splitlines() if message_id in line]
        assert "Jan" not in line, line
        assert "failing" in line, line


def test_the_outbox_shows_which_recipient_is_failing_however_long_it_is(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One recipient's topic failing while the others wait their turn: ops see it first, by
    its topic, with how many wait and why, beside the rows (the oldest only) on the page, in
    the API and in `hub outbox`; the counts add up to the whole backlog."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    worker = "notify.northamptonshire.allocated_worker"
    with store() as session:
        queued = session.execute(select(OutboxMessage.message_id, OutboxMessage.topic)).all()
    stuck_in_the_outbox(store, {message for message, topic in queued if topic == worker})
    with store() as session:
        backlog, _ = outbox(session)
        recipients = outbox_by_recipient(session)
    first, *others = recipients
    assert (first.topic, first.failing, first.last_error) == (worker, first.waiting, LEADER_DOWN)
    assert first.waiting == sum(topic == worker for _, topic in queued) > 1
    assert {(t.failing, t.last_error) for t in others} == {(0, None)}
    assert sum(t.waiting for t in recipients) == backlog == len(queued)
    add_users(store)
    web = create_app(Console(parts_over(store, ESCALATING, ManualClock(NOW))), SECRET, False)
    viewer = signed_in(web, "vera")
    assert viewer.get("/api/outbox/recipients").json()[0] == first.model_dump(mode="json")
    [row] = re.findall(rf'data-topic="{worker}">(.*?)</tr>', viewer.get("/outbox").text, re.S)
    assert LEADER_DOWN in html.unescape(row)
    assert f"<td>{first.waiting}</td>" in row
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    listed = CliRunner().invoke(cli_app, ["outbox", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["recipients"][0]["topic"] == worker
    table = CliRunner().invoke(cli_app, ["outbox"], env={"COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    by_recipient = table.output.split("Outbox:")[0]  # printed before the rows' table
    [line] = [line for line in by_recipient.splitlines() if worker in line]
    assert LEADER_DOWN in line, line
    assert f" {first.waiting} " in line, line


def test_a_timeline_shows_each_notification_owed_that_has_not_reached_its_recipient(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ops user reading a child's episode sees each notification owed that has not been
    delivered: one failing, with its attempts and its last error as the outbox shows them,
    the others waiting, beside the one sent. The timeline showed sent deliveries alone: one
    stuck was known by its absence, or from the routing log. On the page, in the API and in
    `hub episode`."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    with store() as session:
        decided = session.scalars(
            select(RoutingDecision)
            .where(RoutingDecision.episode_id == EPISODE)
            .order_by(RoutingDecision.notification_id)
        ).all()
    stuck, sent, *queued = decided
    stuck_in_the_outbox(store, {NOTIFICATION_PREFIX + stuck.notification_id})
    with store.begin() as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.message_id == NOTIFICATION_PREFIX + sent.notification_id
            )
        ).one()
        row.status, row.attempts, row.sent_at = "sent", 1, NOW + timedelta(seconds=1)
    timeline = view_episode(store, "vera", EPISODE, NOW)
    [failing] = [e for e in timeline.entries if e.happening == "delivery_failing"]
    assert (failing.recipient, failing.delivery, failing.attempts, failing.last_error) == (
        f"{stuck.authority}/{stuck.recipient}",
        "failing",
        3,
        LEADER_DOWN,
    )
    waiting = [e for e in timeline.entries if e.happening == "delivery_waiting"]
    assert sorted(e.recipient or "" for e in waiting) == sorted(
        f"{d.authority}/{d.recipient}" for d in queued
    )
    assert {(e.delivery, e.attempts, e.last_error) for e in waiting} == {("queued", 0, None)}
    [delivered] = [e for e in timeline.entries if e.happening == "delivered"]
    assert delivered.recipient == f"{sent.authority}/{sent.recipient}"
    add_users(store)
    web = create_app(Console(parts_over(store, DIRECTORY, ManualClock(NOW))), SECRET, False)
    viewer = signed_in(web, "vera")
    shown = viewer.get(f"/api/episodes/{EPISODE}").json()["entries"]
    assert [e for e in shown if e["happening"] == "delivery_failing"] == [
        failing.model_dump(mode="json")
    ]
    page = viewer.get(f"/episodes/{EPISODE}").text
    [item] = re.findall(r'<li class="delivery_failing">(.*?)</li>', page, re.S)
    assert LEADER_DOWN in html.unescape(item)
    assert "3 attempts" in item
    assert page.count('<li class="delivery_waiting">') == len(queued)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    table = CliRunner().invoke(cli_app, ["episode", EPISODE], env={"COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    [line] = [line for line in table.output.splitlines() if "delivery failing" in line]
    assert LEADER_DOWN in line, line
    assert sum("delivery waiting" in line for line in table.output.splitlines()) == len(queued)


def test_a_masked_timeline_never_shows_the_meeting_at_18s_delivery_stuck(store: Store) -> None:
    """6.8: the meeting at 18 and its escalations, their delivery failing, are left out of a
    masked timeline with their decisions (when each was tried, and how often, would date the
    birthday); revealed, each shows failing, with its error."""
    missing_past_the_18th_birthday(store)
    stuck = the_meeting_at_18_and_its_escalations_stuck(store)
    masked = view_episode(store, "vera", EPISODE, AFTER_THE_BIRTHDAY)
    revealed = reveal_episode(store, "olive", EPISODE, "identity check for the meeting", NOW)
    assert not [e for e in masked.entries if e.happening == "delivery_failing"]
    assert [e for e in masked.entries if e.happening == "delivery_waiting"]  # the others'
    failing = [e for e in revealed.entries if e.happening == "delivery_failing"]
    assert [(e.attempts, e.last_error) for e in failing] == [(3, LEADER_DOWN)] * len(stuck)


def the_meeting_at_18_and_its_escalations_stuck(store: Store) -> list[str]:
    """Their message ids, in the order they were decided, each failing since it was queued."""
    with store() as session:
        meeting = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == MEETING_AT_18)
        ).one()
    chain = [meeting, *escalations_of_the_meeting_at_18(store)]
    stuck = [NOTIFICATION_PREFIX + d.notification_id for d in chain]
    stuck_in_the_outbox(store, set(stuck))
    return stuck


def outbox_numbers(store: Store) -> dict[str, int]:
    """Each outbox row's number, by its message id."""
    with store() as session:
        return dict(
            session.execute(select(OutboxMessage.message_id, OutboxMessage.id)).tuples().all()
        )


def test_the_reports_never_date_the_meeting_at_18_by_the_day_it_fell_due(store: Store) -> None:
    """6.8: the meeting at 18 falls due on the birthday, its escalations a day on. The
    report's figures, open to a viewer with no reveal recorded, counted each duty on the day
    it fell due: asked for one day at a time, the report showed the Assistant Director's duty
    on 19 January, the child's date of birth, which the deadlines list without its date."""
    missing_past_the_18th_birthday(store)
    add_users(store)
    web = create_app(
        Console(parts_over(store, ESCALATING, ManualClock(AFTER_THE_BIRTHDAY))), SECRET, False
    )
    viewer = signed_in(web, "vera")
    for day in range(15, 25):
        period = {"from": f"2027-01-{day}", "to": f"2027-01-{day + 1}"}
        figures = viewer.get("/api/reports", params=period).json()
        teams = {t["recipient"] for t in figures["teams"]}
        assert not teams & {"assistant_director", "head_of_safeguarding", "service_manager"}, day


def test_the_outbox_never_numbers_a_notification_of_the_meeting_at_18(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """6.8: outbox rows are numbered as they are queued, so a stuck notification of the
    meeting at 18, or of its escalations, shown with its number dated the birthday between
    its neighbours' times, though its own were withheld. Neither the view, the API, the
    page nor `hub outbox` shows it; the page retries it by its message id. The other rows
    keep their numbers."""
    missing_past_the_18th_birthday(store)
    stuck = the_meeting_at_18_and_its_escalations_stuck(store)
    number = outbox_numbers(store)
    with store() as session:
        _, rows = outbox(session)
    assert {r.message_id: r.id for r in rows} == {
        m: None if m in stuck else n for m, n in number.items()
    }
    add_users(store)
    web = create_app(
        Console(parts_over(store, ESCALATING, ManualClock(AFTER_THE_BIRTHDAY))), SECRET, False
    )
    api = signed_in(web, "vera").get("/api/outbox").json()
    assert {r["message_id"]: r["id"] for r in api if r["message_id"] in stuck} == dict.fromkeys(
        stuck
    )
    page = signed_in(web, "olive").get("/outbox").text
    for message_id in stuck:
        [row] = re.findall(rf'data-message="{message_id}">(.*?)</tr>', page, re.S)
        assert f">{number[message_id]}<" not in row, row
        assert f'value="{number[message_id]}"' not in row, row
        assert f'name="messages" value="{message_id}"' in row, row  # retried by it
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    listed = CliRunner().invoke(cli_app, ["outbox", "--json"])
    assert listed.exit_code == 0, listed.output
    shown = json.loads(listed.output)["rows"]
    assert {r["message_id"]: r["id"] for r in shown if r["message_id"] in stuck} == dict.fromkeys(
        stuck
    )
    table = CliRunner().invoke(cli_app, ["outbox"], env={"COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    for message_id in stuck:
        [line] = [line for line in table.output.splitlines() if message_id in line]
        assert re.match(r"\W*-\s", line), line
        assert not re.search(rf"\b{number[message_id]}\b", line), line


class _Producer:
    """A broker that takes everything (with Relay._publish_and_mark below)."""

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass


def a_broker_that_takes_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    def accepted(self: Relay, rows: list[Pending], on_loop: object, session: Any) -> int:
        if session is not None:
            return self._mark(session, rows, [None] * len(rows))
        with self.sessions.begin() as marking:
            return self._mark(marking, rows, [None] * len(rows))

    monkeypatch.setattr(KafkaConnection, "producer", lambda self, **_: _Producer())
    monkeypatch.setattr(Relay, "_publish_and_mark", accepted)


def test_a_notification_of_the_meeting_at_18_is_retried_by_its_message_id_alone(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """6.8: the outbox shows the meeting at 18's stuck notification, and its escalations',
    without a number; the operator retries each by its message id, on the page, by the API
    (the notification id alone) and with `hub outbox --retry`. Asked for by its number, one
    is as a row already sent: nothing to retry, and not tried, or the answer would tell
    which number is its. Another row is still retried by its number."""
    missing_past_the_18th_birthday(store)
    stuck = the_meeting_at_18_and_its_escalations_stuck(store)
    number = outbox_numbers(store)
    with store.begin() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        topics = {r.topic for r in rows if r.message_id in stuck}
        # one waiting, on a topic of its own (nothing of the chain behind it); the rest sent
        [waiting, *delivered] = [r for r in rows if r.topic not in topics] + [
            r for r in rows if r.topic in topics and r.message_id not in stuck
        ]
        for row in delivered:
            row.status, row.sent_at = "sent", AFTER_THE_BIRTHDAY
        other, sent_before = waiting.id, delivered[0].id
    a_broker_that_takes_everything(monkeypatch)
    add_users(store)
    web = create_app(
        Console(parts_over(store, ESCALATING, ManualClock(AFTER_THE_BIRTHDAY))), SECRET, False
    )
    operator = signed_in(web, "olive")
    nothing: dict[str, object] = {"sent": [], "still_failing": {}}
    for guessed in (number[stuck[0]], sent_before):
        answer = operator.post("/api/outbox/retry", json={"ids": [guessed]}).json()
        assert answer == {**nothing, "not_pending": [guessed]} | dict(
            messages_sent=[], messages_still_failing={}, messages_not_pending=[]
        )
    with store() as session:
        untried = session.scalars(select(OutboxMessage).where(OutboxMessage.id == number[stuck[0]]))
        assert [(r.status, r.attempts) for r in untried] == [("pending", 3)]
    page = operator.get("/outbox").text
    done = operator.post("/outbox/retry", data={"messages": [stuck[0]], "csrf": csrf_of(page)})
    assert done.status_code == 200
    assert "Retried: 1 sent." in done.text
    assert f'data-message="{stuck[0]}"' not in done.text
    notification_id = stuck[1].removeprefix(NOTIFICATION_PREFIX)
    answer = operator.post(
        "/api/outbox/retry", json={"ids": [other], "message_ids": [notification_id]}
    ).json()
    assert answer == {
        "sent": [other],
        "still_failing": {},
        "not_pending": [],
        "messages_sent": [stuck[1]],
        "messages_still_failing": {},
        "messages_not_pending": [],
    }
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HUB_ENVIRONMENT", "development")  # a broker in the clear
    last = CliRunner().invoke(cli_app, ["outbox", "--retry", stuck[-1], "--json"])
    assert last.exit_code == 0, last.output
    report = json.loads(last.output)
    assert (report["sent"], report["not_pending"], report["messages_sent"]) == ([], [], stuck[-1:])
    with store() as session:
        assert outbox(session) == (0, [])
    again = CliRunner().invoke(cli_app, ["outbox", "--retry", stuck[-1]])  # sent already
    assert "not pending, nothing retried" in again.output


def test_personal_data_is_shown_only_on_a_recorded_request_with_its_reason(store: Store) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    timeline = reveal_episode(store, "olive", EPISODE, "identity check for the meeting", NOW)
    [received] = [e for e in timeline.entries if e.happening == "event_received"]
    assert isinstance(received.body, dict)
    assert received.body["child"]["name"] == example("01-misper-report")["data"]["child"]["name"]
    with store() as session:
        [line] = audit_trail(session)
    assert (line.action, line.outcome) == ("reveal", "reason: identity check for the meeting")


def test_a_return_interview_deadline_is_overdue_until_its_result_arrives(store: Store) -> None:
    apply_batch(store, [misper_record(), found_record()], DIRECTORY, NOW)  # type: ignore[list-item]
    later = NOW + timedelta(days=10)
    with store() as session:
        teams = deadlines(session, later)
    overdue = [d for t in teams for d in t.deadlines if d.kind == "return_interview"]
    assert overdue
    assert {d.state for d in overdue} == {"overdue"}
    iri = record_of(example("07-return-interview"), topic="inbound.return-interview")
    apply_batch(store, [iri], DIRECTORY, NOW + timedelta(days=2))
    with store() as session:
        teams = deadlines(session, later)
    assert not [d for t in teams for d in t.deadlines if d.kind == "return_interview"]


def test_a_return_interview_the_child_declined_is_no_deadline_of_anyone(store: Store) -> None:
    """The child declines the interview (5.15): what is owed now is the social worker's
    follow-up, not the interview, which the deadlines page no longer shows overdue for good."""
    declined = example("07-return-interview")
    declined["data"] = {
        key: declined["data"][key]
        for key in ("episode_id", "child_id", "interviewer", "recorded_at")
    } | {"outcome": "declined"}
    records = [misper_record(), found_record()]
    apply_batch(store, records, DIRECTORY, NOW)  # type: ignore[arg-type]
    iri = record_of(declined, topic="inbound.return-interview")
    apply_batch(store, [iri], DIRECTORY, NOW + timedelta(days=2))
    with store() as session:
        teams = deadlines(session, NOW + timedelta(days=10))
    assert not [d for t in teams for d in t.deadlines if d.kind == "return_interview"]


def test_refusals_are_grouped_by_cause_and_their_bytes_never_shown(store: Store) -> None:
    no_headers = [raw_record(b"not json"), raw_record(b"{also not")]
    valid = misper_record()
    bad_risk = replace(valid, value=(valid.value or b"").replace(b'"medium"', b'"purple"'))
    apply_batch(store, [*no_headers, bad_risk], DIRECTORY, NOW)
    with store() as session:
        groups = refusals(session)
    assert [g.count for g in groups] == [2, 1]  # the biggest group first
    assert groups[1].cause.startswith("bad_message: data.risk_level: ")
    assert "not json" not in str([g.model_dump() for g in groups])


def test_a_found_report_whose_misper_came_too_late_is_applied_when_replayed(store: Store) -> None:
    """Held for its MISPER report (5.1), expired after a day, the report then arrives: the
    operator replays the found report and its duties are decided."""
    apply_batch(store, [found_record()], DIRECTORY, NOW)  # type: ignore[list-item]
    with store.begin() as session:
        expire_held(session, NOW + timedelta(hours=25), timedelta(hours=24), DIRECTORY)
    apply_batch(store, [misper_record()], DIRECTORY, NOW + timedelta(hours=26))
    with store() as session:
        [refusal] = session.scalars(select(RejectedMessage.id)).all()
    clock = ManualClock(NOW + timedelta(hours=27))
    report = replay_refusals(store, "olive", [refusal], DIRECTORY, clock)
    assert report.outcomes == {"applied": 1}
    with store() as session:
        found_duties = session.scalars(
            select(RoutingDecision).where(RoutingDecision.cause == "evt-police-0005")
        ).all()
        assert found_duties
        assert session.get(RejectedMessage, refusal).status == "resolved"  # type: ignore[union-attr]
        [line] = audit_trail(session)
    assert (line.action, line.target, line.outcome) == ("replay", f"refusal {refusal}", "applied")


def test_a_replay_goes_through_the_same_de_duplication(store: Store) -> None:
    apply_batch(store, [found_record()], DIRECTORY, NOW)  # type: ignore[list-item]
    with store.begin() as session:
        expire_held(session, NOW + timedelta(hours=25), timedelta(hours=24), DIRECTORY)
    apply_batch(store, [misper_record(), found_record()], DIRECTORY, NOW + timedelta(hours=26))  # type: ignore[list-item]
    with store() as session:
        [refusal] = session.scalars(select(RejectedMessage.id)).all()
        logged = len(session.scalars(select(RoutingDecision)).all())
    report = replay_refusals(store, "olive", [refusal], DIRECTORY, ManualClock(NOW))
    assert report.outcomes == {"duplicate": 1}
    with store() as session:
        assert len(session.scalars(select(RoutingDecision)).all()) == logged


def test_a_group_replay_shows_each_new_failure_with_its_reason(store: Store) -> None:
    apply_batch(store, [raw_record(b"not json"), raw_record(b"nor this")], DIRECTORY, NOW)
    with store() as session:
        ids = list(session.scalars(select(RejectedMessage.id)))
    report = replay_refusals(store, "olive", ids, DIRECTORY, ManualClock(NOW))
    assert report.outcomes == {"refused_again": 2}
    for result in report.results:  # the message's own fault, not the replay's
        assert [p["field"] for p in result.problems][:1] == ["ce_specversion"]
    with store() as session:
        assert len(audit_trail(session)) == 2
        assert {r.status for r in session.scalars(select(RejectedMessage))} == {"open"}


def test_a_user_needs_a_long_password_and_it_is_stored_hashed(store: Store) -> None:
    with store.begin() as session:
        add_user(session, "olive", "a long enough passphrase", Role.OPERATOR, NOW, "cli:root")
    with store() as session:
        stored = session.get(ConsoleUser, "olive")
        assert stored is not None
        assert "passphrase" not in stored.password_hash
        assert authenticate(session, "olive", "a long enough passphrase") is not None
        assert authenticate(session, "olive", "wrong") is None
        assert authenticate(session, "nobody", "a long enough passphrase") is None
        assert session.scalars(select(AuditEntry.action)).all() == ["add_user"]


def test_an_unknown_field_in_a_stored_body_is_hidden_not_shown() -> None:
    from hub.console.masking import masked_body

    shown = masked_body("uk.missing-children.misper-report.v1", {"surprise": "Jordan"})
    assert shown == {"surprise": HIDDEN}


def reported_with_a_forms_duty(store: Store) -> str:
    """A child reported missing: the notification id of the worker's forms duty (3.3)."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    with store() as session:
        return session.scalars(
            select(RoutingDecision.notification_id).where(
                RoutingDecision.action == "complete_incident_and_location_forms"
            )
        ).one()


def test_an_operator_records_a_duty_done_on_the_agencys_behalf_with_a_reason(
    store: Store,
) -> None:
    """Issue 14: said on the phone, recorded through the engine as the agency's own answer
    would be, and audited with the operator's reason."""
    forms = reported_with_a_forms_duty(store)
    done_at = NOW + timedelta(hours=1)
    answered = answer_on_behalf(
        store, DIRECTORY, forms, "done", "olive", "worker phoned: forms on CareFirst", done_at
    )
    assert answered.outcome == "recorded"
    with store() as session:
        row = session.get(RoutingDecision, forms)
        assert row is not None
        assert row.done_at == done_at
        assert row.done_by == "olive (hub console, on the agency's behalf)"
        teams = deadlines(session, done_at)
        [line] = audit_trail(session)
    assert forms not in {d.notification_id for t in teams for d in t.deadlines}
    assert (line.who, line.action, line.target) == ("olive", "complete_duty", forms)
    assert line.outcome == "reason: worker phoned: forms on CareFirst"


def test_an_answer_for_no_duty_is_not_recorded(store: Store) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    unknown = "00000000-0000-0000-0000-000000000000"
    answered = answer_on_behalf(store, DIRECTORY, unknown, "done", "olive", "a reason here", NOW)
    assert answered.outcome == "not_found"
    with store() as session:
        assert audit_trail(session) == []


def test_deadlines_show_owed_acknowledged_and_overdue(store: Store) -> None:
    forms = reported_with_a_forms_duty(store)
    answer_on_behalf(store, DIRECTORY, forms, "acknowledged", "olive", "worker phoned in", NOW)
    with store() as session:
        states = {
            d.action: d.state
            for t in deadlines(session, NOW + timedelta(days=1, hours=1))
            for d in t.deadlines
        }
    assert states["complete_incident_and_location_forms"] == "acknowledged"
    assert states["inform_service_manager"] == "overdue"  # 7.22: within 24 hours, not done


def test_deadlines_show_a_duty_picked_up_after_its_deadline_and_not_done_overdue(
    store: Store,
) -> None:
    """Overdue: its deadline passed and it was not done (answers.md), however late it was
    picked up: ops see it overdue, not merely acknowledged. Told the service manager within
    24 hours (7.22), picked up an hour after."""
    reported_with_a_forms_duty(store)
    with store() as session:
        duty = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == "inform_service_manager")
        ).one()
        told, due = duty.notification_id, duty.duty_due
    assert due is not None
    assert due > NOW  # a deadline of its own, not "at once"
    late = due + timedelta(hours=1)
    answer_on_behalf(store, DIRECTORY, told, "acknowledged", "olive", "manager phoned", late)
    with store() as session:
        [state] = [
            d.state
            for t in deadlines(session, late + timedelta(hours=1))
            for d in t.deadlines
            if d.notification_id == told
        ]
    assert state == "overdue"


def test_refusals_are_grouped_by_cause_and_by_the_sender_whose_topic_they_came_on(
    store: Store,
) -> None:
    """Issue 14: ops call the agency that sent them, so one cause from two forces is two
    groups, each naming its force."""
    on = "inbound.misper-report"
    not_json = [
        replace(raw_record(b"{bad"), topic=f"{on}.bedfordshire-police"),
        replace(raw_record(b"{bad"), topic=f"{on}.bedfordshire-police"),
        replace(raw_record(b"{bad"), topic=f"{on}.northamptonshire-police"),
    ]
    apply_batch(store, not_json, DIRECTORY, NOW)
    with store() as session:
        groups = refusals(session)
    assert [(g.sender, g.count) for g in groups] == [
        ("bedfordshire-police", 2),
        ("northamptonshire-police", 1),
    ]
    assert len({g.cause for g in groups}) == 1


def test_the_log_is_searched_by_the_agencys_own_case_reference(store: Store) -> None:
    """Issue 14: the police's own MISPER number finds the episode it reported."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    reference = example("01-misper-report")["data"]["case_reference"]
    with store() as session:
        found = routing_log(session, LogFilter(case_reference=reference))
        other = routing_log(session, LogFilter(case_reference="NP-MISPER-26-000001"))
    assert found.total > 5
    assert {e.episode_id for e in found.entries} == {EPISODE}
    assert other.total == 0
