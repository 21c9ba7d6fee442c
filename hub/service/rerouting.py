"""Duties held because the directory could not name their recipient (a misspelt or missing
authority or police force, or an authority retired while its notification waited in the
outbox): listing them for ops, and routing them again once the directory is corrected. A
duty routed again is delivered under the id it was logged with, so a receiver can still
tell it from any other; one no longer needed by then (stood down when the child was found
or the episode closed, 7.22, 7.24; done; or its episode retired, docs/retention.md) is
logged as routed and not sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import delete, func, select
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
    gone_from_directory,
    held_as_not_built,
    owed_by,
    route_again,
)
from hub.routing.rules.found import SEARCH_NOTICES
from hub.store.database import among
from hub.store.models import OutboxMessage, RoutingDecision
from hub.store.outbox import (
    NOT_BUILT,
    NOTIFICATION_PREFIX,
    not_built,
    outgoing_notification,
)
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
        with _children_of(session, rows, now) as children:
            results = [_route(session, row, directory, now, children) for row in rows]
        if audit is not None:
            audit(session, results)
        return results


def hold_refused(
    session: Session, directory: Directory, now: datetime, outbox_ids: Collection[int]
) -> set[int]:
    """Of the outbox rows the relay refuses (a topic the directory does not name), the
    notifications in the routing log: their authority left the directory while they waited
    (Surrey's councils, 1 April 2027, docs/directory.md). Each is held in the log as a duty
    whose authority is gone (AUTHORITY_GONE), with the particulars its notification carried,
    and its outbox row deleted: ops see it on the Unroutable page and route it again, under
    the id it was logged with, once the directory names the one it goes to. Marked refused,
    it was never sent and could be neither retried nor routed again, its recipient never
    told. Deleted, not kept under another status: routed again, it is queued under the same
    message id, which the outbox holds once. Returns those rows' ids; any other row (a
    refusal report, one no rule decided) is left to the relay to mark refused."""
    queued = {
        message_id.removeprefix(NOTIFICATION_PREFIX): (row_id, value)
        for row_id, message_id, value in session.execute(
            select(OutboxMessage.id, OutboxMessage.message_id, OutboxMessage.value).where(
                among(session, OutboxMessage.id, list(outbox_ids)),
                OutboxMessage.message_id.startswith(NOTIFICATION_PREFIX),
            )
        )
    }
    if not queued:
        return set()
    ids = list(queued)
    rows = list(
        session.scalars(
            select(RoutingDecision).where(among(session, RoutingDecision.notification_id, ids))
        )
    )
    held: set[int] = set()
    with _children_of(session, rows, now) as children:
        for row in rows:
            particulars = _particulars(queued[row.notification_id][1])
            if particulars is None:  # not a notification's body: left to be marked refused
                continue
            _held_gone(row, directory, particulars, children)
            held.add(queued[row.notification_id][0])
    session.execute(delete(OutboxMessage).where(among(session, OutboxMessage.id, held)))
    return held


@contextmanager
def _children_of(
    session: Session, rows: list[RoutingDecision], now: datetime
) -> Iterator[dict[str, ChildState]]:
    """The rows' children's states, to name or unname their duties in; those changed are
    written when the block ends. Locked first, in the one order every instance takes (no
    deadlock with a consumer applying their events)."""
    locked = load_children(session, [row.child_id for row in rows])
    children = dict(locked)
    yield children
    writes = Writes(now)
    writes.children = {k: state for k, state in children.items() if state is not locked[k]}
    writes.write(session)


def _particulars(body: bytes | None) -> Particulars | None:
    """The particulars a queued notification carries (its `child`), or None if its body is
    not one: never a reason for the relay's round to fail."""
    try:
        child = json.loads(body or b"")["child"]
    except (ValueError, KeyError, TypeError):
        return None
    return dict(child) if isinstance(child, dict) else None


def _held_gone(
    row: RoutingDecision,
    directory: Directory,
    particulars: Particulars,
    children: dict[str, ChildState],
) -> None:
    """Held as `_route` holds one held unbuilt whose authority is gone: the reason naming
    the code and what covers it now, its duty owed by no one (`_unnamed`)."""
    gone = gone_from_directory(directory, row.recipient, row.authority)
    row.unroutable_field, row.unroutable_named = gone.field, None
    row.unroutable_reason, row.routed_at, row.child = gone.reason, None, dict(particulars)
    _unnamed(row, children)


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
    duty stood down or done meanwhile, or a notice of the search for a child found, or of a
    case closed (7.24), meanwhile. Any other notice that was no duty goes while its episode
    is kept."""
    episode = state.episode(episode_id)
    if episode is None:
        if state.ever_reported(episode_id):
            return "its episode was retired under the retention policy"
        return None  # a placement notice's, about no episode the hub has
    if episode.back_at is not None and action in SEARCH_NOTICES:
        return "the child was found meanwhile"
    if episode.closed_at is not None and action in SEARCH_NOTICES:
        # 7.24: the search stood down with the case; a host never told of it is not told
        # of it now (nor of the closure: rules/answers.py).
        return "the case was closed meanwhile (7.24)"
    duty = episode.duty(notification_id)
    if duty is None:
        return None
    if duty.done_at is not None:
        return "done meanwhile"
    if duty.stood_down_at is not None:
        return "stood down meanwhile"
    return None
