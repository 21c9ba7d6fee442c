"""Still missing (docs/console.md), on SQLite and PostgreSQL: every episode a child may still
be missing from, the ones retention keeps (ChildState.came_back), however quiet its
duties, and never the child's name, birth date or places."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.cli import app as cli_app
from hub.clock import ManualClock
from hub.console.context import Console
from hub.console.views import MissingEpisode, still_missing, still_missing_page
from hub.console.web import create_app
from hub.reports.store import child_states
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.settings import RetentionSettings
from hub.store.retention import apply_retention
from tests.console.conftest import (
    SECRET,
    add_users,
    escalating_the_assistant_director,
    parts_over,
)
from tests.console.test_web import signed_in
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of
from tests.pipeline.scheduling import fired_on_time

DIRECTORY = load_directory()
REPORTED = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
FOUND = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)  # the example found report's time
LATER = REPORTED + timedelta(days=40)
EPISODE, CHILD = "EP-2026-0412", "CF-100231"
Store = sessionmaker[Session]
MEETING_AT_18 = "hold_missing_child_meeting"


def missing(store: Store, at: datetime = REPORTED, **data: object) -> None:
    record = misper_record(id=f"evt-{data.get('episode_id', EPISODE)}", data=data)
    assert apply_batch(store, [record], DIRECTORY, at).applied == 1


def found(store: Store, episode_id: str = EPISODE, child_id: str = CHILD) -> None:
    report = example("05-found-report")
    report["id"] = f"evt-found-{episode_id}"
    report["data"].update(episode_id=episode_id, child_id=child_id)
    assert apply_batch(store, [record_of(report, "inbound.found-report")], DIRECTORY, FOUND)


def missing_again(episode_id: str, reported_at: datetime, child_id: str = CHILD) -> Record:
    """The same child reported missing again, two hours before `reported_at`."""
    return misper_record(
        id=f"evt-{episode_id}",
        data={
            "child_id": child_id,
            "episode_id": episode_id,
            "reported_at": reported_at.isoformat(),
            "missing_since": (reported_at - timedelta(hours=2)).isoformat(),
        },
    )


def shown(store: Store, now: datetime = LATER) -> list[MissingEpisode]:
    """The console's first page, as it reads it: from the children still missing alone."""
    with store() as session:
        first = still_missing_page(session, DIRECTORY, now)
    assert not first.more
    return first.episodes


def every_page(store: Store, now: datetime, per_page: int) -> list[list[MissingEpisode]]:
    pages: list[list[MissingEpisode]] = []
    with store() as session:
        while True:
            page = still_missing_page(session, DIRECTORY, now, len(pages) + 1, per_page)
            pages.append(page.episodes)
            if not page.more:
                return pages


def test_a_child_found_leaves_the_list_and_one_still_missing_stays_for_weeks(
    store: Store,
) -> None:
    """Two children reported missing; the second is found (1.4: missing "until located").
    Forty days on, with no duty of the first's left to chase, only the first is listed,
    with how long, its risk and CSE flag, where it stands and the force it was reported to."""
    missing(store)
    missing(store, child_id="CF-200001", episode_id="EP-2026-0500", cse_risk=False)
    found(store, "EP-2026-0500", "CF-200001")
    [still] = shown(store)
    assert (still.episode_id, still.child_id) == (EPISODE, CHILD)
    assert still.missing_since == datetime(2026, 11, 20, 16, 15, tzinfo=UTC)
    assert still.missing_for == LATER - still.missing_since
    assert (still.risk_level, still.cse_risk) == ("medium", True)
    assert (still.legal_status, still.placing) == ("looked_after", "placed_out")
    assert still.reporting_force == "bedfordshire-police"
    assert still.closed_at is None


def test_the_oldest_first_with_its_open_duties_and_the_next_deadline(store: Store) -> None:
    missing(store, child_id="CF-200001", episode_id="EP-2026-0500")
    missing(store)  # missing since earlier, reported later
    listed = shown(store, REPORTED + timedelta(hours=1))
    assert [m.episode_id for m in listed] == [EPISODE, "EP-2026-0500"]
    first = listed[0]
    assert first.open_duties > 0
    assert first.next_due is not None


def test_a_child_missing_again_under_a_new_report_is_listed_under_it_only(store: Store) -> None:
    """Found, then missing again: the episode the child came back from is not listed."""
    missing(store)
    found(store)
    again_at = FOUND + timedelta(days=3)
    assert apply_batch(store, [missing_again("EP-2026-0600", again_at)], DIRECTORY, again_at)
    assert [m.episode_id for m in shown(store)] == ["EP-2026-0600"]


def test_a_first_report_never_followed_by_a_found_one_stays_listed_pointing_to_the_next(
    store: Store,
) -> None:
    """1.4: missing once at a time; the first report, never closed by a found one, keeps
    its data (docs/retention.md) and stays listed, naming the later report the child is
    missing under, until a return from that one."""
    missing(store)
    again_at = REPORTED + timedelta(days=2)
    assert apply_batch(store, [missing_again("EP-2026-0600", again_at)], DIRECTORY, again_at)
    listed = shown(store)
    assert [(m.episode_id, m.missing_again_in) for m in listed] == [
        (EPISODE, "EP-2026-0600"),
        ("EP-2026-0600", None),
    ]
    found(store, "EP-2026-0600")
    assert shown(store) == []


def test_a_child_the_host_authority_says_has_returned_is_not_listed(store: Store) -> None:
    """8.4: our child placed in Luton; Luton says the child has returned, and the host
    force's found report never comes. The child is back."""
    missing(store, legal_status="looked_after", residence_authority="luton")
    assert [m.placing for m in shown(store, REPORTED + timedelta(hours=1))] == ["placed_out"]
    notice = example("08-cross-border-notice")
    notice["data"] = {
        "notice_id": "LUT-2026-0099",
        "kind": "child_found",
        "from_authority": "luton",
        "to_authority": "northamptonshire",
        "child_id": CHILD,
        "episode_id": EPISODE,
        "occurred_at": FOUND.isoformat(),
    }
    notice["id"], notice["source"] = "evt-luton-0099", "/la/luton/childrens-services"
    record = record_of(notice, "inbound.cross-border-notice")
    assert apply_batch(store, [record], DIRECTORY, FOUND).applied == 1
    assert shown(store) == []


def test_an_episode_closed_by_joint_decision_stays_listed_flagged(store: Store) -> None:
    """7.24: closed by the senior police officer and the Assistant Director, the child not
    found: its duties are stood down, but the child may still be missing."""
    missing(store)
    closed_at = REPORTED + timedelta(days=20)
    closure = example("12-episode-closed")
    closure["data"].update(episode_id=EPISODE, child_id=CHILD, closed_at=closed_at.isoformat())
    record = record_of(closure, "inbound.episode-closed")
    assert apply_batch(store, [record], DIRECTORY, closed_at).applied == 1
    [still] = shown(store)
    assert (still.episode_id, still.closed_at, still.open_duties) == (EPISODE, closed_at, 0)


def test_the_next_deadline_never_dates_the_eighteenth_birthday(store: Store) -> None:
    """6.8: still missing at 18, the meeting decided on the birthday is counted open but its
    deadline, the child's birthday, is not shown."""
    child = {"name": "Jordan Example", "date_of_birth": "2009-01-19", "sex": "male"}
    missing(store, child=child)
    later = datetime(2027, 2, 1, tzinfo=UTC)
    fired_on_time(store, DIRECTORY, later)
    [still] = shown(store, later)
    assert still.open_duties > 0
    assert "2027-01-19" not in still.model_dump_json()


def test_the_next_deadline_never_dates_the_birthday_by_the_meetings_escalations(
    store: Store,
) -> None:
    """6.8: still missing at 18, the meeting decided on the birthday, left unanswered, is
    escalated hours on, and its escalation in turn (a deployment escalating the Assistant
    Director's duties). With every other duty answered, the escalation's deadline, the
    birthday's next morning, was the next one shown."""
    escalating = escalating_the_assistant_director(DIRECTORY)
    child = {"name": "Jordan Example", "date_of_birth": "2009-01-19", "sex": "male"}
    record = misper_record(id=f"evt-{EPISODE}", data={"child": child})
    assert apply_batch(store, [record], escalating, REPORTED).applied == 1
    later = datetime(2027, 2, 1, tzinfo=UTC)
    fired_on_time(store, escalating, later)
    with store() as session:
        [state] = child_states(session)
    [episode] = state.episodes
    chain = {d.notification_id for d in episode.duties if d.action == MEETING_AT_18}
    for duty in episode.duties:  # an escalation is recorded after the duty it escalates
        if duty.escalates in chain:
            chain.add(duty.notification_id)
    assert len(chain) == 3  # the meeting, escalated twice
    answered = tuple(
        d if d.notification_id in chain else replace(d, done_at=d.decided_at, done_by="test")
        for d in episode.duties
    )
    state = state.with_episode(replace(episode, duties=answered))
    [still] = still_missing([state], escalating, later)
    assert (still.open_duties, still.next_due) == (3, None)


def test_the_page_and_the_api_show_a_viewer_the_child_without_its_name(store: Store) -> None:
    missing(store)
    add_users(store)
    web = create_app(Console(parts_over(store, DIRECTORY, ManualClock(LATER))), SECRET, False)
    viewer = signed_in(web, "vera")
    page = viewer.get("/missing")
    assert page.status_code == 200
    assert f'href="/episodes/{EPISODE}"' in page.text
    assert CHILD in page.text
    assert "Fri 20 Nov 16:15 GMT" in page.text  # local time, as every page shows it
    assert 'href="/missing"' in viewer.get("/deadlines").text  # in the navigation
    [listed] = viewer.get("/api/missing").json()["episodes"]
    assert (listed["episode_id"], listed["risk_level"]) == (EPISODE, "medium")
    for text in (page.text, json.dumps(listed)):
        assert "Jordan" not in text
        assert "2011-03-14" not in text  # born
        assert "14 Mar" not in text
        assert example("01-misper-report")["data"]["last_seen"]["place"] not in text


def test_hub_missing_lists_them_as_json(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing(store)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli_app, ["missing", "--json"])
    assert result.exit_code == 0, result.output
    assert [m["episode_id"] for m in json.loads(result.output)["episodes"]] == [EPISODE]
    assert "Jordan" not in result.output


def test_paged_the_list_is_every_child_still_missing_in_order_and_no_one_else(
    store: Store,
) -> None:
    """Still missing on a national store is paged, read from the children who may still be
    missing alone (1.4: missing "until located"). Seven children reported a day apart, two
    of them found; the first reported missing again on the fifth day, never found from its
    first report: its later episode belongs among the others', not beside its first; an
    eighth missing since the very moment the sixth was; a ninth's start typed a year ahead,
    counted from when the hub read it. A few a page, the pages hold every episode of the
    whole list, in its order, once each."""
    for n, day in enumerate((0, 1, 2, 3, 4, 5, 6, 5)):
        at = REPORTED + timedelta(days=day)
        data = {"child_id": f"CF-30000{n}", "episode_id": f"EP-2026-070{n}"}
        times = {"reported_at": at.isoformat(), "missing_since": at.isoformat()}
        missing(store, at, **data, **times)
    read_at, ahead = REPORTED + timedelta(days=2, hours=12), REPORTED + timedelta(days=365)
    typed_ahead = {"reported_at": ahead.isoformat(), "missing_since": ahead.isoformat()}
    missing(store, read_at, child_id="CF-300008", episode_id="EP-2026-0708", **typed_ahead)
    found(store, "EP-2026-0701", "CF-300001")
    found(store, "EP-2026-0703", "CF-300003")
    again_at = REPORTED + timedelta(days=5, hours=3)
    again = missing_again("EP-2026-0799", again_at, "CF-300000")
    assert apply_batch(store, [again], DIRECTORY, again_at).applied == 1
    with store() as session:
        whole = still_missing(child_states(session), DIRECTORY, LATER)  # every state read
    assert [m.episode_id for m in whole] == [
        "EP-2026-0700",
        "EP-2026-0702",
        "EP-2026-0708",  # typed a year ahead: from when the hub read it
        "EP-2026-0704",
        "EP-2026-0705",
        "EP-2026-0707",  # since the same moment: by the child's id
        "EP-2026-0799",  # the first child's, after the sixth and eighth children's
        "EP-2026-0706",
    ]
    for per_page in (1, 2, 3, 4, 7, 8, 100):
        pages = every_page(store, LATER, per_page)
        assert [m for page in pages for m in page] == whole
        assert all(len(page) == per_page for page in pages[:-1])
    with store() as session:
        assert still_missing_page(session, DIRECTORY, LATER, 1, 2).children == 7
        beyond = still_missing_page(session, DIRECTORY, LATER, 5, 2)
    assert (beyond.episodes, beyond.more) == ([], False)


def test_a_child_found_leaves_the_pages_and_missing_again_comes_back_on_them(
    store: Store,
) -> None:
    """1.4: the child's row says whether it may still be missing, written with its state:
    found, it is read no more; missing again, it is read again, under the new episode."""
    missing(store)
    assert [m.episode_id for m in shown(store)] == [EPISODE]
    found(store)
    assert shown(store) == []
    again_at = FOUND + timedelta(days=3)
    assert apply_batch(store, [missing_again("EP-2026-0600", again_at)], DIRECTORY, again_at)
    assert [m.episode_id for m in shown(store)] == ["EP-2026-0600"]


def test_retention_retiring_the_episode_a_child_came_back_from_keeps_it_on_the_pages(
    store: Store,
) -> None:
    """Found, then missing again and never found: retention retires the first episode, 180
    days on (docs/retention.md), and writes the child's state back; the child, missing
    under the second, is still read and listed."""
    missing(store)
    found(store)
    again_at = FOUND + timedelta(days=3)
    assert apply_batch(store, [missing_again("EP-2026-0600", again_at)], DIRECTORY, again_at)
    later = FOUND + timedelta(days=181)
    done = apply_retention(store, RetentionSettings(), later, "test")
    assert done.episodes_retired == 1
    assert [m.episode_id for m in shown(store, later)] == ["EP-2026-0600"]


def test_the_page_and_the_api_go_on_to_the_next_page(store: Store) -> None:
    """Paged, a viewer is told there are more children still missing, and how many."""
    missing(store)
    missing(store, child_id="CF-200001", episode_id="EP-2026-0500")
    add_users(store)
    web = create_app(Console(parts_over(store, DIRECTORY, ManualClock(LATER))), SECRET, False)
    viewer = signed_in(web, "vera")
    first = viewer.get("/missing", params={"per_page": 1})
    assert "2 children may still be missing" in first.text
    assert 'href="?page=2&amp;per_page=1"' in first.text
    second = viewer.get("/api/missing", params={"page": 2, "per_page": 1}).json()
    assert [m["episode_id"] for m in second["episodes"]] == ["EP-2026-0500"]
    assert (second["children"], second["more"]) == (2, False)
