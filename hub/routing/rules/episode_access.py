"""Finding the episode an event is about, with a clear error when the history forbids it."""

from __future__ import annotations

from datetime import datetime

from hub.routing.facts import ChildState, Episode, ProtocolViolation


def open_episode(
    state: ChildState,
    episode_id: str,
    when: datetime,
    field: str,
    *,
    found_ok: bool = False,
    closed_ok: bool = False,
    read_late_ok: bool = False,
    returned_ok: bool = False,
) -> Episode:
    """The episode, which must have been reported and, unless said, not yet over (found, or
    returned as its host authority said, 8.4) nor closed by the joint decision of 7.24.
    `read_late_ok`: an episode over too, for an event that happened while the child was
    missing but is read only after the return (senders flushing a queue at once, or topics
    read in another order); the caller tells such an event by `read_late`. `returned_ok`:
    an episode returned as its host said but not yet found, for the police's found report
    or closure, which may still follow (8.4)."""
    episode = reported_episode(state, episode_id)
    found_ok = found_ok or (read_late_ok and read_late(episode, when))
    over = episode.found_at if returned_ok else episode.back_at
    if episode.closed_at is not None and not closed_ok:
        raise ProtocolViolation(
            "data.episode_id",
            "this episode was closed by the joint decision of a senior police officer and the "
            "Assistant Director (7.24); report a new episode if the child is missing again",
        )
    if over is not None and not found_ok:
        raise ProtocolViolation(
            "data.episode_id",
            "this episode is closed: the child was found"
            + ("" if episode.found_at else " (returned, as the host authority said: 8.4)")
            + "; report a new episode instead",
        )
    # 1.4: before the child went missing by both measures: the start the report gave, and
    # when the hub read it (`clock_started`). A start typed ahead must not refuse the risk,
    # the answers or the found report that come meanwhile: the child is missing now.
    if when < episode.clock_started:
        raise ProtocolViolation(field, "is before the child went missing")
    return episode


def read_late(episode: Episode, when: datetime) -> bool:
    """An event of an episode over (found, or returned as the host said) that happened
    while the child was missing: part of the episode's record, not news for an episode that
    is over."""
    back = episode.back_at
    return back is not None and when <= back


def not_retired(state: ChildState, episode_id: str) -> None:
    """Refuses an event about an episode retention has retired: nothing left to wait for,
    and nothing to decide about it (docs/retention.md)."""
    if state.episode(episode_id) is None and state.ever_reported(episode_id):
        raise ProtocolViolation(
            "data.episode_id",
            "this episode's records were retired under the retention policy (docs/retention.md)",
        )


# Why a record is held until its episode's MISPER report comes (hub.service.refusals tells
# the home force and authority so at once).
NO_MISPER_REPORT = "no MISPER report has been received for this episode"


def reported_episode(state: ChildState, episode_id: str) -> Episode:
    not_retired(state, episode_id)
    episode = state.episode(episode_id)
    if episode is None:
        raise ProtocolViolation(
            "data.episode_id",
            NO_MISPER_REPORT,
            awaiting=True,
        )
    return episode


def found_episode(state: ChildState, episode_id: str) -> Episode:
    """The episode, which must be over: found, or returned as its host authority said (8.4,
    before a found report that may never come: the return interview is owed from it)."""
    episode = reported_episode(state, episode_id)
    if episode.back_at is None:
        raise ProtocolViolation(
            "data.episode_id",
            "the child has not been reported found in this episode",
            awaiting=True,
        )
    return episode
