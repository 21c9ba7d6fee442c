"""A return interview's result the hub can route around is taken, never refused: refused,
its findings would reach nobody (5.17, 5.18) and its chase go on (5.12) while the sender
fixed and resent it (docs/contracts.md, "What the hub reads of a return interview"). Whoever
did the interview is told what the hub read."""

from __future__ import annotations

from datetime import timedelta

from hub.contracts.events import ReturnInterviewResult
from hub.contracts.vocabulary import EpisodeAssessment, Interviewer, ReturnInterviewOutcome
from tests.routing.builders import CHILD, START, Timeline, found, misper, told

CHECK = "check_return_interview"
FOUND_AT = START + timedelta(days=2)
RECORDED_AT = FOUND_AT + timedelta(hours=48)


def completed_after_recorded(
    completed_at: object = RECORDED_AT + timedelta(hours=30),
    interviewer: Interviewer = Interviewer.MCT,
) -> object:
    return ReturnInterviewResult.model_validate(
        {
            "episode_id": "EP-1",
            "child_id": CHILD,
            "interviewer": interviewer,
            "outcome": ReturnInterviewOutcome.COMPLETED,
            "recorded_at": RECORDED_AT,
            "completed_at": completed_at,
            "assessment": EpisodeAssessment.SIGNIFICANT,
        }
    )


def found_child() -> Timeline:
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(found(at=FOUND_AT))
    return timeline


def test_5_12_an_interview_completed_after_its_record_is_done_when_recorded() -> None:
    timeline = found_child()
    decisions = timeline.receive(completed_after_recorded())
    assert told(decisions, "allocated_worker", "return_interview_shared")  # 5.18
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    [interview] = [d for d in episode.duties if d.action == "conduct_return_interview"]
    assert interview.done_at == RECORDED_AT  # the latest it can have been done (5.12)


def test_5_12_whoever_did_the_interview_is_told_the_hub_read_its_completion() -> None:
    [check] = told(found_child().receive(completed_after_recorded()), "mct", CHECK)
    assert (check.paragraph, check.due) == ("5.12 (Independent Return Interview)", None)
    assert check.details == {
        "completed_at_sent": "2026-11-23T16:00:00Z",
        "completed_at_read": "2026-11-22T10:00:00Z",
    }
    assert check.child == {}  # the MCT finds the child by child_id
    assert check.notification().details == check.details  # the action's published schema


def test_5_12_the_allocated_team_is_told_the_hub_read_its_completion_by_child_id_only() -> None:
    """Its manager, as the MCT, finds the child by child_id: the check is of a time, and
    the child's grading or legal status adds nothing to it (data minimisation)."""
    interview = completed_after_recorded(interviewer=Interviewer.ALLOCATED_TEAM)
    [check] = told(found_child().receive(interview), "team_manager", CHECK)
    assert check.child == {}


def test_an_interview_read_as_sent_asks_nobody_to_check_it() -> None:
    decisions = found_child().receive(completed_after_recorded(RECORDED_AT))
    assert not [d for d in decisions if d.action == CHECK]


def test_5_12_an_interview_completed_with_no_completion_time_is_done_when_recorded() -> None:
    """Completed, its findings given, but not when: no later than it was recorded, so read as
    then (never done earlier than it was), its findings shared, and the interviewer told."""
    timeline = found_child()
    decisions = timeline.receive(completed_after_recorded(completed_at=None))
    assert told(decisions, "allocated_worker", "return_interview_shared")  # 5.18
    [check] = told(decisions, "mct", CHECK)
    assert check.details == {
        "completed_at_sent": "not given",
        "completed_at_read": "2026-11-22T10:00:00Z",
    }


def test_5_12_the_check_of_an_interview_not_saying_when_can_be_sent_to_the_interviewer() -> None:
    """Its details are what check_return_interview's published schema says arrives: a
    notification that breaks it is never made, and the interview's findings would reach
    nobody (5.18) and its chase go on (5.12) with the result dead-lettered."""
    [check] = told(found_child().receive(completed_after_recorded(completed_at=None)), "mct", CHECK)
    assert check.notification().details == check.details
