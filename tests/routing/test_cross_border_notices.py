"""Notices between authorities (3.3, 3.4, 7.14, 7.15, 8.4, 8.9, 8.10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hub.contracts.events import CrossBorderNotice, PlacedChild
from hub.contracts.vocabulary import CrossBorderNoticeKind, LegalStatus, Sex
from hub.routing.facts import Decision, ProtocolViolation
from tests.routing.builders import (
    CHILD,
    PLACED_IN,
    START,
    Timeline,
    found,
    misper,
    return_interview,
    told,
)

PLACED_AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def placement(
    planned: bool = False, to: str = "northamptonshire", by: str = "essex"
) -> CrossBorderNotice:
    return CrossBorderNotice(
        notice_id="N-1",
        kind=CrossBorderNoticeKind.PLACEMENT_NOTIFIED,
        child_id=CHILD,
        from_authority=by,
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


def host_notice(kind: CrossBorderNoticeKind, at: datetime, by: str = "kent") -> CrossBorderNotice:
    return CrossBorderNotice(
        notice_id="N-2",
        kind=kind,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority=by,
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


def test_8_10_a_placing_authoritys_notice_tells_no_worker_or_iro_of_ours() -> None:
    """8.10: a child placed here has its social worker in the placing authority ("MCT will
    contact the social worker in the Placing Authority"), and its IRO there (7.27): its
    authority's notice that it is missing or has returned goes to the MCT, not to a worker
    or IRO of ours the child does not have."""
    worker = misper().allocated_worker
    placed_with_worker: dict[str, Any] = {**PLACED_IN, "allocated_worker": worker}
    timeline = Timeline()
    timeline.receive(misper(**placed_with_worker))
    missing = timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_MISSING, START + timedelta(hours=1), by="essex")
    )
    timeline.receive(found(at=START + timedelta(hours=8)))
    returned = timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(hours=9), by="essex")
    )
    assert {d.recipient for d in missing} == {"mct"}
    assert {d.recipient for d in returned} == {"mct"}


def we_place_in_kent(timeline: Timeline | None = None, planned: bool = True) -> list[Decision]:
    notice = placement(planned=planned, to="kent", by="northamptonshire")
    return (timeline or Timeline()).receive(notice, at=PLACED_AT - timedelta(days=1))


def test_7_14_placing_out_of_area_sends_the_formal_notification_to_the_host() -> None:
    [notice] = told(we_place_in_kent(), "host_authority", "formal_placement_notification")
    assert notice.authority == "kent"
    assert notice.due == PLACED_AT


def test_7_14_a_child_who_has_gone_missing_before_means_talking_to_host_safeguarding() -> None:
    assert not told(we_place_in_kent(), "allocated_worker", "talk_to_host_safeguarding")
    timeline = Timeline()
    timeline.receive(misper(at=PLACED_AT - timedelta(days=20)))
    timeline.receive(found(at=PLACED_AT - timedelta(days=19)))
    assert told(we_place_in_kent(timeline), "allocated_worker", "talk_to_host_safeguarding")


def test_3_3_b_our_worker_completes_the_forms_within_5_days_of_an_unplanned_placement() -> None:
    [forms] = told(
        we_place_in_kent(planned=False), "allocated_worker", "complete_incident_and_location_forms"
    )
    assert forms.due == PLACED_AT + timedelta(days=5)


def test_7_15_the_iro_checks_the_placement_plan_within_5_working_days() -> None:
    [check] = told(we_place_in_kent(), "iro", "check_placement_plan")
    assert check.due == datetime(2026, 11, 9, 17, 30, tzinfo=UTC)  # Monday to Monday


def test_the_hub_sends_missing_notices_itself_so_an_outbound_one_is_refused() -> None:
    notice = host_notice(CrossBorderNoticeKind.CHILD_MISSING, START).model_copy(
        update={"from_authority": "northamptonshire", "to_authority": "kent"}
    )
    with pytest.raises(ProtocolViolation) as caught:
        Timeline().receive(notice)
    assert caught.value.field == "data.kind"


FOUND_AT = START + timedelta(days=1)


def found_placed_in_child() -> Timeline:
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))  # type: ignore[arg-type]
    timeline.receive(found(at=FOUND_AT))
    return timeline


def accepted(by: str = "essex") -> CrossBorderNotice:
    return CrossBorderNotice(
        notice_id="N-3",
        kind=CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority=by,
        to_authority="northamptonshire",
        occurred_at=FOUND_AT + timedelta(hours=2),
    )


def test_8_10_an_unconfirmed_handover_escalates_after_24_hours() -> None:
    fired = found_placed_in_child().advance(FOUND_AT + timedelta(hours=24))
    [mct] = told(fired, "mct", "return_interview_handover_unconfirmed")
    assert mct.due == FOUND_AT + timedelta(hours=72)
    assert told(fired, "cse_missing_service_manager", "chase_placing_authority")
    assert told(fired, "placing_authority", "confirm_return_interview")


def test_8_10_a_confirmed_handover_does_not_escalate() -> None:
    timeline = found_placed_in_child()
    timeline.receive(accepted())
    fired = timeline.advance(FOUND_AT + timedelta(hours=24))
    assert not told(fired, "cse_missing_service_manager", "chase_placing_authority")


def test_8_10_only_the_placing_authority_can_confirm_the_handover() -> None:
    with pytest.raises(ProtocolViolation) as caught:
        found_placed_in_child().receive(accepted(by="kent"))
    assert caught.value.field == "data.from_authority"


def test_8_10_a_completed_return_interview_is_confirmation_enough() -> None:
    timeline = found_placed_in_child()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5)))
    fired = timeline.advance(FOUND_AT + timedelta(hours=24))
    assert not told(fired, "cse_missing_service_manager", "chase_placing_authority")
