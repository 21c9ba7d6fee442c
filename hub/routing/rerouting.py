"""Routing a held duty again, once the directory knows the party it was held for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hub.contracts.actions import Recipient
from hub.routing.directory import Directory, Standing
from hub.routing.facts import ChildState, Duty, Episode, Unroutable


def route_again(directory: Directory, recipient: str, held: Unroutable) -> str | Unroutable:
    """The authority whose topic the recipient reads, from what the sender wrote in the field
    the duty was held for, as the directory reads it now."""
    if held.field == "data.reporting_force":
        if held.named is None:  # held before a report naming none went to the home force
            return directory.home_police_force
        return directory.resolve_force(held.named, only_forces=True) or held
    resolution = directory.resolve_authority(held.named)
    if recipient == "host_police":
        found = directory.force_of(resolution) if resolution.codes else None
    elif resolution.standing is Standing.HOME:
        found = directory.home_authority
    else:
        found = resolution.code
    if found is not None:
        return found
    return Unroutable(held.field, held.named, resolution.why_not_routable())


# The routing log's "field" of a held duty whose authority, decided when it was held (its
# notification not built), the directory no longer has: retired or renamed since. Routed
# again, its notification went to that authority's topic, which no one reads (the relay
# refuses a topic outside the directory), and the log said it was routed.
AUTHORITY_GONE = "(authority)"
_FORCES = frozenset({Recipient.POLICE, Recipient.HOST_POLICE})
_OTHER_AUTHORITIES = frozenset({Recipient.HOST_AUTHORITY, Recipient.PLACING_AUTHORITY})


def decided_again(directory: Directory, recipient: str, decided_for: str) -> str | Unroutable:
    """Where a duty held with its authority decided goes now: to that authority while the
    directory has it; else to what the directory now names by its code (a code retired is
    kept as an alias of today's entries, as `cumbria` is: docs/directory.md), a home team's
    to the home authority; or it stays held, saying why."""
    if decided_for in directory.topic_authorities:
        return decided_for
    if recipient == Recipient.HOME_OFFICE:
        return directory.national.home_office
    if recipient in _FORCES:
        force = directory.resolve_force(decided_for, only_forces=True)
        return force or _gone(decided_for, "police force")
    if recipient not in _OTHER_AUTHORITIES:  # a home team: the home authority's, whatever its code
        return directory.home_authority
    resolution = directory.resolve_authority(decided_for)
    if resolution.standing is Standing.HOME:
        return directory.home_authority
    covers = f" (it now covers {', '.join(resolution.codes)})" if resolution.codes else ""
    return resolution.code or _gone(decided_for, "authority", covers)


def gone_from_directory(directory: Directory, recipient: str, decided_for: str) -> Unroutable:
    """Why a notification queued for `decided_for`, an authority the directory no longer has
    (the relay refuses its topic), is held: what covers that code now, as `decided_again`
    says; or, the directory naming one for it, that routing it again sends it there."""
    found = decided_again(directory, recipient, decided_for)
    if isinstance(found, Unroutable):
        return found
    kind = "police force" if recipient in _FORCES else "authority"
    return _gone(decided_for, kind, f" (it now names {found} for it)", "route it again")


def answering_for(directory: Directory, recipient: str, decided_for: str) -> frozenset[str]:
    """Who may answer a duty owed by `decided_for`: itself while the directory has it; retired
    since (Surrey's councils, 1 April 2027), what the directory names by its code now, which
    took its children's duties over: one, or each of the several it still covers (either
    may hold the child's case) until ops name the one (docs/directory.md)."""
    found = decided_again(directory, recipient, decided_for)
    if isinstance(found, str):
        return frozenset({found})
    if recipient in _FORCES:
        return frozenset()
    return frozenset(directory.resolve_authority(decided_for).codes)


_NAME_IT = (
    "name the one it goes to there (an alias in the deployment's aliases:, "
    "docs/directory.md), then route it again"
)


def _gone(decided_for: str, kind: str, now: str = "", then: str = _NAME_IT) -> Unroutable:
    """Held: `decided_for` is no longer in the directory; what it names `now`, what to do."""
    return Unroutable(
        AUTHORITY_GONE,
        None,
        f"'{decided_for}', the {kind} it was decided for, is no longer in the hub's "
        f"directory{now}: {then}",
    )


def owed_by(state: ChildState, episode_id: str, notification_id: str, authority: str) -> ChildState:
    """The child's state with the routed duty owed by the authority now named, so that its
    answers (acknowledged, done) are taken from that authority and its escalations name it,
    and no longer held as one the hub could not build: its recipient has it now. Unchanged
    if the episode or the duty is no longer there (retention, or not a duty)."""
    return _with_duty(
        state,
        episode_id,
        notification_id,
        lambda d: replace(d, authority=authority, not_built=False),
    )


def held_as_not_built(state: ChildState, episode_id: str, notification_id: str) -> ChildState:
    """The child's state with the duty held because the hub could not build its notification
    (hub.store.outbox.NOT_BUILT): still owed, and escalated if left undone (a child may be
    at risk), but its escalation says its recipient never received it."""
    return _with_duty(state, episode_id, notification_id, lambda d: replace(d, not_built=True))


def _with_duty(
    state: ChildState, episode_id: str, notification_id: str, change: Callable[[Duty], Duty]
) -> ChildState:
    """The child's state with one duty of an episode, or of a notice about none the hub has
    (a placement's, 7.14), changed; unchanged if there is no such duty or the change is none."""
    holder = state.episode(episode_id) or state.notice(episode_id)
    duty = holder.duty(notification_id) if holder is not None else None
    if holder is None or duty is None or (changed := change(duty)) == duty:
        return state
    if isinstance(holder, Episode):
        return state.with_episode(holder.with_duty(changed))
    return state.with_notice(holder.with_duty(changed))
