"""Bank holidays (3.10, 6.4, 7.15) from the table the hub ships, which must be what the
maintained `holidays` library says (hub.devtools.bank_holidays writes it again)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from importlib import resources

from hub.devtools.bank_holidays import computed
from hub.routing.calendar import calendar_name, is_bank_holiday, shipped_holidays
from hub.routing.directory import load_directory


def test_the_shipped_bank_holidays_are_the_librarys() -> None:
    table = shipped_holidays()
    library = computed(first_year=table.first_year, last_year=table.last_year)["calendars"]
    shipped = {
        name: sorted(day.isoformat() for day in days) for name, days in table.calendars.items()
    }
    assert shipped == library, "run: python -m hub.devtools.bank_holidays"


def test_every_shipped_deployments_calendar_is_in_the_table() -> None:
    for path in (resources.files("hub.data") / "deployments").iterdir():
        calendar = load_directory(path).bank_holidays
        assert calendar_name(calendar.country, calendar.subdivision) in shipped_holidays().calendars


def test_3_10_christmas_and_its_substitute_days_are_bank_holidays() -> None:
    directory = load_directory()
    assert is_bank_holiday(date(2026, 12, 25), directory)
    assert is_bank_holiday(date(2026, 12, 28), directory)  # Boxing Day fell on a Saturday
    assert not is_bank_holiday(date(2026, 12, 29), directory)


def test_a_date_the_table_does_not_hold_is_asked_of_the_library() -> None:
    directory = load_directory()
    assert shipped_holidays().first_year > 1985
    assert is_bank_holiday(date(1985, 12, 25), directory)
    assert not is_bank_holiday(date(1985, 12, 24), directory)


def test_a_date_the_table_holds_does_not_load_the_library() -> None:
    # The library imports every country's calendars: 20 MB of a consumer's peak (issue 15).
    probe = (
        "import sys; from datetime import date; "
        "from hub.routing.calendar import is_bank_holiday; "
        "from hub.routing.directory import load_directory; "
        "assert is_bank_holiday(date(2026, 12, 25), load_directory()); "
        "print('holidays' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
