"""Office hours (protocol 3.10): out of hours is 17:30 to 09:00 Monday to Friday, weekends and
bank holidays, in local (Europe/London) time, with England and Wales bank holidays from the
maintained `holidays` library."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from hub.routing.directory import Directory

SATURDAY = 5


@lru_cache(maxsize=8)
def _bank_holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision)


def is_bank_holiday(day: date, directory: Directory) -> bool:
    calendar = _bank_holidays(directory.bank_holidays.country, directory.bank_holidays.subdivision)
    return day in calendar


def is_out_of_hours(moment: datetime, directory: Directory) -> bool:
    local = moment.astimezone(ZoneInfo(directory.timezone))
    if local.weekday() >= SATURDAY or is_bank_holiday(local.date(), directory):
        return True
    hours = directory.office_hours
    return not (hours.opens <= local.time() < hours.closes)
