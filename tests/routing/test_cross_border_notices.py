"""Notices from other authorities (3.3, 3.4, 8.4, 8.9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hub.contracts.events import CrossBorderNotice, PlacedChild
from hub.contracts.vocabulary import CrossBorderNoticeKind, LegalStatus, Sex
from hub.routing.facts import ProtocolViolation
from tests.routing.builders import CHILD, START, Timeline, misper, told

PLACED_AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def placement(planned: bool = False, to: str = "northamptonshire") -> CrossBorderNotice:
    return CrossBorderNotice(
        notice_id="N-1",
        kind=CrossBorderNoticeKind.PLACEMENT_NOTIFIED,
        child_id=CHILD,
        from_authority="essex",
        to_authority=to,
        occurred_at=PLACED_AT,
        placed_child=PlacedChild(
            name="Placed Child",
            date_of_birth=date(2011, 1, 1),
            sex=Sex.MALE,
            placement_started_at=PLACED_AT,
            planned_placement=planned,
            placing_social_worker="E SW",
        ),
    )


def host_notice(kind: CrossBorderNoticeKind, at: datetime) -> CrossBorderNotice:
    return CrossBorderNotice(
        notice_id="N-2",
        kind=kind,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority="kent",
        to_authority="northamptonshire",
        occurred_at=at,
    )


def test_8_9_a_placement_notice_is_recorded_by_the_mct() -> None:
    [record] = told(Timeline().receive(placement()), "mct", "record_placement")
    assert record.paragraph == "8.9"


def test_3_3_forms_are_due_within_5_days_of_an_unplanned_placement() -> None:
    [forms] = told(
        Timeline().receive(placement(), at=PLACED_AT), "mct", "complete_incident_and_location_forms"
    )
    assert forms.due == PLACED_AT + timedelta(days=5)


def test_3_3_forms_for_a_planned_placement_are_due_at_once() -> None:
    [forms] = told(
        Timeline().receive(placement(planned=True), at=PLACED_AT),
        "mct",
        "complete_incident_and_location_forms",
    )
    assert forms.due == PLACED_AT


def test_a_notice_addressed_to_another_authority_is_refused() -> None:
    with pytest.raises(ProtocolViolation) as caught:
        Timeline().receive(placement(to="kent"))
    assert caught.value.field == "data.to_authority"


def test_8_4_a_host_reports_our_child_missing_to_the_mct_and_worker() -> None:
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    decisions = timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_MISSING, START + timedelta(hours=1))
    )
    assert told(decisions, "mct", "child_missing_in_host_area")
    assert told(decisions, "allocated_worker", "child_missing_in_host_area")


def test_8_4_a_host_reports_our_child_returned_to_the_worker_and_iro() -> None:
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    decisions = timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(hours=9))
    )
    assert {d.recipient for d in decisions} == {"mct", "allocated_worker", "iro"}
