"""Timers fired late, after the scheduler's outage, are decided as of the round that fires
them (3.10: who is on duty then). What they record about the child stays as of when they
fell due: a found report read after them judges what was owed by when the child was
missing, not by when the hub got round to deciding it."""

from __future__ import annotations

from datetime import date, timedelta

from hub.contracts.events import ChildDetails
from hub.contracts.vocabulary import LegalStatus, Sex
from tests.routing.builders import START, Timeline, found, misper


def test_6_8_the_24_hour_notice_fired_late_stands_when_the_child_was_found_after_24_hours() -> None:
    """A child in our care missing from 10:00 on Wednesday is missing over 24 hours at
    10:00 on Thursday (6.8: the Head of Safeguarding notifies the Assistant Director). The
    scheduler is down until 16:00 and fires the notice then; the found report, read at
    17:00, says the child was found at 12:00, over 24 hours after going missing. The notice
    was owed: it is not stood down as one decided after the child was found."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    timeline.advance(START + timedelta(hours=30), late=True)
    timeline.receive(found(at=START + timedelta(hours=26)), at=START + timedelta(hours=31))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    [notice] = [
        d
        for d in episode.duties
        if d.action == "notify_assistant_director_child_in_care_missing_over_24_hours"
    ]
    assert notice.stood_down_at is None


def test_6_8_the_meeting_at_18_fired_late_stands_when_the_child_was_found_after_the_birthday() -> (
    None
):
    """The child turns 18 while missing (6.8: the Assistant Director holds a Missing Child
    Meeting). The scheduler is down over the birthday and fires the meeting a day late; the
    found report, read after that, says the young person was found hours after turning 18.
    The meeting was owed: it is not stood down as decided after the child was found."""
    nearly_adult = ChildDetails(name="Nearly Adult", date_of_birth=date(2008, 11, 20), sex=Sex.MALE)
    timeline = Timeline()
    timeline.receive(misper(child=nearly_adult))
    birthday = START + timedelta(days=2)  # 20 November, 10:00 (the time the child went)
    timeline.advance(birthday - timedelta(hours=1))
    timeline.advance(birthday + timedelta(days=1), late=True)
    timeline.receive(
        found(at=birthday + timedelta(hours=3)), at=birthday + timedelta(days=1, hours=1)
    )
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    [meeting] = [d for d in episode.duties if d.action == "hold_missing_child_meeting"]
    assert meeting.stood_down_at is None
