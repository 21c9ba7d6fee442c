"""The protocol's reports (section 10, issue 14): what happened to the children missing in a
period, and to the duties the hub owed on their behalf, worked out from the children's
states alone (pure: hub.reports.store reads them, hub.reports.commands and the console show
them). Each figure keeps the exceptions behind it, so a manager can go from a number to the
episodes that made it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Duty, Episode, NoticeDuties
from hub.routing.rules.duties import RETURN_INTERVIEW_DUTIES
from hub.routing.rules.repeat import within_period
from hub.routing.rules.strategy import dated_by_the_birthday

CONVENE = "convene_strategy_meeting"
RETURN_INTERVIEW = "conduct_return_interview"
# Section 8: the parties of a child placed across a border.
CROSS_BORDER = frozenset({"host_authority", "placing_authority", "host_police"})


class Exception_(BaseModel):
    """One episode or duty behind a figure that fell short."""

    figure: str
    child_id: str
    episode_id: str
    notification_id: str | None = None
    what: str


class TeamDuties(BaseModel):
    """A team's duties falling due in the period (7.22, 6.7)."""

    authority: str
    recipient: str
    due: int
    done_on_time: int
    done_late: int
    overdue: int  # not done, deadline passed
    escalated: int


class WeekCount(BaseModel):
    week_of: date  # the Monday, in local time
    episodes: int


class Report(BaseModel):
    period_from: datetime
    period_to: datetime
    as_of: datetime
    episodes: int
    children: int
    repeat_missing_children: int  # 7.18: three or more episodes in 90 days
    return_interviews_offered: int  # 5.12
    return_interviews_within_72_hours: int
    return_interviews_declined: int
    strategy_meetings_due: int  # 7.22
    strategy_meetings_held_on_time: int
    strategy_meetings_held_late: int
    strategy_meetings_not_held: int
    cross_border_notices: int  # section 8
    cross_border_acknowledged: int
    teams: list[TeamDuties]
    episodes_per_week: list[WeekCount]
    exceptions: list[Exception_]


def report(
    states: Iterable[ChildState],
    directory: Directory,
    start: datetime,
    end: datetime,
    now: datetime,
) -> Report:
    """Episodes that started in [start, end), and duties that fell due in it, as of `now`."""
    zone = ZoneInfo(directory.timezone)
    ts = directory.timescales
    window = timedelta(days=max(ts.repeat_windows_days))
    counts: Counter[str] = Counter()
    weeks: Counter[date] = Counter()
    teams: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    exceptions: list[Exception_] = []
    children: set[str] = set()
    for state in states:
        # Each from when it began no later than the hub read its report, as the engine
        # counts it (7.18, `repeat.episodes_within`): a start typed ahead is not next year's.
        # One absence reported by two forces is one episode (7.22), counted when it began.
        starts = sorted(state.absence_starts())
        for started in (s for s in starts if start <= s < end):
            counts["episodes"] += 1
            children.add(state.child_id)
            local = started.astimezone(zone).date()
            weeks[local - timedelta(days=local.weekday())] += 1
        if any(
            # "in a 90 day period" (7.17, 8.12): one exactly 90 days before is in it, and
            # one 90 days before by the UK clock across the clocks going back, as the engine
            # counts it
            sum(1 for s in starts if s <= t and within_period(s, t, window)) >= ts.repeat_count
            for t in starts
            if start <= t < end
        ):
            counts["repeat"] += 1
        # and the duties of notices about no episode the hub has (a placement, 7.14, 8.9)
        holders: list[Episode | NoticeDuties] = [*state.episodes, *state.notices]
        for episode in holders:
            for duty in episode.duties:
                if dated_by_the_birthday(duty, episode):
                    # 6.8: due on the child's eighteenth birthday, its escalations a day on:
                    # a report of one day would date the birth, which the routing log and
                    # the deadlines keep back without a reveal.
                    continue
                if start <= duty.due < end or (
                    duty.recipient in CROSS_BORDER and start <= duty.decided_at < end
                ):
                    _count_duty(duty, episode, state.child_id, now, counts, teams, exceptions)
    return Report(
        period_from=start,
        period_to=end,
        as_of=now,
        episodes=counts["episodes"],
        children=len(children),
        repeat_missing_children=counts["repeat"],
        return_interviews_offered=counts["ri_offered"],
        return_interviews_within_72_hours=counts["ri_on_time"],
        return_interviews_declined=counts["ri_declined"],
        strategy_meetings_due=counts["meetings"],
        strategy_meetings_held_on_time=counts["meetings_on_time"],
        strategy_meetings_held_late=counts["meetings_late"],
        strategy_meetings_not_held=counts["meetings_not_held"],
        cross_border_notices=counts["cross_border"],
        cross_border_acknowledged=counts["cross_border_acknowledged"],
        teams=[
            TeamDuties(authority=a, recipient=r, **{k: c[k] for k in _TEAM_FIGURES})
            for (a, r), c in sorted(teams.items())
        ],
        episodes_per_week=[WeekCount(week_of=w, episodes=n) for w, n in sorted(weeks.items())],
        exceptions=exceptions,
    )


_TEAM_FIGURES = ("due", "done_on_time", "done_late", "overdue", "escalated")


def _count_duty(
    duty: Duty,
    episode: Episode | NoticeDuties,
    child_id: str,
    now: datetime,
    counts: Counter[str],
    teams: dict[tuple[str, str], Counter[str]],
    exceptions: list[Exception_],
) -> None:
    def short(figure: str, what: str) -> None:
        exceptions.append(
            Exception_(
                figure=figure,
                child_id=child_id,
                episode_id=episode.episode_id,
                notification_id=duty.notification_id,
                what=what,
            )
        )

    if duty.recipient in CROSS_BORDER:
        counts["cross_border"] += 1
        if duty.answered:
            counts["cross_border_acknowledged"] += 1
        else:
            short("cross_border_acknowledged", f"{duty.action} to {duty.authority}: no answer")
    declined = isinstance(episode, Episode) and episode.return_interview_declines > 0
    if duty.action == RETURN_INTERVIEW and (duty.stood_down_at is None or declined):
        # 5.15: an interview the child declined was offered, though the refusal stood its
        # duty down (or it was given after all, a trusted adult's, and its duty done).
        _count_interview(duty, declined, counts, short)
    given_after_all = declined and duty.action in RETURN_INTERVIEW_DUTIES and duty.done_at
    if duty.stood_down_at is not None and not given_after_all:
        return  # no longer needed (or declined, 5.15): not a duty of the period
    team = teams[(duty.authority or "(held)", duty.recipient)]
    team["due"] += 1
    on_time = duty.done_at is not None and duty.done_at <= duty.due
    if on_time:
        team["done_on_time"] += 1
    elif duty.done_at is not None:
        team["done_late"] += 1
    elif duty.due < now:
        team["overdue"] += 1
    if duty.escalated_at is not None:
        team["escalated"] += 1
    if duty.action == CONVENE:
        counts["meetings"] += 1
        if on_time:
            counts["meetings_on_time"] += 1
        elif duty.done_at is not None:
            counts["meetings_late"] += 1
            short("strategy_meetings_held_on_time", f"{duty.meeting} meeting held late")
        elif duty.due < now:
            counts["meetings_not_held"] += 1
            short("strategy_meetings_held_on_time", f"{duty.meeting} meeting not recorded held")


def _count_interview(
    duty: Duty, declined: bool, counts: Counter[str], short: Callable[[str, str], None]
) -> None:
    counts["ri_offered"] += 1
    if declined:
        counts["ri_declined"] += 1
    if duty.done_at is not None and duty.done_at <= duty.due:
        counts["ri_on_time"] += 1
    else:
        short("return_interviews_within_72_hours", "not completed within 72 hours")
