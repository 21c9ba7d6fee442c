"""Notices between authorities (3.3, 3.4, 7.14, 7.15, 8.4, 8.9, 8.10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hub.contracts.events import (
    AllocatedWorker,
    CrossBorderNotice,
    DutyAcknowledged,
    EpisodeClosed,
    MisperReport,
    PlacedChild,
)
from hub.contracts.vocabulary import (
    CrossBorderNoticeKind,
    Interviewer,
    LegalStatus,
    RiskLevel,
    Sex,
)
from hub.routing.facts import Decision, ProtocolViolation
from hub.store.retention import retire
from tests.routing.builders import (
    CHILD,
    ESCALATED,
    PLACED_IN,
    START,
    Timeline,
    by_the_rules,
    found,
    misper,
    return_interview,
    risk_update,
    told,
)
from tests.routing.test_duties import acknowledged as answered
from tests.routing.test_duties import completed

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


def test_8_4_a_host_missing_notice_read_after_the_child_was_found_asks_nothing_at_once() -> None:
    """Kent's word that our child went missing, read two hours after the found report of
    that absence: the MCT and the worker hear it as Kent's news of an absence that is over,
    without a duty due at once (unanswered, it climbed to the Head of Safeguarding, as if
    the child were missing again). Its absence began before the return the hub has."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    timeline.receive(found(at=START + timedelta(hours=5)))
    decisions = timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_MISSING, START), at=START + timedelta(hours=7)
    )
    told_late = told(decisions, "mct") + told(decisions, "allocated_worker")
    assert told_late
    assert all(d.due is None and "found" in d.summary for d in told_late)
    later = timeline.advance(START + timedelta(days=3))
    assert not [d for d in later if d.details.get("duty_action") == "child_missing_in_host_area"]


def test_8_4_a_host_missing_notice_after_the_return_is_a_new_absence() -> None:
    """Kent reports the child missing again the day after its return, under the episode it
    knows: that is news, due at once, to the MCT and the worker (8.4)."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    timeline.receive(found(at=START + timedelta(hours=5)))
    again = START + timedelta(days=1)
    decisions = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, again), at=again)
    [mct] = told(decisions, "mct", "child_missing_in_host_area")
    assert mct.due == again


def test_mct_pg_a_host_missing_notice_read_out_of_hours_reaches_edt() -> None:
    """MCT-PG: "The placement provider will notify the allocated Social Worker, or an
    Emergency Duty Team (EDT) Family Support Worker if out of hours, that the child or young
    person has gone missing" (Flowchart One). Read on a Saturday night, with no MISPER report
    (the host's force may not be connected), the MCT alone would hear of it on Monday."""
    saturday_night = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    decisions = Timeline().receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, saturday_night))
    [edt] = told(decisions, "edt", "child_missing_in_host_area")
    assert edt.due == saturday_night


SATURDAY_NIGHT = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def test_mct_pg_a_host_return_read_out_of_hours_reaches_edt() -> None:
    """MCT-PG: the provider notifies "the allocated Social Worker or the Emergency Duty Team
    (EDT) (if out of hours) that young person has returned", and EDT tells the MCT "before
    the close of the day" (Flowchart Two): EDT, acting for the day teams that night, learns
    the child is back; the hub tells the MCT itself, so EDT is sent a notice, no duty."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    returned = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, SATURDAY_NIGHT))
    [edt] = told(returned, "edt", "child_found_in_host_area")
    assert edt.due is None


def test_mct_pg_a_host_return_with_no_misper_report_read_out_of_hours_reaches_edt() -> None:
    returned = Timeline().receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, SATURDAY_NIGHT))
    [edt] = told(returned, "edt", "child_found_in_host_area")
    assert edt.due is None


def test_mct_pg_the_found_report_after_the_hosts_word_does_not_tell_edt_again() -> None:
    """EDT heard of the return from the host's word (8.4); the force's found report that
    follows brings nothing more for EDT to tell the MCT."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, SATURDAY_NIGHT))
    later = SATURDAY_NIGHT + timedelta(hours=2)
    assert not told(timeline.receive(found(at=SATURDAY_NIGHT), at=later), "edt")


def test_5_12_missing_again_after_the_72_hours_the_mct_held_does_not_cut_its_interview_short() -> (
    None
):
    """Kent's word of the return on Christmas Eve night, with no MISPER report: the MCT holds
    the interview, within 72 hours (5.12); EDT is told too (MCT-PG), of no interview. Missing
    again on the 28th, past those 72 hours, the child cut no interview short: the MCT's is
    overdue, and chased."""
    christmas_eve = datetime(2027, 12, 24, 20, 0, tzinfo=UTC)
    timeline = Timeline()
    [interview] = told(
        timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, christmas_eve)), "mct"
    )
    again = datetime(2027, 12, 28, 10, 0, tzinfo=UTC)
    timeline.receive(
        misper("EP-2", at=again, legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    )
    chased = [
        d
        for d in timeline.advance(again + timedelta(days=3))
        if d.action == ESCALATED and d.details["duty_notification_id"] == interview.notification_key
    ]
    assert chased


def test_8_4_a_host_reports_our_child_returned_to_the_worker_and_iro() -> None:
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent"))
    decisions = timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(hours=5))
    )
    told_of_it = {d.recipient for d in decisions if d.action == "child_found_in_host_area"}
    assert told_of_it == {"mct", "allocated_worker", "iro"}


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


def test_7_14_a_placement_naming_the_host_and_us_by_gss_codes_reaches_the_host() -> None:
    """7.14: our own placement notice, from West Northamptonshire (E06000062) to Kent
    (E10000016) as the case system records them: the Formal Notification reaches Kent; the
    notice is not refused as one addressed to another authority."""
    notice = placement(to="E10000016", by="E06000062")
    [host] = told(Timeline().receive(notice), "host_authority", "formal_placement_notification")
    assert host.authority == "kent"


def test_7_14_a_child_who_has_gone_missing_before_means_talking_to_host_safeguarding() -> None:
    assert not told(we_place_in_kent(), "allocated_worker", "talk_to_host_safeguarding")
    timeline = Timeline()
    timeline.receive(misper(at=PLACED_AT - timedelta(days=20)))
    timeline.receive(found(at=PLACED_AT - timedelta(days=19)))
    assert told(we_place_in_kent(timeline), "allocated_worker", "talk_to_host_safeguarding")


def test_7_14_one_absence_reported_by_two_forces_is_one_episode_before() -> None:
    """The child went missing once, 20 days before we place it in Kent: reported by our
    force, and an hour later by another, whose report took the search over (one absence,
    7.22); found the next day. Kent is told of one previous missing episode, and our
    worker to talk to its safeguarding service of one (7.14). Both said two."""
    timeline = Timeline()
    gone = PLACED_AT - timedelta(days=20)
    timeline.receive(misper(at=gone))
    timeline.receive(
        misper("EP-2", at=gone + timedelta(hours=1), reporting_force="thames-valley-police")
    )
    timeline.receive(found("EP-2", at=gone + timedelta(days=1)))
    decisions = we_place_in_kent(timeline)
    [host] = told(decisions, "host_authority", "formal_placement_notification")
    assert host.details["previous_missing_episodes"] == 1
    [talk] = told(decisions, "allocated_worker", "talk_to_host_safeguarding")
    assert "gone missing 1 time(s) before" in talk.summary


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


def test_8_10_a_declined_return_interview_is_not_chased_as_unconfirmed() -> None:
    """The interview was offered and the child declined it (5.15): the placing authority,
    told as the child's social worker to follow the refusal up, is not asked to confirm it
    will conduct an interview that was given its chance, nor the MCT to be ready to."""
    timeline = found_placed_in_child()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    fired = timeline.advance(FOUND_AT + timedelta(days=4))
    assert not told(fired, "cse_missing_service_manager", "chase_placing_authority")
    assert not told(fired, "placing_authority", "confirm_return_interview")
    assert not told(fired, "mct", "return_interview_overdue")


HANDOVER_CHASE = {
    "return_interview_handover_unconfirmed",
    "chase_placing_authority",
    "confirm_return_interview",
}


@pytest.mark.parametrize("declined", [False, True])
def test_8_10_the_interview_given_after_the_handover_was_chased_ends_that_chase(
    declined: bool,
) -> None:
    """The handover unconfirmed at 24 hours, the MCT is told to be ready, the Service
    Manager to chase and the placing authority to confirm. Two hours later the placing
    authority's interview is given (or offered and declined, 5.15): there is nothing left to
    confirm, and nobody, up to the Head of Safeguarding, is told it was never confirmed."""
    timeline = found_placed_in_child()
    timeline.advance(FOUND_AT + timedelta(hours=24))
    result = return_interview(FOUND_AT + timedelta(hours=26), declined=declined)
    timeline.receive(result.model_copy(update={"interviewer": Interviewer.PLACING_AUTHORITY}))
    fired = timeline.advance(FOUND_AT + timedelta(days=10))
    assert not [e for e in fired if e.details.get("duty_action") in HANDOVER_CHASE]
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    chase = [d for d in episode.duties if d.action in HANDOVER_CHASE]
    assert len(chase) == 3
    assert all(d.stood_down_at == FOUND_AT + timedelta(hours=26) for d in chase)


def test_8_10_the_interview_answered_done_after_the_handover_was_chased_ends_that_chase() -> None:
    """The same, the placing authority answering its duty to conduct the interview done
    (issue 14)."""
    timeline = found_placed_in_child()
    [interview] = told(timeline.decisions, "placing_authority", "conduct_return_interview")
    timeline.advance(FOUND_AT + timedelta(hours=24))
    timeline.receive(completed(interview, FOUND_AT + timedelta(hours=26), by="essex"))
    fired = timeline.advance(FOUND_AT + timedelta(days=10))
    assert not [e for e in fired if e.details.get("duty_action") in HANDOVER_CHASE]


def test_8_10_the_handover_accepted_after_it_was_chased_ends_that_chase() -> None:
    """The handover unconfirmed at 24 hours is chased; the placing authority then confirms
    the interview is theirs (8.10): nobody, up to the Head of Safeguarding, is told later
    that it never confirmed."""
    timeline = found_placed_in_child()
    timeline.advance(FOUND_AT + timedelta(hours=24))
    timeline.receive(
        accepted().model_copy(update={"occurred_at": FOUND_AT + timedelta(hours=26)}),
        at=FOUND_AT + timedelta(hours=26),
    )
    fired = timeline.advance(FOUND_AT + timedelta(days=10))
    assert not [e for e in fired if e.details.get("duty_action") in HANDOVER_CHASE]


def test_8_10_the_placing_authority_acknowledging_the_interview_has_taken_it_on() -> None:
    """8.10: on the child's return the placing authority is advised the interview is its
    responsibility; the rules index (2.B) has the hub "escalate if the placing LA doesn't
    acknowledge". Essex acknowledges its duty to conduct the interview an hour after it is
    handed over: it has taken it on. A day later the MCT is not told it never confirmed, nor
    the Service Manager (CSE and Missing) to chase it, nor Essex asked to confirm."""
    timeline = found_placed_in_child()
    [interview] = told(timeline.decisions, "placing_authority", "conduct_return_interview")
    timeline.receive(answered(interview, FOUND_AT + timedelta(hours=1), by="essex"))
    fired = timeline.advance(FOUND_AT + timedelta(days=2))
    assert not [d for d in fired if d.action in HANDOVER_CHASE]


def test_8_10_the_placing_authority_confirming_when_asked_ends_the_chase() -> None:
    """Unconfirmed at 24 hours, Essex is asked to confirm the interview and our Service
    Manager (CSE and Missing) to chase it. Essex answers the request done an hour later: it
    has confirmed, and nobody, up to the Assistant Director, is told later that the placing
    authority was never chased, nor the MCT kept ready to do the interview itself."""
    timeline = found_placed_in_child()
    chased = timeline.advance(FOUND_AT + timedelta(hours=24))
    [confirm] = told(chased, "placing_authority", "confirm_return_interview")
    timeline.receive(completed(confirm, FOUND_AT + timedelta(hours=25), by="essex"))
    fired = timeline.advance(FOUND_AT + timedelta(days=10))
    assert not [e for e in fired if e.details.get("duty_action") in HANDOVER_CHASE]
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    open_chase = [d for d in episode.duties if d.action in HANDOVER_CHASE and not d.settled]
    assert not open_chase


def acknowledged(duty: Decision, at: datetime) -> DutyAcknowledged:
    return DutyAcknowledged(
        episode_id=duty.episode_id,
        child_id=CHILD,
        notification_id=duty.notification_id,
        answered_by="northamptonshire",
        acknowledged_at=at,
        acknowledged_by="MCT duty desk",
    )


def test_8_4_a_host_missing_notice_with_no_misper_report_is_followed_up() -> None:
    """The host area's force may not be connected: the MCT's duty to act at once on the
    host's notice is the only one the hub has, and is escalated if nobody picks it up."""
    timeline = Timeline()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, START))
    fired = timeline.advance(START + timedelta(days=1))
    [escalation] = told(fired, "rise_mct_service_manager", ESCALATED)
    assert escalation.details["duty_action"] == "child_missing_in_host_area"


def test_8_4_the_mct_acknowledges_a_host_missing_notice_with_no_misper_report() -> None:
    timeline = Timeline()
    [notice] = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, START))
    timeline.receive(acknowledged(notice, START + timedelta(minutes=20)))
    assert not told(timeline.advance(START + timedelta(days=1)), "rise_mct_service_manager")


def test_8_4_the_misper_report_that_follows_takes_over_the_host_notices_duty() -> None:
    """Answered after the MISPER report came, the host notice's duty is the episode's: taken,
    and escalated neither for want of an answer nor twice."""
    timeline = Timeline()
    [notice] = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, START))
    report = misper(
        at=START + timedelta(minutes=30),
        legal_status=LegalStatus.LOOKED_AFTER,
        residence_authority="kent",
    )
    timeline.receive(report)
    timeline.receive(acknowledged(notice, START + timedelta(hours=1)))
    assert not timeline.state.notices
    fired = timeline.advance(START + timedelta(days=1))
    chased = told(fired, "rise_mct_service_manager", ESCALATED)
    assert all(e.details["duty_action"] != "child_missing_in_host_area" for e in chased)


def test_5_12_a_host_found_notice_with_no_misper_report_owes_the_return_interview() -> None:
    """No found report will come to set the interview: the MCT, told of the return, holds it
    by its 72 hours, and is chased if it does not answer."""
    returned = START + timedelta(hours=9)
    timeline = Timeline()
    [notice] = told(
        timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, returned)), "mct"
    )
    assert notice.due == returned + timedelta(hours=72)
    assert "OOC Engagement Worker" in notice.summary  # Kent does not border us
    fired = timeline.advance(returned + timedelta(days=5))
    assert told(fired, "rise_mct_service_manager", ESCALATED)


def test_5_12_the_found_report_that_follows_sets_the_interview_the_host_notice_held() -> None:
    """The host force's reports come after all: the found report sets the return interview
    and chases it itself (5.12). The MCT's interview the host's notice held is no longer
    needed: the interview given in time, nobody is escalated for the notice's."""
    returned = START + timedelta(hours=9)
    timeline = Timeline()
    [notice] = told(
        timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, returned)), "mct"
    )
    later = returned + timedelta(hours=1)
    report = misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    timeline.receive(report, at=later)
    timeline.receive(found(at=returned), at=later)
    timeline.receive(return_interview(returned + timedelta(hours=24)))
    fired = timeline.advance(returned + timedelta(days=5))
    chased = told(fired, "rise_mct_service_manager", ESCALATED)
    assert all(e.details["duty_action"] != "child_found_in_host_area" for e in chased)
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    held = episode.duty(str(notice.notification_id))
    assert held is not None
    assert held.stood_down_at == later


def test_7_22_the_misper_report_read_after_the_hosts_found_notice_starts_no_search() -> None:
    """Kent tells us our child placed there has returned (8.4) before the MISPER report of
    that absence reaches the hub, and no found report comes (Kent's force may not be
    connected). The report's episode is over from the return Kent gave: no meeting is owed
    for a child who is back (7.22: "if the child has not returned"), nor 6.8's notice of a
    child in care missing over 24 hours; the return interview is owed from the return, as
    had the notice come after the report (5.12)."""
    returned = START + timedelta(hours=9)
    timeline = Timeline()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, returned))
    report = misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    decisions = timeline.receive(report, at=returned + timedelta(hours=1))
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert interview.due == returned + timedelta(hours=72)
    fired = by_the_rules(timeline.advance(START + timedelta(days=100)))
    assert {d.action for d in fired} == {"return_interview_overdue"}


def test_1_4_a_high_risk_report_read_at_night_after_the_hosts_found_notice_alerts_no_one() -> None:
    """Kent says our child placed there has returned (8.4) before the MISPER report, graded
    high, is read out of hours: the child is back, so EDT is not told to act for children's
    services on a high-risk child missing (1.4, 3.10); the return interview is owed."""
    returned = START + timedelta(hours=9)  # 19:00
    timeline = Timeline()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, returned))
    report = misper(
        legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent", risk_level=RiskLevel.HIGH
    )
    decisions = timeline.receive(report, at=returned + timedelta(hours=1))
    assert told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert not told(decisions, "edt", "high_risk_child_missing")


def test_7_22_a_found_notice_before_the_report_from_an_authority_not_its_host_ends_nothing() -> (
    None
):
    """The notice that came first was not from the host the report names (Essex, with no
    standing for our child placed in Kent): its word ends no search (8.4)."""
    returned = START + timedelta(hours=9)
    timeline = Timeline()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, returned, by="essex"))
    report = misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    timeline.receive(report, at=returned + timedelta(hours=1))
    fired = timeline.advance(START + timedelta(days=4))
    assert told(fired, "team_manager", "convene_strategy_meeting")


def test_5_12_gone_again_the_host_notices_interview_is_owed_at_the_next_return() -> None:
    """Returned, as the host's notice says, the child goes missing again 10 hours later: the
    interview the MCT held on the notice cannot be given while the child is gone, and is not
    chased (1.4, 5.12); the next return's interview covers it."""
    returned = START + timedelta(hours=9)
    timeline = Timeline()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, returned))
    again = returned + timedelta(hours=10)
    looked_after = {"legal_status": LegalStatus.LOOKED_AFTER, "residence_authority": "kent"}
    timeline.receive(misper("EP-2", at=again, **looked_after))
    fired = timeline.advance(returned + timedelta(days=5))
    chased = told(fired, "rise_mct_service_manager", ESCALATED)
    assert all(e.details["duty_action"] != "child_found_in_host_area" for e in chased)
    decisions = timeline.receive(found("EP-2", at=again + timedelta(days=5)))
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert "EP-1" in interview.summary


def test_3_3_the_forms_of_a_child_placed_here_are_followed_up() -> None:
    """8.9's placement is about no episode: its forms' deadline (3.3) is still chased."""
    timeline = Timeline()
    timeline.receive(placement(), at=PLACED_AT)
    fired = timeline.advance(PLACED_AT + timedelta(days=8))  # the Monday after
    [escalation] = told(fired, "rise_mct_service_manager", ESCALATED)
    assert escalation.details["duty_action"] == "complete_incident_and_location_forms"


def test_7_15_the_iro_answers_the_placement_plan_check_of_our_child_placed_out() -> None:
    """A placement is about no episode: its duties are answered all the same (issue 14)."""
    timeline = Timeline()
    [check] = told(we_place_in_kent(timeline), "iro", "check_placement_plan")
    timeline.receive(acknowledged(check, PLACED_AT))
    [notice] = timeline.state.notices
    duty = notice.duty(str(check.notification_id))
    assert duty is not None
    assert duty.acknowledged_at == PLACED_AT


def test_7_15_a_placement_whose_notice_id_is_long_is_answered_through_the_contracts() -> None:
    """A notice id may have 64 characters (an Identifier), as may the episode id that a
    placement's notifications, and the answers to them, carry. `placement:` before it will
    not fit: the duties are held under an id that does, which every notification and the
    IRO's acknowledgement carry as the contracts allow, and the answer is taken."""
    notice = placement(planned=True, to="kent", by="northamptonshire").model_dump()
    long = CrossBorderNotice.model_validate({**notice, "notice_id": "NCC-PN-" + "7" * 57})
    timeline = Timeline()
    decisions = timeline.receive(long, at=PLACED_AT - timedelta(days=1))
    notifications = [d.notification() for d in decisions]  # as the outbox sends them
    assert len({n.episode_id for n in notifications}) == 1
    [check] = told(decisions, "iro", "check_placement_plan")
    timeline.receive(acknowledged(check, PLACED_AT))
    [held] = timeline.state.notices
    duty = held.duty(str(check.notification_id))
    assert duty is not None
    assert duty.acknowledged_at == PLACED_AT


def test_7_15_a_placement_whose_notice_id_fits_is_held_under_it() -> None:
    """`placement:<notice id>`, as before, whenever it fits an episode id."""
    [check] = told(we_place_in_kent(), "iro", "check_placement_plan")
    assert check.episode_id == "placement:N-1"


def test_7_14_a_placement_naming_a_retired_episode_is_held_apart_from_it() -> None:
    """Our child, whose episode EP-1 retention has retired (docs/retention.md), is placed
    out of area, the notice naming EP-1. Its duties (7.14, 7.15, 3.3) are owed all the same,
    and not under EP-1: that episode's timers would be re-armed for them, and a duty held
    for an authority the directory does not know would be dropped when ops routes it again,
    as about a retired episode."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", at=PLACED_AT - timedelta(days=300)))
    timeline.receive(found("EP-1", at=PLACED_AT - timedelta(days=299)))
    timeline.state = retire(timeline.state, ["EP-1"])
    timeline.pending = []
    notice = placement(planned=True, to="kent", by="northamptonshire")
    decisions = timeline.receive(
        notice.model_copy(update={"episode_id": "EP-1"}), at=PLACED_AT - timedelta(days=1)
    )
    assert told(decisions, "host_authority", "formal_placement_notification")
    assert {d.episode_id for d in decisions} == {"placement:N-1"}
    assert all(t.episode_id != "EP-1" for t in timeline.pending)


def test_8_10_another_authoritys_notice_of_a_child_placed_here_goes_to_none_of_ours() -> None:
    """The worker a placed child's report names is the placing authority's: a missing or
    found notice about the child tells the MCT, not our allocated worker or IRO."""
    timeline = Timeline()
    worker = AllocatedWorker(worker="E SW", team="Essex Team")
    timeline.receive(misper(**{**PLACED_IN, "allocated_worker": worker}))  # type: ignore[arg-type]
    for kind in (CrossBorderNoticeKind.CHILD_MISSING, CrossBorderNoticeKind.CHILD_FOUND):
        notice = host_notice(kind, START + timedelta(hours=1))
        decisions = timeline.receive(notice.model_copy(update={"from_authority": "essex"}))
        assert {d.recipient for d in decisions} == {"mct"}
        assert decisions[0].paragraph == "8.10"


RETURNED_AT = START + timedelta(hours=9)


def placed_in_kent_and_missing(**changes: Any) -> Timeline:
    """Our child in care placed in Kent (8.3), reported missing; Kent's force may not be
    connected to the hub, so no found report may ever come (8.4)."""
    timeline = Timeline()
    report: dict[str, Any] = {
        "legal_status": LegalStatus.LOOKED_AFTER,
        "residence_authority": "kent",
        **changes,
    }
    timeline.receive(misper(**report))
    return timeline


def test_7_22_a_host_found_notice_ends_the_search_as_a_found_report_would() -> None:
    """8.4: the carer reports the return to the host area's police, and the host tells us:
    the child has returned, so no meeting is owed (7.22: "if the child has not returned"),
    and no 6.8 notice of a child in care missing over 24 hours or three months goes out."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    fired = by_the_rules(timeline.advance(START + timedelta(days=100)))
    assert {d.action for d in fired} == {"return_interview_overdue"}


def test_5_12_a_host_found_notice_owes_the_return_interview_from_the_return() -> None:
    """Kent does not border us: the OOC Engagement Worker, within 72 hours of the return
    the host reports (5.12, MCT practice guidance)."""
    decisions = placed_in_kent_and_missing().receive(
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT),
        at=RETURNED_AT + timedelta(hours=2),
    )
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert interview.due == RETURNED_AT + timedelta(hours=72)


def test_5_12_the_police_found_report_after_a_host_found_notice_owes_no_second_interview() -> None:
    """The host area's force reports the child found later: its own duties still come (the
    prevention interview, 5.12), but the interview the notice owed is not owed again, and
    its lateness is chased once."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    later = timeline.receive(
        found(at=RETURNED_AT + timedelta(hours=1)), at=RETURNED_AT + timedelta(days=1)
    )
    assert told(later, "host_police", "conduct_prevention_interview")
    assert not told(later, "ooc_engagement_worker", "conduct_return_interview")
    fired = timeline.advance(START + timedelta(days=5))
    assert len(told(fired, "ooc_engagement_worker", "return_interview_overdue")) == 1


def test_5_12_a_second_host_found_notice_owes_no_second_interview() -> None:
    """The host tells us twice (a second notice of its own): the return is one, and so is
    its interview (5.12)."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    again = host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT + timedelta(hours=2))
    later = timeline.receive(again.model_copy(update={"notice_id": "N-9"}))
    assert not told(later, "ooc_engagement_worker", "conduct_return_interview")
    assert told(later, "mct", "child_found_in_host_area")


def test_5_12_the_return_interview_after_a_host_found_notice_is_recorded() -> None:
    """No found report has come, and may never: the interview's result is taken all the
    same, and its 72-hour chase ends."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    timeline.receive(return_interview(RETURNED_AT + timedelta(hours=30)))
    fired = timeline.advance(START + timedelta(days=5))
    assert not told(fired, "ooc_engagement_worker", "return_interview_overdue")


def test_5_12_closing_the_police_file_after_a_host_found_notice_keeps_the_return_interview() -> (
    None
):
    """No found report comes, and the police file is closed (7.24): the search was over
    already, but the child did return, and its interview is still owed and chased."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    closure = EpisodeClosed(
        episode_id="EP-1",
        child_id=CHILD,
        answered_by="northamptonshire-police",
        closed_at=RETURNED_AT + timedelta(hours=12),
        senior_police_officer="Detective Chief Inspector",
        assistant_director="Assistant Director, Safeguarding",
    )
    timeline.receive(closure)
    fired = timeline.advance(START + timedelta(days=5))
    assert told(fired, "ooc_engagement_worker", "return_interview_overdue")


def test_5_12_missing_again_within_72_hours_of_a_host_reported_return() -> None:
    """Gone again before the interview of the return the host reported: the next return's
    interview covers it (5.12), and it is not chased while the child is missing."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    again = misper(
        "EP-2",
        at=RETURNED_AT + timedelta(hours=24),
        legal_status=LegalStatus.LOOKED_AFTER,
        residence_authority="kent",
    )
    timeline.receive(again)
    fired = timeline.advance(RETURNED_AT + timedelta(hours=80))
    assert not told(fired, "ooc_engagement_worker", "return_interview_overdue")


def test_5_12_missing_again_after_a_closure_of_a_host_reported_return_is_not_chased() -> None:
    """Kent says the child returned (8.4), no found report comes, and the police file is
    closed (7.24): the return interview is still owed. The child goes missing again a day
    after the return: as for an episode not closed, the interview is not chased while the
    child is gone, and the next return's interview covers it (5.12)."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    closure = EpisodeClosed(
        episode_id="EP-1",
        child_id=CHILD,
        answered_by="northamptonshire-police",
        closed_at=RETURNED_AT + timedelta(hours=12),
        senior_police_officer="Detective Chief Inspector",
        assistant_director="Assistant Director, Safeguarding",
    )
    timeline.receive(closure)
    again = RETURNED_AT + timedelta(hours=24)
    looked_after = {"legal_status": LegalStatus.LOOKED_AFTER, "residence_authority": "kent"}
    timeline.receive(misper("EP-2", at=again, **looked_after))
    fired = timeline.advance(RETURNED_AT + timedelta(hours=80))
    assert not told(fired, "ooc_engagement_worker", "return_interview_overdue")
    assert not told(fired, "rise_mct_service_manager", "return_interview_overdue")
    decisions = timeline.receive(found("EP-2", at=again + timedelta(days=3)))
    [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
    assert "EP-1" in interview.summary


def test_8_4_a_found_notice_from_a_name_the_directory_does_not_know_ends_no_search() -> None:
    """Whether it is the host authority the report names cannot be checked: the notice is
    passed on (8.4), and the child is still searched for until found (7.22, 7.24)."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT, by="narnia"))
    fired = timeline.advance(START + timedelta(days=4))
    assert told(fired, "team_manager", "convene_strategy_meeting")


def stranger_checked(decisions: list[Decision]) -> bool:
    """Only the MCT is told, to check the notice with its sender: nothing of it applied."""
    return [(d.recipient, d.action) for d in decisions] == [("mct", "check_cross_border_notice")]


def test_8_4_a_missing_or_found_notice_from_an_authority_with_no_standing_is_not_applied() -> None:
    """Neither the host authority the MISPER report names (Kent) nor the placing authority
    (ours): Essex may not say our child is missing or has returned. Its notice is not
    refused (the refusal would tell Essex the child has an episode, as one about an episode
    the hub never had is taken), nor applied: the MCT checks it with Essex (7.2), and the
    child is still searched for."""
    for kind in (CrossBorderNoticeKind.CHILD_MISSING, CrossBorderNoticeKind.CHILD_FOUND):
        timeline = placed_in_kent_and_missing()
        assert stranger_checked(timeline.receive(host_notice(kind, RETURNED_AT, by="essex")))
        fired = timeline.advance(START + timedelta(days=4))
        assert told(fired, "team_manager", "convene_strategy_meeting")


def test_8_4_a_host_writing_its_older_name_is_taken() -> None:
    """Central Bedfordshire, the host the MISPER report names, writes its missing and found
    notices as "Bedfordshire County Council", the county that covered it and Bedford until
    2009. Which of the two sent them the directory cannot say, but one is the host: the
    notices are taken (a missing child is never refused over a name), the MCT and worker
    told (8.4). The found notice ends no search: the host is not known to have sent it."""
    timeline = placed_in_kent_and_missing(residence_authority="central-bedfordshire")
    by = "Bedfordshire County Council"
    missing = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, RETURNED_AT, by))
    assert told(missing, "mct", "child_missing_in_host_area")
    assert told(missing, "allocated_worker", "child_missing_in_host_area")
    back = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT, by))
    assert told(back, "iro", "child_found_in_host_area")
    assert told(
        timeline.advance(START + timedelta(days=4)), "team_manager", "convene_strategy_meeting"
    )


def test_8_4_an_older_name_covering_no_authority_the_report_names_has_no_standing() -> None:
    """Cumbria covered Cumberland and Westmorland and Furness, neither of them Kent, the host
    the report names, nor us: no standing (8.4, 8.10), and the MCT checks the notice."""
    decisions = placed_in_kent_and_missing().receive(
        host_notice(CrossBorderNoticeKind.CHILD_MISSING, RETURNED_AT, by="cumbria")
    )
    assert stranger_checked(decisions)


def test_8_4_standing_is_checked_before_the_notices_dates() -> None:
    """A return dated before the child went missing is refused for its date only when it
    comes from the host: a stranger learns nothing of when the child went missing."""
    before = START - timedelta(hours=1)
    stranger = placed_in_kent_and_missing().receive(
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, before, by="essex"), at=START
    )
    with pytest.raises(ProtocolViolation) as host:
        placed_in_kent_and_missing().receive(
            host_notice(CrossBorderNoticeKind.CHILD_FOUND, before), at=START
        )
    assert stranger_checked(stranger)
    assert host.value.field == "data.occurred_at"


def test_8_4_a_notice_about_a_retired_episode_is_checked_by_the_mct() -> None:
    """Of an episode retention has retired the hub no longer knows the host: a notice naming
    it is neither refused (a stranger would learn the child was once missing) nor applied;
    the MCT checks it with its sender, a host that may have reused an old episode id for a
    child missing again."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(found("EP-1", at=RETURNED_AT))
    timeline.state = retire(timeline.state, ["EP-1"])
    decisions = timeline.receive(
        host_notice(CrossBorderNoticeKind.CHILD_MISSING, RETURNED_AT + timedelta(days=200)),
        at=RETURNED_AT + timedelta(days=200),
    )
    assert stranger_checked(decisions)
    [check] = decisions
    assert check.episode_id != "EP-1"  # held apart from the retired episode, as a placement


def test_8_4_a_report_naming_an_authority_the_directory_does_not_know_refuses_no_notice() -> None:
    """The host the report names may be the sender misspelt: the hub never refuses a notice
    about a missing child over its own directory's gap."""
    timeline = placed_in_kent_and_missing(residence_authority="Kentt")
    decisions = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, RETURNED_AT))
    assert told(decisions, "mct", "child_missing_in_host_area")


def test_7_17_a_high_grading_after_the_host_reported_the_return_owes_no_meeting() -> None:
    """Kent says the child has returned (8.4); a grading of high sent after that return is
    about an episode that is over, as after a found report: refused, and no significant-risk
    meeting (7.17) is owed for a child who is back."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    with pytest.raises(ProtocolViolation) as refused:
        timeline.receive(risk_update(RiskLevel.HIGH, RETURNED_AT + timedelta(hours=1)))
    assert refused.value.field == "data.episode_id"


def test_7_16_a_grading_made_before_the_return_and_read_after_it_is_recorded_only() -> None:
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    late = timeline.receive(
        risk_update(RiskLevel.HIGH, RETURNED_AT - timedelta(hours=1)),
        at=RETURNED_AT + timedelta(hours=2),
    )
    assert not told(late, "sqas_service_manager", "convene_strategy_meeting")
    assert not [d for d in late if d.action == "convene_strategy_meeting"]


def test_1_4_a_police_found_report_dated_after_the_host_s_return_ends_no_later_search() -> None:
    """Kent says the child returned; the child goes missing again (EP-2); the police's
    found report of the first episode then comes, dated after EP-2 began. The child was
    located at the return Kent gave: EP-2's search goes on (7.22's meetings owed)."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    again = RETURNED_AT + timedelta(days=3)
    timeline.receive(misper("EP-2", at=again, residence_authority="kent"), at=again)
    timeline.receive(found(at=again + timedelta(hours=2)), at=again + timedelta(hours=3))
    timeline.advance(again + timedelta(days=2))
    assert [
        d
        for d in timeline.decisions
        if d.action == "convene_strategy_meeting" and d.episode_id == "EP-2"
    ]


def _second_force_in_kent() -> MisperReport:
    """A second force's report, at 10 hours, of our child in care placed in Kent."""
    return misper(
        "EP-2",
        at=START + timedelta(hours=10),
        reporting_force="thames-valley-police",
        legal_status=LegalStatus.LOOKED_AFTER,
        residence_authority="kent",
    )


def _a_second_force_then_kents_notice_read_late(timeline: Timeline) -> list[Decision]:
    """Our child in care placed in Kent, reported missing at 10:00 on Wednesday. At 10
    hours a second force reports the child missing: the first report is open, and the
    second takes its search over as one absence (7.22). At 30 hours Kent's notice is read:
    the child returned to the placement at 5 hours, before the second report began (8.4;
    the carer told Kent's police, whose found report may never come)."""
    second = _second_force_in_kent()
    timeline.receive(second)
    notice = host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(hours=5))
    return timeline.receive(notice, at=START + timedelta(hours=30))


def test_7_22_a_hosts_notice_read_late_shows_the_second_report_began_a_new_absence() -> None:
    """As above: the second report began a new absence, as a police found report read late
    would show (hub.routing.rules.found). It owes its own day one (7.22: the Service
    Manager told and the Need to Know briefing, due 24 hours after its start, 34 hours) and
    its forms' review (3.6: the child's second absence), and its meetings run from its own
    start (7.22: day 7 of it). Until a found report came, which may never, the second report
    carried the first absence on: none was asked, and day 7 was counted from the Wednesday."""
    timeline = placed_in_kent_and_missing()
    decisions = _a_second_force_then_kents_notice_read_late(timeline)
    for action in ("inform_service_manager", "prepare_need_to_know_briefing"):
        [owed] = told(decisions, "allocated_worker", action)
        assert (owed.episode_id, owed.due) == ("EP-2", START + timedelta(hours=34))
    [forms] = told(decisions, "allocated_worker", "complete_incident_and_location_forms")
    assert forms.episode_id == "EP-2"
    later = timeline.advance(START + timedelta(days=9))
    [day_7] = told(later, "service_manager", "convene_strategy_meeting")
    assert (day_7.episode_id, day_7.at) == ("EP-2", START + timedelta(days=7, hours=10))


def test_7_17_a_hosts_notice_read_late_stands_down_the_first_absences_meeting() -> None:
    """As above, the first report graded high (7.17's meeting owed within 24 hours, carried
    on by the second report, graded medium): the meeting was the first absence's, over before
    the second began (7.22: "if the child has not returned"), as when a police found report
    read late shows it. The new absence, not graded high, owes none. It stayed owed."""
    timeline = placed_in_kent_and_missing(risk_level=RiskLevel.HIGH)
    _a_second_force_then_kents_notice_read_late(timeline)
    second = timeline.state.episode("EP-2")
    assert second is not None
    owed = [
        d.meeting for d in second.duties if d.action == "convene_strategy_meeting" and not d.settled
    ]
    assert "significant-risk" not in owed


def test_7_22_a_hosts_notice_read_before_the_second_report_leaves_it_a_new_absence() -> None:
    """Kent's notice read on time (at 6 hours, the return at 5): the second force's report
    at 10 hours is of a new absence from the start, with its own day one and meetings; the
    notice owes the first absence's return interview and changes nothing of the second's."""
    timeline = placed_in_kent_and_missing()
    notice = host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(hours=5))
    timeline.receive(notice, at=START + timedelta(hours=6))
    second = _second_force_in_kent()
    decisions = timeline.receive(second)
    for action in ("inform_service_manager", "prepare_need_to_know_briefing"):
        [owed] = told(decisions, "allocated_worker", action)
        assert (owed.episode_id, owed.due) == ("EP-2", START + timedelta(hours=34))
    later = timeline.advance(START + timedelta(hours=40))
    convened = [
        (d.details["meeting"], d.episode_id, d.at)
        for d in later
        if d.action == "convene_strategy_meeting"
    ]
    assert ("24-hour", "EP-2", START + timedelta(hours=34)) in convened


def naming_no_episode(kind: CrossBorderNoticeKind, at: datetime) -> CrossBorderNotice:
    """Kent's notice as a host that never learnt the episode's id sends it (8.4): the
    carer told Kent's own police and Kent, not the police reference of our MISPER report."""
    return host_notice(kind, at).model_copy(update={"episode_id": None})


def test_8_4_a_host_missing_notice_naming_no_episode_is_taken() -> None:
    """A missing child is never refused over an id the host may not have: the notice is
    the child's, by its child id."""
    notice = CrossBorderNotice.model_validate(
        {**host_notice(CrossBorderNoticeKind.CHILD_MISSING, START).model_dump(), "episode_id": None}
    )
    assert notice.episode_id is None


def test_8_10_the_placing_authoritys_acceptance_still_names_its_episode() -> None:
    """8.10: the placing authority answers the hub's notice about an episode it was sent."""
    with pytest.raises(ValueError, match="episode_id"):
        CrossBorderNotice.model_validate(
            {
                **host_notice(CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED, START).model_dump(),
                "episode_id": None,
            }
        )


def test_8_4_a_host_notice_naming_no_episode_is_read_as_the_childs_one_open_episode() -> None:
    """Our child is missing in one episode: Kent's word that it is missing is about it, and
    the MCT and worker are told under that episode, the MCT told how it was read."""
    timeline = placed_in_kent_and_missing()
    decisions = timeline.receive(
        naming_no_episode(CrossBorderNoticeKind.CHILD_MISSING, RETURNED_AT)
    )
    [mct] = told(decisions, "mct", "child_missing_in_host_area")
    assert told(decisions, "allocated_worker", "child_missing_in_host_area")
    assert {d.episode_id for d in decisions} == {"EP-1"}
    assert "EP-1" in mct.summary


def test_7_22_a_host_found_notice_naming_no_episode_ends_the_open_episodes_search() -> None:
    timeline = placed_in_kent_and_missing()
    timeline.receive(naming_no_episode(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    fired = timeline.advance(START + timedelta(days=4))
    assert not told(fired, "team_manager", "convene_strategy_meeting")


def test_8_4_a_host_missing_notice_naming_no_episode_with_none_open_goes_to_the_mct() -> None:
    """No MISPER report has come for this absence: the MCT acts on the host's word at once,
    as on a notice naming an episode the hub never had, and is chased if it does not."""
    timeline = Timeline()
    [notice] = timeline.receive(naming_no_episode(CrossBorderNoticeKind.CHILD_MISSING, START))
    assert (notice.recipient, notice.action) == ("mct", "child_missing_in_host_area")
    fired = timeline.advance(START + timedelta(days=1))
    assert told(fired, "rise_mct_service_manager", ESCALATED)


def test_5_12_a_host_found_notice_naming_no_episode_with_none_open_owes_the_interview() -> None:
    timeline = Timeline()
    [notice] = timeline.receive(naming_no_episode(CrossBorderNoticeKind.CHILD_FOUND, START))
    assert notice.recipient == "mct"
    assert notice.due == START + timedelta(hours=72)
    # no return held under an id no MISPER report could name
    assert all(held.returned_at is None for held in timeline.state.notices)


def test_8_4_a_notice_naming_no_episode_of_a_child_missing_twice_is_checked_by_the_mct() -> None:
    """Two episodes open (two forces' reports): which one Kent means the hub cannot say, and
    a found notice must not end the wrong search. The MCT checks it with Kent."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(
        misper("EP-2", legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    )
    for kind in (CrossBorderNoticeKind.CHILD_MISSING, CrossBorderNoticeKind.CHILD_FOUND):
        assert stranger_checked(timeline.receive(naming_no_episode(kind, RETURNED_AT)))


def test_8_4_a_host_found_notice_naming_no_episode_dated_before_the_open_one_is_not_its() -> None:
    """Kent's word of a return three days before the child's open episode began is of an
    earlier absence, of which no MISPER report came: taken, as a return before its report
    (the MCT arranges its return interview, 5.12), never refused as a return of the open
    episode before the child went missing; and the open episode's search goes on."""
    timeline = placed_in_kent_and_missing()
    earlier = naming_no_episode(CrossBorderNoticeKind.CHILD_FOUND, START - timedelta(days=3))
    [notice] = told(timeline.receive(earlier, at=RETURNED_AT), "mct")
    assert notice.action == "child_found_in_host_area"
    fired = timeline.advance(START + timedelta(days=4))
    assert told(fired, "team_manager", "convene_strategy_meeting")


def test_8_4_a_host_found_notice_naming_no_episode_sent_again_is_of_the_return_it_gave() -> None:
    """Kent sends its notice again: the return it gives is the one that ended the episode's
    search, not a return before a MISPER report still to come. Those told are told again
    under the episode; no second return interview is owed, nor is the MCT told no report
    has reached the hub."""
    timeline = placed_in_kent_and_missing()
    notice = naming_no_episode(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT)
    timeline.receive(notice)
    again = timeline.receive(notice, at=RETURNED_AT + timedelta(hours=1))
    assert {d.episode_id for d in again} == {"EP-1"}
    assert told(again, "allocated_worker", "child_found_in_host_area")
    assert not [d for d in again if d.due is not None]


def test_8_4_a_host_found_notice_naming_no_episode_after_the_found_report_is_its_return() -> None:
    """The police's found report came first: Kent's word of the same return is the
    episode's, not one owing the MCT a second return interview."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(found(at=RETURNED_AT))
    later = naming_no_episode(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT)
    decisions = timeline.receive(later, at=RETURNED_AT + timedelta(hours=2))
    assert {d.episode_id for d in decisions} == {"EP-1"}
    assert not [d for d in decisions if d.due is not None]


def test_8_4_a_host_missing_notice_naming_no_episode_read_late_is_of_that_absence() -> None:
    """Kent's word that the child went missing, read after the found report: the absence
    it gives is the episode's, over, not one whose MISPER report has yet to reach the hub."""
    timeline = placed_in_kent_and_missing()
    timeline.receive(found(at=RETURNED_AT))
    late = naming_no_episode(CrossBorderNoticeKind.CHILD_MISSING, START)
    decisions = timeline.receive(late, at=RETURNED_AT + timedelta(hours=2))
    [mct] = told(decisions, "mct", "child_missing_in_host_area")
    assert mct.episode_id == "EP-1"
    assert "No MISPER report" not in mct.summary


def closed_by_joint_decision(timeline: Timeline, at: datetime) -> None:
    """7.24: the police file closed, the child not found."""
    closure = EpisodeClosed(
        episode_id="EP-1",
        child_id=CHILD,
        answered_by="northamptonshire-police",
        closed_at=at,
        senior_police_officer="Detective Chief Inspector",
        assistant_director="Assistant Director, Safeguarding",
    )
    timeline.receive(closure, at=at)


def test_5_12_a_host_found_notice_after_a_closure_owes_the_return_interview() -> None:
    """The police file was closed under 7.24, the child not found; then Kent says the child
    has returned (8.4). The child did return: its interview is owed within 72 hours of the
    return (5.12), as a found report after the closure owes it, whether or not the notice
    names the episode."""
    closed_at = START + timedelta(days=10)
    back = START + timedelta(days=20)
    for notice in (
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, back),
        naming_no_episode(CrossBorderNoticeKind.CHILD_FOUND, back),
    ):
        timeline = placed_in_kent_and_missing()
        closed_by_joint_decision(timeline, closed_at)
        decisions = timeline.receive(notice, at=back)
        [interview] = told(decisions, "ooc_engagement_worker", "conduct_return_interview")
        assert interview.episode_id == "EP-1"
        assert told(decisions, "iro", "child_found_in_host_area")


def test_8_4_a_host_notice_naming_no_episode_before_a_closed_file_says_what_the_hub_knows() -> None:
    """The police file was closed under 7.24, the child not found; then Kent says, naming
    no episode, that the child returned on a day before that episode began. No episode of
    the hub covers that day: an earlier absence, whose return interview the MCT arranges
    (5.12), or the return from the closed episode, its date mistyped. The MCT is told what
    the hub knows, the closed episode never found, to check the date with Kent; not that
    no MISPER report has reached the hub, which would have it take the child as unknown
    here. The MCT's details, and so its id, are as before."""
    for kind in (CrossBorderNoticeKind.CHILD_FOUND, CrossBorderNoticeKind.CHILD_MISSING):
        timeline = placed_in_kent_and_missing()
        closed_by_joint_decision(timeline, START + timedelta(days=10))
        earlier = naming_no_episode(kind, START - timedelta(days=3))
        # a Sunday: EDT is told of a missing notice too (MCT-PG, out of hours)
        [mct] = told(timeline.receive(earlier, at=START + timedelta(days=11)), "mct")
        assert "No MISPER report has reached the hub" not in mct.summary
        assert "EP-1" in mct.summary
        assert "7.24" in mct.summary


def test_mct_pg_a_host_found_notice_asks_the_worker_to_tell_the_parents_of_the_return() -> None:
    """MCT-PG: "the allocated Social Worker must ensure those with parental responsibility are
    informed about the missing episode, subsequent visits and outcomes". The host's word may
    be all the hub hears of the return (8.4): the worker is asked then, as by a found report."""
    decisions = placed_in_kent_and_missing().receive(
        host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT)
    )
    [asked] = told(decisions, "allocated_worker", "inform_parental_responsibility_holders")
    assert asked.paragraph == "MCT-PG"


def test_mct_pg_the_found_report_after_a_host_found_notice_does_not_ask_again() -> None:
    timeline = placed_in_kent_and_missing()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    later = timeline.receive(
        found(at=RETURNED_AT + timedelta(hours=1)), at=RETURNED_AT + timedelta(days=1)
    )
    assert not told(later, "allocated_worker", "inform_parental_responsibility_holders")


def test_8_4_a_notice_naming_an_episode_not_ours_after_a_closed_file_says_what_we_know() -> None:
    """As above, Kent naming an episode id the hub never had (its own reference, or a typo
    of ours): the MCT is told of the episode closed with the child not found, to check with
    Kent whether the notice is of that absence; not that no MISPER report has reached the hub."""
    for kind in (CrossBorderNoticeKind.CHILD_FOUND, CrossBorderNoticeKind.CHILD_MISSING):
        timeline = placed_in_kent_and_missing()
        closed_by_joint_decision(timeline, START + timedelta(days=10))
        named = host_notice(kind, START + timedelta(days=12)).model_copy(
            update={"episode_id": "KENT-77"}
        )
        [mct] = told(timeline.receive(named, at=START + timedelta(days=12)), "mct")
        assert "No MISPER report has reached the hub" not in mct.summary
        assert "EP-1" in mct.summary
        assert "KENT-77" in mct.summary


def test_6_6_rise_told_of_the_absence_hears_of_the_return_from_the_hosts_word() -> None:
    """8.4: the host's word of the return may be all the hub hears of it; RISE, told of the
    missing child at risk of sexual exploitation (6.6), hears of the return then, its alert
    no longer chased, and not a second time from the found report that follows."""
    timeline = Timeline()
    timeline.receive(
        misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent", cse_risk=True)
    )
    returned = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, SATURDAY_NIGHT))
    [rise] = told(returned, "rise", "child_found")
    assert (rise.paragraph, rise.due) == ("6.6", None)
    later = SATURDAY_NIGHT + timedelta(hours=2)
    assert not told(timeline.receive(found(at=SATURDAY_NIGHT), at=later), "rise")


def read_after_the_hosts_word_and_the_found_report(**changes: Any) -> Timeline:
    """Kent tells us our child placed there has returned (8.4); the found report comes too,
    both before the MISPER report (read late, after an outage): the found report waits for
    its report and is applied after it, as the pipeline holds it."""
    timeline = Timeline()
    timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, RETURNED_AT))
    later = RETURNED_AT + timedelta(hours=1)
    timeline.receive(misper(residence_authority="kent", **changes), at=later)
    timeline.receive(found(at=RETURNED_AT), at=later)
    return timeline


def test_6_6_rise_told_of_a_report_read_after_the_return_hears_once_the_child_is_found() -> None:
    """The child, with a CSE risk marker, is back when the hub reads its MISPER report: RISE
    hears that the child was missing and has been found (6.6), as the Home Office would of an
    asylum-seeking child (4.3), with no deadline: no alert of a missing child to chase."""
    timeline = read_after_the_hosts_word_and_the_found_report(
        legal_status=LegalStatus.LOOKED_AFTER, cse_risk=True
    )
    [rise] = told(timeline.decisions, "rise")
    assert (rise.due, "has been found" in rise.summary) == (None, True)


def test_4_1_leaving_care_told_of_a_report_read_after_the_return_hears_it_has_returned() -> None:
    """So too the Leaving Care Service (4.1), told of a care leaver back when the report is
    read: it re-assesses needs in the light of a return it hears of, once."""
    timeline = read_after_the_hosts_word_and_the_found_report(legal_status=LegalStatus.CARE_LEAVER)
    [leaving_care] = told(timeline.decisions, "leaving_care")
    assert "has returned" in leaving_care.summary


def test_6_6_rise_alerted_by_a_report_read_after_the_hosts_word_hears_of_the_return() -> None:
    """A second force reports our child placed in Kent missing, with a CSE risk marker, and
    RISE is alerted (6.6). Kent then tells us the child has returned (8.4), naming the first
    force's report, which the hub has not yet read. That report, read after the host's word
    but begun before the second's (the child may be missing again), alerts RISE of a missing
    child; its found report follows. RISE, never told at the host's word (no report of it
    was open then), hears of the return at the found report: not left with an alert of a
    missing child it never hears end."""
    timeline = Timeline()
    second = misper("EP-2", at=START + timedelta(hours=10), reporting_force="kent-police")
    timeline.receive(second.model_copy(update={"cse_risk": True, "residence_authority": "kent"}))
    notice = host_notice(CrossBorderNoticeKind.CHILD_FOUND, START + timedelta(hours=17))
    timeline.receive(notice, at=START + timedelta(hours=17, minutes=1))
    first = misper(cse_risk=True, legal_status=LegalStatus.LOOKED_AFTER, residence_authority="kent")
    timeline.receive(first, at=START + timedelta(hours=20))
    decisions = timeline.receive(
        found(at=START + timedelta(hours=16)), at=START + timedelta(hours=22)
    )
    assert len(told(decisions, "rise", "child_found")) == 1
