"""Dates are the child's, in the United Kingdom: an age, a birthday and a period of months
are counted on the local (Europe/London) calendar, whether a sender writes a time in UTC
(Z) or with its offset (+01:00), and on either side of the clocks changing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hub.contracts.events import ChildDetails
from hub.contracts.vocabulary import LegalStatus, RiskLevel, Sex
from hub.routing.rules.strategy import EIGHTEENTH_BIRTHDAY, FORMAL_REVIEW, STRATEGY_MEETING
from tests.routing.builders import Timeline, found, misper, told

BST = timezone(timedelta(hours=1))


def _due(timeline: Timeline, name: str) -> datetime:
    [due] = [t.due for t in timeline.pending if t.name == name]
    moment: datetime = due.astimezone(UTC)
    return moment


def _missing_since(at: datetime, born: date = date(2012, 5, 1), **changes: object) -> Timeline:
    timeline = Timeline()
    child = ChildDetails(name="Test Child", date_of_birth=born, sex=Sex.FEMALE)
    fields: dict[str, object] = {"legal_status": LegalStatus.LOOKED_AFTER, **changes}
    timeline.receive(misper(at=at, child=child, **fields))  # type: ignore[arg-type]
    return timeline


# 6.8: "The Assistant Director ... will formally review all cases where children/young
# people have been missing for 3 months."


def test_6_8_three_months_from_a_morning_in_winter_is_that_morning_in_summer() -> None:
    """Missing since 10:00 on 2 February (GMT): three months missing is 10:00 on 2 May,
    local time, which is BST (09:00 UTC), not an hour later."""
    timeline = _missing_since(datetime(2026, 2, 2, 10, 0, tzinfo=UTC))
    assert _due(timeline, FORMAL_REVIEW) == datetime(2026, 5, 2, 9, 0, tzinfo=UTC)


def test_6_8_three_months_is_the_same_whichever_offset_the_time_is_written_with() -> None:
    """Missing since 00:30 on 31 March, BST: three months on is 00:30 on 30 June (June has
    no 31st), whether police write the time as 00:30+01:00 or as 23:30Z the day before."""
    with_offset = _missing_since(datetime(2026, 3, 31, 0, 30, tzinfo=BST))
    in_utc = _missing_since(datetime(2026, 3, 30, 23, 30, tzinfo=UTC))
    assert _due(in_utc, FORMAL_REVIEW) == _due(with_offset, FORMAL_REVIEW)


# 6.8: "If the child/young person is not found by their 18th birthday, a formal Missing
# Child Meeting will be held ..."


def test_6_8_the_meeting_at_18_falls_on_the_local_birthday_whatever_the_offset() -> None:
    """Missing since 00:30 on 31 March, BST, written as 23:30Z the day before: the child is
    18 on 1 May 2030, and the meeting falls due on that day, at the time of day she went
    (00:30 BST), not on 2 May."""
    timeline = _missing_since(datetime(2026, 3, 30, 23, 30, tzinfo=UTC))
    assert _due(timeline, EIGHTEENTH_BIRTHDAY) == datetime(2030, 4, 30, 23, 30, tzinfo=UTC)


def test_6_8_a_child_born_on_29_february_reaches_18_on_1_march() -> None:
    """Born on 29 February 2008, the child is 17 on 28 February 2026, as the hub counts
    every age (no 29 February in 2026): the Missing Child Meeting is on 1 March."""
    born = date(2008, 2, 29)
    timeline = _missing_since(datetime(2026, 2, 20, 10, 0, tzinfo=UTC), born=born)
    timeline.advance(datetime(2026, 3, 2, tzinfo=UTC))
    [meeting] = told(timeline.decisions, "assistant_director", "hold_missing_child_meeting")
    assert meeting.at.date() == date(2026, 3, 1)


# 1.4: "Police will treat 18 and above as adults."


def test_1_4_a_care_leaver_missing_since_the_first_minutes_of_her_18th_birthday_is_an_adult() -> (
    None
):
    """A care leaver born on 1 July 2008 is missing since 00:30 BST on 1 July 2026, which
    police write as 23:30Z on 30 June: she is 18 in the United Kingdom, an adult to the
    police, with no strategy meetings of a child's."""
    born = date(2008, 7, 1)
    timeline = _missing_since(
        datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
        born=born,
        legal_status=LegalStatus.CARE_LEAVER,
        risk_level=RiskLevel.MEDIUM,
    )
    timeline.advance(datetime(2026, 7, 20, tzinfo=UTC))
    assert not [d for d in timeline.decisions if d.action == "convene_strategy_meeting"]


# 7.22: "Thereafter, Strategy Meetings will be held fortnightly for eight weeks and then
# bi-monthly if the child has not returned."


def test_7_22_a_bi_monthly_meeting_after_the_clocks_change_keeps_its_local_time() -> None:
    """Missing since 10:00 on 12 January 2026 (GMT): day 66 falls at 10:00 on 19 March, still
    GMT; the next meeting, two months on, is 10:00 on 19 May, local time: 09:00 UTC (BST)."""
    timeline = _missing_since(datetime(2026, 1, 12, 10, 0, tzinfo=UTC))
    timeline.advance(datetime(2026, 3, 20, tzinfo=UTC))
    [ladder] = [t for t in timeline.pending if t.name == STRATEGY_MEETING]
    assert ladder.due.astimezone(UTC) == datetime(2026, 5, 19, 9, 0, tzinfo=UTC)


# 7.18: "For children who have been missing three times in 28 days or three times in a 90
# day period, a review ..."


def _missing_three_times(*starts: datetime) -> Timeline:
    timeline = Timeline()
    for n, start in enumerate(starts):
        timeline.receive(misper(f"EP-{n}", at=start))
        timeline.receive(found(f"EP-{n}", at=start + timedelta(hours=3)))
    return timeline


def test_7_18_three_times_in_90_days_across_the_clocks_going_back_is_reviewed() -> None:
    """Missing at 00:01 on 1 August (BST), on 1 September, and at 23:59 on 29 October (GMT):
    three times within the 90 days 1 August to 29 October, as 00:01 on 1 November to 23:59
    on 29 January would be. The clocks went back between: by the clock the child's carers
    read, 89 days, 23 hours and 58 minutes; in elapsed time an hour more, past 90 days."""
    timeline = _missing_three_times(
        datetime(2026, 8, 1, 0, 1, tzinfo=BST),
        datetime(2026, 9, 1, 10, 0, tzinfo=BST),
        datetime(2026, 10, 29, 23, 59, tzinfo=UTC),
    )
    [review] = told(timeline.decisions, "service_manager", "review_repeat_missing_case")
    assert review.paragraph == "7.18"
