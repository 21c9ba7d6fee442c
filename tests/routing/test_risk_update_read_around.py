"""A risk update the hub can route around is taken as its MISPER report would be (docs/
contracts.md, "What the hub reads of a risk update"): a child under 18 graded `low` is
read as `medium` (6.5), and the force the child was reported to is told what the hub read."""

from __future__ import annotations

from datetime import date, timedelta

from hub.contracts.events import ChildDetails, RiskDisagreementRaised, RiskUpdate
from hub.contracts.vocabulary import Agency, LegalStatus, RiskLevel, Sex
from tests.routing.builders import CHILD, START, Timeline, found, misper, risk_update, told

CHECK = "check_risk_update"
LATER = START + timedelta(hours=3)


def graded_high() -> Timeline:
    timeline = Timeline()
    timeline.receive(misper(risk_level=RiskLevel.HIGH))
    return timeline


def test_6_5_a_child_re_graded_low_is_graded_medium() -> None:
    timeline = graded_high()
    decisions = timeline.receive(risk_update(RiskLevel.LOW, LATER))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert episode.risk_level is RiskLevel.MEDIUM
    [worker] = told(decisions, "allocated_worker", "risk_level_changed")
    assert worker.details["risk_level"] == "medium"


def test_6_5_the_force_is_told_the_hub_read_its_low_update_as_medium() -> None:
    [check] = told(graded_high().receive(risk_update(RiskLevel.LOW, LATER)), "police", CHECK)
    assert (check.authority, check.paragraph, check.due) == ("northamptonshire-police", "6.5", None)
    assert check.details == {"risk_level_sent": "low", "risk_level_read": "medium"}
    assert set(check.child) == {"name", "date_of_birth", "sex"}  # no more than its match needs
    assert check.notification().details == check.details  # the action's published schema


def test_7_16_a_low_update_on_a_child_graded_medium_is_told_as_sent_and_unchanged() -> None:
    """The child graded medium, police send `low`: the hub reads medium (6.5), so nothing
    changed. The worker and the MCT, who review the case with the police (7.16), are told
    the police graded the child low, read as medium, unchanged: not that the police graded
    the child medium, which their record, until corrected, does not say. The details (and
    so the ids) are as before: the grading the hub reads."""
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(risk_update(RiskLevel.LOW, LATER))
    for recipient in ("allocated_worker", "mct"):
        [changed] = told(decisions, recipient, "risk_level_changed")
        assert "graded the risk low" in changed.summary
        assert "read as medium" in changed.summary
        assert "unchanged" in changed.summary
        assert changed.details == {"risk_level": "medium", "cse_risk": False}


def test_7_16_a_low_update_on_a_child_graded_high_is_told_as_medium_from_high() -> None:
    for recipient in ("allocated_worker", "mct"):
        decisions = graded_high().receive(risk_update(RiskLevel.LOW, LATER))
        [changed] = told(decisions, recipient, "risk_level_changed")
        assert "graded the risk low" in changed.summary
        assert "read as medium (was high" in changed.summary


def test_7_16_a_low_update_read_after_the_found_report_is_told_as_sent() -> None:
    timeline = graded_high()
    timeline.receive(found(at=LATER + timedelta(hours=1)))
    decisions = timeline.receive(risk_update(RiskLevel.LOW, LATER), at=LATER + timedelta(hours=2))
    for recipient in ("allocated_worker", "mct"):
        [changed] = told(decisions, recipient, "risk_level_changed")
        assert "graded the risk low" in changed.summary
        assert "read as medium" in changed.summary


def test_7_16_an_update_read_as_sent_tells_the_new_grading() -> None:
    decisions = graded_high().receive(risk_update(RiskLevel.MEDIUM, LATER))
    [changed] = told(decisions, "mct", "risk_level_changed")
    assert changed.summary == "Police risk grading is now medium."


def test_6_5_a_low_update_read_after_the_found_report_is_read_as_medium() -> None:
    timeline = graded_high()
    timeline.receive(found(at=LATER + timedelta(hours=1)))
    decisions = timeline.receive(risk_update(RiskLevel.LOW, LATER), at=LATER + timedelta(hours=2))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert episode.risk_level is RiskLevel.MEDIUM
    assert told(decisions, "police", CHECK)


def test_1_4_a_care_leaver_of_18_or_over_may_be_graded_low() -> None:
    adult = ChildDetails(name="Young Person", date_of_birth=date(2006, 5, 1), sex=Sex.MALE)
    timeline = Timeline()
    timeline.receive(misper(child=adult, legal_status=LegalStatus.CARE_LEAVER))
    decisions = timeline.receive(risk_update(RiskLevel.LOW, LATER))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert episode.risk_level is RiskLevel.LOW
    assert not told(decisions, "police", CHECK)


def test_6_5_a_care_leaver_of_17_graded_low_in_an_update_dated_past_her_birthday_is_medium() -> (
    None
):
    """A care leaver of 17, 18 on 1 December: police grade her low in an update typed a month
    ahead, past her birthday, and sent now, in November. She is 17 when the hub reads it, a
    child, so the grading is read as medium (6.5), as one dated today would be."""
    care_leaver = ChildDetails(name="Young Person", date_of_birth=date(2008, 12, 1), sex=Sex.FEMALE)
    timeline = Timeline()
    timeline.receive(misper(child=care_leaver, legal_status=LegalStatus.CARE_LEAVER))
    timeline.receive(risk_update(RiskLevel.LOW, LATER + timedelta(days=30)), at=LATER)
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert episode.risk_level is RiskLevel.MEDIUM


def test_6_7_a_low_grading_as_proposed_settles_the_disagreement_though_read_as_medium() -> None:
    """6.7: police graded the child as the professional proposed, so there is no
    disagreement left to escalate, though the hub reads the child's `low` as medium (6.5)."""
    timeline = graded_high()
    proposed_low = RiskDisagreementRaised(
        episode_id="EP-1",
        child_id=CHILD,
        raised_at=START + timedelta(hours=1),
        raised_by=Agency.CHILDRENS_SERVICES,
        proposed_risk_level=RiskLevel.LOW,
    )
    timeline.receive(proposed_low)
    timeline.receive(risk_update(RiskLevel.LOW, LATER))
    fired = timeline.advance(START + timedelta(hours=16))  # past the 12 hours (6.7)
    assert not told(fired, "rise_mct_service_manager", "escalate_risk_disagreement")
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert (episode.risk_level, episode.disputed_risk_level) == (RiskLevel.MEDIUM, None)


def test_an_update_read_as_sent_asks_the_force_to_check_nothing() -> None:
    assert not told(graded_high().receive(risk_update(RiskLevel.MEDIUM, LATER)), "police", CHECK)


def test_7_17_a_child_graded_high_with_no_reason_given_is_met_about() -> None:
    """Why police re-graded is no rule's: graded high, the meeting is convened (7.17)."""
    update = RiskUpdate.model_validate(
        {
            "episode_id": "EP-1",
            "child_id": CHILD,
            "updated_at": LATER,
            "risk_level": RiskLevel.HIGH,
            "cse_risk": False,
            "reason": " ",
        }
    )
    timeline = Timeline()
    timeline.receive(misper())
    assert told(timeline.receive(update), "team_manager", "convene_strategy_meeting")
