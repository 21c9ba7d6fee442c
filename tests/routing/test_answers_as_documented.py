"""docs/answers.md read by an agency's developer: its examples and its claims about answers
(issue 14), each driven through the engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from hub.contracts.envelope import ParsedEvent, parse_structured
from hub.contracts.events import DutyAcknowledged, DutyCompleted, StrategyMeetingHeld
from hub.contracts.vocabulary import CrossBorderNoticeKind, LegalStatus
from hub.routing.engine import decide
from hub.routing.facts import ChildState, Decision, Duty, ProtocolViolation
from tests.helpers import EXAMPLES
from tests.routing.builders import (
    ESCALATED,
    START,
    Timeline,
    found,
    misper,
    return_interview,
    told,
)
from tests.routing.test_cross_border_notices import host_notice
from tests.routing.test_duties import (
    acknowledged,
    closed,
    completed,
    escalations,
    held,
    high_risk,
)


def _example(name: str) -> ParsedEvent:
    return parse_structured((EXAMPLES / f"{name}.json").read_bytes())


class _Examples(Timeline):
    """The example messages as the hub reads them: at their `time`, caused by their ids."""

    def __init__(self, child_id: str) -> None:
        super().__init__()
        self.state = ChildState(child_id)

    def read(self, name: str) -> ParsedEvent:
        event = _example(name)
        self.advance(event.time)
        self._apply(decide(self.state, event.body, self.directory, event.time, event.event_id))
        return event

    def duty(self, notification_id: object) -> Duty:
        [episode] = self.state.episodes
        owed = episode.duty(str(notification_id))
        assert owed is not None, "the example answers no duty of the example report"
        return owed


def test_the_example_answers_answer_the_example_story() -> None:
    """docs/answers.md, "What a recipient sends back": the examples of episode EP-2026-0412
    (contracts/examples) are one story; read in the order of their `time`, every one is
    taken, and examples 09-11 answer duties it owes, as the table says."""
    child = _example("01-misper-report").key
    timeline = _Examples(child)
    story = sorted(
        (p.stem for p in EXAMPLES.glob("*.json") if _example(p.stem).key == child),
        key=lambda name: _example(name).time,
    )
    read = {name: timeline.read(name) for name in story}
    assert {"09-duty-acknowledged", "10-strategy-meeting-held", "11-duty-completed"} <= set(read)

    ack = read["09-duty-acknowledged"].body
    assert isinstance(ack, DutyAcknowledged)
    assert timeline.duty(ack.notification_id).acknowledged_by == ack.acknowledged_by
    done = read["11-duty-completed"].body
    assert isinstance(done, DutyCompleted)
    assert timeline.duty(done.notification_id).done_at == done.completed_at
    meeting = read["10-strategy-meeting-held"].body
    assert isinstance(meeting, StrategyMeetingHeld)
    convene = timeline.duty(meeting.notification_id)
    assert convene.action == "convene_strategy_meeting"
    assert convene.done_at == meeting.held_at


@pytest.mark.parametrize(
    ("answer", "field"),
    [(acknowledged, "data.acknowledged_at"), (completed, "data.completed_at")],
    ids=["acknowledged", "completed"],
)
def test_an_answer_dated_before_the_child_went_missing_is_refused(
    answer: Callable[[Decision, datetime], DutyAcknowledged | DutyCompleted], field: str
) -> None:
    """Refused, naming the field: an answer dated before the child went missing (the docs
    did not say so of a completion: now they do)."""
    timeline, decisions = high_risk()
    [forms] = told(decisions, "allocated_worker", "complete_incident_and_location_forms")
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(
            answer(forms, START - timedelta(minutes=5)), at=START + timedelta(minutes=5)
        )
    assert caught.value.field == field


def _recorded(timeline: Timeline, duty: Decision) -> Duty:
    [episode] = timeline.state.episodes
    owed = episode.duty(str(duty.notification_id))
    assert owed is not None
    return owed


def test_a_duty_answered_twice_keeps_its_first_answer() -> None:
    """A resend (or a second answer) changes nothing: who picked the duty up, and when it was
    done, are as first said."""
    timeline, decisions = high_risk()
    [forms] = told(decisions, "allocated_worker", "complete_incident_and_location_forms")
    first = START + timedelta(minutes=10)
    timeline.receive(acknowledged(forms, first))
    again = acknowledged(forms, first + timedelta(minutes=5))
    timeline.receive(again.model_copy(update={"acknowledged_by": "Another desk"}))
    timeline.receive(completed(forms, first + timedelta(minutes=30)))
    assert timeline.receive(completed(forms, first + timedelta(minutes=40))) == []
    duty = _recorded(timeline, forms)
    assert (duty.acknowledged_at, duty.acknowledged_by) == (first, "Duty desk")
    assert duty.done_at == first + timedelta(minutes=30)


def test_a_duty_acknowledged_after_its_escalation_stops_the_climb() -> None:
    """Picked up late, after its manager was told: no manager above is told of it."""
    timeline, decisions = high_risk()
    [record] = told(decisions, "mash", "record_missing_episode")
    assert escalations(timeline.advance(START + timedelta(hours=1)), "mash_manager")
    timeline.receive(acknowledged(record, START + timedelta(hours=1, minutes=10)))
    later = timeline.advance(START + timedelta(days=3))
    assert not [d for d in later if "'record_missing_episode'" in d.summary]


def test_a_meeting_held_must_answer_a_duty_to_convene_one() -> None:
    """7.20: a meeting held names the notification that asked for it to be convened."""
    timeline, decisions = high_risk()
    [forms] = told(decisions, "allocated_worker", "complete_incident_and_location_forms")
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(held(forms, START + timedelta(hours=3)))
    assert caught.value.field == "data.notification_id"


def test_an_answer_about_an_episode_not_yet_reported_is_held_for_its_report() -> None:
    """Read before the MISPER report (another topic read first): held, not refused."""
    _, decisions = high_risk()
    [record] = told(decisions, "mash", "record_missing_episode")
    early = Timeline()
    with pytest.raises(ProtocolViolation) as caught:
        early.receive(acknowledged(record, START + timedelta(minutes=5)))
    assert caught.value.awaiting


def test_an_answer_from_an_agency_outside_the_directory_names_answered_by() -> None:
    timeline, decisions = high_risk()
    [record] = told(decisions, "mash", "record_missing_episode")
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(acknowledged(record, START + timedelta(minutes=5), by="atlantis"))
    assert caught.value.field == "data.answered_by"


def test_7_24_a_closure_stands_down_the_open_duties_and_an_answer_after_changes_nothing() -> None:
    """7.24: the duties stood down, an answer read later is taken and owes nothing again."""
    timeline = Timeline()
    [forms] = told(
        timeline.receive(misper()), "allocated_worker", "complete_incident_and_location_forms"
    )
    timeline.receive(closed(START + timedelta(days=1)))
    assert _recorded(timeline, forms).stood_down_at is not None
    timeline.receive(acknowledged(forms, START + timedelta(days=1, hours=1)))
    assert not timeline.advance(START + timedelta(days=30))


def test_5_15_the_trusted_adults_offer_stands_down_when_the_interview_is_answered_done() -> None:
    """The child declines (5.15) and the MCT is asked to offer a trusted adult; the MCT then
    answers its duty to conduct the interview done: the offer is stood down with it."""
    timeline = Timeline()
    timeline.receive(misper(allocated_worker=None))
    found_at = START + timedelta(days=2)
    [interview] = told(timeline.receive(found(at=found_at)), "mct", "conduct_return_interview")
    declined = timeline.receive(return_interview(found_at + timedelta(hours=5), declined=True))
    [offer] = told(declined, "mct", "offer_trusted_adult_interview")
    timeline.receive(completed(interview, found_at + timedelta(hours=6)))
    assert _recorded(timeline, offer).settled
    fired = timeline.advance(found_at + timedelta(days=5))
    assert not [d for d in fired if d.details.get("duty_action") == offer.action]


def test_8_4_a_host_notices_duty_answered_done_before_any_report_is_not_chased() -> None:
    """A notice's duties "are answered and followed up like an episode's"."""
    returned_at = START + timedelta(hours=9)
    timeline = Timeline()
    [notice] = told(
        timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_FOUND, returned_at)), "mct"
    )
    timeline.receive(completed(notice, returned_at + timedelta(hours=10)))
    fired = timeline.advance(returned_at + timedelta(days=5))
    chased = [d for d in fired if d.action == ESCALATED]
    assert not [
        d for d in chased if d.details["duty_notification_id"] == str(notice.notification_id)
    ]


def test_8_4_a_notice_duty_acknowledged_before_the_report_stays_acknowledged() -> None:
    """ "... the episode takes them over, still open or answered as they were"."""
    timeline = Timeline()
    [notice] = timeline.receive(host_notice(CrossBorderNoticeKind.CHILD_MISSING, START))
    timeline.receive(acknowledged(notice, START + timedelta(minutes=10)))
    report = misper(
        at=START + timedelta(minutes=30),
        legal_status=LegalStatus.LOOKED_AFTER,
        residence_authority="kent",
    )
    timeline.receive(report)
    assert _recorded(timeline, notice).acknowledged_at == START + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("by", "taken"),
    [
        ("northamptonshire-police", True),  # the home force
        ("bedfordshire-police", True),  # the force the child was reported to
        ("northamptonshire", True),  # the home authority
        ("luton", False),  # the host authority
        ("north-northamptonshire", False),  # a home area's council, not the trust
    ],
)
def test_7_24_the_childs_police_force_or_the_home_authority_close_an_episode(
    by: str, taken: bool
) -> None:
    timeline = Timeline()
    timeline.receive(
        misper(
            legal_status=LegalStatus.LOOKED_AFTER,
            residence_authority="luton",
            reporting_force="bedfordshire-police",
        )
    )
    if taken:
        timeline.receive(closed(START + timedelta(days=20), by=by))
        assert timeline.state.episodes[0].closed_at == START + timedelta(days=20)
        return
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(closed(START + timedelta(days=20), by=by))
    assert caught.value.field == "data.answered_by"


def test_7_24_a_meeting_held_before_the_closure_and_read_after_it_is_recorded() -> None:
    """The meeting was held while the case was live (7.22), and the joint decision to close
    it (7.24) came after: the meeting is the episode's record, as an answer to any other of
    its duties read after the closure is. Nothing is owed again: the closure stood the rest
    down."""
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    meeting = START + timedelta(hours=6)
    timeline.receive(closed(START + timedelta(hours=10)))
    later = START + timedelta(hours=11)
    next_meeting = START + timedelta(days=3)
    assert timeline.receive(held(convene, meeting, next_meeting_at=next_meeting), at=later) == []
    assert _recorded(timeline, convene).done_at == meeting
    assert _recorded(timeline, convene).status(later) == "done"  # the console shows it held
    assert not [t for t in timeline.pending if t.episode_id == "EP-1"]
    assert not timeline.advance(START + timedelta(days=30))


def test_7_24_a_meeting_held_after_the_closure_is_refused() -> None:
    """The case closed (7.24), no meeting of it is held any more."""
    timeline, decisions = high_risk()
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    timeline.receive(closed(START + timedelta(hours=10)))
    with pytest.raises(ProtocolViolation, match=r"7\.24") as caught:
        timeline.receive(held(convene, START + timedelta(hours=12)))
    assert caught.value.field == "data.episode_id"


def test_a_duty_held_for_want_of_its_recipient_is_answered_once_routed() -> None:
    """Held for a misspelt host authority (docs/directory.md), the duty is nobody's yet: an
    answer to it is refused, naming the notification, until ops route it."""
    timeline = Timeline()
    decisions = timeline.receive(
        misper(residence_authority="wiltshre", legal_status=LegalStatus.LOOKED_AFTER)
    )
    [notice] = [d for d in decisions if d.recipient == "host_police" and d.due is not None]
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(acknowledged(notice, START + timedelta(minutes=5), by="wiltshire-police"))
    assert caught.value.field == "data.notification_id"


def test_7_20_the_host_force_invited_answers_its_own_invitation() -> None:
    """`police` among those who attended is the force the report was made to; the force
    where our child placed out lives (8.3), invited too, answers its invitation itself."""
    timeline = Timeline()
    decisions = timeline.receive(
        misper(
            risk_level="high",
            legal_status=LegalStatus.LOOKED_AFTER,
            residence_authority="luton",
        )
    )
    [convene] = told(decisions, "team_manager", "convene_strategy_meeting")
    [reporting] = told(decisions, "police", "attend_strategy_meeting")
    [host] = told(decisions, "host_police", "attend_strategy_meeting")
    meeting = START + timedelta(hours=6)
    timeline.receive(held(convene, meeting))
    assert _recorded(timeline, reporting).done_at == meeting
    assert _recorded(timeline, host).done_at is None
    timeline.receive(completed(host, meeting, by="bedfordshire-police"))
    assert _recorded(timeline, host).done_at == meeting
