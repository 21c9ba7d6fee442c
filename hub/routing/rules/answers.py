"""Recipients answer (issue 14): a duty acknowledged or done, a strategy meeting held, an
episode closed by the joint decision of 7.24. Each settles duties of the episode; the
engine's follow-up step (hub.routing.rules.duties) then stops following them up."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hub.clock import iso_utc
from hub.contracts.actions import Action, Recipient
from hub.contracts.events import (
    DutyAcknowledged,
    DutyCompleted,
    EpisodeClosed,
    StrategyMeetingHeld,
)
from hub.contracts.vocabulary import MeetingAttendee
from hub.routing.context import Context
from hub.routing.directory import Directory
from hub.routing.facts import (
    ChildState,
    Duty,
    Episode,
    Outcome,
    ProtocolViolation,
    Timer,
    Unroutable,
    clock_start,
)
from hub.routing.placing import Placing
from hub.routing.rules.duties import (
    HANDOVER_CHASE,
    RETURN_INTERVIEW_DUTIES,
    agency_code,
    discharge,
    meeting_unwatched,
    owed_duty,
    stand_down,
    stand_down_escalations,
    watch_meeting,
)
from hub.routing.rules.episode_access import open_episode, read_late, reported_episode
from hub.routing.rules.found import (
    PLACING_AUTHORITY_HANDOVER,
    RETURN_INTERVIEW_TIMERS,
    TRUSTED_ADULT_OFFER,
)
from hub.routing.rules.risk import settle_disagreement
from hub.routing.rules.roles import (
    asylum_seeking,
    has_our_worker,
    host_force_reported_it,
    leaving_care_told,
    reviewing_officer,
    rise_told,
    told_the_host,
    young_person_or,
)
from hub.routing.rules.strategy import HELD_AT_ONCE, STRATEGY_MEETING, TWENTY_FOUR_HOUR_MEETING

# 7.20: who attends a strategy meeting, by the recipient told to attend it.
# The host force (8.3) is not among them: "police" attending says nothing of a second force,
# which answers its invitation itself.
_ATTENDEE = {"police": MeetingAttendee.POLICE, "health": MeetingAttendee.HEALTH}


def _notice_answered(
    state: ChildState,
    event: DutyAcknowledged | DutyCompleted,
    directory: Directory,
    at: datetime,
) -> Outcome | None:
    """An answer to a duty of a cross-border notice about no episode the hub has (a
    placement, 7.14, 8.9; a host's notice before its MISPER report, 8.4), if it is one."""
    if state.episode(event.episode_id) is not None:
        return None
    notice = state.notice(event.episode_id)
    if notice is None:
        return None
    duty = owed_duty(notice, event.notification_id, event.answered_by, directory)
    if isinstance(event, DutyAcknowledged):
        if duty.answered:
            return Outcome(state)  # the first answer stands
        answered = replace(
            duty,
            acknowledged_at=clock_start(event.acknowledged_at, at),
            acknowledged_by=event.acknowledged_by,
        )
    else:
        if duty.done_at is not None:
            return Outcome(state)
        answered = replace(duty, done_at=event.completed_at, done_by=event.completed_by)
    return Outcome(state.with_notice(notice.with_duty(answered)))


def on_duty_acknowledged(
    state: ChildState, event: DutyAcknowledged, directory: Directory, at: datetime, cause: str
) -> Outcome:
    if (of_notice := _notice_answered(state, event, directory, at)) is not None:
        return of_notice
    episode = reported_episode(state, event.episode_id)
    duty = owed_duty(episode, event.notification_id, event.answered_by, directory)
    # Not the hub's clock (senders' differ), and by both measures of the start: one typed
    # ahead must not refuse an answer dated rightly (episode_access.open_episode).
    if event.acknowledged_at < episode.clock_started:
        raise ProtocolViolation("data.acknowledged_at", "is before the child went missing")
    if duty.answered:
        return Outcome(state)  # the first answer stands
    # Picked up no later than the hub read the answer: an acknowledgement typed ahead must
    # not date the pick-up later than it can have been (the console's deadlines; 8.7's watch
    # of a meeting, `watch_meeting`). The event, in the log, keeps the time as sent.
    picked_up = replace(
        duty,
        acknowledged_at=clock_start(event.acknowledged_at, at),
        acknowledged_by=event.acknowledged_by,
    )
    answered = episode.with_duty(picked_up)
    interview = duty.action == Action.CONDUCT_RETURN_INTERVIEW
    if interview and duty.recipient == Recipient.PLACING_AUTHORITY:
        # The rules index (2.B, 8.10): "escalate if the placing LA doesn't acknowledge".
        confirmed, cancel = _handover_confirmed(answered, at)
        return Outcome(state.with_episode(confirmed), cancel=cancel)
    # 8.7: escalated to no one now, a meeting of our child in care placed out of county is
    # watched at its deadline for the IRO instead.
    watch = watch_meeting(answered, picked_up, directory, at)
    if watch is None:
        return Outcome(state.with_episode(answered))
    watched = replace(answered, timers=(*answered.timers, watch))
    return Outcome(state.with_episode(watched), schedule=(watch,))


def on_duty_completed(
    state: ChildState, event: DutyCompleted, directory: Directory, at: datetime, cause: str
) -> Outcome:
    if (of_notice := _notice_answered(state, event, directory, at)) is not None:
        return of_notice
    episode = reported_episode(state, event.episode_id)
    duty = owed_duty(episode, event.notification_id, event.answered_by, directory)
    if duty.action == Action.CONVENE_STRATEGY_MEETING:
        raise ProtocolViolation(
            "ce_type", "a strategy meeting is recorded as held (strategy-meeting-held, 7.22)"
        )
    if event.completed_at < episode.clock_started:
        raise ProtocolViolation("data.completed_at", "is before the child went missing")
    if duty.done_at is not None:
        return Outcome(state)
    if duty.action == Action.RESOLVE_RISK_DISAGREEMENT:
        resolved, cancel = settle_disagreement(episode, event.completed_at, event.completed_by)
        return Outcome(state.with_episode(resolved), cancel=cancel)
    # A duty to do the interview stood down by the child's refusal (5.15) is answered done
    # all the same: the interview given after all (a trusted adult's), as its result would.
    done = replace(duty, done_at=event.completed_at, done_by=event.completed_by)
    answered = episode.with_duty(done)
    if duty.action == Action.CONFIRM_RETURN_INTERVIEW:  # 8.10: asked, and confirmed
        confirmed, cancel = _handover_confirmed(answered, at)
        return Outcome(state.with_episode(confirmed), cancel=cancel)
    if answered.return_interviewed:
        # 5.12: the interview done, as its result would say: its lateness is chased no more,
        # nor a trusted adult offered in its stead after a refusal (5.15), nor a handover's
        # confirmation (8.10).
        answered, cancel = answered.without_timers(RETURN_INTERVIEW_TIMERS)
        # Its other duties (those over its lateness, or handed on) are done with it, as its
        # result would have them: not left overdue for good.
        done_by = event.completed_by
        answered = discharge(answered, RETURN_INTERVIEW_DUTIES, event.completed_at, done_by)
        answered = stand_down(answered, TRUSTED_ADULT_OFFER | HANDOVER_CHASE, at)
        return Outcome(state.with_episode(answered), cancel=cancel)
    return Outcome(state.with_episode(answered))


def _handover_confirmed(episode: Episode, at: datetime) -> tuple[Episode, tuple[Timer, ...]]:
    """8.10: the placing authority has taken the return interview on, as its
    `return_interview_accepted` notice says (cross_border.py): it is waited for no longer,
    and a chase of it already begun is stood down, up to the Head of Safeguarding."""
    confirmed, cancel = episode.without_timers({PLACING_AUTHORITY_HANDOVER})
    return stand_down(confirmed, HANDOVER_CHASE, at), cancel


def on_strategy_meeting_held(
    state: ChildState, event: StrategyMeetingHeld, directory: Directory, at: datetime, cause: str
) -> Outcome:
    """The meeting's duties to convene and attend it are done; its minutes are due within
    24 hours of it (7.20); the date it set for the next meeting stands (7.22)."""
    # Whose duty it was is asked first: the refusal goes back to the sender, and an agency
    # owed no such duty must learn nothing from it of when the child went missing (a
    # `held_at` tried either side of it) nor of a closure (7.24).
    reported = reported_episode(state, event.episode_id)
    convene = owed_duty(reported, event.notification_id, event.answered_by, directory)
    if convene.action != Action.CONVENE_STRATEGY_MEETING:
        raise ProtocolViolation("data.notification_id", "is not a duty to convene a meeting")
    # 7.24: a meeting held while the case was live is its record, however late it is read
    # (as an answer to any other of its duties is); one held after the joint decision to
    # close it is refused. The closure stood the rest down: nothing is owed again.
    before_closure = reported.closed_at is not None and event.held_at <= reported.closed_at
    episode = open_episode(
        state,
        event.episode_id,
        event.held_at,
        "data.held_at",
        found_ok=True,
        closed_ok=before_closure,
    )
    if convene.done_at is not None:
        return Outcome(state)  # recorded already
    minutes = timedelta(hours=directory.timescales.minutes_within_hours)
    window = timedelta(minutes=directory.follow_up.window_minutes(episode.high_risk))
    attended = set(event.attended)
    by = agency_code(directory, event.answered_by) or event.answered_by
    # Recorded held when it says; its minutes' 24 hours from no later than the hub read it.
    minutes_from = clock_start(event.held_at, at)
    duties = tuple(
        _after_meeting(duty, convene, event.held_at, minutes_from, attended, by, minutes, window)
        for duty in episode.duties
    )
    held = replace(episode, duties=duties)
    # Minutes escalated before the meeting was held have a new deadline: chased afresh by
    # it, their escalations of the old one no further.
    redated = {
        d.notification_id
        for d, after in zip(episode.duties, duties, strict=True)
        if d.escalated_at is not None and after.escalated_at is None
    }
    held = stand_down_escalations(held, redated, at)
    held, unwatched = meeting_unwatched(held, convene)  # 8.7: managed
    if event.next_meeting_at is None or episode.found_at is not None:
        return Outcome(state.with_episode(held), cancel=unwatched)
    if _first_meetings_date(held, convene, event.next_meeting_at, directory):
        return Outcome(state.with_episode(held), cancel=unwatched)
    # 7.22's are "maximum timescales": a date set at the meeting brings the next one
    # forward, never past the day the ladder sets.
    ladder = [t for t in held.timers if t.name == STRATEGY_MEETING]
    moved = tuple(replace(t, due=min(t.due, event.next_meeting_at)) for t in ladder)
    kept = tuple(t for t in held.timers if t not in ladder)
    held = replace(held, timers=(*kept, *moved))
    return Outcome(state.with_episode(held), schedule=moved, cancel=(*ladder, *unwatched))


def _first_meetings_date(
    episode: Episode, convene: Duty, next_at: datetime, directory: Directory
) -> bool:
    """A date set within 7.22's first window ("within 72 hours (48 hours if High Risk) from
    the start of the missing episode") is that first meeting's, owed apart from the ladder
    (a 24-hour meeting setting the date of the 72-hour one): it is not the day-7 meeting's,
    which, brought forward to it, was lost. So is any date the 24-hour meeting (7.18) sets,
    past that window too: the next meeting it arranges is 7.22's first, late (and still
    owed by its window), not day 7's. The date the first meeting itself sets is the next
    meeting's, however soon and however the child is graded by then. High risk as
    on_missing_24h sets the window: graded high or with a CSE marker (7.22: "deemed high
    e.g. known sexual exploitation")."""
    ts = directory.timescales
    high = ts.strategy_meeting_within_hours_high_risk
    if convene.meeting == TWENTY_FOUR_HOUR_MEETING:
        return True
    meeting = convene.meeting or ""
    # 7.22's first meeting: within 72 hours, or 48 (on_missing_24h; brought forward by
    # risk._first_meeting_brought_forward, "48-hour (brought forward: high risk)" or
    # "... CSE)"), or held at once past 48 hours ("day 2 (high risk)", "day 2 (CSE)"):
    # known by name, not by the grading when it is recorded, which may have been lowered.
    # And the ladder's own ("day N", 7.22): one brought forward into the first window sets
    # the next meeting's date like any other, never the first meeting's.
    if (
        meeting == f"{ts.strategy_meeting_within_hours}-hour"
        or meeting.startswith((f"{high}-hour", "day "))
        or meeting.endswith(HELD_AT_ONCE)
    ):
        return False
    hours = high if episode.meeting_brought_forward else ts.strategy_meeting_within_hours
    return next_at <= episode.absence_started + timedelta(hours=hours)


def _after_meeting(
    duty: Duty,
    convene: Duty,
    held_at: datetime,
    minutes_from: datetime,
    attended: set[MeetingAttendee],
    by: str,
    minutes: timedelta,
    window: timedelta,
) -> Duty:
    if duty.meeting != convene.meeting or duty.decided_at != convene.decided_at:
        return duty  # another meeting's
    if duty.notification_id == convene.notification_id:
        return replace(duty, done_at=held_at, done_by=by)
    if duty.action == Action.ATTEND_STRATEGY_MEETING and _ATTENDEE.get(duty.recipient) in attended:
        return replace(duty, done_at=held_at, done_by="attended")
    if duty.action == Action.RECEIVE_STRATEGY_MEETING_MINUTES and duty.done_at is None:
        due = minutes_from + minutes  # 7.20: "within 24 hours" of the meeting held
        answer_by = max(duty.decided_at + window, due)
        if duty.stood_down_at is not None:
            return replace(duty, due=due, answer_by=answer_by)
        # escalated by the deadline it had: followed up afresh by this one
        return replace(duty, due=due, answer_by=answer_by, escalated_at=None)
    return duty


def on_episode_closed(
    state: ChildState, event: EpisodeClosed, directory: Directory, at: datetime, cause: str
) -> Outcome:
    """7.24: the case closed by a senior police officer with the Assistant Director: every
    timer of the episode stops, no duty of it is followed up any more, and every party told
    of the absence is told of the closure (`_tell_of_the_closure`).

    A closure decided while the child was missing but read after the found report (a queue
    flushed at once) is recorded and changes nothing else: had it been read first, the found
    report would still have opened the return and its interview, and the found report has
    already stood the search down. One decided after the finding is refused."""
    # Who may close is asked first: the refusal goes back to the sender, and an agency that
    # may not close must learn nothing from it of when the child went missing or was found.
    if not _may_close(reported_episode(state, event.episode_id), event.answered_by, directory):
        raise ProtocolViolation(
            "data.answered_by", "is neither the child's police force nor the home authority (7.24)"
        )
    episode = open_episode(
        state,
        event.episode_id,
        event.closed_at,
        "data.closed_at",
        read_late_ok=True,
        returned_ok=True,
    )
    late = read_late(episode, event.closed_at)
    if episode.closed_at is not None:
        return Outcome(state)
    if late or episode.returned_at is not None:
        # Returned, as its host authority said, with no found report (8.4): the closure ends
        # the police file the found report would have, and the search is over already; the
        # return interview is still owed (5.12). Nobody is told: nothing changes.
        return Outcome(state.with_episode(replace(episode, closed_at=event.closed_at)))
    closed = replace(
        stand_down(episode, None, event.closed_at), closed_at=event.closed_at, timers=()
    )
    ctx = Context(directory, at, cause, closed)
    _tell_of_the_closure(ctx, agency_code(directory, event.answered_by), event.closed_at)
    return Outcome(state.with_episode(closed), tuple(ctx.decisions), cancel=episode.timers)


_CLOSED = (
    "The case was closed by the joint decision of a senior police officer and the Assistant "
    "Director Safeguarding (7.24), the child not found"
)


def _tell_of_the_closure(ctx: Context, closed_by: str | None, closed_at: datetime) -> None:
    """7.24: the closure stands the search down and every duty of the episode with it: each
    party told of the absence when the child went missing (missing.py) is told the case was
    closed, the child not found, and when. A notice (no deadline): nothing is owed. Not the
    force that closed it, which knows."""
    when = iso_utc(closed_at)
    report = ctx.episode.report

    def tell(recipient: str, meaning: str) -> None:
        ctx.tell(
            recipient, Action.EPISODE_CLOSED.value, "7.24", f"{_CLOSED}: {meaning}", closed_at=when
        )

    tell(
        "mct",  # 7.2: it tracks every episode
        "the police file is closed and the hub's timers stop. The child is still not found: "
        "keep the episode on the record; a found report still opens the return interview.",
    )
    if has_our_worker(ctx):  # 7.3
        tell(
            "allocated_worker",
            "the police file is closed and no strategy meeting follows. The child is still not "
            "found: its plan goes on.",
        )
    officer = reviewing_officer(ctx)  # 7.15: as told at missing
    if officer is not None:
        tell(officer, _STILL_NOT_FOUND[officer])
    # The force that holds the missing person's file, if it did not close it.
    reported_to = ctx.authority_of("reporting_police")
    if reported_to != closed_by:
        tell("reporting_police", "the missing person's file you hold is closed with it.")
    if told_the_host(ctx):
        # 3.9: the force searching where our child is placed would go on searching; told
        # above as the force the report was made to, if it is that force.
        if not host_force_reported_it(ctx) and _reached(ctx, "host_police"):
            tell(
                "host_police",
                "the police file is closed, and the search you were asked for in your area "
                "(3.9) with it. The child in our care is not found.",
            )
        if _reached(ctx, "host_authority"):
            tell(
                "host_authority",  # 8.3
                "the police file is closed. The child in our care is still not found; its "
                "plan is ours, and you will be told if it returns (8.4).",
            )
    who = young_person_or(ctx.episode, "child")
    if ctx.placing is Placing.PLACED_IN:
        tell(
            "placing_authority",  # 8.10: its child; our duties to it are stood down
            f"our duties for the {who} you placed here are stood down. The {who} is still "
            "not found: its care plan is yours and goes on.",
        )
    if report.uasc:
        uasc = asylum_seeking(ctx.episode)
        tell(
            "home_office",  # 4.3: told the child is missing
            f"the {uasc} is still missing: its missing status stands.",
        )
    if rise_told(ctx.episode):
        tell(
            "rise",  # 6.6: told of the missing child at risk of sexual exploitation
            "the child with a CSE risk marker is still not found: your work on the "
            "exploitation risk goes on.",
        )
    if leaving_care_told(ctx):
        tell(
            "leaving_care",  # 4.1: told the care leaver is missing
            "the care leaver is still not found: the Leaving Care Service's support stands "
            "ready for the return.",
        )


_STILL_NOT_FOUND = {
    "iro": "the child in our care is still not found; address the closure in its statutory review.",
    "cp_chair": "the child on a child protection plan is still not found.",
}


def _reached(ctx: Context, host: str) -> bool:
    """A host the directory cannot name now was never told of the search: its notice of the
    absence is held for ops, and the closure stands it down unsent (hub.service.rerouting).
    Told of a closure once named, it would hear of a search it never had."""
    return not isinstance(ctx.authority_of(host), Unroutable)


def _may_close(episode: Episode, answered_by: str, directory: Directory) -> bool:
    code = agency_code(directory, answered_by)
    forces = {
        directory.home_police_force,
        directory.resolve_force(episode.report.reporting_force, only_forces=True),
    }
    return code is not None and (code in forces or code == directory.home_authority)
