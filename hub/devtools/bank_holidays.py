"""The bank holidays the hub ships (hub/data/bank-holidays.json), computed by the maintained
`holidays` library. The hub reads that table instead of loading the library, which imports
every country's calendars (20 MB of each consumer's peak, issue 15); a date outside its
years, or a calendar it does not hold, is still asked of the library (hub.routing.calendar).

    python -m hub.devtools.bank_holidays    writes the table again (after a library upgrade:
                                            tests/routing/test_calendar.py says when)"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from hub.routing.calendar import calendar_name

FIRST_YEAR, LAST_YEAR = 1990, 2079
CALENDARS = (("GB", "ENG"),)  # the shipped deployments' (hub/data/deployments)


def computed(
    calendars: tuple[tuple[str, str], ...] = CALENDARS,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
) -> dict[str, Any]:
    """The table as hub.routing.calendar reads it: each calendar's dates, ISO, in order."""
    import holidays
    from holidays.version import __version__

    years = range(first_year, last_year + 1)
    return {
        "source": f"holidays {__version__}",
        "first_year": first_year,
        "last_year": last_year,
        "calendars": {
            calendar_name(country, subdivision): sorted(
                day.isoformat()
                for day in holidays.country_holidays(country, subdiv=subdivision, years=years)
            )
            for country, subdivision in calendars
        },
    }


def main() -> None:
    path = Path(str(resources.files("hub.data") / "bank-holidays.json"))
    path.write_text(json.dumps(computed(), indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
