"""Routing a held duty again, once the directory knows the party it was held for."""

from __future__ import annotations

from dataclasses import replace

from hub.routing.directory import Directory, Standing
from hub.routing.facts import ChildState, Unroutable


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


def owed_by(state: ChildState, episode_id: str, notification_id: str, authority: str) -> ChildState:
    """The child's state with the routed duty owed by the authority now named, so that its
    answers (acknowledged, done) are taken from that authority and its escalations name it.
    Unchanged if the episode or the duty is no longer held (retention, or not a duty)."""
    episode = state.episode(episode_id)
    if episode is None:
        notice = state.notice(episode_id)  # a placement's duties (7.14), say
        duty = notice.duty(notification_id) if notice is not None else None
        if notice is None or duty is None or duty.authority:
            return state
        return state.with_notice(notice.with_duty(replace(duty, authority=authority)))
    duty = episode.duty(notification_id)
    if duty is None or duty.authority:
        return state
    return state.with_episode(episode.with_duty(replace(duty, authority=authority)))
