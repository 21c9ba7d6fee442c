"""Return interview results and the police prevention interview (5.12-5.19, 7.7, 7.8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hub.contracts.events import PreventionInterviewCompleted, ReturnInterviewResult
from hub.contracts.notification import Detail
from hub.contracts.vocabulary import (
    EpisodeAssessment,
    Interviewer,
    ReturnInterviewOutcome,
)
from hub.routing.context import Context
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Episode, Outcome, RetiredEpisode, Timer
from hub.routing.placing import Placing
from hub.routing.rules.duties import (
    HANDOVER_CHASE,
    RETURN_INTERVIEW_DUTIES,
    discharge,
    stand_down,
)
from hub.routing.rules.episode_access import found_episode
from hub.routing.rules.found import (
    IRI_PARAGRAPH,
    RETURN_INTERVIEW_OVERDUE,
    RETURN_INTERVIEW_TIMERS,
    TEAM_RETURN_INTERVIEW_OVERDUE,
    TRUSTED_ADULT_OFFER,
    allocated_team,
    ask_the_mct,
    gone_again,
    hand_to_allocated_team,
    return_interview_owner,
)
from hub.routing.rules.roles import (
    SOCIAL_WORK,
    has_our_worker,
    social_worker_or,
    young_person_or,
)

# Completed, the interview's timers end; handed to the allocated team, it has its own (a
# second handover's replacing the first's, so that the team is chased once). Declined, they
# end too: the interview was offered (5.12, 5.14), and what 5.15 has follow a refusal is
# the social worker's follow-up or a trusted adult's offer (its own duty, followed up), not
# the interview "not completed" to report at 72 hours, nor a handover to confirm (8.10).
# The refusal is no interview given (`Episode.return_interviewed`, 5.16's count): the
# interview's duties are stood down by it, not done, so none is owed, or overdue, for good
# (the console's deadlines); given after all (a trusted adult's, 5.15), by its result or its
# owner's answer (answers.on_duty_completed), they are done.
_CANCELLED_BY: dict[ReturnInterviewOutcome, frozenset[str]] = {
    ReturnInterviewOutcome.COMPLETED: RETURN_INTERVIEW_TIMERS,
    ReturnInterviewOutcome.DECLINED: RETURN_INTERVIEW_TIMERS,
    ReturnInterviewOutcome.CANNOT_COMPLETE: frozenset(
        {RETURN_INTERVIEW_OVERDUE, TEAM_RETURN_INTERVIEW_OVERDUE}
    ),
}


def interviewer_role(ctx: Context, interviewer: Interviewer) -> str:
    """The role of whoever did the interview. A trusted adult stands in at the MCT's request
    (5.15), so the MCT acts for them."""
    match interviewer:
        case Interviewer.OOC_ENGAGEMENT_WORKER:
            return "ooc_engagement_worker"
        case Interviewer.ALLOCATED_TEAM:
            return allocated_team(ctx)[0]
        case Interviewer.PLACING_AUTHORITY:
            return "placing_authority"
    return "mct"


def on_return_interview(
    state: ChildState,
    event: ReturnInterviewResult,
    directory: Directory,
    at: datetime,
    cause: str,
) -> Outcome:
    episode = found_episode(state, event.episode_id)
    outcome = event.outcome
    declines = episode.return_interview_declines
    if outcome is ReturnInterviewOutcome.DECLINED:
        declines += 1
        episode = replace(episode, return_interview_declines=declines)
    # MCT practice guidance: the OOC worker unable, the interview is the MCT's to do or to
    # hand on; its chase stays.
    ooc_unable = (
        outcome is ReturnInterviewOutcome.CANNOT_COMPLETE
        and event.interviewer is Interviewer.OOC_ENGAGEMENT_WORKER
    )
    updated, cancel = episode.without_timers(frozenset() if ooc_unable else _CANCELLED_BY[outcome])
    ctx = Context(directory, at, cause, updated)
    _read_otherwise_than_sent(ctx, event)
    schedule: tuple[Timer, ...] = ()
    match outcome:
        case ReturnInterviewOutcome.COMPLETED:
            _share_completed(ctx, event)
            # Its result is the interview's completion (5.12): those duties are done.
            # Those a refusal stood down too (5.15): the interview given after all.
            when, refused = event.completed_at or event.recorded_at, declines > 0
            updated = discharge(
                updated, RETURN_INTERVIEW_DUTIES, when, event.interviewer.value, refused
            )
            # A trusted adult offered after a refusal (5.15) is no longer needed, nor a
            # handover's confirmation chased (8.10).
            updated = stand_down(updated, TRUSTED_ADULT_OFFER | HANDOVER_CHASE, at)
        case ReturnInterviewOutcome.DECLINED:
            # Offered and refused: nothing to do, chase or confirm (8.10) of the interview.
            updated = stand_down(updated, RETURN_INTERVIEW_DUTIES | HANDOVER_CHASE, at)
            gone = gone_again(state, episode, directory)
            _declined(ctx, event, declines_in_a_row(state, updated), gone)
        case ReturnInterviewOutcome.CANNOT_COMPLETE if gone_again(state, episode, directory):
            # 5.12: the child went missing again before the interview could be given: the
            # next return's interview covers it (found.missing_again); nobody is handed it,
            # or chased for it, while the child is gone.
            pass
        case ReturnInterviewOutcome.CANNOT_COMPLETE if ooc_unable:
            ask_the_mct(ctx)
        case ReturnInterviewOutcome.CANNOT_COMPLETE:
            schedule = tuple(hand_to_allocated_team(ctx))
            updated = replace(updated, timers=(*updated.timers, *schedule))
    return Outcome(
        state.with_episode(updated), tuple(ctx.decisions), schedule=schedule, cancel=cancel
    )


def _read_otherwise_than_sent(ctx: Context, event: ReturnInterviewResult) -> None:
    """A result the hub read otherwise than sent (`ReturnInterviewResult.read_as`: completed
    after it was recorded, read as recorded, 5.12) was taken, not refused, and its findings
    shared: whoever did the interview is told what the hub read, to correct its record. No
    deadline: nothing of the child waits on it."""
    if not event.read_as:
        return
    said = "; ".join(f"{r.field} {r.sent} as {r.read}" for r in event.read_as)
    ctx.tell(
        interviewer_role(ctx, event.interviewer),
        event.CHECK,
        IRI_PARAGRAPH,
        f"Your return interview's result was taken and its findings shared, reading {said}: "
        "an interview is completed no later than it is recorded. Correct your record.",
        facts=event.read_as_facts(),
    )


def _share_completed(ctx: Context, event: ReturnInterviewResult) -> None:
    episode, assessment = ctx.episode, event.assessment
    facts: dict[str, Detail] = {
        "assessment": assessment.value if assessment else None,
        # 5.15: a trusted adult's interview is made clear to be no formal one, whatever the
        # sender left `formal_interview` as (it defaults to true).
        "formal_interview": event.formal_interview
        and event.interviewer is not Interviewer.TRUSTED_ADULT,
        # each factor once, however often the sender listed it (the fact has a length limit)
        "push_factors": ",".join(dict.fromkeys(f.value for f in event.push_factors)) or None,
        "pull_factors": ",".join(dict.fromkeys(f.value for f in event.pull_factors)) or None,
    }
    ctx.tell(
        "reporting_police",
        "return_interview_shared",
        "5.18",
        "Return interview information, shared with the police.",
        facts=facts,
    )
    share_with_worker_and_iro(
        ctx,
        "return_interview_shared",
        facts,
        worker=(
            "7.8",
            "Return interview information for your ongoing work; record arising "
            "actions and decide who else receives it (5.19).",
        ),
        iro="Return interview information for a child in care.",
        theirs=event.interviewer is Interviewer.PLACING_AUTHORITY,
    )
    if not episode.known:
        # 5.17: "a MASH referral will be completed by the worker who completed the return
        # interview".
        ctx.tell(
            interviewer_role(ctx, event.interviewer),
            "make_mash_referral",
            "5.17",
            "Not known to children's services: complete a MASH referral; a new record is created.",
            assessment=facts["assessment"],
        )
    _refer_on(ctx, assessment)


def _refer_on(ctx: Context, assessment: EpisodeAssessment | None) -> None:
    """7.7: what the interview found decides the referral, which "the Missing Children
    Co-ordinator will" make (the hub does not hold the interview to send it on)."""
    match assessment:
        case EpisodeAssessment.NOT_SIGNIFICANT_NO_VULNERABILITIES:
            ctx.tell(
                "mct",
                "consider_advice_and_support",
                "7.7",
                "Episode not significant, no vulnerabilities: consider offering advice "
                "and support to the child and parents.",
            )
        case EpisodeAssessment.NOT_SIGNIFICANT_WITH_VULNERABILITIES:
            ctx.tell(
                "mct",
                "refer_to_adolescent_targeted_support",
                "7.7",
                "Episode not significant but vulnerabilities identified: refer the child to "
                "the Adolescent Targeted Support team.",
            )
        case EpisodeAssessment.SIGNIFICANT:
            ctx.tell(
                "mct",
                "refer_to_mash_for_initial_assessment",
                "7.7",
                "Significant missing episode: refer the child to MASH for an Initial Assessment.",
                due=ctx.at,
            )


# 5.15: "a child in care or a child living at home but who is already receiving support from
# a social worker": a plan of social work (roles.SOCIAL_WORK). An Early Help worker or a
# care leaver's personal adviser is not a social worker; that child is offered a trusted adult.


def _social_worker(ctx: Context) -> str:
    """Who follows a refusal up with the child (5.15): its social worker, ours or, for a
    child placed here, the placing authority's (8.10); "" for a child without one."""
    if ctx.episode.report.legal_status not in SOCIAL_WORK:
        return ""
    return social_worker_or(ctx, "")


def declines_in_a_row(state: ChildState, episode: Episode) -> int:
    """5.16 "continues to decline": the child's refusals since the last return interview
    it gave, in this episode and the ones before it, retired ones included. A child
    declining once in each of three episodes continues to decline as much as one declining
    three times in one. Ordered as the hub read them (`clock_started`): a start typed ahead is
    no later episode."""
    start = episode.clock_started
    earlier: list[Episode | RetiredEpisode] = [
        *(e for e in state.episodes if e.clock_started < start),
        *(r for r in state.retired if r.clock_started < start),
    ]
    count = episode.return_interview_declines
    for past in sorted(earlier, key=lambda e: e.clock_started, reverse=True):
        if past.return_interviewed:
            break
        count += past.return_interview_declines
    return count


def _declined(ctx: Context, event: ReturnInterviewResult, in_a_row: int, gone: bool) -> None:
    """`gone`: the child went missing again within the interview's 72 hours (read before
    this): a trusted adult cannot interview a child who is not there, and the next return's
    interview covers this one (5.12), as had this been read first (found.missing_again)."""
    worker = _social_worker(ctx)
    if worker:
        ctx.tell(
            worker,
            "follow_up_declined_return_interview",
            "5.15",
            "The child declined the return interview: follow up with the child why they "
            "went missing and what happened.",
        )
    elif not gone:
        hours = ctx.directory.timescales.trusted_adult_interview_hours
        ctx.tell(
            "mct",
            "offer_trusted_adult_interview",
            "5.15",
            "The child declined: ask whether another trusted adult (e.g. a teacher) "
            "could do the interview, within a few hours.",
            due=ctx.clock_from(event.recorded_at) + timedelta(hours=hours),
        )
    if in_a_row >= 2:
        owner, _ = return_interview_owner(ctx)
        ctx.tell(
            # 5.16: "the MCT worker / Out of County Missing Engagement Worker and their line
            # manager should consider" a MASH referral.
            owner if owner == "ooc_engagement_worker" else "mct",
            "consider_mash_referral_after_declines",
            "5.16",
            "The child continues to decline: with your line manager, consider a MASH "
            "referral to assess the risk of harm.",
        )


def on_prevention_interview(
    state: ChildState,
    event: PreventionInterviewCompleted,
    directory: Directory,
    at: datetime,
    cause: str,
) -> Outcome:
    episode = found_episode(state, event.episode_id)
    ctx = Context(directory, at, cause, episode)
    facts: dict[str, Detail] = {"concerns_identified": event.concerns_identified}
    ctx.tell(
        "mct",
        "prevention_interview_shared",
        "5.18",
        "Prevention Interview completed: information shared with children's services.",
        facts=facts,
    )
    share_with_worker_and_iro(
        ctx,
        "prevention_interview_shared",
        facts,
        worker=("5.18", "Prevention Interview completed for your child."),
        iro="Prevention Interview completed for a child in care.",
    )
    return Outcome(state, tuple(ctx.decisions))


def share_with_worker_and_iro(
    ctx: Context,
    action: str,
    facts: dict[str, Detail],
    *,
    worker: tuple[str, str],
    iro: str,
    theirs: bool = False,
) -> None:
    """5.18: what an interview found goes to the child's social worker and, for a child in
    care, the IRO. A child placed here by another authority has neither here: the placing
    authority, whose they are, is sent it (8.10), unless it did the interview itself
    (`theirs`)."""
    if ctx.placing is Placing.PLACED_IN:
        if not theirs:
            ctx.tell(
                "placing_authority",
                action,
                "5.18",
                f"For the {young_person_or(ctx.episode, 'child')} you placed here, for its "
                "social worker and IRO (8.10): " + worker[1],
                facts=facts,
            )
        return
    if has_our_worker(ctx):
        paragraph, summary = worker
        ctx.tell("allocated_worker", action, paragraph, summary, facts=facts)
    if ctx.episode.looked_after:
        ctx.tell("iro", action, "5.18", iro, facts=facts)
