"""The engine's own guarantees: timers cancelled meanwhile decide nothing; one child only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.contracts.vocabulary import LegalStatus
from hub.routing.engine import decide, fire
from hub.routing.facts import ChildState, ProtocolViolation
from tests.routing.builders import DIRECTORY, START, Timeline, found, misper, told


def test_a_timer_cancelled_by_a_found_report_decides_nothing_if_it_fires_anyway() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    day_seven = next(t for t in timeline.pending if t.name == "strategy_meeting")
    timeline.receive(found())
    outcome = fire(timeline.state, day_seven, DIRECTORY, day_seven.due)
    assert outcome.decisions == ()
    assert outcome.state == timeline.state


def test_an_event_about_another_child_is_refused() -> None:
    with pytest.raises(ProtocolViolation) as caught:
        decide(ChildState("someone-else"), misper(), DIRECTORY, START, "evt-1")
    assert caught.value.field == "data.child_id"


def test_5_6_concerns_out_of_hours_go_to_edt() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    saturday = datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    decisions = timeline.receive(found(at=saturday, concerns_about_returning_home=True))
    assert told(decisions, "edt", "concerns_about_return")
    assert told(decisions, "edt", "child_returned_out_of_hours")
    assert not told(decisions, "mash", "concerns_about_return")


def test_mct_pg_edt_tells_the_mct_of_a_return_by_the_close_of_its_next_working_day() -> None:
    """MCT-PG: EDT "notifies the Missing Children's Team (MCT) that young person has
    returned as soon as possible - before the close of the day": found on a Saturday, the
    MCT's day closes on Monday at 17:30."""
    timeline = Timeline()
    timeline.receive(misper())
    saturday = datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    [returned] = told(timeline.receive(found(at=saturday)), "edt", "child_returned_out_of_hours")
    assert returned.due == datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


def test_mct_pg_a_return_stamped_seconds_ahead_of_the_close_is_not_edts() -> None:
    """MCT-PG: EDT tells the MCT of a return out of hours. The police clock runs seconds
    ahead: a return stamped 17:30:02 on a Wednesday reached the hub at 17:29:58, so the
    child was back in office hours, the MCT's own to act on; EDT is not told, nor given
    two seconds to tell the MCT."""
    timeline = Timeline()
    timeline.receive(misper())
    read = datetime(2026, 11, 18, 17, 29, 58, tzinfo=UTC)
    decisions = timeline.receive(found(at=read + timedelta(seconds=4)), at=read)
    assert not told(decisions, "edt")


def test_7_6_an_overdue_interview_for_a_child_not_known_is_the_mcts_and_its_managers() -> None:
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None))
    timeline.receive(found())
    fired = timeline.advance(START + timedelta(days=6))
    assert told(fired, "mct", "return_interview_overdue")
    assert told(fired, "rise_mct_service_manager", "return_interview_overdue")


def test_8_7_the_iro_hears_of_an_overdue_interview_of_our_child_placed_out_of_county() -> None:
    """8.7: "The IRO should inform the relevant team manager of any ... Independent Return
    Interviews for children placed out of county [that] have not been managed in accordance
    with these procedures"."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER, residence_authority="luton"))
    timeline.receive(found())
    fired = timeline.advance(START + timedelta(days=6))
    [iro] = told(fired, "iro", "return_interview_overdue")
    assert iro.paragraph == "8.7"


def test_8_10_an_overdue_interview_for_a_child_placed_here_goes_to_the_placing_authority() -> None:
    timeline = Timeline()
    timeline.receive(
        misper(
            legal_status=LegalStatus.LOOKED_AFTER,
            responsible_authority="essex",
            allocated_worker=None,
        )
    )
    timeline.receive(found())
    fired = timeline.advance(START + timedelta(days=6))
    assert told(fired, "placing_authority", "return_interview_overdue")
