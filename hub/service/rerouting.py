"""Duties held because the directory could not name their recipient (a misspelt or missing
authority or police force): listing them for ops, and routing them again once the
directory is corrected. A duty routed again is delivered under the id it was logged with,
so a receiver can still tell it from any other; one no longer needed by then (stood down
when the child was found or the episode closed, 7.22, 7.24; done; or its episode retired,
docs/retention.md) is logged as routed and not sent."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.notification import Notification
from hub.contracts.particulars import ChildParticulars
from hub.contracts.personal import REDACTED
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Unroutable
from hub.routing.particulars import Particulars, disclosed_again
from hub.routing.rerouting import (
    AUTHORITY_GONE,
    decided_again,
    held_as_not_built,
    owed_by,
    route_again,
)
from hub.routing.rules.found import SEARCH_NOTICES
from hub.store.database import among
from hub.store.models import RoutingDecision
from hub.store.outbox import NOT_BUILT, not_built, outgoing_notification
from hub.store.outcomes import Writes, enqueue, load_children

HELD = RoutingDecision.unroutable_field.is_not(None) & RoutingDecision.routed_at.is_(None)
# Held with their authority decided: the hub could not build them, or that authority is no
# longer in the directory (hub.routing.rerouting.AUTHORITY_GONE).
_DECIDED = frozenset({NOT_BUILT, AUTHORITY_GONE})


@dataclass(frozen=True)
class Rerouted:
    notification_id: str
    recipient: str
    authority: str | None  # None: still unroutable; "": settled, sent to no one
    reason: str | None = None  # why it is still held, or why it was not sent
    sent: bool = True  # False: routed, but no longer needed


def count_held(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RoutingDecision).where(HELD)) or 0


def held_duties(session: Session, limit: int = 500) -> list[RoutingDecision]:
    return list(
        session.scalars(
            select(RoutingDecision).where(HELD).order_by(RoutingDecision.decided_at).limit(limit)
        )
    )


def reroute(
    sessions: sessionmaker[Session],
    directory: Directory,
    now: datetime,
    only: Collection[str] | None = None,
    audit: Callable[[Session, list[Rerouted]], None] | None = None,
) -> list[Rerouted]:
    """Route the held duties (or `only` these notification ids) again with the directory
    as it is now; those it can name are queued for delivery in the same transaction."""
    with sessions.begin() as session:
        query = select(RoutingDecision).where(HELD).order_by(RoutingDecision.decided_at)
        if only is not None:
            query = query.where(among(session, RoutingDecision.notification_id, only))
        rows = list(session.scalars(query))
        # The children locked first, in the one order every instance takes (no deadlock with
        # a consumer applying their events), then each routed duty named in its child's state.
        locked = load_children(session, [row.child_id for row in rows])
        children = dict(locked)
        results = [_route(session, row, directory, now, children) for row in rows]
        writes = Writes(now)
        writes.children = {k: state for k, state in children.items() if state is not locked[k]}
        writes.write(session)
        if audit is not None:
            audit(session, results)
        return results


def _route(
    session: Session,
    row: RoutingDecision,
    directory: Directory,
    now: datetime,
    children: dict[str, ChildState],
) -> Rerouted:
    assert row.unroutable_field is not None
    assert row.unroutable_reason is not None
    if row.unroutable_named == REDACTED:
        return _settled(row, now, children, _NAMED_REDACTED)
    if row.unroutable_field in _DECIDED:  # its party was named: the hub failed to build it
        if row.child is None:  # held with them, so retention took them with its event
            return _settled(row, now, children, _PARTICULARS_REDACTED)
        # Where the directory says now: the authority decided may be retired since.
        found: str | Unroutable = decided_again(directory, row.recipient, row.authority)
    else:
        held = Unroutable(row.unroutable_field, row.unroutable_named, row.unroutable_reason)
        found = route_again(directory, row.recipient, held)
    if isinstance(found, Unroutable):
        if found.field == AUTHORITY_GONE and row.unroutable_field != AUTHORITY_GONE:
            _unnamed(row, children)
        row.unroutable_field, row.unroutable_reason = found.field, found.reason
        return Rerouted(row.notification_id, row.recipient, None, found.reason)
    state = children.get(row.child_id) or ChildState(row.child_id)
    unneeded = _no_longer_needed(state, row.episode_id, row.notification_id, row.action)
    if unneeded is not None:
        row.authority, row.routed_at, row.child = found, now, None
        state = owed_by(state, row.episode_id, row.notification_id, found)
        if row.child_id in children:
            children[row.child_id] = state
        return Rerouted(row.notification_id, row.recipient, found, unneeded, sent=False)
    particulars = (
        row.child
        if row.child is not None
        else disclosed_again(state, row.episode_id, directory, row.recipient, row.action)
    )
    try:
        notification = _notification(row, found, particulars)
    except ValidationError as error:  # still not buildable: held, and ops told why
        _held_unbuilt(row, found, particulars, not_built(error))
        if row.child_id in children:  # its escalation says its recipient never received it
            children[row.child_id] = held_as_not_built(
                children[row.child_id], row.episode_id, row.notification_id
            )
        return Rerouted(row.notification_id, row.recipient, None, row.unroutable_reason)
    row.authority, row.routed_at = found, now
    row.child = None  # routed: the outbox message is the one copy
    enqueue(session, outgoing_notification(notification), now)
    if row.child_id in children:
        children[row.child_id] = owed_by(
            children[row.child_id], row.episode_id, row.notification_id, found
        )
    return Rerouted(row.notification_id, row.recipient, found)


def _held_unbuilt(
    row: RoutingDecision, authority: str, particulars: Particulars, reason: str
) -> None:
    """Its party named, its notification still not buildable: held as the hub's fault, as
    one decided so is (hub.store.outcomes), under the authority found and with the
    particulars it is to go with. Left as held for its party, ops read "its recipient
    unknown" beside "the hub could not build it", the directory corrected already; and what
    its sender wrote for the party, perhaps a child's name by mistake, is needed no more."""
    row.unroutable_field, row.unroutable_named, row.unroutable_reason = NOT_BUILT, None, reason
    row.authority, row.child = authority, particulars


def _unnamed(row: RoutingDecision, children: dict[str, ChildState]) -> None:
    """Its authority gone from the directory, its duty is owed by no one the directory names
    until ops route it, as one held for an unknown party is: an answer is not taken from
    the authority gone, and its escalation says the directory does not name its recipient."""
    if row.child_id in children:
        children[row.child_id] = owed_by(
            children[row.child_id], row.episode_id, row.notification_id, ""
        )


def _notification(row: RoutingDecision, authority: str, particulars: Particulars) -> Notification:
    """The held duty's notification, with the particulars it is to go with."""
    return Notification(
        notification_id=UUID(row.notification_id),
        episode_id=row.episode_id,
        child_id=row.child_id,
        recipient=row.recipient,
        authority=authority,
        action=row.action,
        summary=row.summary,
        decided_at=row.decided_at,
        due=row.due,
        paragraph=row.paragraph,
        cause=row.cause,
        details=row.details,
        child=ChildParticulars.model_validate(particulars),
    )


# Why a held duty is settled, sent to no one, when retention took what routing it needs.
_NAMED_REDACTED = "what its sender named the party was redacted under the retention policy"
_PARTICULARS_REDACTED = "its particulars were redacted under the retention policy"


def _settled(
    row: RoutingDecision, now: datetime, children: dict[str, ChildState], redacted: str
) -> Rerouted:
    """A duty whose sender's words for the party, or the particulars it was held with (one
    the hub could not build), went under the retention policy with its episode's or its
    notice's personal data (docs/retention.md): no directory can name the party from them
    now, and nothing about the child is sent so late (a placement notice's, without them,
    went to its host naming no child). Logged as routed to no one, not sent, so that it
    leaves the held duties (and the health page)."""
    row.routed_at, row.child = now, None
    state = children.get(row.child_id) or ChildState(row.child_id)
    why = _no_longer_needed(state, row.episode_id, row.notification_id, row.action)
    return Rerouted(row.notification_id, row.recipient, "", why or redacted, sent=False)


def _no_longer_needed(
    state: ChildState, episode_id: str, notification_id: str, action: str
) -> str | None:
    """Why a held duty is no longer to be sent, if it is not: its episode retired, the
    duty stood down or done meanwhile, or a notice of the search for a child found
    meanwhile. Any other notice that was no duty goes while its episode is kept."""
    episode = state.episode(episode_id)
    if episode is None:
        if state.ever_reported(episode_id):
            return "its episode was retired under the retention policy"
        return None  # a placement notice's, about no episode the hub has
    if episode.back_at is not None and action in SEARCH_NOTICES:
        return "the child was found meanwhile"
    duty = episode.duty(notification_id)
    if duty is None:
        return None
    if duty.done_at is not None:
        return "done meanwhile"
    if duty.stood_down_at is not None:
        return "stood down meanwhile"
    return None
