"""Duties of a cross-border notice about no episode the hub has (8.4, 5.12), in the store, on
SQLite and PostgreSQL: held by the notice, taken over by the MISPER report that follows,
fired by the scheduler and shown in the deadlines as the episode's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.console.views import deadlines
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.timers import fire_due_timers
from hub.store.models import RoutingDecision
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of

DIRECTORY = load_directory()
RETURNED = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)  # the example found report's time
Store = sessionmaker[Session]


def lutons_found_notice() -> dict[str, object]:
    """8.4: Luton tells us our child placed there has returned, before any MISPER report."""
    notice = example("08-cross-border-notice")
    notice["id"] = "evt-lut-found"
    notice["source"] = "/la/luton/childrens-services"
    notice["data"] = {
        "notice_id": "LUT-FOUND-1",
        "kind": "child_found",
        "child_id": "CF-100231",
        "episode_id": "EP-2026-0412",
        "from_authority": "luton",
        "to_authority": "northamptonshire",
        "occurred_at": "2026-11-24T11:20:00Z",
    }
    return notice


def test_5_12_the_interview_a_host_notice_held_is_not_chased_once_the_found_report_sets_it(
    store: Store,
) -> None:
    """The MCT holds the return interview on Luton's notice; the police's MISPER and found
    reports then come, the found report setting the interview, which the MCT gives in time
    (5.12). Nobody is escalated for the notice's interview, nor is it shown overdue."""
    notice = record_of(lutons_found_notice(), "inbound.cross-border-notice")
    assert apply_batch(store, [notice], DIRECTORY, RETURNED).applied == 1
    read = RETURNED + timedelta(hours=1)
    found = record_of(example("05-found-report"), "inbound.found-report")
    assert apply_batch(store, [misper_record(), found], DIRECTORY, read).applied == 2
    interview = record_of(example("07-return-interview"), "inbound.return-interview")
    assert apply_batch(store, [interview], DIRECTORY, RETURNED + timedelta(days=2)).applied == 1
    later = RETURNED + timedelta(days=5)
    fire_due_timers(store, DIRECTORY, later)
    with store() as session:
        escalated = [
            row.details["duty_action"]
            for row in session.scalars(
                select(RoutingDecision).where(RoutingDecision.action == "duty_escalated")
            )
        ]
        shown = [d.action for team in deadlines(session, later) for d in team.deadlines]
    assert "child_found_in_host_area" not in escalated
    assert "child_found_in_host_area" not in shown


def test_7_15_a_placement_with_a_long_notice_id_is_applied_and_answered(store: Store) -> None:
    """Leicestershire places a child here under a notice id of 64 characters, which the
    contract allows: the notice is applied, not dead-lettered for an episode id too long
    for its notifications, and the MCT's answer to its forms duty (3.3), naming the
    episode id the notification gave, is taken."""
    notice = example("08-cross-border-notice")
    notice["data"]["notice_id"] = "LEI-PN-" + "7" * 57
    placed_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    applied = apply_batch(
        store, [record_of(notice, "inbound.cross-border-notice")], DIRECTORY, placed_at
    )
    assert applied.applied == 1
    with store() as session:
        forms = session.scalars(
            select(RoutingDecision).where(
                RoutingDecision.action == "complete_incident_and_location_forms"
            )
        ).one()
        forms_id, episode_id = forms.notification_id, forms.episode_id
    answer = example("09-duty-acknowledged")
    answer["data"].update(
        episode_id=episode_id,
        child_id="LEI-558812",
        notification_id=forms_id,
        acknowledged_at="2026-11-02T10:00:00Z",
    )
    read = placed_at + timedelta(hours=2)
    acknowledged = apply_batch(
        store, [record_of(answer, "inbound.duty-acknowledged")], DIRECTORY, read
    )
    assert acknowledged.applied == 1
    with store() as session:
        row = session.get(RoutingDecision, forms_id)
        assert row is not None
        assert row.acknowledged_at == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
