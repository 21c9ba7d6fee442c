"""While the child stays missing: the timers from the start of the episode (6.8, 7.17, 7.18,
7.22). Each strategy meeting timer schedules the next, so only one is pending at a time.
A care leaver of 18 or over has none of them (1.4: an adult to the police); a child placed
here by another authority has its meetings convened by the placing authority (7.27) and no
Assistant Director's duties of ours (6.8 is about our children in care)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from hub.contracts.actions import Action
from hub.contracts.events import ADULT_AGE, age_at, birthday
from hub.routing.calendar import at_local_time_on, later_on_the_calendar
from hub.routing.context import Context
from hub.routing.directory import (
    SEVEN_EIGHTEEN_MEETING_HOURS,
    Directory,
    FirstStrategyMeeting,
    Timescales,
)
from hub.routing.facts import ChildState, Duty, Episode, NoticeDuties, Timer
from hub.routing.placing import Placing
from hub.routing.rules.chairs import held_for_the_absence, strategy_meeting
from hub.routing.rules.roles import adult_care_leaver, has_our_worker

MISSING_24H = "missing_24h"
STRATEGY_MEETING = "strategy_meeting"
FORMAL_REVIEW = "formal_review"
EIGHTEENTH_BIRTHDAY = "eighteenth_birthday"
# 7.18's meeting at 24 hours missing, before 7.22's first (FirstStrategyMeeting.TWO_MEETINGS)
# (the directory refuses a 7.22 first meeting of the same hours: meetings are known by name)
TWENTY_FOUR_HOUR_MEETING = f"{SEVEN_EIGHTEEN_MEETING_HOURS}-hour"
# Why 7.22's first meeting is brought forward (risk.py), as its name tells the chair.
BROUGHT_FORWARD_FOR = ("high risk", "CSE")
# 7.22's first meeting held at once past its 48 hours: "day N (high risk)", "day N (CSE)".
HELD_AT_ONCE = tuple(f"({why})" for why in BROUGHT_FORWARD_FOR)
SIGNIFICANT_RISK_MEETING = "significant-risk"  # 7.17's, before 24 hours missing
# The search's own timers, which a report taking the search of its absence over carries on
# (`carried_on`); its duties' follow-ups stay with the report that owes them.
SEARCH_TIMERS = frozenset({MISSING_24H, STRATEGY_MEETING, FORMAL_REVIEW, EIGHTEENTH_BIRTHDAY})
# 6.8's notices of a child in our care still missing: to whom, and what each says.
OVER_24_HOURS = Action.NOTIFY_ASSISTANT_DIRECTOR_CHILD_IN_CARE_MISSING_OVER_24_HOURS.value
SIX_EIGHT_NOTICES: dict[str, tuple[str, str]] = {
    # The Assistant Director receives it "from the Head of Safeguarding".
    OVER_24_HOURS: (
        "head_of_safeguarding",
        "A child in our care has been missing for more than 24 hours: notify the "
        "Assistant Director of Children's Services.",
    ),
    Action.FORMAL_REVIEW_MISSING_THREE_MONTHS.value: (
        "assistant_director",
        "Missing for three months: formally review the actions taken to recover the child "
        "and decide whether to end the placement.",
    ),
    Action.HOLD_MISSING_CHILD_MEETING.value: (
        "assistant_director",
        "The young person has reached 18 while missing: hold a formal Missing Child "
        "Meeting to decide whether to close the case.",
    ),
}
# The timers that decide 6.8's later notices.
_SIX_EIGHT_TIMERS = {
    FORMAL_REVIEW: Action.FORMAL_REVIEW_MISSING_THREE_MONTHS.value,
    EIGHTEENTH_BIRTHDAY: Action.HOLD_MISSING_CHILD_MEETING.value,
}


def meeting_day(start: datetime, sequence: int, directory: Directory) -> datetime:
    """When the n-th meeting after the first falls due, counted from `start` (7.22): day 7,
    day 10, then fortnightly for eight weeks, then "bi-monthly": every two months on the
    local calendar (`later_on_the_calendar`) from the last fortnightly meeting (day 66), not
    day 66 added to two months from the start (months clamp at a month's end: that was up
    to three days off the two months)."""
    ts = directory.timescales
    fixed = ts.strategy_meeting_days
    if sequence <= len(fixed):
        return start + timedelta(days=fixed[sequence - 1])
    after = sequence - len(fixed)
    fortnights = ts.fortnightly_for_weeks // 2
    last_fortnightly = start + timedelta(days=fixed[-1], weeks=2 * min(after, fortnights))
    if after <= fortnights:
        return last_fortnightly
    months = relativedelta(months=ts.then_every_months * (after - fortnights))
    return later_on_the_calendar(last_fortnightly, months, directory)


def timers_on_report(ctx: Context) -> list[Timer]:
    episode, ts = ctx.episode, ctx.directory.timescales
    if adult_care_leaver(episode):
        return []
    # From when the absence began (`carried_on`: 6.8's three months), as its other timers.
    start, eid = episode.absence_started, episode.episode_id
    timers = [
        Timer(MISSING_24H, eid, start + timedelta(hours=ts.first_strategy_meeting_hours), "7.18"),
        rung(eid, start, 1, ctx.directory),
    ]
    if ctx.placing is Placing.PLACED_IN:
        return timers
    # Months on the local calendar: counted in UTC, or in the offset the sender wrote, they
    # fell an hour late once the clocks went forward, and "23:30Z" a day from "00:30+01:00".
    months = relativedelta(months=ts.formal_review_months)
    timers.append(
        Timer(FORMAL_REVIEW, eid, later_on_the_calendar(start, months, ctx.directory), "6.8")
    )
    # From the date of birth: a start typed ahead moves nothing (it is never after it). The
    # birthday is the day the hub counts the child 18 (29 February: 1 March in a common
    # year), at the local time of day the child went missing.
    birth, missing = episode.report.child.date_of_birth, episode.started_at
    if age_at(birth, missing) < ADULT_AGE:
        eighteenth = at_local_time_on(birthday(birth, ADULT_AGE), missing, ctx.directory)
        timers.append(Timer(EIGHTEENTH_BIRTHDAY, eid, max(eighteenth, missing), "6.8"))
    return timers


def searched_until_now(state: ChildState, episode: Episode) -> Episode | None:
    """The report the child was searched for under until `episode` came, begun no later (as
    `found.missing_again` counts it, which stops its search): another force's report of the
    same absence, its meetings' ladder still running (no return known since it began: 1.4,
    missing "until located"). None: `episode` begins a search of its own."""
    searched = [
        e
        for e in state.episodes
        if e.episode_id != episode.episode_id
        and e.clock_started <= episode.clock_started
        and any(t.name == STRATEGY_MEETING for t in e.timers)
    ]
    return max(searched, key=lambda e: e.clock_started, default=None)


def reported_again(
    state: ChildState, episode: Episode, searched: Episode, directory: Directory
) -> list[Episode]:
    """The reports of the absence `searched` is searched under (begun with it, or carried
    on from the report that began it: `ChildState.absence_start`), the child not back
    since, if one of them was made by the force that reports `episode`: a force does not
    report one absence twice. Its earlier report was never closed (its found report lost or
    never sent), and the child, missing again, is missing in a new absence (1.4), with its
    own timers, day-one duties and first meeting (7.18, 7.22), and counted as an absence of
    its own (7.18, 7.19, 7.28, 8.12). So too after a second force carried that absence on:
    the first force reporting again is a new absence. Empty: another force's report of the
    same absence (or a force the directory does not know: it cannot be told from another),
    which carries it on (`carried_on`)."""
    force = reporting_force(episode, directory)
    if force is None:
        return []
    began, back = state.absence_start(searched), state.came_back(reported_again=True)
    reports = [
        e
        for e in state.episodes
        if e.episode_id != episode.episode_id
        and back[e.episode_id] is None
        and e.clock_started <= searched.clock_started
        and state.absence_start(e) == began
    ]
    if any(reporting_force(e, directory) == force for e in reports):
        return reports
    return []


def reporting_force(episode: Episode, directory: Directory) -> str | None:
    """The force the report was made to, by its directory code (a name, an alias or a code
    are one force); none named, the home force (the report's contract). None: a force the
    directory does not know."""
    named = episode.report.reporting_force
    return (
        directory.resolve_force(named, only_forces=True) if named else directory.home_police_force
    )


def carried_on(state: ChildState, taken: Episode, ctx: Context) -> tuple[Timer, ...]:
    """7.22 counts "from the start of the missing episode", one episode however many forces
    report it: the report taking the search over carries on the timers of the one searched
    until now, as they stand. Those already fired are not fired again (7.18's 24-hour
    meeting, the ladder's meetings held or owed); one fallen due but not yet fired (the
    scheduler down) fires late, as it would have. 6.8's that no report of the absence set
    or decided by (one saying another authority placed the child here, 8.10) are this
    report's own, if it says the child is ours, counted from when the absence began: fallen
    due already, they fire at once."""
    eid = ctx.episode.episode_id
    carried = [replace(t, episode_id=eid) for t in taken.timers if t.name in SEARCH_TIMERS]
    names = {t.name for t in carried}
    told = {d.action for e in of_the_absence(state, taken) for d in e.duties}
    own = [
        t
        for t in timers_on_report(ctx)
        if t.name in _SIX_EIGHT_TIMERS
        and t.name not in names
        and _SIX_EIGHT_TIMERS[t.name] not in told
    ]
    return (*carried, *own)


def of_the_absence(state: ChildState, searched: Episode) -> list[Episode]:
    """The reports of the absence `searched` is searched under: it, and those begun no
    later, the child not back since (`ChildState.came_back`)."""
    back = state.came_back(reported_again=True)
    return [
        e
        for e in state.episodes
        if back[e.episode_id] is None and e.clock_started <= searched.clock_started
    ]


# 7.22's duties of day one: the Service Manager informed, the Need to Know briefing.
DAY_ONE = frozenset(
    {Action.INFORM_SERVICE_MANAGER.value, Action.PREPARE_NEED_TO_KNOW_BRIEFING.value}
)


def asked_for_the_absence(
    state: ChildState, searched: Episode, actions: frozenset[str] = DAY_ONE
) -> frozenset[str]:
    """The duties among `actions` (7.22's day-one duties unless told) asked for under a
    report of the absence `searched` is searched under (`of_the_absence`), and not stood
    down: owed there, or done, once for the absence."""
    return asked_under(of_the_absence(state, searched), actions)


def asked_under(reports: Iterable[Episode], actions: Collection[str]) -> frozenset[str]:
    """The duties among `actions` asked under `reports` and not stood down: owed there, or
    done."""
    return frozenset(
        d.action
        for e in reports
        for d in e.duties
        if d.action in actions and d.stood_down_at is None
    )


def day_one(
    ctx: Context, asked: frozenset[str] = frozenset(), since: datetime | None = None
) -> None:
    """7.22: the social worker tells the Service Manager within 24 hours, and the Need to
    Know briefing is prepared on day one, counted from this report's start (or `since`, the
    start of the absence another report of it began); but not those `asked` already for the
    absence under another report of it (one absence, one ask)."""
    episode, ts = ctx.episode, ctx.directory.timescales
    start = episode.clock_started if since is None else since
    if has_our_worker(ctx) and Action.INFORM_SERVICE_MANAGER.value not in asked:
        # 7.22: "the child's social worker should inform the relevant Service Manager ...
        # [using] their professional judgement about how long to wait": the worker's duty.
        ctx.tell(
            "allocated_worker",
            "inform_service_manager",
            "7.22",
            "Inform your Service Manager within 24 hours of the start, sooner as the risk "
            "to the child requires.",
            due=start + timedelta(hours=ts.service_manager_informed_hours),
        )
    if Action.PREPARE_NEED_TO_KNOW_BRIEFING.value not in asked:
        ctx.tell(
            "allocated_worker" if has_our_worker(ctx) else "mct",
            "prepare_need_to_know_briefing",
            "7.22",
            "Day one: prepare the Need to Know briefing for the relevant parties.",
            due=start + timedelta(hours=ts.need_to_know_hours),
        )


def forms(ctx: Context, first_episode: bool) -> None:
    """3.3: the Incident and Location Forms on the first missing episode; 3.6: "Part two of
    the Incident Form must be reviewed and updated as necessary in the event of a missing
    episode", at every later one."""
    # 3.4: the forms are "completed and updated by the allocated worker" or a member of the
    # Missing Children Team. A child known but with no worker (early help awaiting
    # allocation) has only the second: the MCT, as for a child not known (7.6) and a
    # child placed here by another authority (3.4).
    recipient = "allocated_worker" if has_our_worker(ctx) else "mct"
    if first_episode:
        ctx.tell(
            recipient,
            "complete_incident_and_location_forms",
            "3.3",
            "First missing episode: complete the Philomena Incident Form and Location "
            "Form (3.3, 3.4, 7.4).",
            due=ctx.at,
        )
        return
    ctx.tell(
        recipient,
        "complete_incident_and_location_forms",
        "3.6",
        "A further missing episode: review and update Part two of the Incident Form (and "
        "the Location Form) so that the police have current information (3.6, 3.4).",
        due=ctx.at,
    )


def six_eight_notice(ctx: Context, action: str, owed_from: datetime) -> None:
    """6.8: one of its notices of a child in our care still missing, owed from `owed_from`."""
    recipient, summary = SIX_EIGHT_NOTICES[action]
    ctx.tell(recipient, action, "6.8", summary, due=ctx.at, owed_from=owed_from)


def significant_risk_meeting_held(state: ChildState, searched: Episode) -> bool:
    """7.17's meeting was held for the absence `searched` is searched under
    (`chairs.held_for_the_absence`)."""
    return held_for_the_absence(state, searched, SIGNIFICANT_RISK_MEETING)


def significant_risk_meeting(ctx: Context, since: datetime | None = None) -> None:
    """7.17: a child "considered to be at significant risk" needs a meeting without waiting
    for 24 hours missing (7.22: "earlier planning and intervention should take place if the
    risk is deemed high"). 5.7: the allocated team holds it, or MASH if not allocated.
    `since`: when the child went missing, if before the episode began (another report of
    the same absence graded high: risk.py)."""
    if adult_care_leaver(ctx.episode):
        return
    hours = ctx.directory.timescales.first_strategy_meeting_hours
    due = (since or ctx.episode.absence_started) + timedelta(hours=hours)
    strategy_meeting(
        ctx,
        "team_manager",
        "mash",
        due,
        SIGNIFICANT_RISK_MEETING,
        paragraph="7.17",
        high_risk=True,
    )


def on_missing_24h(ctx: Context, timer: Timer) -> list[Timer]:
    """Missing for 24 hours: the first strategy meeting(s) (7.17, 7.18, 7.22) and, for our
    looked-after child, the Head of Safeguarding notifies the Assistant Director (6.8)."""
    ts, episode = ctx.directory.timescales, ctx.episode
    if adult_care_leaver(episode):  # a timer set before 1.4 was read right
        return []
    if ctx.directory.choices.first_strategy_meeting is FirstStrategyMeeting.TWO_MEETINGS:
        strategy_meeting(ctx, "practice_manager", "mash", ctx.at, TWENTY_FOUR_HOUR_MEETING)
    within = (
        ts.strategy_meeting_within_hours_high_risk
        if episode.meeting_brought_forward  # high risk or known CSE (7.22)
        else ts.strategy_meeting_within_hours
    )
    due = episode.absence_started + timedelta(hours=within)
    if not first_meeting_brought_forward_before(episode, ts):
        strategy_meeting(ctx, "team_manager", "mash", due, f"{within}-hour")
    if episode.looked_after and ctx.placing is not Placing.PLACED_IN:
        # 6.8: the Assistant Director receives it "from the Head of Safeguarding".
        # Missing over 24 hours from then, however late fired.
        six_eight_notice(ctx, OVER_24_HOURS, timer.due)
    return []


def first_meeting_brought_forward_before(episode: Episode, ts: Timescales) -> bool:
    """7.22's one first meeting was brought forward (or held at once) before this episode's
    24 hours were up, by another report of the same absence graded high or marked CSE
    (risk.py), and not stood down: the 24-hour timer sets no second beside it."""
    brought = f"{ts.strategy_meeting_within_hours_high_risk}-hour (brought forward"
    return any(
        d.action == Action.CONVENE_STRATEGY_MEETING
        and d.stood_down_at is None
        and d.meeting is not None
        and (d.meeting.startswith(brought) or d.meeting.endswith(HELD_AT_ONCE))
        for d in episode.duties
    )


def on_strategy_meeting(ctx: Context, timer: Timer) -> list[Timer]:
    """Day 7: the Service Manager (or MASH); day 10 and after: the SQAS Service Manager
    (7.18, 7.22)."""
    n = timer.sequence
    if adult_care_leaver(ctx.episode):  # a timer set before 1.4 was read right
        return []
    # Named by the day it fell due (7.22), not the day it fired, late after an outage: a
    # meeting is known by its name and decision time (answers), which two meetings fired
    # late as of one moment would otherwise share. Counted as its timers are.
    which = f"day {(timer.due - ctx.episode.absence_started).days}"
    if n == 1:
        strategy_meeting(ctx, "service_manager", "mash_manager", ctx.at, which)
    else:
        strategy_meeting(ctx, "sqas_service_manager", "sqas_service_manager", ctx.at, which)
    # The next rung on the count this one was on: one kept from an earlier start when a found
    # report read late showed a new absence began (7.22: bi-monthly from it, not the new
    # absence's rung n + 1, months on).
    start = rung_counted_from(timer, ctx.episode.absence_started, ctx.clock_starts, ctx.directory)
    following = rung(ctx.episode.episode_id, start, n + 1, ctx.directory)
    if timer.due < meeting_day(start, n, ctx.directory):  # a meeting held brought it forward
        due = _at_most_after(timer.due, following, ctx.directory)
        return [replace(following, due=due, follows=timer.due)]
    return [following]


def _at_most_after(earlier: datetime, following: Timer, directory: Directory) -> datetime:
    """When the ladder's `following` meeting falls due after the one before it fell due at
    `earlier`, brought forward by a meeting held (`answers`). 7.22: "Thereafter, Strategy
    Meetings will be held fortnightly for eight weeks and then bi-monthly": its maximum
    timescales between meetings, so a fortnight or two months (local calendar) on from it
    at the latest, not only at the rung counted from the start, weeks or months further.
    Day 7 and day 10 are days "from the start of the missing episode": counted from it."""
    ts = directory.timescales
    fixed = len(ts.strategy_meeting_days)
    if following.sequence <= fixed:
        return following.due
    if following.sequence - fixed <= ts.fortnightly_for_weeks // 2:
        return min(following.due, earlier + timedelta(weeks=2))
    months = relativedelta(months=ts.then_every_months)
    return min(following.due, later_on_the_calendar(earlier, months, directory))


def rung(episode_id: str, start: datetime, sequence: int, directory: Directory) -> Timer:
    """The ladder's `sequence`-th meeting counted from `start`, which it keeps: a meeting held
    may bring it forward (`answers`), and its successor is still counted from `start`."""
    due = meeting_day(start, sequence, directory)
    return Timer(STRATEGY_MEETING, episode_id, due, "7.22", sequence, counted_from=start)


def rung_counted_from(
    rung: Timer, start: datetime, starts: Iterable[datetime], directory: Directory
) -> datetime:
    """The start a ladder rung was counted from: the one it keeps (`rung`), or, one stored
    by an older hub without it, the absence's (`start`), or, a rung kept when a found report
    read late showed a new absence began (`found.a_new_absence`: a rung fallen due in it
    stands), the child's earlier start whose count puts it on its date. Not worked back from
    that date: months clamp at a month's end, so taken away again they miss the start by
    days (begun 24, 25 or 26 October, day 66 falls on 29, 30 or 31 December, and the rung
    two months on on 28 February for all three). An older rung a meeting brought forward
    (`answers`): `start`, though kept from an earlier start (7.22: months late)."""
    if rung.counted_from is not None:
        return rung.counted_from
    candidates = (start, *sorted(starts))
    return next(
        (s for s in candidates if meeting_day(s, rung.sequence, directory) == rung.due), start
    )


def on_formal_review(ctx: Context, timer: Timer) -> list[Timer]:
    if ctx.placing is Placing.PLACED_IN:  # a timer set before 6.8 was read right
        return []
    # Missing three months from then, however late fired.
    six_eight_notice(ctx, Action.FORMAL_REVIEW_MISSING_THREE_MONTHS.value, timer.due)
    return []


def on_eighteenth_birthday(ctx: Context, timer: Timer) -> list[Timer]:
    if ctx.placing is Placing.PLACED_IN:  # a timer set before 6.8 was read right
        return []
    six_eight_notice(ctx, Action.HOLD_MISSING_CHILD_MEETING.value, timer.due)  # 18 from then
    return []


def dated_by_the_birthday(duty: Duty, holder: Episode | NoticeDuties) -> bool:
    """The Missing Child Meeting decided on the eighteenth birthday (6.8), or an escalation
    of it at any level (hub.routing.rules.duties: an escalation names the duty it escalates):
    its times date the child's birth, an escalation's to within a day."""
    about: Duty | None = duty
    while about is not None:
        if about.action == Action.HOLD_MISSING_CHILD_MEETING:
            return True
        about = holder.duty(about.escalates) if about.escalates else None
    return False


def birthday_follow_ups(holder: Episode | NoticeDuties) -> set[int]:
    """The sequences of the follow-up timers of the duties the birthday dates: a follow-up
    is numbered by its duty's place among its holder's duties (hub.routing.rules.duties)."""
    return {
        n for n, duty in enumerate(holder.duties, start=1) if dated_by_the_birthday(duty, holder)
    }
