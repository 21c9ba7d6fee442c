"""Repeat episodes (7.17, 7.18, 7.19, 7.28, 8.12, 8.13): one rolling-window detector with
several outputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.contracts.events import UK_TIME
from hub.routing.context import Context
from hub.routing.directory import code_like
from hub.routing.facts import ChildState, Episode, RetiredEpisode
from hub.routing.placing import Placing
from hub.routing.rules.roles import adult_care_leaver, young_person_or

# 7.28: RISE asked to put the child to the monthly CSE and Missing Persons Forum.
FORUM = "add_to_cse_and_missing_forum"
# 8.12's strategy discussion, chaired by a MASH manager, as its invitations name it.
DISCUSSION = "strategy discussion (8.12)"


def episodes_within(state: ChildState, episode: Episode, days: int) -> int:
    """The most episodes in any window of `days` that holds this one. Mostly the window
    ending at its start; but an episode reported late (by another force, say) can complete a
    run with episodes already known that started after it, in a window ending at theirs.
    Each counted from when it began no later than the hub read its report (`clock_started`,
    as `found.missing_again` orders them): a start typed ahead must not move an episode out
    of the window, nor into it (7.18, 7.19, 8.12). An episode is an absence, however many
    forces report it (7.22, `ChildState.absence_starts`, as the reports count them): a
    report that took another's search over is counted once, from when the absence began."""
    starts = state.absence_starts()
    window = timedelta(days=days)
    start = state.absence_start(episode)
    ends = {start} | {s for s in starts if start < s and within_period(start, s, window)}
    return max(sum(1 for s in starts if s <= end and within_period(s, end, window)) for end in ends)


_CLOCKS_CHANGE = timedelta(hours=1)


def within_period(earlier: datetime, later: datetime, window: timedelta) -> bool:
    """`later` no more than `window` after `earlier`, in elapsed time or on the UK clock: the
    night the clocks go back, the clock counts an hour fewer, and the same local days and
    times are within a 90-day period in October as in January (7.18)."""
    elapsed = later - earlier
    if elapsed <= window:
        return True
    if elapsed > window + _CLOCKS_CHANGE:
        return False
    return _on_the_clock(later) - _on_the_clock(earlier) <= window


def _on_the_clock(moment: datetime) -> datetime:
    return moment.astimezone(UK_TIME).replace(tzinfo=None)


def serious(ctx: Context, state: ChildState) -> bool:
    """8.12 'serious concerns', as the directory defines them."""
    rules = ctx.directory.choices.serious_concerns
    facts = [*(RetiredEpisode.of(e) for e in state.episodes), *state.retired]
    return any(
        (rules.high_risk and e.high_risk)
        or (rules.cse_risk and e.cse_risk)
        or (rules.mash_red and e.mash_red)
        for e in facts
    )


def on_repeat(ctx: Context, state: ChildState) -> bool:
    """Returns whether the 8.12 written notice went out (so the state can record it, as
    `forum_recorded` records 7.28's forum month: RISE is asked once a month)."""
    ts, episode = ctx.directory.timescales, ctx.episode
    windows = {days: episodes_within(state, episode, days) for days in ts.repeat_windows_days}
    hit = [days for days, count in sorted(windows.items()) if count >= ts.repeat_count]
    if not hit:
        return False
    in_quick_succession = episodes_within(state, episode, ts.quick_succession_days)
    quick = in_quick_succession >= ts.repeat_count
    count, days = windows[hit[0]], hit[0]
    why = f"{count} missing episodes in {days} days"
    # 7.18's review decides on a strategy meeting: not for a child placed here (7.27), nor
    # a care leaver of 18 or over (1.4: an adult to the police).
    if ctx.placing is not Placing.PLACED_IN and not adult_care_leaver(episode):
        due = ctx.at if quick else None
        paragraph = "7.19" if quick else "7.18"
        # 7.19's review, "convened immediately", is brought by the quick succession, not
        # 7.18's window: its summary says so.
        trigger = (
            f"{in_quick_succession} missing episodes in {ts.quick_succession_days} days, "
            "in quick succession"
            if quick
            else why
        )
        when = "at once " if quick else ""
        managers = (
            ("service_manager", "team_manager", "allocated_worker")
            if episode.allocated
            else ("mash_manager", "mash")
        )
        for role in managers:
            ctx.tell(
                role,
                "review_repeat_missing_case",
                paragraph,
                f"{trigger}: review the case {when}together (Service Manager, Team Manager and "
                "allocated worker) and decide whether a strategy meeting is needed.",
                due=due,
                episodes=count,
                window_days=days,
                quick_succession=quick,
            )
    if state.forum_month != forum_month(ctx):
        ctx.tell(
            "rise",
            FORUM,
            "7.28",
            f"{why}: discuss at the monthly CSE and Missing Persons Forum.",
            episodes=count,
        )
    if ctx.placing is not Placing.PLACED_IN or 90 not in hit:
        return False
    if not serious(ctx, state):
        return False
    return _placing_authority_told(ctx, state, why, count)


def forum_month(ctx: Context) -> str:
    """7.28's forum meets monthly (1.4: "a monthly multi-agency meeting"): the month of the
    deployment's calendar the hub decides in ("2026-11"), as `hub report forum --month` lists
    the children referred to it."""
    return ctx.at.astimezone(ZoneInfo(ctx.directory.timezone)).strftime("%Y-%m")


def forum_recorded(ctx: Context, state: ChildState) -> ChildState:
    """The state recording the forum month RISE was asked, in this step, to put the child to
    (`on_repeat`): once a month, however many episodes the child has in it; asked again in
    a later month if the child goes on going missing (7.28: "repeatedly absent")."""
    asked = any(d.action == FORUM and d.recipient == "rise" for d in ctx.decisions)
    return replace(state, forum_month=forum_month(ctx)) if asked else state


def on_new_concern(ctx: Context, before: ChildState, after: ChildState) -> ChildState:
    """8.12's serious concern raised after the report of a repeat episode (MASH rates it red,
    police grade it high or mark a CSE risk): the placing authority is told then, as it would
    have been had the report carried it. Returns `after`, recording the written notice if it
    went out."""
    ts = ctx.directory.timescales
    if ctx.placing is not Placing.PLACED_IN or 90 not in ts.repeat_windows_days:
        return after
    count = episodes_within(after, ctx.episode, 90)
    if count < ts.repeat_count or serious(ctx, before) or not serious(ctx, after):
        return after
    if _placing_authority_told(ctx, after, f"{count} missing episodes in 90 days", count):
        return notice_recorded(ctx, after)
    return after


def _placing_authority(ctx: Context) -> str:
    """The placing authority 8.12 writes to: its directory code, or the name reported."""
    return ctx.responsible.code or ctx.episode.responsible_authority or ""


def _as_known_now(ctx: Context, named: str) -> str:
    """An authority recorded as told, as the directory knows it now: its code, else the name
    in code form. A name recorded before ops added it as an alias ("Esex"), or written
    another way ("ESEX"), is the same authority as the next report's "Essex"."""
    return ctx.directory.resolve_authority(named).code or code_like(named)


def _notice_sent(ctx: Context, state: ChildState) -> bool:
    """8.12's written notice went to this child's placing authority already (a state from
    before the authorities were recorded: to the one placing the child then)."""
    if state.placing_authorities_told:
        told = {_as_known_now(ctx, named) for named in state.placing_authorities_told}
        return _as_known_now(ctx, _placing_authority(ctx)) in told
    return state.placing_authority_escalated


def notice_recorded(ctx: Context, state: ChildState) -> ChildState:
    """The state recording 8.12's written notice to this child's placing authority."""
    told = state.placing_authorities_told
    if not told and state.placing_authority_escalated:
        return state  # recorded before the authorities were: the flag stands for the one
    code = _placing_authority(ctx)
    if code not in told:
        told = (*told, code)
    return replace(state, placing_authority_escalated=True, placing_authorities_told=told)


def _placing_authority_told(ctx: Context, state: ChildState, why: str, count: int) -> bool:
    # 8.13's "despite the above noted intervention": the intervention given to this placing
    # authority; a child placed here since by another is that authority's to be told (8.12).
    if _notice_sent(ctx, state):
        ctx.tell(
            "rise_mct_strategic_manager",
            "draft_dcs_escalation_letter",
            "8.13",
            f"{why} despite the written notice to the placing authority: draft a letter "
            "for the Director of Children's Services to the placing authority's DCS.",
        )
        return True
    # 8.12: "informed in writing by the Service Manager; Child Sexual Exploitation and Missing".
    ctx.tell(
        "cse_missing_service_manager",
        "notify_placing_head_of_safeguarding",
        "8.12",
        f"{why} with serious concerns: inform the placing authority's Head of "
        "Safeguarding in writing.",
        episodes=count,
    )
    ctx.tell(
        "placing_authority",
        "head_of_safeguarding_written_notice",
        "8.12",
        f"{why} with serious concerns for a {young_person_or(ctx.episode, 'child')} you "
        "placed here: please ensure all appropriate measures are in place, and send formal "
        "written details.",
        episodes=count,
    )
    # 1.4: "Police will treat 18 and above as adults", and MASH hears of no care leaver of
    # 18 or over, nor is a strategy meeting held for one (7.17, 7.18): the placing
    # authority, which "remains responsible" for its care leaver (4.1), is told in writing
    # all the same ("the term 'child' ... include[s] young people", 1.4).
    if not adult_care_leaver(ctx.episode):
        _strategy_discussion(ctx, why)
    return True


def _strategy_discussion(ctx: Context, why: str) -> None:
    """8.12: "a Strategy Discussion will be chaired by a MASH Manager to include the social
    work team responsible for the child"."""
    ctx.tell(
        "mash_manager",
        "chair_strategy_discussion",
        "8.12",
        f"{why}: chair a strategy discussion including the placing authority's social work team.",
        due=ctx.at,
    )
    ctx.tell(
        "placing_authority",
        "attend_strategy_meeting",
        "8.12",
        f"{why}: your social work team for the child is asked to the strategy discussion our "
        "MASH manager chairs.",
        # No deadline of its own: the chair's duty carries it; an invitation stood down with
        # 7.22's meetings when the child is found would not fit a discussion held regardless.
        meeting=DISCUSSION,
    )
    # 7.20: "Strategy Meetings should include: ... The Police; ... Health": 8.12's discussion
    # "to include the social work team responsible for the child" besides them, as 8.11's.
    # No deadline either, as the placing authority's invitation above.
    for attendee in ("reporting_police", "health"):
        ctx.tell(
            attendee,
            "attend_strategy_meeting",
            "7.20",
            f"{why}: attend the strategy discussion our MASH manager chairs (8.12), with the "
            "placing authority's social work team.",
            meeting=DISCUSSION,
        )
