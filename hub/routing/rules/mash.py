"""MASH RAG rating (6.14): the missing child risk assessment is due in 4, 24 or 72 hours."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hub.contracts.actions import Action
from hub.contracts.events import MashRating
from hub.routing.context import Context
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Outcome
from hub.routing.rules.duties import stand_down
from hub.routing.rules.episode_access import reported_episode
from hub.routing.rules.repeat import on_new_concern
from hub.routing.rules.roles import has_our_social_worker

_ASSESSMENT = frozenset({Action.COMPLETE_MISSING_RISK_ASSESSMENT.value})


def on_mash_rating(
    state: ChildState, event: MashRating, directory: Directory, at: datetime, cause: str
) -> Outcome:
    episode = reported_episode(state, event.episode_id)
    # A new rating sets the assessment's deadline anew: one assessment is owed, not one per
    # rating (the earlier rating's, left owed, climbed to the Assistant Director).
    updated = stand_down(replace(episode, mash_rating=event.rating), _ASSESSMENT, at)
    ctx = Context(directory, at, cause, updated)
    hours = getattr(directory.timescales.mash_rag_hours, event.rating.value)
    # 6.14: the MASH Decision Maker completes it, or "if the child has a social worker
    # already ... their allocated social worker": not an Early Help worker or a care
    # leaver's adviser (roles.SOCIAL_WORK). The assessment is on our record, so a child
    # placed here has it done by MASH.
    owner = "allocated_worker" if has_our_social_worker(ctx) else "mash"
    ctx.tell(
        owner,
        "complete_missing_risk_assessment",
        "6.14",
        f"MASH rated this episode {event.rating.value}: complete the missing child risk "
        f"assessment within {hours} hours.",
        due=ctx.clock_from(event.rated_at) + timedelta(hours=hours),
        rating=event.rating.value,
    )
    after = on_new_concern(ctx, state, state.with_episode(updated))
    return Outcome(after, tuple(ctx.decisions))
