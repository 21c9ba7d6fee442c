"""A refusal goes back to its sender (notify.<agency>.refusals). An agency with no standing
for the child must learn nothing from it of the child's episode: not when the child went
missing, nor whether it has been found. Who may say what is asked first, as 7.24's closure
does (test_duties: an agency that may not close learns nothing of the episode)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from hub.contracts.events import StrategyMeetingHeld
from hub.contracts.vocabulary import MeetingAttendee, RiskLevel
from hub.routing.facts import ProtocolViolation
from tests.routing.builders import CHILD, PLACED_IN, START, Timeline, found, misper
from tests.routing.test_cross_border_notices import accepted


def meeting_held_by_a_stranger(at_hours: float) -> StrategyMeetingHeld:
    """Essex, which was owed nothing in this episode, says a meeting was held."""
    return StrategyMeetingHeld(
        episode_id="EP-1",
        child_id=CHILD,
        notification_id=uuid.uuid4(),
        answered_by="essex",
        held_at=START + timedelta(hours=at_hours),
        attended=(MeetingAttendee.SOCIAL_WORKER,),
    )


def test_7_22_a_stranger_saying_a_meeting_was_held_learns_nothing_of_when_it_went_missing() -> None:
    timeline = Timeline()
    timeline.receive(misper(risk_level=RiskLevel.HIGH))
    fields = set()
    for hours in (-1, 1):  # before, then after, the child went missing
        with pytest.raises(ProtocolViolation) as caught:
            timeline.receive(meeting_held_by_a_stranger(hours), at=START + timedelta(hours=2))
        fields.add((caught.value.field, caught.value.reason))
    # Told "data.held_at: is before the child went missing" for one and not the other, it
    # finds when the child went missing by trying times.
    assert len(fields) == 1, fields
    [(field, _)] = fields
    assert field != "data.held_at"


def test_8_10_an_authority_that_did_not_place_the_child_learns_nothing_of_it_being_found() -> None:
    """Essex placed the child (PLACED_IN); Kent did not, and is refused alike whether the
    child is still missing or found. Told "the child has not been reported found in this
    episode" while missing, and "is not the authority that placed this child here" once
    found, Kent learns from its refusals whether a child it has nothing to do with is
    still missing."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))  # type: ignore[arg-type]
    with pytest.raises(ProtocolViolation) as while_missing:
        timeline.receive(accepted("kent"), at=START + timedelta(hours=3))
    timeline.receive(found(at=START + timedelta(days=1)))
    with pytest.raises(ProtocolViolation) as once_found:
        timeline.receive(accepted("kent"), at=START + timedelta(days=1, hours=1))
    assert (
        while_missing.value.field,
        while_missing.value.reason,
        while_missing.value.awaiting,
    ) == (
        once_found.value.field,
        once_found.value.reason,
        once_found.value.awaiting,
    )
    assert once_found.value.field == "data.from_authority"


def test_8_10_the_placing_authority_s_notice_before_the_child_is_found_still_waits() -> None:
    timeline = Timeline()
    timeline.receive(misper(**PLACED_IN))  # type: ignore[arg-type]
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(accepted("essex"), at=START + timedelta(hours=3))
    assert caught.value.awaiting
    assert caught.value.field == "data.episode_id"
