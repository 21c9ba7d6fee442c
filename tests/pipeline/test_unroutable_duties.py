"""In the store, on SQLite and PostgreSQL: a MISPER report naming an authority the directory
does not know is applied; its home duties are queued, the duties needing the unknown party
are logged as unroutable and queued for no one, and once the directory knows the name ops
routes them under the ids they were logged with. An event on another type's topic is
refused with that reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import ManualClock
from hub.console.actions import route_held_duties
from hub.routing.directory import Alias, Directory, load_directory
from hub.service.applying import apply_batch
from hub.service.batch import BatchResult
from hub.service.rerouting import count_held
from hub.settings import RetentionSettings
from hub.store.models import AuditEntry, OutboxMessage, RejectedMessage, RoutingDecision
from hub.store.retention import apply_retention
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of
from tests.pipeline.scheduling import fired_on_time

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
Store = sessionmaker[Session]


def knowing(name: str, code: str) -> Directory:
    reference = DIRECTORY.reference
    aliases = {**reference.aliases, name: Alias(to=(code,))}
    return DIRECTORY.model_copy(
        update={"reference": reference.model_copy(update={"aliases": aliases})}
    )


def test_an_unknown_host_authority_is_applied_and_only_its_duties_are_held(store: Store) -> None:
    result = apply_batch(
        store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW
    )
    assert result.applied == 1
    with store() as session:
        decisions = session.scalars(select(RoutingDecision)).all()
        topics = set(session.scalars(select(OutboxMessage.topic)))
        held = {d.recipient for d in decisions if d.held}
        assert count_held(session) == len([d for d in decisions if d.held])
    assert held == {"host_police", "host_authority"}
    assert "notify.northamptonshire.mash" in topics
    assert "notify.northamptonshire.mct" in topics
    assert not any("wiltshre" in topic for topic in topics)
    assert result.notifications == len(decisions) - 2


def test_held_duties_are_routed_once_the_directory_knows_the_name(store: Store) -> None:
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    clock = ManualClock(NOW)
    unchanged = route_held_duties(store, "ops", DIRECTORY, clock)
    assert not unchanged.routed
    assert len(unchanged.still_held) == 2
    report = route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), clock)
    assert sorted(report.routed.values()) == ["wiltshire", "wiltshire-police"]
    assert not report.still_held
    with store() as session:
        assert count_held(session) == 0
        rows = [
            row
            for row in session.scalars(select(OutboxMessage))
            if row.topic.startswith("notify.wiltshire")
        ]
        queued = {row.message_id: row.topic for row in rows}
        delivered = [json.loads(row.value) for row in rows]
        audit = session.scalars(select(AuditEntry.action)).all()
    assert sorted(queued.values()) == [
        "notify.wiltshire-police.host_police",
        "notify.wiltshire.host_authority",
    ]
    assert {f"notification:{nid}" for nid in report.routed} == set(queued)  # the logged ids
    # delivered whole: the host force and authority can identify the child (3.9, 8.3)
    assert all(message["child"]["name"] == "Jordan Example" for message in delivered)
    assert all(message["child"]["placing_authority_contact"] for message in delivered)
    assert "reroute" in audit
    again = route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), clock)
    assert not again.routed
    assert not again.still_held


def test_a_held_duty_routed_keeps_the_childs_particulars_in_its_outbox_message_alone(
    store: Store,
) -> None:
    """docs/notifications.md, Held duties: a held duty keeps the child's particulars in its
    routing-log row so that it is delivered whole once ops routes it; a duty routed keeps
    none there, its outbox message the one copy. Routed, the held ones kept theirs in the
    log (name, date of birth, where last seen) until retention retired the episode, however
    long the child was missing, long after the outbox row went."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    report = route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    assert len(report.routed) == 2
    with store() as session:
        kept = session.scalars(
            select(RoutingDecision.child).where(
                RoutingDecision.notification_id.in_(list(report.routed))
            )
        ).all()
    assert kept == [None, None]


def test_a_duty_routed_before_its_row_was_emptied_loses_the_particulars_at_the_next_run(
    store: Store,
) -> None:
    """Routed by a hub that kept the particulars in the row: the next retention run empties
    it, the child still missing (docs/notifications.md, Held duties)."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    with store() as session:
        kept = {
            row.notification_id: row.child
            for row in session.scalars(
                select(RoutingDecision).where(RoutingDecision.unroutable_field.is_not(None))
            )
        }
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    with store.begin() as session:  # as a hub before this one left them
        for row in session.scalars(
            select(RoutingDecision).where(RoutingDecision.unroutable_field.is_not(None))
        ):
            row.child = kept[row.notification_id]
    done = apply_retention(store, RetentionSettings(), NOW + timedelta(hours=1), "test")
    assert done.decisions_stripped == len(kept) == 2
    with store() as session:
        children = session.scalars(
            select(RoutingDecision.child).where(RoutingDecision.unroutable_field.is_not(None))
        )
        assert all(child is None for child in children)


def held_for_a_misspelt_host_then_closed(store: Store) -> BatchResult:
    """The host's duties held for a misspelt name ("wiltshre"), then the episode closed by
    joint decision (7.24): the closure's batch."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    closure = example("12-episode-closed")
    closure["data"].update(
        episode_id="EP-2026-0412", child_id="CF-100231", closed_at="2026-11-20T19:00:00Z"
    )
    return apply_batch(store, [record_of(closure, "inbound.episode-closed")], DIRECTORY, NOW)


def test_a_held_duty_no_longer_needed_keeps_no_particulars_once_routed(store: Store) -> None:
    """Routed after the episode was closed (7.24), the host force's search is logged as
    routed and never sent: nothing is to be delivered, and the child's particulars the row
    kept for that go (docs/notifications.md, Held duties)."""
    held_for_a_misspelt_host_then_closed(store)
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    with store() as session:
        kept = session.scalars(
            select(RoutingDecision.child).where(RoutingDecision.routed_at.is_not(None))
        ).all()
    assert kept
    assert all(child is None for child in kept)


def test_an_event_on_another_types_topic_is_refused_naming_why(store: Store) -> None:
    result = apply_batch(
        store, [record_of(example("01-misper-report"), topic="inbound.mash-rating")], DIRECTORY, NOW
    )
    assert result.rejected == 1
    with store() as session:
        [refused] = session.scalars(select(RejectedMessage)).all()
    assert refused.problems == [
        {
            "field": "ce_type",
            "reason": "a misper-report is published on inbound.misper-report "
            "or inbound.misper-report.<agency> only",
        }
    ]


def test_a_duty_held_before_the_log_kept_particulars_is_delivered_whole(store: Store) -> None:
    """Held before migration 0005 (no `child` in its row): its particulars are rebuilt from
    the child's state when ops routes it, so the host force can still identify the child."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    with store.begin() as session:
        for row in session.scalars(
            select(RoutingDecision).where(RoutingDecision.routed_at.is_(None))
        ):
            row.child = None
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    with store() as session:
        [police] = [
            json.loads(row.value)
            for row in session.scalars(select(OutboxMessage))
            if row.topic == "notify.wiltshire-police.host_police"
        ]
    assert police["child"]["name"] == "Jordan Example"
    assert police["child"]["last_seen_place"]


def test_a_duty_routed_again_is_answered_by_the_agency_it_was_routed_to(store: Store) -> None:
    """Held for a misspelt host authority, then routed to Wiltshire Police: their
    acknowledgement is taken, not refused as owed to nobody (issue 14)."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    report = route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    [to_police] = [nid for nid, code in report.routed.items() if code == "wiltshire-police"]
    document = example("09-duty-acknowledged")
    document["data"].update(
        notification_id=to_police,
        answered_by="wiltshire-police",
        acknowledged_at="2026-11-20T18:50:00Z",
    )
    topic = "inbound.duty-acknowledged"
    result = apply_batch(store, [record_of(document, topic)], knowing("wiltshre", "wiltshire"), NOW)
    assert result.applied == 1
    with store() as session:
        row = session.scalars(
            select(RoutingDecision).where(RoutingDecision.notification_id == to_police)
        ).one()
    # Dated 18:50, nine minutes after the hub read it: picked up when read (facts.clock_start).
    assert row.acknowledged_at == NOW


def test_a_held_duty_stood_down_by_a_closure_is_not_delivered_when_routed_again(
    store: Store,
) -> None:
    """Held for a misspelt host authority; the episode is then closed by joint decision
    (7.24), which stands its duties down: routed again, the host force's duty to look for
    the child is logged as routed but not sent as an action."""
    assert held_for_a_misspelt_host_then_closed(store).applied == 1
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    with store() as session:
        topics = set(session.scalars(select(OutboxMessage.topic)))
        assert count_held(session) == 0
    assert "notify.wiltshire-police.host_police" not in topics


def test_a_held_search_notice_of_a_closed_case_reaches_no_host_when_routed_again(
    store: Store,
) -> None:
    """As above: the host authority's notice of the search (8.3, no deadline) and the
    closure's, held for the same name, are not sent once routed: the search it never heard
    of was stood down with the case (7.24), and the host force's and authority's are told
    of neither."""
    held_for_a_misspelt_host_then_closed(store)
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    with store() as session:
        topics = set(session.scalars(select(OutboxMessage.topic)))
        assert count_held(session) == 0
    assert not [topic for topic in topics if topic.startswith("notify.wiltshire")]


def test_a_held_duty_of_an_episode_retired_is_not_delivered_when_routed_again(
    store: Store,
) -> None:
    """Held for a misspelt host authority; the child is found, and 180 days later the
    episode is retired (docs/retention.md): routed again, nothing is sent about it."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    found = example("05-found-report")
    apply_batch(store, [record_of(found, "inbound.found-report")], DIRECTORY, NOW)
    later = NOW + timedelta(days=200)
    apply_retention(store, RetentionSettings(), later, "test")
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(later))
    with store() as session:
        topics = set(session.scalars(select(OutboxMessage.topic)))
        assert count_held(session) == 0
    assert not [topic for topic in topics if topic.startswith("notify.wiltshire")]


def test_a_held_placement_duty_naming_a_retired_episode_is_delivered_when_routed_again(
    store: Store,
) -> None:
    """The child's episode is retired (docs/retention.md); we then place the child in
    Wiltshire, misspelt, the notice naming the retired episode: the formal notification to
    the host (7.14), held for the name, is no duty of that episode, and is delivered once
    ops routes it."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    found = example("05-found-report")
    apply_batch(store, [record_of(found, "inbound.found-report")], DIRECTORY, NOW)
    later = NOW + timedelta(days=200)
    apply_retention(store, RetentionSettings(), later, "test")
    notice = example("08-cross-border-notice")
    notice["id"] = "evt-ncc-placement"
    notice["source"] = "/la/northamptonshire/carefirst"
    notice["data"].update(
        notice_id="NCC-PN-1",
        child_id="CF-100231",
        episode_id="EP-2026-0412",
        from_authority="northamptonshire",
        to_authority="wiltshre",
    )
    record = record_of(notice, "inbound.cross-border-notice")
    placed = apply_batch(store, [record], DIRECTORY, later)
    assert placed.applied == 1
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(later))
    with store() as session:
        topics = set(session.scalars(select(OutboxMessage.topic)))
    assert "notify.wiltshire.host_authority" in topics


def test_a_held_notice_of_a_child_missing_is_not_delivered_once_the_child_is_found(
    store: Store,
) -> None:
    """Held for a misspelt host authority; the child is then found: routed again, the host
    force and the host authority are not told, after the child's return, that the child is
    missing in their area (3.9, 8.3); the found report's own duties to the host force (its
    prevention interview, MCT-PG's safe and well check) are delivered."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    found = example("05-found-report")
    apply_batch(store, [record_of(found, "inbound.found-report")], DIRECTORY, NOW)
    route_held_duties(store, "ops", knowing("wiltshre", "wiltshire"), ManualClock(NOW))
    with store() as session:
        assert count_held(session) == 0
        actions = [
            json.loads(value)["action"]
            for value in session.scalars(
                select(OutboxMessage.value).where(OutboxMessage.topic.like("notify.wiltshire%"))
            )
        ]
    assert "child_missing_in_your_area" not in actions
    assert "conduct_prevention_interview" in actions


def test_escalated_while_held_its_manager_reads_it_was_never_received(store: Store) -> None:
    """3.9, 6.7: the host force's notice, due at once, held for a misspelt host authority,
    is escalated when its window ends (the child is missing, and the search in the host's
    area unasked). Its escalation said "Not acknowledged", as if the host force had ignored
    it; it never received it."""
    apply_batch(store, [misper_record(data={"residence_authority": "wiltshre"})], DIRECTORY, NOW)
    fired_on_time(store, DIRECTORY, NOW + timedelta(hours=4))
    with store() as session:
        [held] = session.scalars(
            select(RoutingDecision).where(
                RoutingDecision.recipient == "host_police",
                RoutingDecision.action == "child_missing_in_your_area",
            )
        )
        [escalation] = [
            row
            for row in session.scalars(
                select(RoutingDecision).where(RoutingDecision.action == "duty_escalated")
            )
            if row.details["duty_notification_id"] == held.notification_id
        ]
    assert escalation.summary.startswith(
        "Not done by its deadline, and never received: the hub could not send it (ops hold "
        "it: the directory does not name its recipient): 'child_missing_in_your_area' owed "
        "to host_police (3.9)."
    )
