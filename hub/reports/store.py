"""What the reports read from the store: every child's state (the figures are worked out
from them, hub.reports.figures) and the routing log's forum referrals (7.28)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Text, select
from sqlalchemy.orm import Session

from hub.reports.figures import Report, report
from hub.routing.directory import Directory
from hub.routing.facts import ChildState
from hub.store.models import ChildRecord, RoutingDecision
from hub.store.outcomes import STATE

FORUM = "add_to_cse_and_missing_forum"


def child_states(session: Session) -> Iterator[ChildState]:
    # Read as text and validated from it in one pass, as the consumer reads them: decoded
    # to Python objects first, then validated, took twice as long.
    query = select(ChildRecord.state.cast(Text)).execution_options(yield_per=500)
    for state in session.scalars(query):
        yield STATE.validate_json(state)


def period_report(
    session: Session, directory: Directory, start: datetime, end: datetime, now: datetime
) -> Report:
    return report(child_states(session), directory, start, end, now)


class ForumEntry(BaseModel):
    """A child for the monthly CSE and Missing Persons Forum (7.28): who, why, when."""

    child_id: str
    episode_id: str
    episodes: int  # missing episodes in the window that put the child on the list
    decided_at: datetime
    authority: str


def forum_list(session: Session, start: datetime, end: datetime) -> list[ForumEntry]:
    """Each child referred to the forum in [start, end), once, with its latest referral."""
    rows = session.scalars(
        select(RoutingDecision)
        .where(RoutingDecision.action == FORUM)
        .where(RoutingDecision.decided_at >= start, RoutingDecision.decided_at < end)
        .order_by(RoutingDecision.decided_at)
    )
    latest = {
        row.child_id: ForumEntry(
            child_id=row.child_id,
            episode_id=row.episode_id,
            episodes=int(row.details.get("episodes", 0)),
            decided_at=row.decided_at,
            authority=row.authority,
        )
        for row in rows
    }
    return sorted(latest.values(), key=lambda e: e.decided_at)
