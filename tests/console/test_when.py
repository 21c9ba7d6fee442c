"""Times and codes as the console shows them (issue 14, section 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.console.views import LogFilter
from hub.console.when import cause_text, how_late, label, local_time

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def test_a_winter_time_is_shown_in_gmt_without_this_years_year() -> None:
    assert local_time(datetime(2026, 11, 20, 18, 40, tzinfo=UTC), LONDON, NOW) == (
        "Fri 20 Nov 18:40 GMT"
    )


def test_a_summer_time_of_another_year_is_shown_in_bst_with_its_year() -> None:
    assert local_time(datetime(2025, 7, 1, 9, 0, tzinfo=UTC), LONDON, NOW) == (
        "Tue 01 Jul 2025 10:00 BST"
    )


def test_a_deadline_says_how_late_or_how_soon() -> None:
    assert how_late(NOW - timedelta(days=3, hours=2), NOW) == "overdue by 3 days and 2 hours"
    assert how_late(NOW + timedelta(hours=5, minutes=30), NOW) == "due in 5 hours and 30 minutes"
    assert how_late(NOW, NOW) == "due now"


def test_codes_read_as_words_with_the_protocols_abbreviations() -> None:
    assert label("convene_strategy_meeting") == "Convene strategy meeting"
    assert label("mct") == "MCT"
    assert label("missing_child_at_risk_of_cse") == "Missing child at risk of CSE"


def test_a_date_filter_without_a_zone_is_read_in_london_time() -> None:
    summer = LogFilter.model_validate({"since": "2026-07-01T10:00"}).in_zone(LONDON)
    assert summer.since == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    written = LogFilter.model_validate({"until": "2026-07-01T10:00Z"}).in_zone(LONDON)
    assert written.until == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_a_cause_reads_as_what_led_to_the_decision() -> None:
    assert cause_text("evt-police-0001") == "event evt-police-0001"
    assert cause_text("timer:EP-1:strategy_meeting:3") == "timer: strategy meeting no. 3"
    assert cause_text("timer:EP-1:missing_24h:0") == "timer: missing 24h"
    assert cause_text("console:1b4e28ba") == "an answer recorded in the console"
