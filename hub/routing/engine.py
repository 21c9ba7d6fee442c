"""The engine: one pure step from (child state, event or timer, directory, at) to an Outcome.

Handlers sit in plain registries keyed by event type and timer name. The runtime pipeline
and `hub simulate` both call `decide` and `fire`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from hub.contracts.events import (
    CrossBorderNotice,
    DutyAcknowledged,
    DutyCompleted,
    EpisodeClosed,
    FoundReport,
    MashRating,
    MisperReport,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
    RiskDisagreementRaised,
    RiskUpdate,
    StrategyMeetingHeld,
)
from hub.routing.context import Context
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Outcome, ProtocolViolation, Timer
from hub.routing.rules import answers, duties, found, risk, strategy
from hub.routing.rules.cross_border import on_cross_border_notice
from hub.routing.rules.mash import on_mash_rating
from hub.routing.rules.missing import on_misper_report
from hub.routing.rules.return_interview import on_prevention_interview, on_return_interview

EventHandler = Callable[[ChildState, Any, Directory, datetime, str], Outcome]
TimerHandler = Callable[[Context, Timer], list[Timer]]

EVENT_HANDLERS: dict[type, EventHandler] = {
    MisperReport: on_misper_report,
    RiskUpdate: risk.on_risk_update,
    RiskDisagreementRaised: risk.on_risk_disagreement,
    FoundReport: found.on_found_report,
    PreventionInterviewCompleted: on_prevention_interview,
    MashRating: on_mash_rating,
    ReturnInterviewResult: on_return_interview,
    CrossBorderNotice: on_cross_border_notice,
    DutyAcknowledged: answers.on_duty_acknowledged,
    DutyCompleted: answers.on_duty_completed,
    StrategyMeetingHeld: answers.on_strategy_meeting_held,
    EpisodeClosed: answers.on_episode_closed,
}

TIMER_HANDLERS: dict[str, TimerHandler] = {
    strategy.MISSING_24H: strategy.on_missing_24h,
    strategy.STRATEGY_MEETING: strategy.on_strategy_meeting,
    strategy.FORMAL_REVIEW: strategy.on_formal_review,
    strategy.EIGHTEENTH_BIRTHDAY: strategy.on_eighteenth_birthday,
    risk.RISK_DISAGREEMENT: risk.on_risk_disagreement_unresolved,
    found.RETURN_INTERVIEW_OVERDUE: found.on_return_interview_overdue,
    found.PLACING_AUTHORITY_HANDOVER: found.on_placing_authority_handover_unconfirmed,
    found.TEAM_RETURN_INTERVIEW_OVERDUE: found.on_team_return_interview_overdue,
    duties.MEETING_NOT_HELD: duties.on_meeting_not_held,
}


def decide(
    state: ChildState, event: Any, directory: Directory, at: datetime, cause: str
) -> Outcome:
    """Apply one inbound event. Raises ProtocolViolation for an impossible event."""
    if getattr(event, "child_id", state.child_id) != state.child_id:
        raise ProtocolViolation("data.child_id", "does not match the child being processed")
    handler = EVENT_HANDLERS[type(event)]
    return duties.follow_up(state, handler(state, event, directory, at, cause), directory)


def fire(state: ChildState, timer: Timer, directory: Directory, at: datetime) -> Outcome:
    """A timer fell due. A timer no longer pending (cancelled meanwhile) decides nothing."""
    episode = state.episode(timer.episode_id)
    if episode is None:
        return _fire_for_notice(state, timer, directory, at)
    if timer not in episode.timers:
        return Outcome(state)
    remaining = tuple(t for t in episode.timers if t != timer)
    episode = replace(episode, timers=remaining)
    before = state.with_episode(episode)
    if timer.name == duties.FOLLOW_UP:  # settles a duty of the episode, not a timer rule
        outcome = duties.on_follow_up(before, episode, timer, directory, at)
    else:
        # 7.22: the chair is told the absence's grading, whichever force's report made it.
        high = before.graded_high(episode)
        ctx = Context(
            directory,
            at,
            timer.cause(state.child_id),
            episode,
            absence_high_risk=high,
            clock_starts=tuple(state.clock_starts()),  # `rung_counted_from` orders them
        )
        following = tuple(TIMER_HANDLERS[timer.name](ctx, timer))
        episode = replace(episode, timers=(*remaining, *following))
        outcome = Outcome(before.with_episode(episode), tuple(ctx.decisions), schedule=following)
    return duties.follow_up(before, outcome, directory)


def _fire_for_notice(
    state: ChildState, timer: Timer, directory: Directory, at: datetime
) -> Outcome:
    """A follow-up of a duty a cross-border notice led to before any MISPER report of its
    episode (7.14, 8.4, 8.9): its duties are followed up as an episode's."""
    notice = state.notice(timer.episode_id)
    if notice is None or timer not in notice.timers or timer.name != duties.FOLLOW_UP:
        return Outcome(state)
    notice = replace(notice, timers=tuple(t for t in notice.timers if t != timer))
    before = state.with_notice(notice)
    outcome = duties.on_follow_up(before, notice, timer, directory, at)
    return duties.follow_up(before, outcome, directory)
