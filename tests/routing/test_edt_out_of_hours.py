"""Out of hours as the Emergency Duty Team lives it (3.10: 17:30 to 09:00, weekends and bank
holidays): EDT is told what it must act on before 09:00, once, and nothing it cannot act on;
a day team is not given a deadline that passes while it is closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.contracts.events import ChildDetails
from hub.contracts.vocabulary import LegalStatus, RiskLevel, Sex
from hub.routing.facts import Decision
from tests.routing.builders import (
    ESCALATED,
    PLACED_IN,
    Timeline,
    found,
    misper,
    told,
)

WEDNESDAY_0200 = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
SATURDAY_0200 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the day teams open (3.10)
FORMS = "complete_incident_and_location_forms"
PLACED_HERE: dict[str, Any] = dict(PLACED_IN)  # by Essex (8.10)


def escalated_to_edt(decisions: list[Decision], action: str) -> list[Decision]:
    return [d for d in told(decisions, "edt", ESCALATED) if d.details["duty_action"] == action]


def test_3_10_forms_edt_left_unanswered_do_not_come_back_to_edt_that_evening() -> None:
    """A child of medium risk reported at 02:00: the worker's forms, undone, go to EDT at
    06:00 (3.10). EDT does not answer; by day the escalation climbs the day managers. At
    18:00 it is out of hours again: EDT was told at 06:00 and its silence went up the line,
    so the duty waits for the Assistant Director in the morning, not EDT a second time."""
    timeline = Timeline()
    timeline.receive(misper(at=WEDNESDAY_0200))
    day_and_evening = timeline.advance(WEDNESDAY_0200 + timedelta(hours=30))  # Thu 08:00
    [to_edt] = told(day_and_evening, "edt", ESCALATED)
    assert to_edt.details["duty_action"] == FORMS
    assert to_edt.at == WEDNESDAY_0200 + timedelta(hours=4)


def test_8_10_a_handover_chase_decided_at_night_is_due_of_the_manager_at_opening() -> None:
    """A child placed here by Essex, found at 02:00 on a Saturday: the 24 hours for Essex to
    confirm the return interview pass at 02:00 on Sunday. The Service Manager (CSE and
    Missing) keeps office hours (3.10): the chase is due when the day teams open, as the
    rules' other escalations decided at night are, not at 02:00 on Sunday."""
    timeline = Timeline()
    reported = SATURDAY_0200 - timedelta(hours=5)
    timeline.receive(misper(at=reported, **PLACED_HERE))
    timeline.receive(found(at=SATURDAY_0200))
    fired = timeline.advance(SATURDAY_0200 + timedelta(hours=24))
    [chase] = told(fired, "cse_missing_service_manager", "chase_placing_authority")
    assert chase.due == MONDAY_0900


def test_3_10_a_meeting_falling_due_at_night_waits_for_mash_as_for_a_practice_manager() -> None:
    """A high-risk child with no allocated team, reported at 02:00 on a Saturday: MASH chairs
    the 24-hour meeting (7.18), due at 02:00 on Sunday. A strategy meeting is its chair's to
    convene, not the notice 1.4 has children's services given at once: as the practice
    manager's of an allocated child, it waits for the day teams, and EDT is not asked to
    see it convened in the night."""
    timeline = Timeline()
    timeline.receive(misper(at=SATURDAY_0200, risk_level=RiskLevel.HIGH, allocated_worker=None))
    weekend = timeline.advance(MONDAY_0900 - timedelta(minutes=1))
    assert not escalated_to_edt(weekend, "convene_strategy_meeting")


def test_1_4_edt_told_of_a_high_risk_child_at_night_is_not_told_again_by_escalation() -> None:
    """A high-risk child reported at 02:00 on a Saturday: EDT is told at once that it acts
    for children's services until the day teams open (1.4, 3.10). An hour later MASH, the MCT
    and the worker have, of course, not answered: that is no news to EDT, which is not told
    again of each of their notices; they wait for the day teams' managers."""
    timeline = Timeline()
    timeline.receive(misper(at=SATURDAY_0200, risk_level=RiskLevel.HIGH))
    night = timeline.advance(SATURDAY_0200 + timedelta(hours=2))
    assert {d.details["duty_action"] for d in told(night, "edt", ESCALATED)} == {FORMS}


WEDNESDAY_1729 = datetime(2026, 11, 18, 17, 29, tzinfo=UTC)  # a minute before closing


def test_5_6_concerns_told_to_mash_a_minute_before_closing_reach_edt_at_closing() -> None:
    """A child of medium risk found at 17:29 with concerns about going home: MASH is told (in
    hours), and closes a minute later. 5.6 asks for the concerns to reach "the MASH or the
    out-of-hours Emergency Duty Team (EDT) before the child is returned": left unanswered at
    closing, they go to EDT then, not when MASH's four-hour window ends at 21:29, by when the
    child may be home."""
    timeline = Timeline()
    timeline.receive(misper(at=WEDNESDAY_1729 - timedelta(hours=6)))
    timeline.receive(found(at=WEDNESDAY_1729, concerns_about_returning_home=True))
    evening = timeline.advance(WEDNESDAY_1729 + timedelta(hours=5))
    [to_edt] = escalated_to_edt(evening, "concerns_about_return")
    assert (to_edt.at, to_edt.paragraph) == (WEDNESDAY_1729 + timedelta(minutes=1), "5.6")


def test_3_10_a_high_risk_care_leavers_unanswered_notices_still_reach_edt() -> None:
    """A care leaver of 20, high risk, reported at 02:00: EDT is told only that police may
    ask it for the forms (3.10), not 1.4's alert that it acts for children's services (the
    young person is an adult to the police). The MCT's notice, unanswered an hour on, is how
    EDT hears that a high-risk young person the authority is responsible for is missing."""
    timeline = Timeline()
    young_person = ChildDetails(name="Young Person", date_of_birth=date(2006, 1, 1), sex=Sex.MALE)
    care_leaver: dict[str, Any] = {"child": young_person, "legal_status": LegalStatus.CARE_LEAVER}
    timeline.receive(misper(at=SATURDAY_0200, risk_level=RiskLevel.HIGH, **care_leaver))
    night = timeline.advance(SATURDAY_0200 + timedelta(hours=3))
    assert escalated_to_edt(night, "missing_child_notified")


def test_8_10_a_high_risk_child_placed_here_whose_placing_authority_is_silent_reaches_edt() -> None:
    """A child placed here by Essex, reported at high risk at 02:00 on a Saturday: the MCT's
    notice to the placing social worker (8.10) goes at once. Essex does not pick it up. In
    office hours our Head of Safeguarding would hear of it within the hour (8.12); at night it
    waited for Monday at 09:00, 55 hours on, while the child's own authority might not know
    (1.4: "Children's services must also be notified immediately"). EDT acts for the MCT out
    of hours (3.10, 3.13), and its alert told it only that the child is missing: the placing
    authority's silence is news to it, as our own teams' is not."""
    timeline = Timeline()
    timeline.receive(misper(at=SATURDAY_0200, risk_level=RiskLevel.HIGH, **PLACED_HERE))
    night = timeline.advance(SATURDAY_0200 + timedelta(hours=2))
    [to_edt] = escalated_to_edt(night, "child_missing_from_placement")
    assert to_edt.at == SATURDAY_0200 + timedelta(hours=1)


def test_3_10_a_medium_risk_child_placed_heres_silent_placing_authority_waits_for_the_day() -> None:
    """The same child reported at medium risk: 1.4's "immediately" is for a high-risk child,
    and, as our own teams' notices of a medium-risk child, the placing authority's unanswered
    notice waits for the day teams (3.10)."""
    timeline = Timeline()
    timeline.receive(misper(at=SATURDAY_0200, **PLACED_HERE))
    weekend = timeline.advance(MONDAY_0900 - timedelta(minutes=1))
    assert not escalated_to_edt(weekend, "child_missing_from_placement")


def test_8_12_edts_silence_on_the_placing_authoritys_notice_goes_to_the_head_of_safeguarding() -> (
    None
):
    """The same high-risk child placed here, reported at 02:00 on a Saturday: Essex's silence
    reaches EDT at 03:00 (3.10). EDT does not answer either. In office hours Essex's silence
    goes to our Head of Safeguarding (8.12); EDT only stood in for the night, so its silence
    goes there too, when the day teams open, not up EDT's own line to the Service Manager
    first, which had the Head of Safeguarding hear an hour later."""
    timeline = Timeline()
    timeline.receive(misper(at=SATURDAY_0200, risk_level=RiskLevel.HIGH, **PLACED_HERE))
    weekend = timeline.advance(MONDAY_0900)
    [to_edt] = escalated_to_edt(weekend, "child_missing_from_placement")
    climbed = [
        d for d in weekend if d.details.get("duty_notification_id") == str(to_edt.notification_id)
    ]
    assert [(d.recipient, d.paragraph, d.at) for d in climbed] == [
        ("head_of_safeguarding", "8.12", MONDAY_0900)
    ]


def test_6_8_edts_silence_for_the_head_of_safeguarding_goes_up_to_the_assistant_director() -> None:
    """A high-risk child reported at 15:00 on a Wednesday: the MCT's notice, unanswered,
    climbs to the Head of Safeguarding by 17:00; at 18:00, out of hours, the Head's silence
    goes to EDT (3.10). EDT does not answer either: EDT stood in for the Head of
    Safeguarding, so its silence goes where the Head's would, to the Assistant Director
    (6.8) when the day teams open, not down to the Service Manager."""
    wednesday_1500 = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    timeline = Timeline()
    timeline.receive(misper(at=wednesday_1500, risk_level=RiskLevel.HIGH))
    decisions = timeline.advance(wednesday_1500 + timedelta(hours=19))  # Thursday 10:00
    [for_the_head] = [
        d
        for d in told(decisions, "edt", ESCALATED)
        if d.details["owed_to"] == "head_of_safeguarding"
    ]
    [climbed] = [
        d
        for d in decisions
        if d.details.get("duty_notification_id") == str(for_the_head.notification_id)
    ]
    thursday_0900 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    assert (climbed.recipient, climbed.paragraph, climbed.at) == (
        "assistant_director",
        "6.8",
        thursday_0900,
    )
