"""Found or returned (3.18, 3.20, 5.1, 5.6, 5.12, 6.10, 7.6, 8.4, 8.10, MCT practice
guidance and its Flowchart Two): every pending timer of the episode is cancelled."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

from hub.contracts.actions import Action, Recipient
from hub.contracts.events import FoundReport
from hub.contracts.notification import Detail
from hub.contracts.vocabulary import FoundBy
from hub.routing.calendar import close_of_working_day, is_out_of_hours
from hub.routing.context import Context
from hub.routing.directory import Directory, PlacedInReturnInterviewOwner
from hub.routing.facts import (
    ChildState,
    Decision,
    Duty,
    Episode,
    Outcome,
    Placement,
    ProtocolViolation,
    Timer,
)
from hub.routing.placing import Placing, disagreeing
from hub.routing.rules.chairs import CHILD_PROTECTION, child_protection_discussion
from hub.routing.rules.duties import (
    RETURN_INTERVIEW_DUTIES,
    RISK_DISAGREEMENT_DUTIES,
    Holder,
    stand_down,
    stand_down_decided_after,
    stand_down_meeting,
    stand_down_meetings,
)
from hub.routing.rules.episode_access import open_episode
from hub.routing.rules.repeat import forum_recorded, notice_recorded, on_repeat
from hub.routing.rules.risk import RISK_DISAGREEMENT
from hub.routing.rules.roles import (
    adult_care_leaver,
    asylum_seeking,
    at_once_or_at_opening,
    day_teams_closed,
    has_our_worker,
    home_office_told,
    home_office_told_found,
    host_force_reported_it,
    leaving_care_told,
    rise_told,
    rise_told_found,
    told_the_host,
    young_person_or,
)
from hub.routing.rules.sharing import share_with_partners
from hub.routing.rules.strategy import (
    BROUGHT_FORWARD_FOR,
    DAY_ONE,
    HELD_AT_ONCE,
    MISSING_24H,
    SEARCH_TIMERS,
    SIGNIFICANT_RISK_MEETING,
    STRATEGY_MEETING,
    TWENTY_FOUR_HOUR_MEETING,
    asked_under,
    day_one,
    forms,
    meeting_day,
    reporting_force,
    rung_counted_from,
    significant_risk_meeting,
    timers_on_report,
)

RETURN_INTERVIEW_OVERDUE = "return_interview_overdue"
PLACING_AUTHORITY_HANDOVER = "placing_authority_handover"
FORMS = Action.COMPLETE_INCIDENT_AND_LOCATION_FORMS.value
CHECK_PLACEMENT_NOTICE = Action.CHECK_PLACEMENT_NOTICE.value
# Asked once an absence, however many forces report it (`strategy.asked_for_the_absence`).
ONCE = DAY_ONE | {FORMS, CHECK_PLACEMENT_NOTICE}
# MCT practice guidance: the interview handed to the allocated social work team.
TEAM_RETURN_INTERVIEW_OVERDUE = "team_return_interview_overdue"
RETURN_INTERVIEW_TIMERS = frozenset(
    {RETURN_INTERVIEW_OVERDUE, PLACING_AUTHORITY_HANDOVER, TEAM_RETURN_INTERVIEW_OVERDUE}
)
IRI_PARAGRAPH = "5.12 (Independent Return Interview)"
# 6.8: what the Assistant Director is told of a child in care still missing, by the timers.
NOTICES_WHILE_MISSING = frozenset(
    {
        Action.NOTIFY_ASSISTANT_DIRECTOR_CHILD_IN_CARE_MISSING_OVER_24_HOURS.value,
        Action.FORMAL_REVIEW_MISSING_THREE_MONTHS.value,
        Action.HOLD_MISSING_CHILD_MEETING.value,
    }
)

# 5.15: the child declined, the MCT's offer of a trusted adult to "undertake the Independent
# Return Interview" in its stead: the interview by another hand, cut short with it.
TRUSTED_ADULT_OFFER = frozenset({Action.OFFER_TRUSTED_ADULT_INTERVIEW.value})

# 3.9, 8.3: the host area told our child placed there is missing, for its search. Once the
# child is found that notice is no longer to be acted on, or sent if it was held.
SEARCH_NOTICES = frozenset({Action.CHILD_MISSING_IN_YOUR_AREA.value})
# 6.4: the MPU's sharing of a missing child is for "immediate action for vulnerable children
# still missing": once the child is back it is shared as found, and the missing share,
# unanswered, is no longer chased. So too RISE's alert of a missing child at risk of sexual
# exploitation (6.6): RISE is told of the return (`told_of_the_missing_told_of_the_return`).
SHARED_WHILE_MISSING = frozenset(
    {Action.MISSING_CHILD_SHARED.value, Action.MISSING_CHILD_AT_RISK_OF_CSE.value}
)
# 5.12, 8.4: the return interview the MCT held on a host's found notice that came before any
# MISPER report (the MCT's only duty of that action: with the report, the notice sets none).
# The found report sets the interview itself, with its own chase: the notice's is not needed.
# EDT's notice of that action (out of hours: MCT-PG, Flowchart Two) is no interview, were
# it ever given a deadline.
HELD_FOR_THE_FOUND_REPORT = frozenset({Action.CHILD_FOUND_IN_HOST_AREA.value})
HELD_BY = Recipient.MCT


def interview_held_for_the_found_report_stood_down(holder: Holder, at: datetime) -> Holder:
    """The episode, or the notice, with the interview the MCT held on a host's found notice
    (`HELD_FOR_THE_FOUND_REPORT`), if not yet settled, no longer needed from `at`."""
    return stand_down(holder, HELD_FOR_THE_FOUND_REPORT, at, owed_to=HELD_BY)


def ask_to_tell_the_parents(ctx: Context) -> None:
    """MCT-PG: "the allocated Social Worker must ensure those with parental responsibility
    are informed" of a child in care back (8.4: "unless ... inconsistent with the child's
    welfare"): the worker's judgement (the MCT's, with none), never a notice from the hub to
    the parents."""
    ctx.tell(
        "allocated_worker" if has_our_worker(ctx) else "mct",
        "inform_parental_responsibility_holders",
        "MCT-PG",
        "Make sure those with parental responsibility are told of the episode, your visits "
        "and their outcomes, unless that is inconsistent with the child's welfare (8.4).",
        welfare_check_required=True,
    )


def return_interview_owner(ctx: Context) -> tuple[str, str]:
    """Who conducts the return interview, and the paragraph that says so."""
    placing, _report = ctx.placing, ctx.episode.report
    if placing is Placing.PLACED_IN:
        choice = ctx.directory.choices.placed_in_return_interview_owner
        if choice is PlacedInReturnInterviewOwner.PLACING_AUTHORITY:
            return "placing_authority", "8.10"
        return "mct", "7.6"
    if placing is Placing.PLACED_OUT and not ctx.directory.borders(ctx.residence):
        return "ooc_engagement_worker", IRI_PARAGRAPH
    return "mct", "MCT-PG"


def _police_at_the_return(ctx: Context) -> tuple[str, str]:
    """The forces for the prevention interview (5.12) and for the safe and well check.
    MCT-PG: "In Northamptonshire ... Northamptonshire Police will carry out a 'Safe and well
    check'", whichever force took the report; for children "looked after and ... placed out
    of county, it is the local Police to their placement". A care leaver of 18 or over is an
    adult to the police (1.4), never described to a host force (3.9 and 8.3 are for a child
    in care): both are the force the absence was reported to, which alone has the report."""
    if told_the_host(ctx):
        return "host_police", "host_police"
    if adult_care_leaver(ctx.episode):
        return "reporting_police", "reporting_police"
    return "reporting_police", "police"


def _told_of_concerns_about_the_return(ctx: Context) -> str:
    """5.6: "the MASH or the out-of-hours Emergency Duty Team (EDT)", whoever is on duty now
    (3.10). MASH is never told of a care leaver of 18 or over (1.4: an adult to the police):
    in office hours the concerns go to the service responsible for the young person, as
    the care leaver's absence did (4.1: the Leaving Care Service; the placing authority for
    one placed here, `leaving_care_told`)."""
    if day_teams_closed(ctx):
        return "edt"
    if not adult_care_leaver(ctx.episode):
        return "mash"
    return "leaving_care" if leaving_care_told(ctx) else "placing_authority"


def _not_found_already(state: ChildState, episode_id: str) -> None:
    """One return, one found report (5.1). Another (a second force's, or the same sent again
    under a new event id) is refused without "report a new episode instead", which has a
    control room report a child at home missing again: every agency would act on an absence
    that never was, and 7.18's and 8.12's three in 90 days would count it."""
    episode = state.episode(episode_id)
    if episode is not None and episode.found_at is not None:
        raise ProtocolViolation(
            "data.episode_id",
            "the child has already been reported found in this episode (by this force or "
            "another): its return is known, and this report changes nothing",
        )


def on_found_report(
    state: ChildState, event: FoundReport, directory: Directory, at: datetime, cause: str
) -> Outcome:
    _not_found_already(state, event.episode_id)
    episode = open_episode(
        state, event.episode_id, event.found_at, "data.found_at", closed_ok=True, returned_ok=True
    )
    # 8.4: the host authority's notice of the return came first. It ended the search and owed
    # the return interview, within 72 hours of that return (5.12): neither is owed again, and
    # the interview's chase stands as it is (answered, or still running).
    returned = episode.returned_at is not None
    cancelled: tuple[Timer, ...] = ()
    where = event.found_where  # 5.1: for the force attending
    if returned:
        found = replace(episode, found_at=event.found_at, found_where=where)
    else:
        ended = search_ended(episode, event.found_at, at)
        found = replace(ended, found_at=event.found_at, found_where=where, back_read_at=at)
        cancelled = episode.timers
    # The interview a host's notice held before any MISPER report (8.4) is this report's.
    found = interview_held_for_the_found_report_stood_down(found, at)
    # Located at the return the host gave, if it came first (8.4): a later-dated found
    # report must not end the search of an episode begun after that return. No later than
    # the hub heard of the return (`clock_back`): one typed ahead must not end it either.
    back = found.clock_back
    assert back is not None  # found now
    state, others = located(state, found, back, at)
    cancelled += others
    state, rebased, afresh, asked = a_new_absence(state, found, directory, at, cause)
    cancelled += rebased
    ctx = Context(directory, at, cause, found)
    ctx.decisions += asked
    placing = ctx.placing
    owner, _paragraph = return_interview_owner(ctx)
    ctx.tell(
        "mct",
        "child_found",
        "MCT-PG",
        "The child has been found: record the found episode and arrange the return interview.",
        found_by=event.found_by.value,
    )
    if found.allocated and placing is not Placing.PLACED_IN:
        ctx.tell(
            "allocated_worker",
            "child_found",
            "8.4",
            _visit_the_found_child(found.looked_after),
            found_by=event.found_by.value,
        )
    if found.looked_after and placing is not Placing.PLACED_IN:
        ctx.tell(
            "iro",
            "child_found",
            "8.4",
            "A child in care has returned: review whether the placement remains appropriate.",
            found_by=event.found_by.value,
        )
        if not returned:  # asked already if the host's word of the return came first
            ask_to_tell_the_parents(ctx)
    police, local = _police_at_the_return(ctx)
    if not event.safe_and_well_check_done:
        ctx.tell(
            local,
            "carry_out_safe_and_well_check",
            "MCT-PG",
            "The child has been found but the safe and well check has not been done: carry it out.",
            due=at,
        )
    ctx.tell(
        police,
        "conduct_prevention_interview",
        "5.12 (Prevention Interview)",
        "Conduct the Prevention Interview (all high and medium risk cases).",
    )
    if told_the_host(ctx) and not host_force_reported_it(ctx):
        # 7.24: the police file "remain[s] live until the child is formally deemed as
        # 'Found'": the force that holds it may not be the one now asked to act.
        ctx.tell(
            "reporting_police",
            "child_found",
            "7.24",
            "The child you reported missing has been found. The force where the child is "
            "placed is asked for the safe and well check and the Prevention Interview.",
            found_by=event.found_by.value,
        )
    if event.possible_victim_of_crime:
        ctx.tell(
            police,
            "attend_without_delay",
            "5.1",
            "The child may have been the victim of a crime: attend without delay to "
            "protect the child and recover evidence.",
            due=at,
        )
    if event.concerns_about_returning_home:
        who = young_person_or(found, "child")
        ctx.tell(
            _told_of_concerns_about_the_return(ctx),
            "concerns_about_return",
            "5.6",
            f"There are concerns about the {who}'s safety at home or in placement: "
            f"decide before the {who} is returned.",
            due=at,
        )
    if event.found_by is FoundBy.PARENT_OR_CARER:
        ctx.tell(
            "mct",
            "consider_advice_to_parent_or_carer",
            "3.18",
            "Found by a parent or carer: consider offering information and advice.",
        )
    schedule: tuple[Timer, ...] = ()
    if not returned and not read_after_the_return(state, episode):
        schedule = owe_return_interview(ctx, state)
        found = replace(found, timers=schedule)
    schedule = (*schedule, *afresh)
    if told_the_host(ctx):  # as when missing (8.3): told it has returned (8.4)
        ctx.tell(
            "host_authority",
            "child_found_in_your_area",
            "8.4",
            "The child placed in your area has returned.",
        )
    if placing is Placing.PLACED_IN and owner != "placing_authority":
        ctx.tell(
            "placing_authority",
            "child_found",
            "8.10",
            f"The {young_person_or(found, 'child')} you placed here has returned.",
            found_by=event.found_by.value,
        )
    if _owed_word_of_the_return(ctx, state.with_episode(found)).home_office:
        ctx.tell(
            "home_office",
            "child_found",
            "4.3",
            f"The {asylum_seeking(found)} reported missing has been found.",
        )  # 4.3: its missing status, not who found the child (with whom the child is)
    if not returned or _returned_before_its_report(found):
        # Told already if the host's word of the return came first (8.4), with this report
        # open: not if it came before the report, which may have alerted them since.
        told_of_the_missing_told_of_the_return(ctx, state.with_episode(found), event.found_by)
    if not adult_care_leaver(found):  # 1.4: an adult to the police, as when missing
        share_with_partners(ctx, "found")
    # Back no later than the hub read it: a return stamped by a clock seconds ahead, past
    # 17:30, was in office hours, and the MCT's own (3.10). Not if the host's word of the
    # return came first: EDT, or the MCT in office hours, was told of it then (8.4).
    back = ctx.clock_from(event.found_at)
    if is_out_of_hours(back, directory) and not returned:  # EDT handled the return itself
        ctx.tell(
            "edt",
            "child_returned_out_of_hours",
            "MCT-PG",
            "Returned out of hours: EDT tells the MCT as soon as possible, before the close "
            "of the day (the MCT's next working day).",
            due=close_of_working_day(back, directory),
        )
    return Outcome(
        state.with_episode(found), tuple(ctx.decisions), schedule=schedule, cancel=cancelled
    )


def owe_return_interview(ctx: Context, state: ChildState) -> tuple[Timer, ...]:
    """5.12: the Independent Return Interview "within 72 hours of the child returning", owed
    to its owner, and the timers that chase it: its lateness and, handed to the placing
    authority, its confirmation (8.10; the rules index asks for an escalation if the placing
    authority never confirms it has taken it on). None if the child went missing again
    before it could be given (`gone_again`). Counted from the return, or from when the hub
    heard of it if a return typed ahead says later (`Episode.clock_back`)."""
    ts, episode = ctx.directory.timescales, ctx.episode
    returned_at = episode.clock_back
    assert returned_at is not None  # owed only when the child is back
    if gone_again(state, episode, ctx.directory):
        # Read after the report of the child missing again within its 72 hours: the child
        # is not there to be interviewed, and the next return's interview covers it, as
        # had this been read first (`missing_again`).
        return ()
    due = returned_at + timedelta(hours=ts.return_interview_hours)
    timers = [Timer(RETURN_INTERVIEW_OVERDUE, episode.episode_id, due, IRI_PARAGRAPH)]
    owner, paragraph = return_interview_owner(ctx)
    if owner == "placing_authority":
        wait = timedelta(hours=ts.placing_authority_acknowledgement_hours)
        timers.append(
            Timer(PLACING_AUTHORITY_HANDOVER, episode.episode_id, returned_at + wait, "8.10")
        )
    carried = interviews_not_given(state, episode, ctx.directory)
    ctx.tell(
        owner,
        "conduct_return_interview",
        paragraph,
        f"Offer and complete the Independent Return Interview within "
        f"{ts.return_interview_hours} hours of the child's return."
        + (
            f" The child went missing again before the interview of episode "
            f"{', '.join(carried)}: cover it too."
            if carried
            else ""
        ),
        due=due,
    )
    return tuple(timers)


def read_after_the_return(state: ChildState, episode: Episode) -> bool:
    """The report was read after the child was located under another report of its absence
    (missing.py: a report of an absence already over, `ChildState.reports_of_an_absence_over`),
    never searched under: that return owed the absence's return interview (5.12: "within 72
    hours of the child returning"), and this report's found report owes none again. A report
    read before the return (another force's search taken over) keeps its own found report's,
    as ever (`located`)."""
    if episode.absence_began is None or episode.read_at is None:
        return False  # an absence of its own, or a state stored before
    return any(
        other.episode_id != episode.episode_id
        and other.clock_started <= episode.clock_started < back
        and (other.back_read_at or back) <= episode.read_at
        for other in state.episodes
        if (back := other.clock_back) is not None
    )


def located(
    state: ChildState, episode: Episode, since: datetime, at: datetime
) -> tuple[ChildState, tuple[Timer, ...]]:
    """1.4: missing "until located": located under this episode from `since`, the child is
    no longer searched for under another still open that began before (a second force's
    report of the same absence, or one the child came back from unreported), and the timers
    those no longer need. Each keeps its own found report, which still brings its return
    interview. Begun before: no later than the hub read its report (`clock_started`), a
    start typed ahead notwithstanding; strictly before, as missing.py's "came back": one
    begun at the very moment of the return may be the next absence, and is searched."""
    cancelled: list[Timer] = []
    for other in state.episodes:
        begun = other.clock_started < since
        if other.episode_id != episode.episode_id and searched(other) and begun:
            cancelled += other.timers
            state = state.with_episode(search_ended(other, since, at))
    return state, tuple(cancelled)


def a_new_absence(
    state: ChildState, found: Episode, directory: Directory, at: datetime, cause: str
) -> tuple[ChildState, tuple[Timer, ...], tuple[Timer, ...], list[Decision]]:
    """A report that took over the search of another as one absence (`strategy.carried_on`),
    begun after the child came back from it (a found report read late): a new absence,
    whose meetings run from its own start (7.18, 7.22: "from the start of the missing
    episode"), not the other's, nor spared by the other's held. Its timers counted afresh,
    and the timers that no longer stand (cancelled, and scheduled); and 7.22's day-one
    duties and 3.6's forms, asked for once for the other absence, now asked for this one
    (`strategy.day_one`, `strategy.forms`), and 8.9's check of a placement notice; 7.17's
    meeting its own, not the other's (`_significant_risk_meeting`).
    Reported by several (a third report took the second's search over), it is one absence:
    re-timed and asked for under the last, which carries its search. `found`: the report
    found, located from its return (`Episode.clock_back`)."""
    back = found.clock_back
    assert back is not None  # found now
    cancelled: list[Timer] = []
    scheduled: list[Timer] = []
    asked: list[Decision] = []
    # Whence each report's timers were counted until now: a force's new report read as a
    # new absence (`strategy.reported_again`) counted its own, from its own start.
    counted = {e.episode_id: e.absence_started for e in state.episodes}
    # The reports read as beginning an absence of their own: judged in the repeat windows
    # then (7.18, 8.12: `repeat.on_repeat`), and asked their day one (7.22).
    began_one = {e.episode_id for e in state.episodes if e.absence_began is None}
    state = _not_reported_again(state, back, directory)
    new = [
        e
        for e in state.episodes
        if e.absence_began is not None
        and e.absence_began < back <= e.clock_started
        and not _back_again(state, back, e)
    ]
    # A force's report read as a new absence, now one of the absence `new` reports
    # (`_not_reported_again`), keeps none of what it was asked that another report of that
    # absence was asked too (7.22, 3.6, 8.9: one absence, one ask): that one stays owed.
    for joined in [e for e in new if e.episode_id in began_one]:
        asked_too = asked_under((e for e in new if e.episode_id != joined.episode_id), ONCE)
        state = state.with_episode(stand_down(joined, asked_too, at))
    new = [e for e in state.episodes if e.episode_id in {n.episode_id for n in new}]
    # One new absence however many of them report it (7.22): the last of them took the
    # search over from those before (`strategy.carried_on`), and carries its meetings and
    # day-one duties; the others are not searched under again (`found.missing_again`).
    carrier = max(new, key=lambda e: (e.clock_started, _read(e)), default=None)
    for other in new:
        start = min(e.clock_started for e in state.episodes if back <= e.clock_started)
        rebased = replace(other, absence_began=start if start < other.clock_started else None)
        if other is not carrier or not searched(other):
            # Found already, or its search taken over by a later report of the new absence:
            # no timers to count afresh, but its absence is the new one (`absence_started`,
            # as the repeat windows read it: 7.18, 8.12).
            state = state.with_episode(rebased)
            continue
        pending = {t.name: t for t in other.timers if t.name in SEARCH_TIMERS}
        # The 24 hours counted from the other's start fell before this report took over:
        # they fired under the other, and this report's own are to come. Fired under this
        # one, its meetings were convened, if early; so too under an earlier report of the
        # new absence whose timers it carries on (the one that began counting them).
        hours = timedelta(hours=directory.timescales.first_strategy_meeting_hours)
        began = counted[other.episode_id]
        since = min(_read(e) for e in new if counted[e.episode_id] == began)
        fired_before = began + hours <= since
        # Counted from its own start (a force's new report read as a new absence), it came
        # after an earlier report of the new absence searched under another count: the 24
        # hours and ladder meetings that fell due under that one were the new absence's,
        # convened if early (7.22: one absence), and are not convened again.
        rungs, convened = 0, False
        for e in new:
            prior = counted[e.episode_id]
            if prior == began or not _read(e) < since:
                continue
            convened |= _read(e) <= prior + hours < since
            if _read(e) <= meeting_day(prior, 1, directory) < since:
                rungs = max(rungs, _rungs_before(prior, since, directory))
        # 7.18: 24 hours counted afresh are numbered by the absence they count from (1 and
        # the child's reports begun before it: more with each later start; 0 is the report's
        # own), so their meetings' ids are none an earlier 24 hours of this report convened,
        # since stood down: the duties would not owe them, nor the routing log send them (an
        # id is logged and sent once). Deterministic, as a replay must decide the same ids.
        numbered = 1 + sum(1 for began_at in state.clock_starts() if began_at < start)
        # 7.22: its ladder past its first meeting, the last rung fell due before any report of
        # the new absence was read: every rung was the absence the child came back from, and
        # the new absence's ladder starts afresh from its start (day 7, day 10 ...).
        laddered = True
        if (ladder := pending.get(STRATEGY_MEETING)) is not None and ladder.sequence > 1:
            counted_from = rung_counted_from(ladder, began, state.clock_starts(), directory)
            # When it fell due: brought forward by a meeting held, days or weeks before its
            # count (`strategy.on_strategy_meeting`), its successors too.
            last_rung = ladder.follows or meeting_day(counted_from, ladder.sequence - 1, directory)
            laddered = last_rung >= min(_read(e) for e in new)
        fresh, dropped = [], set()
        for timer in timers_on_report(Context(directory, at, cause, rebased)):
            old = pending.get(timer.name)
            if timer.name == MISSING_24H and convened:
                if old is not None:  # its own, counted from its start: not the absence's
                    cancelled.append(old)
                    dropped.add(old.name)
            elif timer.name == STRATEGY_MEETING and rungs and old is not None:
                # The absence's next rung, from its start (a rung fired under this report's
                # own count since, too, is not convened again).
                cancelled.append(old)
                n = max(rungs + 1, old.sequence)
                due = meeting_day(rebased.absence_started, n, directory)
                fresh.append(replace(timer, due=due, sequence=n))
            elif timer.name == STRATEGY_MEETING and old is not None and not laddered:
                # Its ladder afresh: at its next rung, or at once at the last one fallen due
                # (none was convened for it), not every rung past at once.
                cancelled.append(old)
                n = max(1, _rungs_before(rebased.absence_started, at, directory))
                due = meeting_day(rebased.absence_started, n, directory)
                fresh.append(replace(timer, due=due, sequence=n))
            elif old is None and timer.name == MISSING_24H and (fired_before or began + hours > at):
                # A timer of its own, not the other's that fired: its id is new. Or not fired,
                # but dropped as convened under another report read as of its absence, one a
                # found report read late since shows to be of another (its meetings that one's).
                fresh.append(replace(timer, sequence=numbered))
            elif old is not None and (timer.name != STRATEGY_MEETING or old.sequence == 1):
                cancelled.append(old)
                afresh = timer.name == MISSING_24H
                fresh.append(replace(timer, sequence=numbered) if afresh else timer)
        if not laddered:
            # The ladder meetings of the absence the child came back from, owed under this
            # report (carried on with its search: `risk.search_carried_over`), not yet held,
            # are no longer needed (7.22: "if the child has not returned").
            ladder_meetings = {d.meeting for d in rebased.duties if _ladder_meeting(d.meeting)}
            for meeting in sorted(m for m in ladder_meetings if m is not None):
                rebased = stand_down_meeting(rebased, meeting, at)
        # (A ladder past its first meeting, a rung fallen due once a report of the new absence
        # was read, or 6.8's fired, stand: a timer keeps its id.)
        # Its 24 hours still to come, a first meeting owed under it was brought forward by a
        # grading of another report (`risk.search_carried_over`): one of the new absence's,
        # which its 24 hours would not know of, stands; the other absence's does not.
        graded = MISSING_24H in pending and any(
            e.meeting_brought_forward for e in new if e.episode_id != other.episode_id
        )
        if any(t.name == MISSING_24H for t in fresh) and not graded:
            # Its first meetings are its own 24 hours' to convene: those owed under it, not
            # yet held, of the absence the child came back from (carried on with its search:
            # `risk.search_carried_over`) are no longer needed (7.22: "if the child has not
            # returned"), not owed beside its own, nor standing in for it
            # (`strategy.first_meeting_brought_forward_before`), its 24 hours fired or to come.
            for meeting in _first_meetings(rebased, directory):
                rebased = stand_down_meeting(rebased, meeting, at)
        rebased, own = _significant_risk_meeting(state, rebased, new, directory, at, cause)
        asked += own
        replaced = {t.name for t in fresh} | dropped
        kept = tuple(t for t in other.timers if t.name not in replaced)
        state = state.with_episode(replace(rebased, timers=(*kept, *fresh)))
        scheduled += fresh
    # 7.17, 7.18, 8.12: the new absence is an episode of its own in the repeat windows,
    # judged now as a report of it would have been (`repeat.on_repeat`); not when another
    # report began it since the child came back (judged under that one), nor when a report
    # of it was judged already, read as a force's new absence (`began_one`: one absence,
    # one review), nor under a report closed (7.24: its closure stood down all it owed).
    judged = any(e.episode_id in began_one for e in new)
    for other in new:
        now = state.episode(other.episode_id)
        assert now is not None
        if now.absence_began is None and now.closed_at is None and not judged:
            ctx = Context(directory, at, cause, now)
            if on_repeat(ctx, state):
                state = notice_recorded(ctx, state)
            state = forum_recorded(ctx, state)
            asked += ctx.decisions
    # 7.22's day one, asked once for the other absence: asked for this one, found since or
    # not (as a report found within a day still owes it), unless asked under a report of it
    # (begun since the child came back); once, under the report that carries it, due from
    # the absence's start (that of the first report of it). Not under a report closed (7.24):
    # its closure stood down all it owed.
    if carrier is not None:
        carried = state.episode(carrier.episode_id)
        assert carried is not None
        ctx = Context(directory, at, cause, carried)
        since_back = [e for e in state.episodes if back <= e.clock_started <= carried.clock_started]
        already = asked_under(since_back, ONCE)
        if carried.closed_at is None:
            if ctx.placing is not Placing.PLACED_IN:
                day_one(ctx, already, since=carried.absence_started)
            # 3.6: so too its forms, asked once for the other absence: the child's second
            # absence or later (back from one before it), whose Part two of the Incident Form
            # is reviewed.
            if FORMS not in already:
                forms(ctx, first_episode=False)
            # 8.9: and the MCT's check of a placement notice its report disagrees with, asked
            # once for the other absence, as for any new absence's report.
            unconfirmed = disagreeing(state, carried.report, directory)
            if unconfirmed is not None and CHECK_PLACEMENT_NOTICE not in already:
                _check_placement_notice(ctx, unconfirmed)
        asked += ctx.decisions
        carried_from = counted[carried.episode_id]
        asked += _left_behind(state, found, carried, carried_from, directory, at, cause)
    return state, tuple(cancelled), tuple(scheduled), asked


def _left_behind(
    state: ChildState,
    found: Episode,
    carrier: Episode,
    counted: datetime,
    directory: Directory,
    at: datetime,
    cause: str,
) -> list[Decision]:
    """The absence `found` reports, carried until now by `carrier` as one with the absence it
    begins (`counted`: its start, before this return): its 7.22 day-one duties and 3.3/3.6
    forms, asked under the carrier for it (by a found report read late before this one: the
    carrier keeps them for its own absence) or under none (the carrier closed then, 7.24),
    are owed under `found`, due from its start, unless a report of it asked: each absence
    is asked once, in whichever order the found reports are read."""
    back = found.clock_back
    reported = state.episode(found.episode_id)
    if back is None or reported is None or counted >= back:
        return []
    if found.closed_at is not None or adult_care_leaver(found):
        return []  # 7.24: its closure stood down all it owed; 1.4: an adult to the police
    if state.absence_start(reported) != counted:
        return []
    once = (*DAY_ONE, FORMS)
    held = frozenset(
        d.action
        for e in state.episodes
        if e.episode_id != carrier.episode_id and state.absence_start(e) == counted
        for d in e.duties
        if d.action in once  # owed, done, or stood down by a closure (7.24)
    )
    ctx = Context(directory, at, cause, found)
    if ctx.placing is not Placing.PLACED_IN:
        day_one(ctx, held, since=counted)
    if FORMS not in held:
        forms(ctx, first_episode=counted == min(state.absence_starts()))
    return ctx.decisions


def _check_placement_notice(ctx: Context, placement: Placement) -> None:
    # cross_border imports this module: imported when needed, not at its top.
    from hub.routing.rules.cross_border import check_placement_notice

    check_placement_notice(ctx, placement)


def _significant_risk_meeting(
    state: ChildState,
    episode: Episode,
    new: list[Episode],
    directory: Directory,
    at: datetime,
    cause: str,
) -> tuple[Episode, list[Decision]]:
    """7.17's meeting for the new absence `episode` carries (its last report). One owed under
    it, not yet held, for a grading of the absence the child came back from (carried on with
    its search: `risk.search_carried_over`) is no longer needed (7.22: "if the child has not
    returned"), unless a report of the new absence grades the child high (this one, or an
    earlier one whose search it took over: the absence's grading, `ChildState.graded_high`):
    then it is the new absence's, due no later than its own would be. Graded high, with none
    owed (7.17's held for the other absence: `strategy.significant_risk_meeting_held`), the
    new absence owes its own, within 24 hours of its start, unless held under a report of it
    (`new`)."""
    if not any((state.episode(e.episode_id) or e).high_risk for e in new):
        # And 8.11's discussion, for a child placed here graded high in the other absence.
        episode = stand_down_meeting(episode, CHILD_PROTECTION, at)
        return stand_down_meeting(episode, SIGNIFICANT_RISK_MEETING, at), []
    ctx = Context(directory, at, cause, episode)
    if not _owed_or_held(state, episode, new, SIGNIFICANT_RISK_MEETING):
        significant_risk_meeting(ctx)
        return episode, ctx.decisions
    # 8.11: so too the discussion of a child placed here, owed under it or held under a
    # report of the new absence; one held for the other absence is not this one's (a second
    # force's report convened none beside it: `chairs.discussion_held`).
    discussed = _owed_or_held(state, episode, new, CHILD_PROTECTION)
    if ctx.placing is Placing.PLACED_IN and not discussed and not adult_care_leaver(episode):
        hours = directory.timescales.first_strategy_meeting_hours
        child_protection_discussion(ctx, max(episode.absence_started + timedelta(hours=hours), at))
    return episode, ctx.decisions


def _owed_or_held(state: ChildState, episode: Episode, new: list[Episode], meeting: str) -> bool:
    """The meeting is owed under `episode`, or held under a report of the new absence (`new`),
    and not stood down."""
    return any(
        d.action == Action.CONVENE_STRATEGY_MEETING
        and d.meeting == meeting
        and d.stood_down_at is None
        and (e.episode_id == episode.episode_id or d.done_at is not None)
        for e in new
        for d in (state.episode(e.episode_id) or e).duties
    )


def _first_meetings(episode: Episode, directory: Directory) -> tuple[str, ...]:
    """The meetings the 24-hour timer convenes (`strategy.on_missing_24h`): 7.18's, and
    7.22's first within 72 hours or 48 (high risk, CSE); and 7.22's first as a grading
    brings it forward (`risk._first_meeting_brought_forward`: "48-hour (brought forward:
    ...)", or held at once past 48 hours, "day N (high risk)"), by the names the episode
    holds (one held at once is named by its day)."""
    ts = directory.timescales
    hours = (ts.strategy_meeting_within_hours, ts.strategy_meeting_within_hours_high_risk)
    brought = tuple(
        f"{ts.strategy_meeting_within_hours_high_risk}-hour (brought forward: {why})"
        for why in BROUGHT_FORWARD_FOR
    )
    at_once = {
        d.meeting
        for d in episode.duties
        if d.meeting is not None and d.meeting.endswith(HELD_AT_ONCE)
    }
    return (TWENTY_FOUR_HOUR_MEETING, *(f"{h}-hour" for h in hours), *brought, *sorted(at_once))


def _ladder_meeting(meeting: str | None) -> bool:
    """A meeting of 7.22's ladder, by its name (`strategy.on_strategy_meeting`: "day 7",
    "day 10" ...), not a first meeting held at once past 48 hours ("day 3 (high risk)")."""
    return meeting is not None and meeting.startswith("day ") and meeting[4:].isdigit()


def _rungs_before(start: datetime, until: datetime, directory: Directory) -> int:
    """How many of the ladder's meetings (day 7, day 10 ...: `strategy.meeting_day`),
    counted from `start`, fell due before `until`."""
    n = 0
    while meeting_day(start, n + 1, directory) < until:
        n += 1
    return n


def _read(episode: Episode) -> datetime:
    return episode.read_at or episode.clock_started


def _not_reported_again(state: ChildState, back: datetime, directory: Directory) -> ChildState:
    """A report read as a force's new absence because that force had reported the absence
    it came in (`strategy.reported_again`), that force's report now known to be of an
    earlier absence, the child back from it before the others began (a found report read
    late): the force had not reported the absence those others began, so its report is
    another force's sight of it (7.22: one absence however many forces report it), taking
    their search over as it would have (`absence_began`, re-timed from that absence's start
    by `a_new_absence` as any report carried on across the return)."""
    for report in state.episodes:
        if report.absence_began is not None or _back_again(state, back, report):
            continue
        marked = [e for e in state.episodes if e.reported_again_at == report.clock_started]
        still = [e for e in marked if back <= e.clock_started]  # of the absence begun since
        if len(still) == len(marked) or not still:
            continue  # the return changes nothing of what the report was read against
        force = reporting_force(report, directory)
        if any(reporting_force(e, directory) == force for e in still):
            continue  # the force had reported the absence begun since: still a new one
        for e in marked:
            state = state.with_episode(replace(e, reported_again_at=None))
        began = min(e.absence_started for e in marked)  # re-timed by `a_new_absence`
        state = state.with_episode(replace(report, absence_began=began))
    return state


def _back_again(state: ChildState, back: datetime, report: Episode) -> bool:
    """The child known back again since `back`, before `report` began (another report's
    found report read before this one, `ChildState.returns`): `report` is of a later absence
    than the one begun after `back`, whichever found report was read first (1.4)."""
    return state.back_between(back, report.clock_started, but=report.episode_id)


def searched(episode: Episode) -> bool:
    """Not found, nor returned as its host authority said (8.4), nor closed (7.24): the
    child may still be searched for under it (unless it came back from it unreported:
    `search_ended`, which changes nothing twice)."""
    return episode.back_at is None and episode.closed_at is None


def search_ended(episode: Episode, since: datetime, at: datetime, back: bool = True) -> Episode:
    """The episode with the child no longer missing from `since` (found, or missing again
    from there, so back before): its timers stop, its meetings not yet held are no longer
    needed (7.22: "if the child has not returned"), nor 6.8's notices decided after `since`
    of a child then thought still missing (for 24 hours, 3 months, at 18) who was not,
    nor the host force's search (3.9), nor a risk disagreement still open (6.7: over the
    risk "posed to a missing child"; its 12-hour timer stops with the others), nor the
    partners' share of the missing child (6.4: shared as found instead), nor RISE's alert of
    it (6.6: told of the return instead). Stood down
    when the hub reads it (`at`): a report read late stands down what the timers decided
    meanwhile too. Not `back`: another force's report took the search over, the child
    still missing, and a disagreement still open stays owed, its 12 hours running."""
    not_missing = stand_down_decided_after(episode, NOTICES_WHILE_MISSING, since, at)
    ended_with = (
        SEARCH_NOTICES | RISK_DISAGREEMENT_DUTIES | SHARED_WHILE_MISSING if back else SEARCH_NOTICES
    )
    not_missing = stand_down(not_missing, ended_with, at)
    kept = () if back else tuple(t for t in episode.timers if t.name == RISK_DISAGREEMENT)
    return replace(stand_down_meetings(not_missing, at), timers=kept)


def missing_again(
    state: ChildState, episode: Episode, directory: Directory, at: datetime
) -> tuple[ChildState, tuple[Timer, ...]]:
    """The child missing again in `episode` had come back from every episode that began
    before it (1.4: one child is missing once at a time), and the timers those no longer
    need. One never reported found is searched for no more (its found report, when it
    comes, still brings the return interview); one whose return interview was still in its
    72 hours, closed (7.24) or not, is not chased while the child is gone: the next return
    owes the interview (5.12: "within 72 hours of the child returning"), which covers it; nor
    is a trusted adult's interview offered in its stead when the child declined (5.15).
    Missing again no later than the hub read its report (`clock_started`): a start typed
    ahead must not leave the last return's interview chased while the child is gone."""
    since = episode.clock_started
    window = timedelta(hours=directory.timescales.return_interview_hours)
    cancelled: list[Timer] = []
    for before in state.episodes:
        # Begun no later than the hub read its report: a start typed ahead is no later one.
        if before.episode_id == episode.episode_id or before.clock_started > since:
            continue
        if searched(before):
            # A report of this very absence whose search `episode` took over: the child is
            # still missing, so a disagreement over its grading is still to resolve (6.7).
            same_absence = (
                episode.absence_began is not None
                and before.absence_started >= episode.absence_began
            )
            ended = search_ended(before, since, at, back=not same_absence)
        elif _interview_cut_short(before, since, window):
            ended, _ = before.without_timers(RETURN_INTERVIEW_TIMERS)
            ended = stand_down(ended, RETURN_INTERVIEW_DUTIES | TRUSTED_ADULT_OFFER, at)
        elif _offer_cut_short(before, since):
            ended = stand_down(before, TRUSTED_ADULT_OFFER, at)
        else:
            continue
        cancelled += [t for t in before.timers if t not in ended.timers]
        state = state.with_episode(ended)
    # And the interview the MCT held on a host's found notice with no MISPER report (8.4):
    # its follow-up stops with it (duties.follow_up).
    for notice in state.notices:
        if notice.episode_id != episode.episode_id and any(
            _notice_interview_cut_short(d, since, window) and not d.settled for d in notice.duties
        ):
            state = state.with_notice(interview_held_for_the_found_report_stood_down(notice, at))
    return state, tuple(cancelled)


def _notice_interview_cut_short(duty: Duty, since: datetime, window: timedelta) -> bool:
    """The interview held on a host's found notice, not given, whose 72 hours from the
    return it reported (its deadline) the child went missing again within, at `since`."""
    return (
        duty.action in HELD_FOR_THE_FOUND_REPORT
        and duty.recipient == HELD_BY
        and duty.done_at is None
        and duty.due - window <= since < duty.due
    )


def _interview_cut_short(episode: Episode, since: datetime, window: timedelta) -> bool:
    """The child went missing again at `since`, within the 72 hours the return interview of
    this episode had, before it was given: counted as its deadline is, from the return or
    from when the hub heard of it, if a return typed ahead says later (`Episode.clock_back`)."""
    returned = episode.clock_back
    # Closed (7.24) with the child back (the host's word, 8.4, or a found report read after
    # the closure), the interview is owed all the same (answers.on_episode_closed).
    if returned is None or episode.return_interviewed:
        return False
    return returned <= since < returned + window


def _offer_cut_short(episode: Episode, since: datetime) -> bool:
    """5.15: the child declined the return interview of this episode, and was to be offered
    a trusted adult's in its stead "within a few hours", not yet done, when it went missing
    again at `since` (after the interview's own 72 hours): it cannot be done while the child
    is gone, and the next return's interview owes one anyway (5.12)."""
    returned = episode.clock_back  # as `_interview_cut_short`
    return (
        returned is not None
        and returned <= since
        and any(d.action in TRUSTED_ADULT_OFFER and not d.settled for d in episode.duties)
    )


def gone_again(state: ChildState, episode: Episode, directory: Directory) -> bool:
    """The child went missing again within the 72 hours this episode's return interview had,
    before it was given: the interview is the next return's to cover (5.12, `missing_again`),
    not one to hand on or chase while the child is gone. Gone no later than the hub read
    that report (`clock_started`, as `missing_again` counts it)."""
    window = timedelta(hours=directory.timescales.return_interview_hours)
    return any(
        _interview_cut_short(episode, other.clock_started, window)
        for other in state.episodes
        if other.episode_id != episode.episode_id
    )


def interviews_not_given(state: ChildState, episode: Episode, directory: Directory) -> list[str]:
    """The episodes, before this one, whose return interview the child went missing again
    before giving, one after another: this return's interview covers them (5.12)."""
    window = timedelta(hours=directory.timescales.return_interview_hours)
    since, carried = episode.clock_started, []  # as `missing_again` counts it
    # Latest first as the hub read them: the state keeps them by their starts as typed, and
    # one typed ahead must not come first and end the run before the one cut short.
    for before in sorted(reversed(state.episodes), key=lambda e: e.clock_started, reverse=True):
        if before.clock_started >= since:  # as `missing_again` orders them
            continue
        if not _interview_cut_short(before, since, window):
            break
        carried.append(before.episode_id)
        since = before.clock_started
    # a host's found notice's, whose MISPER report never came (8.4)
    carried += [
        notice.episode_id
        for notice in state.notices
        if notice.episode_id != episode.episode_id
        and any(_notice_interview_cut_short(d, since, window) for d in notice.duties)
    ]
    return carried[::-1]


def on_placing_authority_handover_unconfirmed(ctx: Context, timer: Timer) -> list[Timer]:
    """8.10: the placing authority has not confirmed it will do the return interview. The MCT
    is told to be ready to do it within the 72 hours, and the Service Manager (CSE and
    Missing) to chase the placing authority, who is reminded."""
    due = ctx.episode.clock_back  # 5.12: as the interview's own deadline was set
    assert due is not None  # the timer is only scheduled when the child is back
    iri_due = due + timedelta(hours=ctx.directory.timescales.return_interview_hours)
    ctx.tell(
        "mct",
        "return_interview_handover_unconfirmed",
        "8.10",
        "The placing authority has not confirmed it will conduct the return interview: "
        "be ready to conduct it before the deadline.",
        due=iri_due,
    )
    # Not in the text: the Service Manager (CSE and Missing) is the one 8.12 has write to a
    # placing authority about a child placed here, and 1.11 gives missing children to them.
    ctx.tell(
        "cse_missing_service_manager",
        "chase_placing_authority",
        "8.10",
        "The placing authority has not confirmed the return interview handover: contact it.",
        # 3.10: a day manager, due when the day teams open if decided at night
        due=at_once_or_at_opening(ctx, "cse_missing_service_manager"),
    )
    ctx.tell(
        "placing_authority",
        "confirm_return_interview",
        "8.10",
        "Please confirm you will conduct the return interview of the "
        f"{young_person_or(ctx.episode, 'child')} you placed here, due soon.",
        due=iri_due,
    )
    return []


def on_return_interview_overdue(ctx: Context, timer: Timer) -> list[Timer]:
    """The interview's owner is told it is overdue, and so is the owner's manager: for the
    MCT and the OOC Engagement Worker, the RISE/MCT Service Manager (6.7 names that manager
    for the MCT; 1.11 gives the RISE Service Manager missing children; 5.16 puts the OOC worker
    and the MCT worker under a line manager alike). The allocated team takes the interview
    only when the MCT says it cannot be done (MCT practice guidance), not because it is late."""
    owner, paragraph = return_interview_owner(ctx)
    ctx.tell(
        owner,
        "return_interview_overdue",
        paragraph,
        "The return interview was not completed within 72 hours of the child's return.",
        due=at_once_or_at_opening(ctx, owner),
    )
    if owner == "placing_authority":
        ctx.tell(
            "mct",
            "return_interview_overdue",
            "8.10",
            "The placing authority's return interview for the "
            f"{young_person_or(ctx.episode, 'child')} it placed here is overdue.",
            due=at_once_or_at_opening(ctx, "mct"),
            owner=owner,
        )
        return []
    if owner == "ooc_engagement_worker":
        ctx.tell(
            "mct",
            "return_interview_overdue",
            "MCT-PG",
            "The OOC Engagement Worker's return interview is overdue: complete it, or tell "
            "the allocated social work team at once if there is no capacity.",
            due=at_once_or_at_opening(ctx, "mct"),
            owner=owner,
        )
    ctx.tell(
        "rise_mct_service_manager",
        "return_interview_overdue",
        paragraph,
        f"The return interview ({owner}) is overdue.",
        due=at_once_or_at_opening(ctx, "rise_mct_service_manager"),
        owner=owner,
    )
    _iro_of_a_child_placed_out(ctx, owner)
    return []


def _iro_of_a_child_placed_out(ctx: Context, owner: str) -> None:
    """8.7: "The IRO should inform the relevant team manager of any ... Independent Return
    Interviews for children placed out of county [that] have not been managed in accordance
    with these procedures"."""
    if ctx.placing is Placing.PLACED_OUT and ctx.episode.looked_after:
        ctx.tell(
            "iro",
            "return_interview_overdue",
            "8.7",
            "The return interview of a child in our care placed out of county is overdue: "
            "inform the relevant team manager.",
            owner=owner,
        )


def allocated_team(ctx: Context) -> tuple[str, str]:
    """MCT practice guidance: "If the OOC Engagement Worker is unable to complete the IRI and
    there is no capacity within the MCT ..., the MCT must notify the allocated social work
    team immediately." A child placed here has its team in the placing authority (8.10); a
    child with no allocated team has MASH (as 7.18 names MASH where there is no team)."""
    if ctx.placing is Placing.PLACED_IN:
        return "placing_authority", "8.10"
    return ("team_manager" if has_our_worker(ctx) else "mash_manager"), "MCT-PG"


def ask_the_mct(ctx: Context) -> None:
    """MCT practice guidance: "If the OOC Engagement Worker is unable to complete the IRI and
    there is no capacity within the MCT to complete the IRI, the MCT must notify the allocated
    social work team": the OOC worker unable, the MCT completes it if it can, and only the
    MCT, with no capacity, hands it on (its own cannot_complete). The 72-hour chase stays,
    and tells the MCT (on_return_interview_overdue)."""
    found_at = ctx.episode.clock_back  # 5.12: the interview runs from the return (8.4)
    assert found_at is not None  # an interview result needs a found or returned episode
    ctx.tell(
        "mct",
        "complete_return_interview",
        "MCT-PG",
        "The OOC Engagement Worker cannot complete the return interview: complete it within "
        "72 hours of the child's return or, with no capacity in the MCT, say so at once and "
        "the allocated social work team is told.",
        due=found_at + timedelta(hours=ctx.directory.timescales.return_interview_hours),
    )


def hand_to_allocated_team(ctx: Context) -> list[Timer]:
    """The MCT says the interview cannot be done: the allocated team must do it, still within
    72 hours of the return; if late, that team's Service Manager (7.18) is told."""
    found_at = ctx.episode.clock_back  # 5.12: the interview runs from the return (8.4)
    assert found_at is not None  # an interview result needs a found or returned episode
    due = found_at + timedelta(hours=ctx.directory.timescales.return_interview_hours)
    team, paragraph = allocated_team(ctx)
    handed_before = ctx.episode.times_owed(Action.COMPLETE_RETURN_INTERVIEW)
    ctx.tell(
        team,
        "complete_return_interview",
        paragraph,
        "Neither the OOC Engagement Worker nor the MCT can complete the return interview: "
        "your team must, within 72 hours of the child's return.",
        due=due,
    )
    # Handed over after the 72 hours (or read late), the team and its manager are chased at
    # once, not never; handed over again, chased again (numbered by the handovers before).
    late = max(due, ctx.at)
    episode_id = ctx.episode.episode_id
    return [Timer(TEAM_RETURN_INTERVIEW_OVERDUE, episode_id, late, paragraph, handed_before)]


# Who is told when the team that took the interview over is late: the team, and its manager.
# 7.18 names "the Service Manager of the allocated team"; MASH's manager answers to the
# RISE/MCT Service Manager (6.7); a placing authority's lateness is our MCT's to know (8.10),
# which the interview's own lateness tells it too.
_LATE_TEAM_AND_MANAGER = {
    "team_manager": ("service_manager", "7.18"),
    "mash_manager": ("rise_mct_service_manager", "6.7"),
    "placing_authority": ("mct", "8.10"),
}


def on_team_return_interview_overdue(ctx: Context, timer: Timer) -> list[Timer]:
    team, paragraph = allocated_team(ctx)
    manager, why = _LATE_TEAM_AND_MANAGER[team]
    summary = (
        "The return interview handed to the allocated team was not completed within 72 "
        "hours of the child's return."
    )
    ctx.tell(
        team, "return_interview_overdue", paragraph, summary, due=at_once_or_at_opening(ctx, team)
    )
    ctx.tell(
        manager,
        "return_interview_overdue",
        why,
        summary,
        due=at_once_or_at_opening(ctx, manager),
        owner=team,
    )
    _iro_of_a_child_placed_out(ctx, team)
    return []


class Told(NamedTuple):
    """Those told of an absence for work that goes on after it, who hear of its return:
    RISE (6.6), the Leaving Care Service (4.1) and the Home Office (4.3)."""

    rise: bool
    leaving_care: bool
    home_office: bool


def told_of_the_missing_told_of_the_return(
    ctx: Context, state: ChildState, found_by: FoundBy | None
) -> None:
    """Services told of the absence for work that goes on after it hear of the return, as
    the worker, the IRO and the placing authority do (notices): RISE, told of a missing child
    at risk of sexual exploitation (6.6), and the Leaving Care Service, told of a care leaver
    whose needs it may re-assess (4.1). Told of it under any report of the absence, once an
    absence, however many forces report it (`_owed_word_of_the_return`). `state`: with the
    episode back (`ctx.episode`)."""
    # Who found the child, when a found report says it: the host's word of the return does not.
    facts: dict[str, Detail] = {} if found_by is None else {"found_by": found_by.value}
    owed = _owed_word_of_the_return(ctx, state)
    if owed.rise:
        ctx.tell(
            "rise",
            "child_found",
            "6.6",
            "The child with a CSE risk marker reported missing has been found: for your work "
            "on the exploitation risk after the return.",
            facts=facts,
        )
    if owed.leaving_care:
        ctx.tell(
            "leaving_care",
            "child_found",
            "4.1",
            "The care leaver reported missing has returned: re-assess the young person's "
            "needs and support in the light of the return.",
            facts=facts,
        )


def _owed_word_of_the_return(ctx: Context, state: ChildState) -> Told:
    """Who hears now of the return from the absence `ctx.episode` reports: told of it under
    this report or another still searched (a second force's report alone may carry the CSE
    marker, or say the child is a care leaver or asylum-seeking: its alert stands down with
    this return, 1.4, and only this report's return is heard of), and not told of the
    return already (`told_of_the_return_already`). `state`: with the episode back."""
    told = _told_of_the_absence_when_back(ctx, state, ctx.episode)
    already = told_of_the_return_already(ctx, state)
    return Told(*(now and not before for now, before in zip(told, already, strict=True)))


def _told_of_the_absence_when_back(ctx: Context, state: ChildState, returned: Episode) -> Told:
    """Who the hub had told of the absence when the child came back under `returned`: under
    its own report, or another of the absence read by then and not yet back from (each
    searched until located, 1.4). The Home Office hears of the return only from a found
    report (4.3), not from the host's word of it (8.4)."""
    back = returned.back_read_at or returned.clock_back
    assert back is not None  # told only once the child is back
    start = state.absence_start(returned)
    reports = [
        e
        for e in state.episodes
        if e.episode_id == returned.episode_id
        or (
            state.absence_start(e) == start
            and (e.read_at is None or e.read_at <= back)
            and _not_back_by(e, back)
        )
    ]
    contexts = [Context(ctx.directory, ctx.at, ctx.cause, e) for e in reports]
    return Told(
        rise=any(rise_told(e) for e in reports),
        leaving_care=any(leaving_care_told(c) for c in contexts),
        home_office=returned.found_at is not None and any(home_office_told(e) for e in reports),
    )


def _not_back_by(episode: Episode, at: datetime) -> bool:
    """The child not yet back from `episode`'s report at `at`, as the hub knew it then."""
    back = episode.back_read_at or episode.clock_back
    return back is None or back > at


def told_of_the_return_already(ctx: Context, state: ChildState) -> Told:
    """Whether RISE (6.6), the Leaving Care Service (4.1) and the Home Office (4.3) heard of
    the return from the absence `ctx.episode` reports already, under another report of it (a
    second force's: one absence, one return, 7.22), the child back under it before: told at
    its found report or its host's word, as told of its absence under any report then
    searched (`_told_of_the_absence_when_back`); or at this report's MISPER report, or the
    risk update marking it, read once the child was back (missing._specific_circumstances,
    risk._rise_told_of_the_marker, risk._marked_since_reported: "has been found"). A report
    read after that return, the child missing again by then, alerted them of a missing child
    after they heard of the return: they hear of its own return, once."""
    episode, start = ctx.episode, state.absence_start(ctx.episode)
    said_back = _read_once_back(state, episode)
    # Marked only once the child was back: told then that the child had been found. So too
    # read after the host's word of its return, when the child was certainly back then.
    told = Told(
        rise_told_found(episode),
        _read_back_on_the_hosts_word(state, episode),
        home_office_told_found(episode),
    )
    for other in state.episodes:
        back = other.back_read_at or other.clock_back
        if other.episode_id == episode.episode_id or back is None:
            continue
        if state.absence_start(other) != start:
            continue
        if episode.read_at is not None and back <= episode.read_at:
            # This report read after that return: told so with the absence itself, unless
            # the child was missing again then (alerted of a missing child instead).
            then = Told(said_back, said_back, said_back)
        else:
            then = _told_of_the_absence_when_back(ctx, state, other)
        told = Told(*(a or b for a, b in zip(told, then, strict=True)))
    return told


def _returned_before_its_report(episode: Episode) -> bool:
    """The host's word of the return (8.4) came before the hub read the MISPER report, held
    for it: no report of the absence open then under this one, RISE and the Leaving Care
    Service were not told of the return at the host's word (cross_border._returned), but,
    as the report was read, of a child missing or one back (`_read_back_on_the_hosts_word`)."""
    read, heard = episode.read_at, episode.back_read_at
    if episode.returned_at is None or read is None or heard is None:
        return False  # no host's word, or a state stored before
    return heard < read


def _read_back_on_the_hosts_word(state: ChildState, episode: Episode) -> bool:
    """Whether the hub read `episode`'s MISPER report once the child was certainly back on
    the host's word of the return, as missing.py judged it then: the word came first
    (`_returned_before_its_report`), and no report the hub had read by then began after
    this one (a later one may be the child missing again)."""
    read = episode.read_at
    if read is None or not _returned_before_its_report(episode):
        return False
    known = [e for e in state.episodes if e.read_at is None or e.read_at <= read]
    return all(e.clock_started <= episode.clock_started for e in known)


def _read_once_back(state: ChildState, episode: Episode) -> bool:
    """Whether the hub read `episode`'s MISPER report once the child was certainly back, as
    missing.py judged it then (`ChildState.back_from`): located under another report since
    it began, and no report begun since among those the hub had read by then."""
    read = episode.read_at
    if read is None:  # a state stored before
        return False
    known = [
        e
        for e in state.episodes
        if e.episode_id != episode.episode_id and (e.read_at is None or e.read_at <= read)
    ]
    backs = [
        back
        for e in known
        if (back := e.clock_back) is not None
        and (e.back_read_at or back) <= read
        and episode.clock_started < back
    ]
    return bool(backs) and all(e.clock_started < max(backs) for e in known)


def _visit_the_found_child(looked_after: bool) -> str:
    """MCT-PG: the social worker visits "as soon after the missing episode as possible to talk
    about why they went missing and consider any current or possible risks"; 8.4's review of
    the placement only for a child in care (a child at home has none). The summary is no part
    of the notification's id."""
    visit = (
        "Your child has been found: visit as soon as possible to talk about why they went "
        "missing and consider any current or possible risks"
    )
    if looked_after:
        return f"{visit}, and review whether the placement remains appropriate."
    return f"{visit}."
