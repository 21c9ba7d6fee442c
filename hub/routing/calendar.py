"""Office hours (protocol 3.10): out of hours is 17:30 to 09:00 Monday to Friday, weekends and
bank holidays, in local (Europe/London) time, with England and Wales bank holidays from the
maintained `holidays` library: as the table computed from it that the hub ships
(hub/data/bank-holidays.json, hub.devtools.bank_holidays), and from the library itself for a
date or a calendar the table does not hold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hub.routing.directory import Directory

if TYPE_CHECKING:
    import holidays
    from dateutil.relativedelta import relativedelta

SATURDAY = 5


def calendar_name(country: str, subdivision: str) -> str:
    """A calendar's name in the shipped table: "GB/ENG"."""
    return f"{country}/{subdivision}"


@dataclass(frozen=True)
class ShippedHolidays:
    """The library's dates for some calendars ("GB/ENG") over some years, read once."""

    first_year: int
    last_year: int
    calendars: dict[str, frozenset[date]]

    def holds(self, calendar: str, day: date) -> bool:
        return calendar in self.calendars and self.first_year <= day.year <= self.last_year


@lru_cache(maxsize=1)
def shipped_holidays() -> ShippedHolidays:
    table = json.loads((resources.files("hub.data") / "bank-holidays.json").read_text())
    return ShippedHolidays(
        table["first_year"],
        table["last_year"],
        {
            name: frozenset(map(date.fromisoformat, days))
            for name, days in table["calendars"].items()
        },
    )


@lru_cache(maxsize=8)
def _bank_holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    # Only for what the shipped table does not hold: the library loads every country's
    # calendars, some 20 MB of each consumer process's peak (issue 15).
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision)


@lru_cache(maxsize=4096)  # the library's lookup is slow, and every MISPER report asks
def _is_holiday(day: date, country: str, subdivision: str) -> bool:
    table, calendar = shipped_holidays(), calendar_name(country, subdivision)
    if table.holds(calendar, day):
        return day in table.calendars[calendar]
    return day in _bank_holidays(country, subdivision)


def is_bank_holiday(day: date, directory: Directory) -> bool:
    return _is_holiday(day, directory.bank_holidays.country, directory.bank_holidays.subdivision)


def is_out_of_hours(moment: datetime, directory: Directory) -> bool:
    local = moment.astimezone(ZoneInfo(directory.timezone))
    if local.weekday() >= SATURDAY or is_bank_holiday(local.date(), directory):
        return True
    hours = directory.office_hours
    return not (hours.opens <= local.time() < hours.closes)


def next_sharing_deadline(moment: datetime, directory: Directory) -> datetime:
    """The close of the first police sharing day (6.4 or 6.11) whose close is still ahead:
    today if it is a sharing day and the office is open, else the next one. Bank holidays
    are not sharing days."""
    zone = ZoneInfo(directory.timezone)
    sharing = directory.choices.police_sharing.days.weekdays
    day = moment.astimezone(zone).date()
    while True:
        close = datetime.combine(day, directory.office_hours.closes, tzinfo=zone)
        if day.weekday() in sharing and not is_bank_holiday(day, directory) and close > moment:
            return close
        day += timedelta(days=1)


def add_working_days(moment: datetime, days: int, directory: Directory) -> datetime:
    """`days` working days after `moment` (weekends and bank holidays skipped), at the
    close of business (7.15: "within 5 working days")."""
    zone = ZoneInfo(directory.timezone)
    day = moment.astimezone(zone).date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY and not is_bank_holiday(day, directory):
            days -= 1
    return datetime.combine(day, directory.office_hours.closes, tzinfo=zone)


def next_opening(moment: datetime, directory: Directory) -> datetime:
    """When the day teams next open at or after `moment` (3.10): 09:00 on the next working
    day, or today's if it is still to come."""
    zone = ZoneInfo(directory.timezone)
    local = moment.astimezone(zone)
    day = local.date()
    while True:
        opening = datetime.combine(day, directory.office_hours.opens, tzinfo=zone)
        working = day.weekday() < SATURDAY and not is_bank_holiday(day, directory)
        if working and opening >= local:
            return opening.astimezone(moment.tzinfo)
        day += timedelta(days=1)


def close_of_working_day(moment: datetime, directory: Directory) -> datetime:
    """The close of business of the working day `moment` falls in, or of the next one if it
    falls out of hours (MCT-PG: "before the close of the day")."""
    opening = next_opening(moment, directory) if is_out_of_hours(moment, directory) else moment
    zone = ZoneInfo(directory.timezone)
    closes = datetime.combine(opening.astimezone(zone).date(), directory.office_hours.closes)
    return closes.replace(tzinfo=zone).astimezone(moment.tzinfo)


def later_on_the_calendar(
    moment: datetime, period: relativedelta, directory: Directory
) -> datetime:
    """`period` (months) after `moment`, counted on the local calendar (6.8's "3 months"):
    10:00 on 2 February is 10:00 on 2 May, though the clocks went forward between; and the
    same day however the sender wrote its offset (00:30 BST on 31 March and three months is
    00:30 on 30 June, written "00:30+01:00" or "23:30Z" the day before). In UTC."""
    local = moment.astimezone(ZoneInfo(directory.timezone))
    return (local + period).astimezone(UTC)


def at_local_time_on(day: date, moment: datetime, directory: Directory) -> datetime:
    """`day` at the local time of day of `moment` (the time it was where the child is), in UTC."""
    zone = ZoneInfo(directory.timezone)
    return datetime.combine(day, moment.astimezone(zone).time(), tzinfo=zone).astimezone(UTC)
