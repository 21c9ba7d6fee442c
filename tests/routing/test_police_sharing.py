"""The police MPU's regular sharing of missing and found children (6.4, 6.11): a setting,
because the two paragraphs disagree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.routing.directory import PoliceSharing, SharingDays
from tests.routing.builders import DIRECTORY, START, Timeline, found, misper, told

# START is a Wednesday at 10:00 GMT; the office closes at 17:30.
TUESDAY_EVENING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def with_sharing(days: SharingDays, with_health: bool = True) -> Timeline:
    choices = DIRECTORY.choices.model_copy(
        update={"police_sharing": PoliceSharing(days=days, with_health=with_health)}
    )
    return Timeline(DIRECTORY.model_copy(update={"choices": choices}))


def test_6_4_by_default_ats_and_health_hear_of_a_missing_child_by_close_of_the_same_day() -> None:
    decisions = Timeline().receive(misper())
    [ats] = told(decisions, "ats", "missing_child_shared")
    [health] = told(decisions, "health", "missing_child_shared")
    assert ats.paragraph == "6.4"
    assert health.paragraph == "6.11"  # 6.4 names no Health; 6.11 adds it
    assert ats.due == START.replace(hour=17, minute=30)


def test_6_4_after_close_the_share_is_due_by_close_of_the_next_week_day() -> None:
    decisions = Timeline().receive(misper(at=TUESDAY_EVENING))
    [ats] = told(decisions, "ats", "missing_child_shared")
    assert ats.due == datetime(2026, 11, 25, 17, 30, tzinfo=UTC)


def test_6_11_monday_wednesday_friday_skips_to_the_next_sharing_day() -> None:
    timeline = with_sharing(SharingDays.MONDAY_WEDNESDAY_FRIDAY)
    [ats] = told(timeline.receive(misper(at=TUESDAY_EVENING)), "ats", "missing_child_shared")
    assert ats.paragraph == "6.11"
    assert ats.due == datetime(2026, 11, 25, 17, 30, tzinfo=UTC)


def test_6_11_a_friday_evening_report_is_shared_on_monday() -> None:
    friday_evening = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    timeline = with_sharing(SharingDays.MONDAY_WEDNESDAY_FRIDAY)
    [ats] = told(timeline.receive(misper(at=friday_evening)), "ats", "missing_child_shared")
    assert ats.due == datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


def test_6_4_a_bank_holiday_is_not_a_sharing_day() -> None:
    christmas_eve_evening = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    [ats] = told(Timeline().receive(misper(at=christmas_eve_evening)), "ats")
    assert ats.due == datetime(2026, 12, 29, 17, 30, tzinfo=UTC)  # 25, 26 (28 in lieu)


def test_6_4_without_health_only_ats_is_told() -> None:
    decisions = with_sharing(SharingDays.EVERY_WEEKDAY, with_health=False).receive(misper())
    assert told(decisions, "ats", "missing_child_shared")
    assert not told(decisions, "health")


def test_6_11_found_children_are_shared_too() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(found(at=START + timedelta(hours=3)))
    assert told(decisions, "ats", "found_child_shared")
    assert told(decisions, "health", "found_child_shared")


def test_6_4_a_child_found_before_the_missing_share_is_answered_is_not_chased_for_it() -> None:
    """6.4's sharing is for "immediate action for vulnerable children still missing": a
    child found since is shared as found, and the missing share, unanswered, is no longer
    chased up to the Assistant Director."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(found(at=START + timedelta(hours=3)))
    fired = timeline.advance(START + timedelta(days=3))
    chased = [d for d in fired if "'missing_child_shared'" in d.summary]
    assert not chased
    assert any("'found_child_shared'" in d.summary for d in fired)  # the found share still is


def test_6_11_the_sharing_tells_ats_and_health_a_missing_child_is_at_risk_of_cse() -> None:
    """6.11: the sharing focuses on "particularly vulnerable children currently missing, for
    example those known to be at risk of CSE": the partners are told the CSE marker."""
    decisions = Timeline().receive(misper(cse_risk=True))
    shared = told(decisions, "ats", "missing_child_shared") + told(
        decisions, "health", "missing_child_shared"
    )
    assert [d.child.get("cse_risk") for d in shared] == [True, True]


def test_6_11_a_found_child_s_share_does_not_ask_for_action_on_a_child_still_missing() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    [ats] = told(timeline.receive(found()), "ats", "found_child_shared")
    assert "still missing" not in ats.summary


def test_6_4_a_report_read_once_the_child_was_located_is_not_chased_for_its_share() -> None:
    """A second force's report of the same absence is read only after the child was found
    under the first's: the child is back when it is shared, no call for "immediate action
    for vulnerable children still missing". Shared for the partners' records, it is not
    chased, as the return would have stood it down had the report come first."""
    timeline = Timeline()
    timeline.receive(misper("EP-1"))
    timeline.receive(found("EP-1", at=START + timedelta(hours=3)))
    late = misper("EP-2", at=START + timedelta(hours=1), reporting_force="thames-valley-police")
    timeline.receive(late, at=START + timedelta(hours=4))
    fired = timeline.advance(START + timedelta(days=3))
    assert not [d for d in fired if "'missing_child_shared'" in d.summary]
