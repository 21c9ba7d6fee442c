"""In the store, on SQLite and PostgreSQL: a notification the hub cannot build against its
published contract (a rule's fault, as when check_return_interview's deadline became
"not given" and its schema still asked for a time) is held for ops alone. The event is
applied and its other notifications go: dead-lettering the whole event left every other
party of the child's MISPER report untold until the hub was mended. Ops sees the duty held
and why, tells its recipient by other means, and routes it again once the hub is mended:
it goes under the id it was logged with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock
from hub.console.actions import route_held_duties, view_episode
from hub.contracts.actions import FACTS, Action
from hub.contracts.base import Message
from hub.routing.directory import Alias, Authority, AuthorityKind, Directory, Nation, load_directory
from hub.routing.rerouting import AUTHORITY_GONE
from hub.service.applying import apply_batch
from hub.service.rerouting import count_held
from hub.settings import RetentionSettings
from hub.store.models import AuditEntry, OutboxMessage, RoutingDecision, TimerRecord
from hub.store.outbox import NOT_BUILT
from hub.store.retention import apply_retention
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of
from tests.pipeline.scheduling import fired_on_time
from tests.pipeline.test_apply import failing_for
from tests.pipeline.test_unroutable_duties import knowing

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
BROKEN = Action.RECORD_MISSING_EPISODE  # MASH's, one of the MISPER report's seventeen
HOSTS = Action.CHILD_MISSING_IN_YOUR_AREA  # the host force's and the host authority's (3.9)
Store = sessionmaker[Session]


class _StricterThanTheRule(Message):
    """A contract asking for a fact the rule does not give."""

    never_given: str


@pytest.fixture
def contract_stricter_than_its_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FACTS, BROKEN, _StricterThanTheRule)


@contextmanager
def _stricter(*actions: Action) -> Iterator[None]:
    """The hub broken for these actions until the context ends: then it is mended."""
    with pytest.MonkeyPatch.context() as patch:
        for action in actions:
            patch.setitem(FACTS, action, _StricterThanTheRule)
        yield


def _topics(store: Store) -> set[str]:
    with store() as session:
        return set(session.scalars(select(OutboxMessage.topic)))


def _held(session: Session) -> list[RoutingDecision]:
    return list(
        session.scalars(
            select(RoutingDecision).where(RoutingDecision.unroutable_field.is_not(None))
        )
    )


def test_a_notification_that_cannot_be_built_is_held_and_the_others_go(
    store: Store, contract_stricter_than_its_rule: None
) -> None:
    result = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered, result.notifications) == (1, 0, 16)
    with store() as session:
        [held] = _held(session)
        topics = set(session.scalars(select(OutboxMessage.topic)))
        assert count_held(session) == 1  # health shows "attention" while it is held
    assert (held.action, held.recipient, held.unroutable_field) == (BROKEN, "mash", NOT_BUILT)
    assert held.unroutable_reason is not None
    assert "details.never_given" in held.unroutable_reason
    assert "notify.northamptonshire.mct" in topics
    assert "notify.northamptonshire.mash" not in topics


def test_held_as_unbuilt_it_stays_held_while_the_hub_still_cannot_build_it(
    store: Store, contract_stricter_than_its_rule: None
) -> None:
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    report = route_held_duties(store, "ops", DIRECTORY, ManualClock(NOW))
    assert not report.routed
    [reason] = report.still_held.values()
    assert "details.never_given" in reason
    with store() as session:
        assert count_held(session) == 1
        assert "notify.northamptonshire.mash" not in set(
            session.scalars(select(OutboxMessage.topic))
        )


def test_held_as_unbuilt_it_goes_under_its_logged_id_once_the_hub_is_mended(
    store: Store,
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(FACTS, BROKEN, _StricterThanTheRule)
        apply_batch(store, [misper_record()], DIRECTORY, NOW)
    # mended: the contract is the rule's again
    report = route_held_duties(store, "ops", DIRECTORY, ManualClock(NOW))
    with store() as session:
        [held] = _held(session)
        queued = set(
            session.scalars(
                select(OutboxMessage.message_id).where(
                    OutboxMessage.topic == "notify.northamptonshire.mash"
                )
            )
        )
        assert count_held(session) == 0
    assert report.routed == {held.notification_id: "northamptonshire"}
    assert queued == {f"notification:{held.notification_id}"}
    assert held.child is None  # routed: the outbox message is the one copy


def test_the_episodes_timeline_says_the_hub_could_not_build_it(
    store: Store, contract_stricter_than_its_rule: None
) -> None:
    """Ops reading the child's episode see why MASH has not been told, and that it is the
    hub's fault, not a recipient the directory does not know."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    timeline = view_episode(store, "vera", example("01-misper-report")["data"]["episode_id"], NOW)
    [held] = [e for e in timeline.entries if e.happening == "delivery_held"]
    assert held.what.startswith(f"{BROKEN} held, the hub could not build it: ")


def test_a_careful_batch_holds_it_as_the_whole_batch_does(
    store: Store, monkeypatch: pytest.MonkeyPatch, contract_stricter_than_its_rule: None
) -> None:
    """Applied record by record (another child's message failing, a bug), the event is
    applied and the duty held alone, as together: not tried 3 times and dead-lettered."""
    failing_for("evt-bug", monkeypatch)
    buggy = misper_record(id="evt-bug", data={"child_id": "CF-9", "episode_id": "EP-9"})
    result = apply_batch(store, [buggy, misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered, result.notifications) == (1, 1, 16)
    with store() as session:
        [held] = _held(session)
    assert (held.action, held.unroutable_field) == (BROKEN, NOT_BUILT)


def test_an_escalation_that_cannot_be_built_is_held_and_the_timer_fired(store: Store) -> None:
    """A timer's notification (an escalation, issue 14) the hub cannot build is held as an
    event's is: the timer is fired, not failed, and once mended the escalation goes to the
    manager it was decided for."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    later = NOW + timedelta(hours=5)
    with _stricter(Action.DUTY_ESCALATED):
        fired_on_time(store, DIRECTORY, later)
    with store() as session:
        held = {row.notification_id: row for row in _held(session)}
        failed = session.scalars(select(TimerRecord).where(TimerRecord.status == "failed"))
        assert not list(failed)
    assert held
    assert {row.action for row in held.values()} == {Action.DUTY_ESCALATED}
    report = route_held_duties(store, "ops", DIRECTORY, ManualClock(later))
    assert report.routed == {nid: row.authority for nid, row in held.items()}
    assert {f"notify.{row.authority}.{row.recipient}" for row in held.values()} <= _topics(store)


def test_named_by_the_directory_but_still_not_buildable_it_is_held_as_the_hubs_fault(
    store: Store,
) -> None:
    """Held for a misspelt host authority, and its notification not buildable either: once
    the directory knows the name, routing it again leaves it held as the hub's fault, the
    party found kept, and the other held duty goes. Before, ops read "its recipient unknown"
    beside "the hub could not build it", the directory already corrected."""
    wiltshire = knowing("wiltshre", "wiltshire")
    named = misper_record(data={"residence_authority": "wiltshre"})
    with _stricter(HOSTS, BROKEN):
        apply_batch(store, [named], DIRECTORY, NOW)
    with _stricter(HOSTS):  # MASH's mended, the hosts' not yet
        report = route_held_duties(store, "ops", wiltshire, ManualClock(NOW))
        with store() as session:
            hosts = [row for row in _held(session) if row.routed_at is None]
            [audit] = session.scalars(select(AuditEntry.outcome))
        episode = example("01-misper-report")["data"]["episode_id"]
        timeline = view_episode(store, "vera", episode, NOW)
    assert set(report.routed.values()) == {"northamptonshire"}  # MASH's
    assert len(report.still_held) == 2
    assert audit == "1 routed, 2 still held"
    assert {(r.unroutable_field, r.authority) for r in hosts} == {
        (NOT_BUILT, "wiltshire"),
        (NOT_BUILT, "wiltshire-police"),
    }
    held = [e.what for e in timeline.entries if e.happening == "delivery_held"]
    assert len(held) == 2
    assert all(what.startswith(f"{HOSTS} held, the hub could not build it") for what in held)
    mended = route_held_duties(store, "ops", wiltshire, ManualClock(NOW))
    assert sorted(mended.routed.values()) == ["wiltshire", "wiltshire-police"]
    assert {"notify.wiltshire.host_authority", "notify.wiltshire-police.host_police"} <= (
        _topics(store)
    )


def test_held_unbuilt_until_retention_took_its_particulars_it_is_not_sent_empty(
    store: Store,
) -> None:
    """docs/retention.md: a placement notice goes 180 days after it arrived, and a duty it
    led to still held loses the particulars kept for ops. Mended and routed after that, the
    formal notification to the host (7.14) is logged as routed to no one, not sent, as a
    duty held for a party is: it went to Wiltshire with no child in it, 200 days late."""
    notice = example("08-cross-border-notice")
    notice["data"].pop("episode_id", None)
    notice["data"].update(
        notice_id="NCC-PN-1",
        child_id="CF-100231",
        from_authority="northamptonshire",
        to_authority="wiltshire",
    )
    with _stricter(Action.FORMAL_PLACEMENT_NOTIFICATION):
        apply_batch(store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, NOW)
    later = NOW + timedelta(days=200)
    apply_retention(store, RetentionSettings(), later, "test")
    report = route_held_duties(store, "ops", DIRECTORY, ManualClock(later))
    with store() as session:
        assert count_held(session) == 0
    assert not report.routed
    assert list(report.not_sent.values()) == [
        "its particulars were redacted under the retention policy"
    ]
    assert "notify.wiltshire.host_authority" not in _topics(store)


def _escalations_of(store: Store, notification_id: str) -> list[RoutingDecision]:
    """The escalations of this duty, and theirs in turn, in the order decided."""
    with store() as session:
        escalations = session.scalars(
            select(RoutingDecision)
            .where(RoutingDecision.action == Action.DUTY_ESCALATED)
            .order_by(RoutingDecision.decided_at)
        )
        chain, about = [], {notification_id}
        for row in escalations:
            if row.details["duty_notification_id"] in about:
                chain.append(row)
                about.add(row.notification_id)
        return chain


def test_its_escalation_tells_the_manager_the_hub_could_not_send_it(store: Store) -> None:
    """6.7, 3.10: a high-risk child's MISPER notification to MASH, due at once, held as the
    hub's fault on a Friday evening. EDT was told at once to act for the day teams (1.4), so
    the duty waits for them, and is escalated to the MASH manager when they open on Monday:
    the duty is undone and a child at risk, so it goes. The manager read "Not acknowledged
    and not done by its deadline", as if MASH had ignored it; MASH never received it. Its id
    is as before: the words are no part of it."""
    with _stricter(BROKEN):
        apply_batch(store, [misper_record(data={"risk_level": "high"})], DIRECTORY, NOW)
    fired_on_time(store, DIRECTORY, NOW + timedelta(days=3))  # Monday, the day teams open
    with store() as session:
        [held] = _held(session)
    to_manager, *_ = _escalations_of(store, held.notification_id)
    assert (to_manager.recipient, to_manager.paragraph) == ("mash_manager", "6.7")
    assert to_manager.summary.startswith(
        "Not done by its deadline, and never received: the hub could not send it (ops hold "
        "it: it could not build the notification): 'record_missing_episode' owed to mash"
    )
    assert to_manager.details["owed_by_authority"] == "northamptonshire"


def test_escalated_again_the_next_manager_reads_it_was_never_received(store: Store) -> None:
    """6.7: the MASH manager did not answer either; the RISE/MCT Service Manager is told that
    the MASH manager was, and that MASH never received the duty (still held by ops): not that
    MASH ignored it."""
    with _stricter(BROKEN):
        apply_batch(store, [misper_record(data={"risk_level": "high"})], DIRECTORY, NOW)
    fired_on_time(store, DIRECTORY, NOW + timedelta(days=3))  # Monday, the day teams open
    with store() as session:
        [held] = _held(session)
    _, to_service_manager, *_ = _escalations_of(store, held.notification_id)
    assert to_service_manager.recipient == "rise_mct_service_manager"
    assert to_service_manager.summary.startswith(
        "Not acknowledged and not done by its deadline: 'record_missing_episode' owed to mash "
        "(6.14), never received (the hub could not send it: ops hold it), escalated to "
        "mash_manager."
    )


def test_routed_once_mended_its_escalation_says_it_was_not_acknowledged(store: Store) -> None:
    """Mended and routed by ops before its window ends, MASH has it: left unanswered, it is
    escalated as any duty is."""
    with _stricter(BROKEN):
        apply_batch(store, [misper_record(data={"risk_level": "high"})], DIRECTORY, NOW)
    route_held_duties(store, "ops", DIRECTORY, ManualClock(NOW + timedelta(minutes=10)))
    fired_on_time(store, DIRECTORY, NOW + timedelta(days=3))  # Monday, the day teams open
    with store() as session:
        [routed] = _held(session)
    to_manager, *_ = _escalations_of(store, routed.notification_id)
    assert to_manager.summary.startswith(
        "Not acknowledged and not done by its deadline: 'record_missing_episode' owed to mash"
    )


def _surrey_vested() -> Directory:
    """national-directory.yaml: "East Surrey and West Surrey take over on 1 April 2027: add
    them then, and alias surrey". The directory as it will be then."""
    reference = DIRECTORY.reference
    authorities = {code: a for code, a in reference.authorities.items() if code != "surrey"}
    for code, name in (("east-surrey", "East Surrey"), ("west-surrey", "West Surrey")):
        authorities[code] = Authority(
            name=name,
            gss=None,
            kind=AuthorityKind.UNITARY,
            nation=Nation.ENGLAND,
            police_force="surrey-police",
        )
    aliases = {**reference.aliases, "surrey": Alias(to=("east-surrey", "west-surrey"))}
    changed = {"authorities": authorities, "aliases": aliases}
    return DIRECTORY.model_copy(update={"reference": reference.model_copy(update=changed)})


VESTED = _surrey_vested()
IN_SURREY = misper_record(data={"residence_authority": "Surrey County Council"})


def test_held_for_an_authority_retired_since_it_stays_held_saying_so(store: Store) -> None:
    """8.3, 3.9: the host authority's and host force's notices held unbuilt for Surrey; the
    hub mended, and its directory updated, after Surrey's councils vest. Routed again, the
    host authority's was queued to Surrey's topic, which no one reads (the relay refuses a
    topic outside the directory), and logged as routed: the host never told. It stays held,
    naming the authority it was decided for and what covers it now; the force's goes."""
    with _stricter(HOSTS):
        apply_batch(store, [IN_SURREY], DIRECTORY, NOW)
    report = route_held_duties(store, "ops", VESTED, ManualClock(NOW))
    assert list(report.routed.values()) == ["surrey-police"]
    [reason] = report.still_held.values()
    assert reason.startswith(
        "'surrey', the authority it was decided for, is no longer in the hub's directory (it "
        "now covers east-surrey, west-surrey)"
    )
    with store() as session:
        [held] = [row for row in _held(session) if row.routed_at is None]
    assert (held.recipient, held.unroutable_field) == ("host_authority", AUTHORITY_GONE)
    assert not any(topic.startswith("notify.surrey.") for topic in _topics(store))


def test_held_for_an_authority_retired_since_it_goes_where_the_directory_names_it(
    store: Store,
) -> None:
    """Ops name its successor in the deployment (`aliases: surrey: {to: [west-surrey]}`):
    routed again, it goes to West Surrey under the id it was logged with."""
    with _stricter(HOSTS):
        apply_batch(store, [IN_SURREY], DIRECTORY, NOW)
    route_held_duties(store, "ops", VESTED, ManualClock(NOW))
    west = VESTED.model_copy(update={"aliases": {"surrey": Alias(to=("west-surrey",))}})
    report = route_held_duties(store, "ops", west, ManualClock(NOW))
    [(notification_id, authority)] = report.routed.items()
    assert authority == "west-surrey"
    with store() as session:
        assert count_held(session) == 0
        [queued] = session.scalars(
            select(OutboxMessage.message_id).where(
                OutboxMessage.topic == "notify.west-surrey.host_authority"
            )
        )
    assert queued == f"notification:{notification_id}"
