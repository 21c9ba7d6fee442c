"""While the child stays missing: the timers from the start of the episode (6.8, 7.17, 7.18,
7.22). Each strategy meeting timer schedules the next, so only one is pending at a time."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from hub.contracts.events import age_on
from hub.routing.context import Context
from hub.routing.directory import FirstStrategyMeeting, Timescales
from hub.routing.facts import Episode, Timer
from hub.routing.rules.chairs import strategy_meeting

MISSING_24H = "missing_24h"
STRATEGY_MEETING = "strategy_meeting"
FORMAL_REVIEW = "formal_review"
EIGHTEENTH_BIRTHDAY = "eighteenth_birthday"


def meeting_day(sequence: int, ts: Timescales) -> relativedelta:
    """The offset from the episode's start of the n-th meeting after the first (7.22): day 7,
    day 10, then fortnightly for eight weeks, then every two months."""
    fixed = ts.strategy_meeting_days
    if sequence <= len(fixed):
        return relativedelta(days=fixed[sequence - 1])
    fortnights = ts.fortnightly_for_weeks // 2
    after = sequence - len(fixed)
    last_fixed = relativedelta(days=fixed[-1])
    if after <= fortnights:
        return last_fixed + relativedelta(weeks=2 * after)
    return (
        last_fixed
        + relativedelta(weeks=2 * fortnights)
        + relativedelta(months=ts.then_every_months * (after - fortnights))
    )


def timers_on_report(episode: Episode, ts: Timescales) -> list[Timer]:
    start, eid = episode.started_at, episode.episode_id
    timers = [
        Timer(MISSING_24H, eid, start + timedelta(hours=ts.first_strategy_meeting_hours), "7.18"),
        Timer(STRATEGY_MEETING, eid, start + meeting_day(1, ts), "7.22", sequence=1),
        Timer(FORMAL_REVIEW, eid, start + relativedelta(months=ts.formal_review_months), "6.8"),
    ]
    birth = episode.report.child.date_of_birth
    if age_on(birth, start.date()) < 18:
        eighteenth = datetime.combine(birth + relativedelta(years=18), start.timetz())
        timers.append(Timer(EIGHTEENTH_BIRTHDAY, eid, max(eighteenth, start), "6.8"))
    return timers


def on_missing_24h(ctx: Context, timer: Timer) -> list[Timer]:
    """Missing for 24 hours: the first strategy meeting(s) (7.17, 7.18, 7.22) and, for a
    looked-after child, the Assistant Director (6.8)."""
    ts, episode = ctx.directory.timescales, ctx.episode
    if ctx.directory.choices.first_strategy_meeting is FirstStrategyMeeting.TWO_MEETINGS:
        strategy_meeting(ctx, "practice_manager", "mash", ctx.at, "24-hour")
    within = (
        ts.strategy_meeting_within_hours_high_risk
        if episode.high_risk
        else ts.strategy_meeting_within_hours
    )
    due = episode.started_at + timedelta(hours=within)
    strategy_meeting(ctx, "team_manager", "mash", due, f"{within}-hour")
    if episode.looked_after:
        ctx.tell(
            "assistant_director",
            "looked_after_child_missing_over_24_hours",
            "6.8",
            "A child in care has been missing for more than 24 hours (notified by the "
            "Head of Safeguarding).",
        )
    return []


def on_strategy_meeting(ctx: Context, timer: Timer) -> list[Timer]:
    """Day 7: the Service Manager (or MASH); day 10 and after: the SQAS Service Manager
    (7.18, 7.22)."""
    ts, n = ctx.directory.timescales, timer.sequence
    which = f"day {(ctx.at - ctx.episode.started_at).days}"
    if n == 1:
        strategy_meeting(ctx, "service_manager", "mash_manager", ctx.at, which)
    else:
        strategy_meeting(ctx, "sqas_service_manager", "sqas_service_manager", ctx.at, which)
    following = ctx.episode.started_at + meeting_day(n + 1, ts)
    return [Timer(STRATEGY_MEETING, ctx.episode.episode_id, following, "7.22", sequence=n + 1)]


def on_formal_review(ctx: Context, timer: Timer) -> list[Timer]:
    ctx.tell(
        "assistant_director",
        "formal_review_missing_three_months",
        "6.8",
        "Missing for three months: formally review the actions taken to recover the child "
        "and decide whether to end the placement.",
        due=ctx.at,
    )
    return []


def on_eighteenth_birthday(ctx: Context, timer: Timer) -> list[Timer]:
    ctx.tell(
        "assistant_director",
        "hold_missing_child_meeting",
        "6.8",
        "The young person has reached 18 while missing: hold a formal Missing Child "
        "Meeting to decide whether to close the case.",
        due=ctx.at,
    )
    return []
