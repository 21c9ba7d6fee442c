"""Duties have owners (issue 14): every notification with a deadline is a duty of its
episode, followed up until its recipient acknowledges it or does it. One neither acknowledged
within its window nor done by its deadline is escalated to the manager the protocol names
(hub.routing.escalation), and the escalation is itself a duty, followed up in its turn, up to
the Assistant Director (6.7, 6.8). A duty owed to a role above which the protocol names
nobody is left overdue for ops to see.

`follow_up` runs after every event and timer (hub.routing.engine): it records the new
duties and keeps one follow-up timer per open duty."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from hub.contracts.actions import Action, Recipient
from hub.contracts.notification import Detail
from hub.contracts.particulars import PARTICULARS
from hub.routing.calendar import close_of_working_day, is_out_of_hours, next_opening
from hub.routing.context import Context, owed
from hub.routing.directory import Directory, Standing, code_like
from hub.routing.facts import (
    ChildState,
    Decision,
    Duty,
    Episode,
    NoticeDuties,
    Outcome,
    ProtocolViolation,
    Timer,
    Unroutable,
)
from hub.routing.placing import Placing, placing_of
from hub.routing.rerouting import answering_for

FOLLOW_UP = "duty_follow_up"
# 8.7: a strategy meeting of our child in care placed out of county, acknowledged (so never
# escalated for want of an answer), watched at its deadline for the IRO (`watch_meeting`).
MEETING_NOT_HELD = "strategy_meeting_not_held"
RETURN_INTERVIEW_DUTIES = frozenset(
    {
        Action.CONDUCT_RETURN_INTERVIEW.value,
        Action.COMPLETE_RETURN_INTERVIEW.value,
        Action.RETURN_INTERVIEW_OVERDUE.value,  # the rules' own escalation of its lateness
    }
)
# 8.10: the chase of a placing authority's unconfirmed handover of the interview: the MCT to
# be ready, the Service Manager to chase, the placing authority to confirm. The interview
# given, or offered and declined (5.15), there is nothing left to confirm.
HANDOVER_CHASE = frozenset(
    {
        Action.RETURN_INTERVIEW_HANDOVER_UNCONFIRMED.value,
        Action.CHASE_PLACING_AUTHORITY.value,
        Action.CONFIRM_RETURN_INTERVIEW.value,
    }
)
# Duties whose lateness the protocol's own rules escalate, each by its paragraph: the return
# interview (5.12, MCT practice guidance) and a risk disagreement (6.7). Followed up twice,
# their managers would be told twice.
ESCALATED_BY_THE_RULES = RETURN_INTERVIEW_DUTIES | {
    Action.RESOLVE_RISK_DISAGREEMENT.value,
    # and the rules' own escalations, which are told to the managers already
    Action.RETURN_INTERVIEW_HANDOVER_UNCONFIRMED.value,
    Action.ESCALATE_RISK_DISAGREEMENT.value,
}
# 6.7: a disagreement over "the level of risk posed to a missing child", and its escalation
# at 12 hours: the child no longer missing, there is no grading left to resolve.
RISK_DISAGREEMENT_DUTIES = frozenset(
    {Action.RESOLVE_RISK_DISAGREEMENT.value, Action.ESCALATE_RISK_DISAGREEMENT.value}
)
_SAME_AGENCY = frozenset({Recipient.POLICE, Recipient.HOST_POLICE})
# Why a duty is told onwards: unanswered (every escalation), or, for 8.7's IRO, a meeting
# acknowledged and not held.
_UNANSWERED = "Not acknowledged and not done by its deadline"
_NOT_HELD = "Acknowledged but not held by its deadline"
# Who answers out of hours (3.10): EDT for children's services, and the police. Every other
# team and manager keeps office hours.
ON_DUTY_OUT_OF_HOURS = frozenset({Recipient.EDT, Recipient.POLICE, Recipient.HOST_POLICE})
# The home teams that act for a missing child (1.4: children's services told at once).
# The Leaving Care Service acts for a care leaver of 18 or over as MASH for a child (1.4, 4.1:
# told of its new grading, 7.16, roles.social_worker_or_mash).
_ACT_AT_ONCE = frozenset(
    {Recipient.MASH, Recipient.MCT, Recipient.ALLOCATED_WORKER, Recipient.LEAVING_CARE}
)
# The forms the police search with (3.3, 3.6, 3.8, 3.9.1), which out of hours police "must
# contact the Emergency Duty Team (EDT) ... to obtain" (3.10).
_FORMS_FOR_THE_SEARCH = frozenset(
    {
        Action.COMPLETE_INCIDENT_AND_LOCATION_FORMS.value,
        Action.SHARE_INCIDENT_AND_LOCATION_FORMS.value,
    }
)


def follow_up(before: ChildState, outcome: Outcome, directory: Directory) -> Outcome:
    """The outcome with its new duties recorded and its follow-up timers in step with the
    duties still open, for every episode the step changed."""
    new: dict[str, list[Decision]] = defaultdict(list)
    for decision in outcome.decisions:
        if decision.due is not None:
            new[decision.episode_id].append(decision)
    state, schedule, cancel = outcome.state, list(outcome.schedule), list(outcome.cancel)
    changed: list[Duty] = []
    # A notice about no episode the hub has (a placement, 7.14, 8.9; a host's notice before
    # its MISPER report, 8.4) holds its duties itself, followed up alike.
    holders: list[Episode | NoticeDuties] = [*state.episodes, *state.notices]
    for episode_id in new:
        if state.episode(episode_id) is None and state.notice(episode_id) is None:
            holders.append(NoticeDuties(episode_id))
    for episode in holders:
        prior = _holder(before, episode.episode_id)
        if prior is episode and not new[episode.episode_id]:
            continue  # untouched by this step: its follow-ups are as they were
        if prior is not None and prior.duties is not episode.duties:
            was_then = {d.notification_id: d for d in prior.duties}
            # A duty the step left alone is the same object: no comparing it field by field.
            changed += [
                d
                for d in episode.duties
                if (then := was_then.get(d.notification_id, d)) is not d and then != d
            ]
        episode = _with_duties(episode, new[episode.episode_id], directory)
        wanted = _follow_ups(episode)
        wanted_ids = {t.timer_id for t in wanted}
        was = [t for t in (prior.timers if prior else ()) if t.name == FOLLOW_UP]
        # A set: each wanted timer was compared with every pending one, 54 comparisons an
        # event in the benchmark's workload (docs/benchmark.md).
        pending = set(was)
        schedule += [t for t in wanted if t not in pending]
        cancel = [t for t in cancel if t.timer_id not in wanted_ids]
        cancel += [t for t in was if t.timer_id not in wanted_ids and t not in cancel]
        kept = tuple(t for t in episode.timers if t.name != FOLLOW_UP)
        followed = replace(episode, timers=(*kept, *wanted))
        if isinstance(followed, Episode):
            state = state.with_episode(followed)
        elif followed.duties:
            state = state.with_notice(followed)
    return replace(
        outcome,
        state=state,
        schedule=tuple(schedule),
        cancel=tuple(cancel),
        duties=tuple(changed),
    )


def _holder(state: ChildState, episode_id: str) -> Episode | NoticeDuties | None:
    """Whatever holds the duties of this episode id: its episode, or the notice about it
    the hub had before its MISPER report (whose duties the episode then took over)."""
    return state.episode(episode_id) or state.notice(episode_id)


def _with_duties(
    episode: Episode | NoticeDuties, decisions: list[Decision], directory: Directory
) -> Episode | NoticeDuties:
    known = {d.notification_id for d in episode.duties}
    window = timedelta(minutes=directory.follow_up.window_minutes(episode.high_risk))
    added = []
    for decision in decisions:
        notification_id = decision.notification_key
        if notification_id in known or decision.due is None:
            continue  # a replayed step: the duty is recorded already
        meeting = decision.details.get("meeting")
        escalates = decision.details.get("duty_notification_id")
        added.append(
            Duty(
                notification_id=notification_id,
                recipient=decision.recipient,
                authority=decision.authority,
                action=decision.action,
                paragraph=decision.paragraph,
                decided_at=decision.at,
                due=decision.due,
                answer_by=_answer_by(decision, decision.due, window, directory),
                meeting=meeting if isinstance(meeting, str) else None,
                escalates=escalates if isinstance(escalates, str) else None,
                owed_from=decision.owed_from,
            )
        )
    return replace(episode, duties=(*episode.duties, *added)) if added else episode


def _answer_by(
    decision: Decision, due: datetime, window: timedelta, directory: Directory
) -> datetime:
    """The later of the duty's acknowledgement window and its deadline; for concerns about
    returning a found child home told to MASH in hours (or, for a care leaver of 18 or over,
    the service responsible for the young person: found._told_of_concerns_about_the_return),
    no later than MASH closes: 5.6 has
    them reach "the MASH or the out-of-hours Emergency Duty Team (EDT) before the child is
    returned", and left unanswered at closing they go to EDT then (`_for_edt`), not hours
    into the evening when the window ends."""
    answer_by = max(decision.at + window, due)
    if decision.action != Action.CONCERNS_ABOUT_RETURN or is_out_of_hours(decision.at, directory):
        return answer_by
    return max(due, min(answer_by, close_of_working_day(decision.at, directory)))


def recorded(episode: Episode, decisions: list[Decision], directory: Directory) -> Episode:
    """The episode with the duties its decisions owe recorded now, for a rule later in the
    same step to read (`follow_up` records each once, and follows them up)."""
    with_them = _with_duties(episode, decisions, directory)
    assert isinstance(with_them, Episode)
    return with_them


def is_open(duty: Duty, episode: Episode | NoticeDuties) -> bool:
    """Still waiting for an answer: not yet escalated nor stood down (a found child's
    meetings, 7.22; a closed episode's duties, 7.24), and neither it nor any duty it
    escalates answered."""
    if duty.escalated_at is not None or duty.stood_down_at is not None:
        return False
    if duty.action in ESCALATED_BY_THE_RULES:
        return False
    about: Duty | None = duty
    while about is not None:
        if about.answered:
            return False
        about = episode.duty(about.escalates) if about.escalates else None
    return True


def discharge(
    episode: Episode, actions: frozenset[str], at: datetime, by: str, stood_down: bool = False
) -> Episode:
    """The episode with its duties of these actions, not yet settled, done; and, if
    `stood_down`, those stood down, not done (a refused interview given after all, 5.15)."""
    duties = tuple(
        replace(d, done_at=at, done_by=by)
        if d.action in actions and d.done_at is None and (stood_down or d.stood_down_at is None)
        else d
        for d in episode.duties
    )
    return replace(episode, duties=duties)


# What holds duties: an episode, or a notice about no episode the hub has (yet).
Holder = TypeVar("Holder", Episode, NoticeDuties)


def stand_down(
    episode: Holder, actions: frozenset[str] | None, at: datetime, owed_to: str | None = None
) -> Holder:
    """The episode with its duties of these actions (or all), owed to `owed_to` (or anyone),
    not yet settled, no longer needed from `at`: every one decided so far (when the hub read
    the event, not the event's own time, which a late event would make depend on the hub's
    lag)."""

    def needless(d: Duty) -> bool:
        return (actions is None or d.action in actions) and owed_to in (None, d.recipient)

    return _stood_down_where(episode, needless, at)


def _stood_down_where(episode: Holder, needless: Callable[[Duty], bool], at: datetime) -> Holder:
    """The episode with its duties `needless` says, not yet settled, no longer needed from
    `at`, and their escalations with them: the one way a duty is stood down."""
    duties = tuple(
        replace(d, stood_down_at=at) if needless(d) and not d.settled else d for d in episode.duties
    )
    return _escalations_stood_down(replace(episode, duties=duties), at)


def stand_down_decided_after(
    episode: Episode, actions: frozenset[str], since: datetime, at: datetime
) -> Episode:
    """The episode with its duties of these actions owed after `since`, not yet settled, no
    longer needed from `at`. Owed from when their timer fell due, if fired late: decided
    as of the round that fired it (3.10), the child was no less missing when it fell due."""

    def owed_after(d: Duty) -> bool:
        return d.action in actions and (d.owed_from or d.decided_at) > since

    return _stood_down_where(episode, owed_after, at)


def stand_down_escalations(episode: Episode, notification_ids: set[str], at: datetime) -> Episode:
    """The episode with the escalations of these duties, not yet settled, no longer needed
    from `at`, at every level: the deadline they chased is replaced."""
    if not notification_ids:
        return episode
    return _stood_down_where(episode, lambda d: d.escalates in notification_ids, at)


def _escalations_stood_down(episode: Holder, at: datetime) -> Holder:
    """The episode with the escalations of its duties stood down stood down too: a duty no
    longer needed is no one's to see done, at any level (an escalation is recorded after
    the duty it escalates, so one pass finds every level)."""
    down: set[str] = set()
    duties = []
    for duty in episode.duties:
        if duty.escalates in down and not duty.settled:
            duty = replace(duty, stood_down_at=at)
        if duty.stood_down_at is not None:
            down.add(duty.notification_id)
        duties.append(duty)
    return replace(episode, duties=tuple(duties))


MEETING_DUTIES = frozenset(
    {Action.CONVENE_STRATEGY_MEETING.value, Action.ATTEND_STRATEGY_MEETING.value}
)


def stand_down_meetings(episode: Episode, at: datetime) -> Episode:
    """7.22: meetings are held "if the child has not returned": those not yet held are no
    longer needed, nor are their minutes."""
    episode = stand_down(episode, MEETING_DUTIES, at)
    not_held = {
        (d.meeting, d.decided_at)
        for d in episode.duties
        if d.action == Action.CONVENE_STRATEGY_MEETING and d.done_at is None
    }
    return _stood_down_where(
        episode,
        lambda d: (
            d.action == Action.RECEIVE_STRATEGY_MEETING_MINUTES
            and (d.meeting, d.decided_at) in not_held
        ),
        at,
    )


def stand_down_meeting(episode: Episode, meeting: str, at: datetime) -> Episode:
    """7.22: one meeting replaced by another (the 72-hour meeting brought to 48 hours by a
    high risk): its duties, if it is not yet held, are no longer needed, nor its minutes."""
    held = any(
        d.action == Action.CONVENE_STRATEGY_MEETING and d.meeting == meeting and d.done_at
        for d in episode.duties
    )
    if held:
        return episode
    actions = {*MEETING_DUTIES, Action.RECEIVE_STRATEGY_MEETING_MINUTES.value}
    return _stood_down_where(episode, lambda d: d.meeting == meeting and d.action in actions, at)


def _follow_ups(episode: Episode | NoticeDuties) -> tuple[Timer, ...]:
    return tuple(
        Timer(FOLLOW_UP, episode.episode_id, duty.answer_by, duty.paragraph, sequence=number)
        for number, duty in enumerate(episode.duties, start=1)
        if is_open(duty, episode)
    )


def on_follow_up(
    state: ChildState,
    episode: Episode | NoticeDuties,
    timer: Timer,
    directory: Directory,
    at: datetime,
) -> Outcome:
    """A duty's answer-by time has come without an answer: escalate it, once. Out of hours
    (3.10) a manager of the day teams is not there to be told. What 1.4 has children's
    services do at once for a high-risk child, left undone by the team told, goes to EDT,
    on duty for them (3.10, 3.13), as do the forms of a child still missing (3.10) and
    concerns about a found child's return (5.6); anything else waits for the teams to open,
    and is escalated then if still unanswered."""
    duty = episode.duties[timer.sequence - 1]
    if not is_open(duty, episode):
        return Outcome(state)
    escalation = directory.follow_up.escalation(_escalated_as(duty, episode))
    manager, paragraph = escalation.to, escalation.paragraph
    if duty.escalates is not None and manager == Recipient(duty.recipient):
        manager = None  # already escalated within the agency: nobody above to name
    closed = manager not in ON_DUTY_OUT_OF_HOURS and is_out_of_hours(at, directory)
    if manager is not None and closed:
        edt_paragraph = _for_edt(duty, episode)
        if edt_paragraph is None:
            opens = next_opening(at, directory)
            waiting = episode.with_duty(replace(duty, answer_by=opens))
            return Outcome(_holding(state, waiting))
        manager, paragraph = Recipient.EDT, edt_paragraph
    decisions: tuple[Decision, ...] = ()
    if manager is not None:
        cause = timer.cause(state.child_id)
        if isinstance(episode, Episode):
            ctx = Context(directory, at, cause, episode)
            decisions = (
                _escalated(ctx, duty, manager, paragraph),
                *_iro_of_a_child_placed_out(ctx, duty),
            )
        else:
            decisions = (
                _notice_escalated(state, episode, duty, manager, paragraph, at, cause, directory),
            )
    escalated = episode.with_duty(replace(duty, escalated_at=at))
    return Outcome(_holding(state, escalated), decisions)


def _escalated_as(duty: Duty, episode: Episode | NoticeDuties) -> str:
    """Whose silence the duty's escalation reports: its recipient's, but EDT's on a duty it
    took out of hours (`_for_edt`) in someone's stead is that one's still, and goes where
    theirs would in office hours, when the day teams open: for the placing authority's
    notice, to the Head of Safeguarding (8.12), not up EDT's own line first (an hour later);
    for a manager's escalation, to that manager's manager (the Head of Safeguarding's to the
    Assistant Director, 6.8), not down to the Service Manager EDT answers to."""
    took = episode.duty(duty.escalates) if duty.escalates else None
    if (
        duty.recipient == Recipient.EDT
        and took
        and (took.recipient == Recipient.PLACING_AUTHORITY or took.escalates)
    ):
        return took.recipient
    return duty.recipient


def _iro_of_a_child_placed_out(
    ctx: Context, duty: Duty, why: str | None = None
) -> tuple[Decision, ...]:
    """8.7: "The IRO should inform the relevant team manager of any escalation
    meetings/Independent Return Interviews for children placed out of county [that] have not
    been managed in accordance with these procedures": a strategy meeting (7.25: held "to
    plan or escalate") of our child in care placed out of county, left unanswered past its
    time (told with the chair's manager), or acknowledged and not held by it
    (`on_meeting_not_held`), as its return interview (found.py). Told once; a notice with no
    deadline, as that one."""
    if not _the_iros(duty, ctx.episode, ctx.placing):
        return ()
    iro = Recipient.IRO
    return (
        _escalation(
            ctx.episode,
            ctx.episode.report.child_id,
            duty,
            iro,
            "8.7",
            ctx.authority_of(iro.value),
            ctx,
            ctx.known,
            why=why,
            ask="Inform the relevant team manager (8.7).",
            # No deadline, as 8.7's overdue interview to the IRO: a notice, not a duty to
            # acknowledge (recorded, it would renumber the episode's later follow-ups).
            followed_up=False,
        ),
    )


def _the_iros(duty: Duty, episode: Episode, placing: Placing) -> bool:
    """A meeting of our child in care placed out of county, not an escalation of one: 8.7's."""
    return (
        duty.action == Action.CONVENE_STRATEGY_MEETING
        and duty.escalates is None
        and placing is Placing.PLACED_OUT
        and episode.looked_after
    )


def watch_meeting(episode: Episode, duty: Duty, directory: Directory, at: datetime) -> Timer | None:
    """8.7: a meeting of the IRO's (`_the_iros`) just acknowledged is escalated to no one
    for want of an answer any more; whether it is managed is then whether it is held by its
    deadline (7.17, 7.22), which this timer watches, as the 72 hours watch the return
    interview (found.py). A deadline past already (picked up after it, the escalation
    waiting for the day teams, 3.10) is watched now. Numbered by the duty's place among the
    episode's, as its follow-up. None for a meeting escalated (the IRO told then), settled,
    or due at once (the 24-hour meeting, 7.22's ladder): picked up in its window, it is
    managed as every duty due at once is (`facts.duty_status`: not overdue)."""
    if (
        duty.acknowledged_at is None
        or duty.due <= duty.decided_at
        or duty.escalated_at is not None
        or duty.settled
        or not _the_iros(duty, episode, placing_of(episode, directory))
    ):
        return None
    place = next(
        n
        for n, d in enumerate(episode.duties, start=1)
        if d.notification_id == duty.notification_id
    )
    return Timer(MEETING_NOT_HELD, episode.episode_id, max(duty.due, at), "8.7", place)


def on_meeting_not_held(ctx: Context, timer: Timer) -> list[Timer]:
    """8.7: the acknowledged meeting's deadline has come, and it is not held: the IRO is
    told, once. Held meanwhile, or stood down (the child found, 7.22; replaced; the episode
    closed, 7.24), it was managed, or no longer needed: nothing."""
    duty = ctx.episode.duties[timer.sequence - 1]
    if not duty.settled:
        ctx.decisions += _iro_of_a_child_placed_out(ctx, duty, why=_NOT_HELD)
    return []


def meeting_unwatched(episode: Episode, convene: Duty) -> tuple[Episode, tuple[Timer, ...]]:
    """The episode without the watch on this meeting (`watch_meeting`), now held, and that
    timer, to cancel: managed, it is no one's to tell of."""
    watch = tuple(
        t
        for t in episode.timers
        if t.name == MEETING_NOT_HELD
        and episode.duties[t.sequence - 1].notification_id == convene.notification_id
    )
    return replace(episode, timers=tuple(t for t in episode.timers if t not in watch)), watch


def _holding(state: ChildState, holder: Episode | NoticeDuties) -> ChildState:
    if isinstance(holder, Episode):
        return state.with_episode(holder)
    return state.with_notice(holder)


def _for_edt(duty: Duty, episode: Episode | NoticeDuties) -> str | None:
    """The paragraph by which EDT takes this duty, or its escalation, out of hours, if it
    was never EDT's, at any level (EDT's silence climbed the day managers: told again in the
    evening, EDT would hear twice of it): a high-risk child's duty that a team acting for the
    child was told to do at once (1.4, 3.10), unless EDT was told in the same step (it acts
    for them already, and their silence out of hours is no news), or that the placing
    authority of a child placed here was told so (8.10: its silence is news to EDT, which
    acts for the MCT that contacts it); the Incident and Location
    Forms of a child still missing (not found, nor returned as its host said, 8.4), of
    whatever risk, which out of hours the police obtain from EDT (3.10); or concerns about
    returning a found child home, told to MASH in hours and left unanswered at closing (5.6:
    "the MASH or the out-of-hours Emergency Duty Team (EDT) before the child is
    returned"). A strategy meeting falling due at night is its chair's (7.18), not 1.4's
    notice: it waits for the day teams, whoever chairs it."""
    chain = _chain(duty, episode)
    first = chain[-1]
    if any(d.recipient == Recipient.EDT for d in chain):
        return None
    if first.action == Action.CONCERNS_ABOUT_RETURN:
        return "5.6"
    # A notice's forms (a placement, 3.3) are no search's: no child is missing yet. Nor are
    # those of a child found, or returned as the host authority said (8.4): no search either.
    missing = isinstance(episode, Episode) and episode.back_at is None
    if first.action in _FORMS_FOR_THE_SEARCH and missing:
        return "3.10"
    at_once = first.due <= first.decided_at
    if not (episode.high_risk and at_once) or first.action in MEETING_DUTIES:
        return None
    if first.recipient == Recipient.PLACING_AUTHORITY:
        # 8.10: the notice is the MCT's contact with the placing social worker, and EDT acts
        # for the MCT out of hours; told the child is missing, it cannot know the placing
        # authority never picked the notice up.
        return "3.10"
    if first.recipient in _ACT_AT_ONCE:
        return None if _edt_told_with(first, episode) else "3.10"
    return None


# What tells EDT it acts for the day teams until they open: 1.4's alert of a high-risk child
# (roles.edt_acts_for_childrens_services), and a host's notice of our child read out of hours
# (MCT-PG). Not 3.10's word that police may ask it for the forms: a high-risk care leaver's
# report brings that alone, and the day teams' silence is then how EDT hears of the risk.
_EDT_ACTS_FOR_THEM = frozenset({Action.HIGH_RISK_CHILD_MISSING, Action.CHILD_MISSING_IN_HOST_AREA})


def _edt_told_with(duty: Duty, episode: Episode | NoticeDuties) -> bool:
    """EDT was told to act for the day teams in the step that owed `duty`: escalated, the
    duty would tell it again what it was told then."""
    return any(
        d.recipient == Recipient.EDT
        and d.action in _EDT_ACTS_FOR_THEM
        and d.decided_at == duty.decided_at
        and d.escalates is None
        for d in episode.duties
    )


def _chain(duty: Duty, episode: Episode | NoticeDuties) -> list[Duty]:
    """`duty`, the duty it escalates, and so on to the duty first owed (last)."""
    chain = [duty]
    while duty.escalates and (about := episode.duty(duty.escalates)) is not None:
        chain.append(duty := about)
    return chain


def _first(duty: Duty, episode: Episode | NoticeDuties) -> Duty:
    """The duty first owed, of which `duty` may be an escalation."""
    return _chain(duty, episode)[-1]


def _escalated(ctx: Context, duty: Duty, manager: Recipient, paragraph: str) -> Decision:
    authority = (
        duty.authority
        if manager in _SAME_AGENCY and duty.authority
        else ctx.authority_of(manager.value)
    )
    return _escalation(
        ctx.episode,
        ctx.episode.report.child_id,
        duty,
        manager,
        paragraph,
        authority,
        ctx,
        ctx.known,
    )


def _notice_escalated(
    state: ChildState,
    notice: NoticeDuties,
    duty: Duty,
    manager: Recipient,
    paragraph: str,
    at: datetime,
    cause: str,
    directory: Directory,
) -> Decision:
    """A notice's duty escalated, with nothing of the child: the MISPER report that would
    say it has not come. Its managers are the home authority's, or a force's own (6.7)."""
    if manager in _SAME_AGENCY:
        authority = duty.authority or directory.home_police_force
    else:
        authority = directory.home_authority
    facts = _Step(directory, at, cause)
    known: dict[str, Detail] = dict.fromkeys(PARTICULARS)
    return _escalation(notice, state.child_id, duty, manager, paragraph, authority, facts, known)


@dataclass(frozen=True)
class _Step:
    directory: Directory
    at: datetime
    cause: str


def _escalation(
    holder: Episode | NoticeDuties,
    child_id: str,
    duty: Duty,
    manager: Recipient,
    paragraph: str,
    authority: str | Unroutable,
    step: Context | _Step,
    known: dict[str, Detail],
    why: str | None = None,
    ask: str = "See that it is done, and acknowledge this notification when you pick it up.",
    followed_up: bool = True,
) -> Decision:
    return owed(
        at=step.at,
        recipient=manager.value,
        authority=authority,
        action=Action.DUTY_ESCALATED.value,
        paragraph=paragraph,
        episode_id=holder.episode_id,
        child_id=child_id,
        cause=step.cause,
        summary=f"{why or _unanswered(duty)}: {_described(duty, holder)}. {ask}",
        due=step.at if followed_up else None,
        details={
            "duty_notification_id": duty.notification_id,
            "duty_action": duty.action,
            "owed_to": duty.recipient,
            "owed_by_authority": duty.authority or "(recipient not yet known)",
            "duty_due": duty.due.isoformat(),
        },
        known=known,
        policy=step.directory.data_policy,
    )


def _unanswered(duty: Duty) -> str:
    """Why the duty is unanswered. One held by ops (the hub could not build it, or name its
    recipient) was never received: its manager read "Not acknowledged" as if its recipient
    had ignored it. Escalated all the same: it is undone, and a child may be at risk."""
    held = _why_held(duty)
    if held is None:
        return _UNANSWERED
    return f"Not done by its deadline, and never received: the hub could not send it ({held})"


def _why_held(duty: Duty) -> str | None:
    """Why ops hold the duty, its recipient never told, if they do."""
    if duty.not_built:
        return "ops hold it: it could not build the notification"
    if not duty.authority:
        return "ops hold it: the directory does not name its recipient"
    return None


def _described(duty: Duty, episode: Episode | NoticeDuties) -> str:
    """The duty in words; for an escalation, the duty first owed (and whether its recipient
    never received it) and who holds it now."""
    first = _first(duty, episode)
    what = f"'{first.action}' owed to {first.recipient} ({first.paragraph})"
    if first is duty:
        return what
    if _why_held(first) is not None:
        what += ", never received (the hub could not send it: ops hold it)"
    return f"{what}, escalated to {duty.recipient}"


def agency_code(directory: Directory, named: str) -> str | None:
    """The directory code of the agency a message names as answering: a police force, the
    home authority (by its code or one of its areas), or another authority."""
    force = directory.resolve_force(named)
    if force is not None:
        return force
    resolution = directory.resolve_authority(named)
    if resolution.standing is Standing.HOME:
        # One trust serves the home areas, but each area's council is an agency of its own
        # (a principal on the bus): only the trust answers for the trust's teams.
        [*areas] = resolution.codes
        if code_like(named) != directory.home_authority and len(areas) == 1:
            return areas[0]
        return directory.home_authority
    return resolution.code


def owed_duty(
    episode: Episode | NoticeDuties, notification_id: object, answered_by: str, directory: Directory
) -> Duty:
    """The duty an answer is about, which must have been owed to the agency answering."""
    duty = episode.duty(str(notification_id))
    if duty is None:
        raise ProtocolViolation(
            "data.notification_id", "is not a notification with a deadline in this episode"
        )
    code = agency_code(directory, answered_by)
    # Owed by an authority retired since, the duty is its successors' (`answering_for`).
    answering = answering_for(directory, duty.recipient, duty.authority) if duty.authority else ()
    if code is None and not _signed_as_retired(directory, answered_by, answering):
        raise ProtocolViolation("data.answered_by", "is not an agency of the hub's directory")
    if not duty.authority:
        raise ProtocolViolation(
            "data.notification_id", "is held: the hub could not yet name its recipient"
        )
    if code is not None and code not in answering:
        raise ProtocolViolation("data.answered_by", "is not the agency the duty was owed to")
    return duty


def _signed_as_retired(directory: Directory, answered_by: str, answering: Collection[str]) -> bool:
    """Signed with the old name of the authority retired that owed the duty ("Surrey",
    "Surrey County Council"), which now covers the councils that took it over: theirs."""
    named = directory.resolve_authority(answered_by).codes
    return bool(named) and set(named) <= set(answering)
