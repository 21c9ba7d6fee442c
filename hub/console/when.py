"""Times as the console shows them (issue 14): in the deployment's zone (Europe/London) with
the zone shown, in one format, the year only where it is not this one; and deadlines as
"overdue by 3 days" rather than a date to subtract (the `humanize` library's words)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import humanize

from hub.routing.paragraphs import heading_of


def local_time(moment: datetime | None, zone: ZoneInfo, now: datetime) -> str:
    """'Fri 20 Nov 18:40 GMT', or 'Tue 31 Mar 2025 09:00 BST' in another year."""
    if moment is None:
        return "—"
    here = moment.astimezone(zone)
    year = "" if here.year == now.astimezone(zone).year else f" {here.year}"
    return f"{here:%a %d %b}{year} {here:%H:%M %Z}"


def how_late(due: datetime, now: datetime) -> str:
    """'overdue by 3 days and 2 hours', 'due in 5 hours', to the minute."""
    if due < now:
        return f"overdue by {_span(now - due)}"
    return f"due in {_span(due - now)}" if due > now else "due now"


def how_long(span: timedelta) -> str:
    """'3 weeks and 2 days' (humanize's words), to the hour: how long a child is missing."""
    return _span(span)


def _span(span: timedelta) -> str:
    if span < timedelta(minutes=1):
        return "less than a minute"
    unit = "minutes" if span < timedelta(days=1) else "hours"
    return humanize.precisedelta(span, minimum_unit=unit, format="%0.0f")


# The protocol's abbreviations, as it writes them.
_ABBREVIATIONS = frozenset(
    {"ats", "cp", "cse", "dcs", "edt", "iri", "iro", "mash", "mct", "ooc", "rise", "sqas", "uasc"}
)


def label(code: str) -> str:
    """A recipient's or an action's code in words: 'convene_strategy_meeting' is 'Convene
    strategy meeting', 'mct' is 'MCT' (the page shows the code beside it or on hover)."""
    words = [
        word.upper() if word in _ABBREVIATIONS else word
        for word in code.replace("-", "_").split("_")
        if word
    ]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def heading(paragraph: str) -> str:
    """The heading of a cited paragraph, or nothing if the text has none for it."""
    try:
        return heading_of(paragraph)
    except (KeyError, ValueError):
        return ""


def cause_text(cause: str) -> str:
    """What led to a decision, in words: an event by its id, a timer by its name (and which
    of a ladder, 7.22), an answer recorded in the console."""
    kind, _, rest = cause.partition(":")
    if kind == "timer" and rest.count(":") >= 2:
        _episode, name, sequence = rest.rsplit(":", 2)
        which = f" no. {sequence}" if sequence not in ("", "0") else ""
        return f"timer: {label(name).lower()}{which}"
    if kind == "console":
        return "an answer recorded in the console"
    return f"event {cause}"
