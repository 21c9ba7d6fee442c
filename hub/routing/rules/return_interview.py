"""Return interview results and the police prevention interview (5.12-5.19, 7.7, 7.8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hub.contracts.events import PreventionInterviewCompleted, ReturnInterviewResult
from hub.contracts.notification import Detail
from hub.contracts.vocabulary import EpisodeAssessment, ReturnInterviewOutcome
from hub.routing.context import Context, Placing
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Outcome
from hub.routing.rules.episode_access import found_episode
from hub.routing.rules.found import RETURN_INTERVIEW_TIMERS


def on_return_interview(
    state: ChildState,
    event: ReturnInterviewResult,
    directory: Directory,
    at: datetime,
    cause: str,
) -> Outcome:
    episode = found_episode(state, event.episode_id)
    completed = event.outcome is ReturnInterviewOutcome.COMPLETED
    updated, cancel = episode.without_timers(RETURN_INTERVIEW_TIMERS if completed else ())
    updated = replace(
        updated, return_interview_declines=episode.return_interview_declines + (not completed)
    )
    ctx = Context(directory, at, cause, updated)
    if completed:
        _share_completed(ctx, event)
    else:
        _declined(ctx, event)
    return Outcome(state.with_episode(updated), tuple(ctx.decisions), cancel=cancel)


def _share_completed(ctx: Context, event: ReturnInterviewResult) -> None:
    episode, assessment = ctx.episode, event.assessment
    facts: dict[str, Detail] = {
        "assessment": assessment.value if assessment else None,
        "formal_interview": event.formal_interview,
        "push_factors": ",".join(f.value for f in event.push_factors) or None,
        "pull_factors": ",".join(f.value for f in event.pull_factors) or None,
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
    )
    if not episode.known:
        ctx.tell(
            "mash",
            "referral_after_return_interview",
            "5.17",
            "Not known to children's services: MASH referral by the interviewer; a new "
            "record is created.",
            assessment=facts["assessment"],
        )
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
                "ats",
                "adolescent_targeted_support_referral",
                "7.7",
                "Episode not significant but vulnerabilities identified: referral to "
                "Adolescent Targeted Support.",
            )
        case EpisodeAssessment.SIGNIFICANT:
            ctx.tell(
                "mash",
                "initial_assessment_referral",
                "7.7",
                "Significant missing episode: referral to MASH for an Initial Assessment.",
                due=ctx.at,
            )


def _declined(ctx: Context, event: ReturnInterviewResult) -> None:
    episode = ctx.episode
    if episode.allocated:
        ctx.tell(
            "allocated_worker",
            "follow_up_declined_return_interview",
            "5.15",
            "The child declined the return interview: follow up with the child why they "
            "went missing and what happened.",
        )
    else:
        hours = ctx.directory.timescales.trusted_adult_interview_hours
        ctx.tell(
            "mct",
            "offer_trusted_adult_interview",
            "5.15",
            "The child declined: ask whether another trusted adult (e.g. a teacher) "
            "could do the interview, within a few hours.",
            due=event.recorded_at + timedelta(hours=hours),
        )
    if episode.return_interview_declines >= 2:
        ctx.tell(
            "mct",
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
    ctx: Context, action: str, facts: dict[str, Detail], *, worker: tuple[str, str], iro: str
) -> None:
    """5.18: what an interview found goes to the child's social worker and, for a child in
    care, the IRO. A child placed here by another authority has neither here: the placing
    authority shares with its own (8.10)."""
    if ctx.placing is Placing.PLACED_IN:
        return
    if ctx.episode.allocated:
        paragraph, summary = worker
        ctx.tell("allocated_worker", action, paragraph, summary, facts=facts)
    if ctx.episode.looked_after:
        ctx.tell("iro", action, "5.18", iro, facts=facts)
