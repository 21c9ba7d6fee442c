"""Time for the pipeline. The engine takes time as an argument; the edges ask a clock, so
tests and the demo can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as every message and printout writes a time."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved (tests, the demo's scenario time)."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = max(self._now, moment)  # time never runs backwards

    def advance(self, by: timedelta) -> None:
        self._now += by
