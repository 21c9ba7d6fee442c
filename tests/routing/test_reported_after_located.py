"""A MISPER report read after the child was located (1.4: missing "until located") under
another report of the same absence: a second force's report queued in its system, or read
after the found report when the topics are read again after an outage (docs/pipeline.md),
or filed late by a force that did not know the child was found. Its `missing_since` is
before the return: it tells of the absence already over, not of a new one. Had it been read
first it would have taken that absence's search over (7.22: one absence, however many
forces report it), and the found report ended it. Read late, it is the same: no further
episode in the repeat windows (7.18, 7.28, 8.12, section 10), nothing asked again that was
asked for the absence (7.22's day one, 3.3's forms), no meeting, and no force told to
search for a child already back (3.9, 8.3). A report missing since after the return is a
new absence, as ever."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hub.contracts.events import ChildDetails, LastSeen, MisperReport
from hub.contracts.vocabulary import LegalStatus, RiskLevel, Sex
from hub.reports.figures import report
from tests.routing.builders import (
    DIRECTORY,
    PLACED_IN,
    START,
    Timeline,
    by_the_rules,
    found,
    misper,
    told,
)

SECOND_FORCE = "thames-valley-police"
FOUND = START + timedelta(days=2)  # Friday 10:00: the first force's found report
READ = FOUND + timedelta(hours=4)  # the second force's report read, in office hours
# Sent before the found report (queued, or read late after an outage), or after it (a force
# that did not know the child was found): either way of the absence the child is back from.
SENT = pytest.mark.parametrize(
    "sent", [START + timedelta(hours=3), FOUND + timedelta(hours=2)], ids=["before", "after"]
)
REVIEW = "review_repeat_missing_case"
DAY_ONE = ("inform_service_manager", "prepare_need_to_know_briefing")
FORMS = "complete_incident_and_location_forms"


def _late(
    sent: datetime, since: datetime = START + timedelta(hours=2), **changes: Any
) -> MisperReport:
    """The second force's report of the child missing since `since`, sent at `sent`."""
    return misper(
        "EP-2",
        at=sent,
        missing_since=since,
        last_seen=LastSeen(place="Home", at=since),
        reporting_force=SECOND_FORCE,
        **changes,
    )


def _an_absence_before(days: int = 10, **changes: Any) -> Timeline:
    """The child missing `days` before the Wednesday and found three hours on."""
    timeline = Timeline()
    timeline.receive(misper("EP-0", at=START - timedelta(days=days), **changes))
    timeline.receive(found("EP-0", at=START - timedelta(days=days) + timedelta(hours=3)))
    return timeline


def _found_then_read_late(timeline: Timeline, sent: datetime, **changes: Any) -> list[Any]:
    """Missing at 10:00 on Wednesday, reported by the first force, found on Friday at 10:00;
    then the second force's report of that absence is read."""
    timeline.receive(misper("EP-1", **changes))
    timeline.receive(found("EP-1", at=FOUND))
    return timeline.receive(_late(sent, **changes), READ)


def _asked_as_a_third_absence(decisions: list[Any]) -> None:
    """EP-2 read as the third absence in 28 days: its case review (7.18), its own day-one
    duties (7.22) and a further episode's forms review (3.6)."""
    [review] = told(decisions, "allocated_worker", REVIEW)
    assert review.details["episodes"] == 3
    for action in DAY_ONE:
        assert [d.episode_id for d in told(decisions, "allocated_worker", action)] == ["EP-2"]
    [forms] = told(decisions, "allocated_worker", FORMS)
    assert forms.paragraph == "3.6"


def _acted(decisions: list[Any], action: str) -> list[Any]:
    return [d for d in by_the_rules(decisions) if d.action == action]


@SENT
def test_7_18_a_report_of_an_absence_already_over_is_no_third_episode(sent: datetime) -> None:
    """Missing ten days before, found; missing on Wednesday, found on Friday: two absences.
    The second force's report of Wednesday's absence, read after the return, is no third:
    no case review ("3 missing episodes in 28 days", 7.18), nor the monthly forum (7.28).
    Both were asked, the report counted as an absence of its own."""
    timeline = _an_absence_before()
    decisions = _found_then_read_late(timeline, sent)
    assert _acted(decisions, REVIEW) == []
    assert _acted(decisions, "add_to_cse_and_missing_forum") == []


@SENT
def test_8_12_a_report_of_an_absence_already_over_brings_no_written_notice(sent: datetime) -> None:
    """A child placed here by Essex, graded high (a serious concern, 8.12): missing 30 days
    before, and on Wednesday, found each time. The second force's report of Wednesday's
    absence read after the return is no third episode in 90 days: Essex's Head of
    Safeguarding is not written to, nor a strategy discussion chaired. Both were."""
    high = {"risk_level": RiskLevel.HIGH, **PLACED_IN}
    timeline = _an_absence_before(30, **high)
    decisions = _found_then_read_late(timeline, sent, **high)
    assert _acted(decisions, "notify_placing_head_of_safeguarding") == []
    assert _acted(decisions, "head_of_safeguarding_written_notice") == []
    assert _acted(decisions, "chair_strategy_discussion") == []


@SENT
def test_7_22_a_report_of_an_absence_already_over_asks_no_second_day_one(sent: datetime) -> None:
    """The first force's report asked the social worker to inform the Service Manager and
    prepare the Need to Know briefing (7.22) for Wednesday's absence. The second force's
    report of it, read after the return, does not ask the worker for them again (one
    absence, one ask), as it would not have had it been read before the found report. It
    asked for both again, due at once, and chased them."""
    timeline = Timeline()
    decisions = _found_then_read_late(timeline, sent)
    for action in DAY_ONE:
        assert told(decisions, "allocated_worker", action) == []


@SENT
def test_3_3_a_report_of_the_first_absence_already_over_asks_no_forms_review(
    sent: datetime,
) -> None:
    """The child's first absence: the first force's report asked for the Incident and
    Location Forms (3.3). The second force's report of it, read after the return, is of the
    same first episode: no forms asked for again, and the Missing Children Co-ordinator
    (7.2) is told it is of the first episode. It was asked as a further episode's review
    (3.6), and the MCT told the child had been missing before."""
    timeline = Timeline()
    decisions = _found_then_read_late(timeline, sent)
    assert told(decisions, "allocated_worker", FORMS) == []
    [notified] = told(decisions, "mct", "missing_child_notified")
    assert notified.details["first_episode"] is True


@SENT
def test_5_12_its_own_found_report_owes_no_second_return_interview(sent: datetime) -> None:
    """The second force's report of Wednesday's absence, read after the return, is followed
    by that force's found report. The child returned once, on Friday, and the interview of
    that return was owed under the first force's report (5.12: "within 72 hours of the child
    returning"): the second force's found report, of an absence the hub never searched
    under it, owes no second. It owed one, and chased it."""
    timeline = Timeline()
    _found_then_read_late(timeline, sent)
    decisions = timeline.receive(found("EP-2", at=FOUND), READ + timedelta(hours=1))
    assert told(decisions, "mct", "conduct_return_interview") == []


@SENT
def test_3_9_the_host_force_is_not_told_to_search_for_a_child_already_found(sent: datetime) -> None:
    """Our child placed in Kent, found on Friday. The second force's report of the absence,
    read after the return, does not tell Kent's police and Kent that the child is missing in
    their area (3.9, 8.3), a search for a child already back (had it been read before the
    found report, the found report would have stood that search down). Both were told, at
    once, and the police's notice chased."""
    timeline = Timeline()
    placed_out = {"legal_status": LegalStatus.LOOKED_AFTER, "residence_authority": "kent"}
    decisions = _found_then_read_late(timeline, sent, **placed_out)
    assert told(decisions, "host_police", "child_missing_in_your_area") == []
    assert told(decisions, "host_authority", "child_missing_in_your_area") == []


@SENT
def test_7_22_a_report_of_an_absence_already_over_convenes_no_meeting(sent: datetime) -> None:
    """Graded high: the second force's report of the absence read after the return convenes
    no meeting, neither 7.17's at once nor 7.18's at 24 hours nor 7.22's later ones."""
    timeline = Timeline()
    decisions = _found_then_read_late(timeline, sent, risk_level=RiskLevel.HIGH)
    decisions += timeline.advance(START + timedelta(days=30))
    assert [
        d for d in _acted(decisions, "convene_strategy_meeting") if d.episode_id == "EP-2"
    ] == []


@SENT
def test_section_10_a_report_of_an_absence_already_over_is_one_episode_in_the_report(
    sent: datetime,
) -> None:
    """The month's report (section 10) counts Wednesday's absence once, however late the
    second force's report of it was read. It counted two episodes."""
    timeline = Timeline()
    _found_then_read_late(timeline, sent)
    month = datetime(2026, 11, 1, tzinfo=UTC)
    end = month + timedelta(days=30)
    figures = report([timeline.state], DIRECTORY, month, end, end)
    assert (figures.episodes, figures.children) == (1, 1)


def test_7_18_a_report_missing_since_after_the_return_is_still_a_new_absence() -> None:
    """As above, but the second force's report says the child went missing at 11:00 on
    Friday, after the return at 10:00: a new absence, the third in 28 days (7.18), its own
    day-one duties (7.22) and forms review (3.6) asked, and its meetings convened."""
    timeline = _an_absence_before()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=FOUND))
    again = FOUND + timedelta(hours=1)
    decisions = timeline.receive(_late(FOUND + timedelta(hours=2), since=again), READ)
    _asked_as_a_third_absence(decisions)
    later = timeline.advance(again + timedelta(hours=25))
    convened = _acted(later, "convene_strategy_meeting")
    assert [(d.episode_id, d.at) for d in convened if d.details["meeting"] == "24-hour"] == [
        ("EP-2", again + timedelta(hours=24))
    ]


def test_7_18_the_same_forces_own_report_read_after_the_return_is_a_new_absence() -> None:
    """Missing ten days before, found; missing on Wednesday, reported by the home force,
    found on Friday. The home force's own second report, the child missing since Wednesday
    at 12:00, queued in its system and read after the found report: a force does not report
    one absence twice, so the child had come back unreported and gone missing again, as the
    report would have been read before the found report (`reported_again`): a third absence
    in 28 days, its case review asked (7.18), its day-one duties (7.22) and forms review
    (3.6), and counted in the month's report (section 10). It was read as the Wednesday
    absence: none of these."""
    timeline = _an_absence_before()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=FOUND))
    since = START + timedelta(hours=2)
    sent = START + timedelta(hours=3)
    again = misper("EP-2", at=sent, missing_since=since, last_seen=LastSeen(place="Home", at=since))
    decisions = timeline.receive(again, READ)
    _asked_as_a_third_absence(decisions)
    month = datetime(2026, 11, 1, tzinfo=UTC)
    end = month + timedelta(days=30)
    assert report([timeline.state], DIRECTORY, month, end, end).episodes == 3


def test_3_9_no_host_search_for_a_child_found_since_a_report_says_it_went_missing() -> None:
    """Our child placed in Kent, reported missing by the first force at 10:00 on Wednesday,
    found on Friday. The second force's report says the child was last seen at 09:00, before
    the first force's report began: read after the return, it is an absence of its own (it
    began before the first report's), but the child was found after it began, and Kent's
    police and Kent are not told the child is missing in their area (3.9, 8.3): read before
    the found report, the found report would have stood that search down. Both were told,
    and the police's notice chased, for a child already back."""
    timeline = Timeline()
    placed_out: dict[str, Any] = {
        "legal_status": LegalStatus.LOOKED_AFTER,
        "residence_authority": "kent",
    }
    timeline.receive(misper("EP-1", **placed_out))
    timeline.receive(found("EP-1", at=FOUND))
    decisions = timeline.receive(
        _late(START + timedelta(hours=3), since=START - timedelta(hours=1), **placed_out), READ
    )
    assert told(decisions, "host_police", "child_missing_in_your_area") == []
    assert told(decisions, "host_authority", "child_missing_in_your_area") == []


def test_1_4_an_adult_care_leavers_second_report_read_late_is_read_as_in_order() -> None:
    """A care leaver of 18 (1.4: "Police will treat 18 and above as adults"), reported
    missing by the first force at 10:00 on Wednesday; the second force's report, sent at
    13:00, missing since 12:00. An adult's reports are each its own absence, never one
    taking another's search over (`taken`): read at 13:00, before the found report, it is
    counted (7.18, section 10) and its forms reviewed (3.6). Read on Friday after the first
    force's found report, the same. It was absorbed into the first report's absence: no
    forms review, one episode fewer, whichever order the hub read them in."""
    adult: dict[str, Any] = {
        "child": ChildDetails(name="Young Person", date_of_birth=date(2006, 5, 1), sex=Sex.MALE),
        "legal_status": LegalStatus.CARE_LEAVER,
    }
    sent = START + timedelta(hours=3)
    in_order, late = Timeline(), Timeline()
    in_order.receive(misper("EP-1", **adult))
    first = in_order.receive(_late(sent, **adult))
    in_order.receive(found("EP-1", at=FOUND))
    late.receive(misper("EP-1", **adult))
    late.receive(found("EP-1", at=FOUND))
    second = late.receive(_late(sent, **adult), READ)
    assert told(first, "allocated_worker", FORMS) != []
    assert told(second, "allocated_worker", FORMS) != []
    assert len(late.state.absence_starts()) == len(in_order.state.absence_starts()) == 2
