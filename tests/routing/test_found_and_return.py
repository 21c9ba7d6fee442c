"""Found, returned, and the return interview (3.18, 5.1, 5.6, 5.12-5.19, 7.6-7.8, 7.18,
7.19, 7.28, 8.4, MCT practice guidance)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.contracts.events import DutyCompleted, FoundReport, ReturnInterviewResult
from hub.contracts.vocabulary import (
    EpisodeAssessment,
    FoundBy,
    Interviewer,
    LegalStatus,
    PushPullFactor,
    ReturnInterviewOutcome,
    RiskLevel,
)
from hub.reports.figures import report
from hub.routing.facts import ChildState, Decision, Duty, ProtocolViolation
from hub.store.outcomes import STATE
from hub.store.retention import retire
from tests.routing.builders import (
    CHILD,
    DIRECTORY,
    START,
    Timeline,
    by_the_rules,
    disagreement,
    found,
    misper,
    return_interview,
    risk_update,
    told,
)
from tests.routing.test_duties import completed

FOUND_AT = START + timedelta(days=2)


def returned(**changes: object) -> Timeline:
    timeline = Timeline()
    timeline.receive(misper(**changes))  # type: ignore[arg-type]
    timeline.receive(found())
    return timeline


def test_7_16_a_grading_made_while_missing_and_read_after_the_found_report_is_told() -> None:
    """Senders flushing a queue at once: the found report can be read first. The grading is
    the episode's, and no strategy meeting or high-risk alert is raised for a found child."""
    timeline = returned()
    graded = risk_update(RiskLevel.HIGH, FOUND_AT - timedelta(hours=5), cse=True)
    decisions = timeline.receive(graded, at=FOUND_AT + timedelta(minutes=1))
    told_of_it = {(d.recipient, d.action, d.paragraph, d.due) for d in decisions}
    assert told_of_it == {
        ("allocated_worker", "risk_level_changed", "7.16", None),
        ("mct", "risk_level_changed", "7.16", None),
        ("rise", "missing_child_at_risk_of_cse", "6.6", None),
    }
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert (episode.risk_level, episode.cse_risk) == (RiskLevel.HIGH, True)


def test_7_16_a_grading_made_after_the_child_was_found_is_refused() -> None:
    timeline = returned()
    with pytest.raises(ProtocolViolation, match="the child was found"):
        timeline.receive(risk_update(RiskLevel.HIGH, FOUND_AT + timedelta(hours=1)))


@pytest.mark.parametrize("minutes", [-30, 30], ids=["found earlier", "found later"])
def test_5_1_a_second_found_report_of_a_found_child_does_not_ask_for_a_new_episode(
    minutes: int,
) -> None:
    """A force's found report of a child found already (another force's found it first, or
    its own system sent it again under a new event id) is refused: the return is known.
    Told "report a new episode instead", its control room would report a child at home
    missing again, and every agency would act on an absence that never was (counted by
    7.18's and 8.12's three in 90 days)."""
    timeline = returned()
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(found(at=FOUND_AT + timedelta(minutes=minutes)), at=FOUND_AT)
    assert caught.value.field == "data.episode_id"
    assert "already been reported found" in caught.value.reason
    assert "new episode" not in caught.value.reason


def test_6_7_a_disagreement_raised_while_missing_and_read_after_the_found_report_is_told() -> None:
    timeline = returned()
    raised = disagreement(FOUND_AT - timedelta(hours=5))
    decisions = timeline.receive(raised, at=FOUND_AT + timedelta(minutes=1))
    told_of_it = {(d.recipient, d.action, d.paragraph, d.due) for d in decisions}
    assert told_of_it == {
        ("team_manager", "resolve_risk_disagreement", "6.7", None),
        ("police", "resolve_risk_disagreement", "6.7", None),
    }
    assert "risk_disagreement" not in {timer.name for timer in timeline.pending}


def disputed(found_after: timedelta) -> Timeline:
    """The child's social care disagrees with the police grading an hour into the episode
    (6.7), and the child is found `found_after` the start, the disagreement unresolved."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(disagreement(START + timedelta(hours=1)))
    timeline.receive(found(at=START + found_after))
    return timeline


@pytest.mark.parametrize("found_after", [timedelta(hours=3), timedelta(hours=20)])
def test_6_7_the_found_report_stands_down_a_disagreement_left_unresolved(
    found_after: timedelta,
) -> None:
    """6.7: a disagreement "as to the level of risk posed to a missing child": the child
    found, no grading steers a search any more (as for one read after the found report,
    above). Found before its 12 hours or after their escalation, neither the duties to
    resolve it nor those to consult on it stay owed, for ever overdue on the deadlines."""
    timeline = disputed(found_after)
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    about_it = [d for d in episode.duties if "risk_disagreement" in d.action]
    assert len(about_it) == (2 if found_after < timedelta(hours=13) else 5)
    assert all(d.stood_down_at == START + found_after for d in about_it)
    assert all(d.done_at is None for d in about_it)  # nobody resolved it


def taken_over_after_a_disagreement() -> Timeline:
    """Children's services dispute the grading an hour in (6.7); at three hours a second
    force reports the same absence, and its report takes the search over (7.22)."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(disagreement(START + timedelta(hours=1)))
    timeline.receive(
        misper(
            "EP-2",
            at=START + timedelta(hours=3),
            missing_since=START,
            reporting_force="thames-valley-police",
        )
    )
    return timeline


def test_6_7_a_disagreement_stays_owed_when_another_force_takes_the_search_over() -> None:
    """6.7: a disagreement "as to the level of risk posed to a missing child". Three hours
    in, a second force reports the same absence and its report takes the search over
    (7.22): the child is still missing, so the disagreement raised under the first report
    is still to be resolved, not stood down as if the child were found."""
    timeline = taken_over_after_a_disagreement()
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    about_it = [d for d in episode.duties if "risk_disagreement" in d.action]
    assert len(about_it) == 2
    assert all(d.stood_down_at is None for d in about_it)


def test_6_7_a_disagreement_unresolved_at_12_hours_escalates_though_another_force_took_over() -> (
    None
):
    """6.7: unresolved after 12 hours, "the police DCI and the RISE/MCT Service Manager ...
    should be consulted". A second force's report of the same absence took the search over
    at 3 hours; the child still missing, the disagreement raised at 1 hour is escalated at 13."""
    timeline = taken_over_after_a_disagreement()
    fired = timeline.advance(START + timedelta(hours=14))
    assert told(fired, "rise_mct_service_manager", "escalate_risk_disagreement")


def test_6_7_the_child_found_under_the_other_forces_report_ends_the_disagreement() -> None:
    """The same, the child found at 5 hours under the second force's report: no risk is left
    to resolve, and nobody is consulted at 13 hours over a found child's grading."""
    timeline = taken_over_after_a_disagreement()
    timeline.receive(found("EP-2", at=START + timedelta(hours=5)))
    fired = timeline.advance(START + timedelta(hours=14))
    assert not told(fired, "rise_mct_service_manager", "escalate_risk_disagreement")
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert all(d.settled for d in episode.duties if d.action == "resolve_risk_disagreement")


def test_6_7_a_disagreement_raised_after_the_child_was_found_is_refused() -> None:
    timeline = returned()
    with pytest.raises(ProtocolViolation, match="the child was found"):
        timeline.receive(disagreement(FOUND_AT + timedelta(hours=1)))


def test_a_found_report_cancels_every_pending_timer_of_the_episode() -> None:
    """But the follow-ups of duties still owed: a found child's forms are still due."""
    timeline = returned()
    rules = {t.name for t in timeline.pending if t.name != "duty_follow_up"}
    assert rules == {"return_interview_overdue"}
    later = timeline.advance(START + timedelta(days=30))
    assert not told(later, "service_manager", "convene_strategy_meeting")


def test_5_12_the_return_interview_is_due_within_72_hours_of_return() -> None:
    [interview] = told(returned().decisions, "mct", "conduct_return_interview")
    assert interview.due == FOUND_AT + timedelta(hours=72)


def test_5_12_the_police_conduct_the_prevention_interview() -> None:
    assert told(returned().decisions, "police", "conduct_prevention_interview")


def test_8_4_the_iro_and_parents_of_a_looked_after_child_are_told_of_the_return() -> None:
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    decisions = timeline.receive(found())
    assert told(decisions, "iro", "child_found")
    [parents] = told(decisions, "allocated_worker", "inform_parental_responsibility_holders")
    assert parents.details["welfare_check_required"] is True


def test_mct_pg_the_worker_of_a_child_living_at_home_is_asked_to_visit_not_review_a_placement() -> (
    None
):
    """MCT-PG: "The allocated Social Worker should arrange to visit the child or young person
    as soon after the missing episode as possible to talk about why they went missing and
    consider any current or possible risks"; 8.4's review of the placement is for a child in
    care: a child in need at home has none to review."""
    [worker] = told(returned().decisions, "allocated_worker", "child_found")
    assert "placement" not in worker.summary


def test_8_4_parents_of_a_looked_after_child_are_told_of_the_episode_as_it_begins() -> None:
    """MCT-PG: "those with parental responsibility are informed about the missing episode";
    8.4: told when the child goes missing, "unless ... inconsistent with the child's
    welfare". They may know where the child is."""
    decisions = Timeline().receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    [parents] = told(decisions, "allocated_worker", "inform_parental_responsibility_holders")
    assert parents.details["welfare_check_required"] is True


def test_5_1_a_possible_victim_of_crime_has_police_attend_without_delay() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    decisions = timeline.receive(found(possible_victim_of_crime=True))
    assert told(decisions, "police", "attend_without_delay")[0].due == FOUND_AT


def test_5_6_concerns_about_going_home_go_to_mash_before_the_return() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    assert told(
        timeline.receive(found(concerns_about_returning_home=True)), "mash", "concerns_about_return"
    )


def test_3_18_found_by_a_parent_the_mct_considers_advice() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    assert told(
        timeline.receive(found(found_by=FoundBy.PARENT_OR_CARER)),
        "mct",
        "consider_advice_to_parent_or_carer",
    )


def test_mct_pg_an_overdue_return_interview_escalates_to_the_rise_mct_service_manager() -> None:
    timeline = returned()
    fired = timeline.advance(FOUND_AT + timedelta(hours=73))
    assert told(fired, "mct", "return_interview_overdue")
    assert told(fired, "rise_mct_service_manager", "return_interview_overdue")


def test_a_completed_return_interview_stops_the_overdue_escalation() -> None:
    timeline = returned()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=20)))
    assert not by_the_rules(timeline.advance(FOUND_AT + timedelta(hours=80)))


def test_5_18_and_7_8_the_interview_is_shared_with_police_worker_and_iro() -> None:
    timeline = returned(legal_status=LegalStatus.LOOKED_AFTER)
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=20)))
    assert {d.recipient for d in decisions} >= {"police", "allocated_worker", "iro"}


@pytest.mark.parametrize(
    ("assessment", "recipient", "action"),
    [
        (
            EpisodeAssessment.NOT_SIGNIFICANT_NO_VULNERABILITIES,
            "mct",
            "consider_advice_and_support",
        ),
        (
            EpisodeAssessment.NOT_SIGNIFICANT_WITH_VULNERABILITIES,
            "mct",
            "refer_to_adolescent_targeted_support",
        ),
        (EpisodeAssessment.SIGNIFICANT, "mct", "refer_to_mash_for_initial_assessment"),
    ],
)
def test_7_7_the_assessment_decides_where_the_child_is_referred(
    assessment: EpisodeAssessment, recipient: str, action: str
) -> None:
    timeline = returned()
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=20), assessment))
    assert told(decisions, recipient, action)[0].paragraph == "7.7"


def test_5_17_a_child_not_known_is_referred_to_mash_after_the_interview() -> None:
    timeline = returned(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None)
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=20)))
    assert told(decisions, "mct", "make_mash_referral")


def test_5_15_a_declined_interview_is_followed_up_by_the_social_worker() -> None:
    timeline = returned()
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    assert told(decisions, "allocated_worker", "follow_up_declined_return_interview")


@pytest.mark.parametrize(
    "changes",
    [{}, {"legal_status": LegalStatus.NOT_KNOWN, "allocated_worker": None}],
    ids=["followed_up_by_the_social_worker", "offered_a_trusted_adult"],
)
def test_5_15_a_declined_interview_is_not_reported_overdue_at_72_hours(
    changes: dict[str, object],
) -> None:
    """5.12-5.15: the interview was offered and the child declined it; what follows is 5.15's
    (the social worker's follow-up, or a trusted adult offered within a few hours, chased
    as its own duty), not the interview. At 72 hours neither the MCT nor the RISE/MCT
    Service Manager is told it was "not completed", as if the MCT had not done its part."""
    timeline = returned(**changes)
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    fired = timeline.advance(FOUND_AT + timedelta(days=4))
    assert not told(fired, "mct", "return_interview_overdue")
    assert not told(fired, "rise_mct_service_manager", "return_interview_overdue")


def test_5_15_a_declined_interview_still_counts_as_not_given() -> None:
    """Its chase ended, a declined interview is still no interview given (5.16 counts the
    refusal), and one given later is shared as the interview completed (5.12, 5.18)."""
    timeline = returned()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert not episode.return_interviewed
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=9)))
    assert told(decisions, "police", "return_interview_shared")


def interview_duty(timeline: Timeline, action: str = "conduct_return_interview") -> Duty:
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    [duty] = [d for d in episode.duties if d.action == action]
    return duty


def interview_answered_done(timeline: Timeline, at: datetime) -> DutyCompleted:
    """The MCT answers its duty to conduct the interview done (issue 14)."""
    return DutyCompleted(
        episode_id="EP-1",
        child_id=CHILD,
        notification_id=interview_duty(timeline).notification_id,
        answered_by="northamptonshire",
        completed_at=at,
        completed_by="MCT",
    )


def overdue_settled(timeline: Timeline) -> tuple[set[str], set[str]]:
    """Who was told the interview is overdue (5.12), and which of those duties are settled."""
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    overdue = [d for d in episode.duties if d.action == "return_interview_overdue"]
    return {d.recipient for d in overdue}, {d.recipient for d in overdue if d.settled}


def declined_then_answered_done(**changes: object) -> Timeline:
    """The child declines the interview 5 hours after it was found (5.15), and at 20 hours
    gives it after all, to a trusted adult, the MCT answering its duty done (issue 14)."""
    timeline = returned(**changes)
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    timeline.receive(interview_answered_done(timeline, FOUND_AT + timedelta(hours=20)))
    return timeline


def test_5_15_a_declined_interview_is_no_longer_owed_by_the_mct() -> None:
    """The MCT offered the interview and the child declined it (5.15): the social worker's
    follow-up is what is owed now. The MCT's duty to conduct the interview is settled by the
    refusal, not left overdue on the deadlines page for good once its 72 hours pass."""
    timeline = returned()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    timeline.advance(FOUND_AT + timedelta(days=4))
    assert interview_duty(timeline).status(FOUND_AT + timedelta(days=4)) == "stood down"


def test_5_15_a_refusal_read_after_the_72_hours_settles_the_managers_overdue_duty() -> None:
    """The interview not given at 72 hours, the RISE/MCT Service Manager is told it is
    overdue (5.12); the child's refusal is then recorded: the interview was offered, and
    the manager's duty over its lateness is no longer owed, nor overdue for good."""
    timeline = returned()
    timeline.advance(FOUND_AT + timedelta(hours=73))
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=80), declined=True))
    assert overdue_settled(timeline) == ({"mct", "rise_mct_service_manager"},) * 2


def test_5_12_the_interview_answered_done_late_settles_the_managers_overdue_duty() -> None:
    """The interview not given at 72 hours, the RISE/MCT Service Manager is told it is
    overdue (5.12); the MCT then gives it and answers its duty done (issue 14): the
    manager's duty over its lateness is done with it, as the interview's result would have
    it, not left overdue on the deadlines page for good."""
    timeline = returned()
    timeline.advance(FOUND_AT + timedelta(hours=73))
    timeline.receive(interview_answered_done(timeline, FOUND_AT + timedelta(hours=80)))
    assert overdue_settled(timeline) == ({"mct", "rise_mct_service_manager"},) * 2


def test_5_15_an_interview_declined_then_answered_done_is_the_interview_given() -> None:
    """A trusted adult's interview after the refusal, answered done by the MCT, is the
    interview given (5.12): its duty is done, not left stood down by the refusal."""
    timeline = declined_then_answered_done()
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert episode.return_interviewed


def test_5_15_an_interview_declined_then_given_is_the_interview_given() -> None:
    """The same, the interview's result saying it was completed after the refusal (a
    trusted adult's, 5.15): the interview was given, and 5.16's count starts again."""
    timeline = returned()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=9)))
    episode = timeline.state.episode("EP-1")
    assert episode is not None
    assert episode.return_interviewed


NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def test_5_15_the_reports_count_a_declined_interview_offered_and_declined() -> None:
    """The month's report (section 10): the interview the child declined was offered, and
    declined, and not given within 72 hours, though its duty was settled by the refusal."""
    timeline = returned()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    figures = report([timeline.state], DIRECTORY, *NOVEMBER, NOVEMBER[1])
    counted = (
        figures.return_interviews_offered,
        figures.return_interviews_declined,
        figures.return_interviews_within_72_hours,
    )
    assert counted == (1, 1, 0)


def test_5_15_the_reports_do_not_count_the_mct_overdue_for_a_declined_interview() -> None:
    """Nor does the month's report count the MCT's duty to conduct it overdue: the child's
    refusal is no duty the MCT left undone (as the deadlines page no longer shows it)."""
    timeline = returned()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    figures = report([timeline.state], DIRECTORY, *NOVEMBER, NOVEMBER[1])
    assert sum(t.overdue for t in figures.teams if t.recipient == "mct") == 0


def test_5_15_the_reports_count_an_interview_declined_then_given_within_72_hours() -> None:
    """Given after all within the 72 hours, a trusted adult's, answered done: the report
    counts it offered, declined, and given within 72 hours (5.12)."""
    figures = report([declined_then_answered_done().state], DIRECTORY, *NOVEMBER, NOVEMBER[1])
    counted = (
        figures.return_interviews_offered,
        figures.return_interviews_declined,
        figures.return_interviews_within_72_hours,
    )
    assert counted == (1, 1, 1)


def test_5_15_without_a_social_worker_the_mct_offers_a_trusted_adult() -> None:
    timeline = returned(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None)
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    assert told(decisions, "mct", "offer_trusted_adult_interview")


@pytest.mark.parametrize("status", [LegalStatus.EARLY_HELP, LegalStatus.CARE_LEAVER])
def test_5_15_a_child_with_a_worker_but_no_social_worker_is_offered_a_trusted_adult(
    status: LegalStatus,
) -> None:
    """5.15: the social worker follows up "a child in care or a child living at home but
    who is already receiving support from a social worker"; any other is asked whether
    another person would be acceptable (an Early Help worker is not a social worker)."""
    timeline = returned(legal_status=status)
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    assert told(decisions, "mct", "offer_trusted_adult_interview")
    assert not told(decisions, "allocated_worker", "follow_up_declined_return_interview")


def test_5_15_the_interview_given_after_all_the_trusted_adults_offer_is_not_chased() -> None:
    """The child declines, and the MCT is to offer a trusted adult; an hour later the child
    gives the interview after all (5.12): the offer is no longer needed, and its manager is
    not chased for it."""
    timeline = returned(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None)
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=6)))
    fired = timeline.advance(FOUND_AT + timedelta(days=3))
    chased = told(fired, "rise_mct_service_manager", "duty_escalated")
    assert all(e.details["duty_action"] != "offer_trusted_adult_interview" for e in chased)


def test_5_15_the_interview_answered_done_the_trusted_adults_offer_is_not_chased() -> None:
    """The same, the MCT answering its duty to conduct the interview done (issue 14)."""
    timeline = Timeline()
    timeline.receive(misper(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None))
    [interview] = told(timeline.receive(found()), "mct", "conduct_return_interview")
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    timeline.receive(completed(interview, FOUND_AT + timedelta(hours=6)))
    fired = timeline.advance(FOUND_AT + timedelta(days=3))
    chased = told(fired, "rise_mct_service_manager", "duty_escalated")
    assert all(e.details["duty_action"] != "offer_trusted_adult_interview" for e in chased)


def test_5_15_a_trusted_adults_interview_is_never_shared_as_the_formal_one() -> None:
    """5.15: a trusted adult may stand in, and "It will be made clear on the IRI form that a
    formal return home interview was not completed": the police, the worker and the IRO are
    not told a formal interview was given because the sender left `formal_interview` out."""
    timeline = returned(legal_status=LegalStatus.NOT_KNOWN, allocated_worker=None)
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    given = ReturnInterviewResult(
        episode_id="EP-1",
        child_id=CHILD,
        interviewer=Interviewer.TRUSTED_ADULT,
        outcome=ReturnInterviewOutcome.COMPLETED,
        recorded_at=FOUND_AT + timedelta(hours=8),
        completed_at=FOUND_AT + timedelta(hours=8),
        assessment=EpisodeAssessment.SIGNIFICANT,
    )
    [police] = told(timeline.receive(given), "police", "return_interview_shared")
    assert police.details["formal_interview"] is False


def test_5_16_continuing_to_decline_brings_a_mash_referral_to_mind() -> None:
    timeline = returned()
    timeline.receive(return_interview(FOUND_AT + timedelta(hours=5), declined=True))
    decisions = timeline.receive(return_interview(FOUND_AT + timedelta(hours=9), declined=True))
    assert told(decisions, "mct", "consider_mash_referral_after_declines")


def episode_ending(timeline: Timeline, n: int, interviewed: bool) -> list[Decision]:
    """The child's n-th episode (EP-n, ten days apart): missing, found 3 hours later, and
    the return interview given or declined."""
    start = START + timedelta(days=10 * n)
    timeline.receive(misper(f"EP-{n}", at=start))
    timeline.receive(found(f"EP-{n}", at=start + timedelta(hours=3)))
    result = return_interview(start + timedelta(hours=8), declined=not interviewed)
    return timeline.receive(result.model_copy(update={"episode_id": f"EP-{n}"}))


def test_5_16_declining_once_in_each_of_two_episodes_is_continuing_to_decline() -> None:
    """5.15: a child controlled by those it fears may decline every time; one refusal an
    episode never reached 5.16, the count starting again with each episode."""
    timeline = Timeline()
    episode_ending(timeline, 0, interviewed=False)
    decisions = episode_ending(timeline, 1, interviewed=False)
    assert told(decisions, "mct", "consider_mash_referral_after_declines")


def test_5_16_an_interview_given_in_between_starts_the_count_again() -> None:
    timeline = Timeline()
    episode_ending(timeline, 0, interviewed=False)
    episode_ending(timeline, 1, interviewed=True)
    decisions = episode_ending(timeline, 2, interviewed=False)
    assert not told(decisions, "mct", "consider_mash_referral_after_declines")


def test_5_16_a_refusal_in_an_episode_retention_has_retired_still_counts() -> None:
    timeline = Timeline()
    episode_ending(timeline, 0, interviewed=False)
    timeline.state = retire(timeline.state, ["EP-0"])
    decisions = episode_ending(timeline, 1, interviewed=False)
    assert told(decisions, "mct", "consider_mash_referral_after_declines")


def test_7_18_three_episodes_in_28_days_bring_a_case_review() -> None:
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=10))
    reviews = told(timeline.decisions, "service_manager", "review_repeat_missing_case")
    assert reviews
    assert reviews[0].paragraph == "7.18"
    assert reviews[0].due is None
    assert told(timeline.decisions, "rise", "add_to_cse_and_missing_forum")[0].paragraph == "7.28"


def test_7_18_an_episode_reported_late_completes_the_three_with_one_reported_after_it() -> None:
    # Day 0 and day 10 are known; another force reports day 5 on day 11: three in 28 days.
    timeline = Timeline()
    for n, day in ((0, 0), (2, 10)):
        start = START + timedelta(days=day)
        timeline.receive(misper(f"EP-{n}", at=start))
        timeline.receive(found(f"EP-{n}", at=start + timedelta(hours=3)))
    day_5 = START + timedelta(days=5)
    decisions = timeline.receive(
        misper("EP-1", at=day_5, reported_at=START + timedelta(days=11)),
        at=START + timedelta(days=11),
    )
    [review] = told(decisions, "service_manager", "review_repeat_missing_case")
    assert review.paragraph == "7.18"
    assert told(decisions, "rise", "add_to_cse_and_missing_forum")


def test_7_19_three_episodes_in_a_week_bring_an_immediate_review() -> None:
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=2))
    [review] = told(timeline.decisions, "service_manager", "review_repeat_missing_case")
    assert (review.paragraph, review.due) == ("7.19", review.at)


def test_7_19_the_immediate_review_says_the_episodes_came_in_quick_succession() -> None:
    """7.19: "A quick succession of missing episodes will eradicate the need for 90 days to
    elapse": what brought the review at once is three in 7 days, not 7.18's three in 28."""
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=2))
    [review] = told(timeline.decisions, "service_manager", "review_repeat_missing_case")
    assert review.summary.startswith("3 missing episodes in 7 days, in quick succession:")


# 7.28: "Children who are repeatedly absent or missing should be discussed at the monthly CSE
# and Missing Persons Forum" (1.4: "a monthly multi-agency meeting"): RISE puts the child to
# the forum of the month (the deployment's calendar, as `hub report forum --month` lists
# it) once, and again in a later month if the child goes on going missing.


def test_7_28_rise_is_asked_to_put_the_child_to_each_months_forum_once() -> None:
    timeline = Timeline()
    timeline.repeatedly_missing(6, every=timedelta(days=3))  # 18 Nov to 3 Dec
    asked = told(timeline.decisions, "rise", "add_to_cse_and_missing_forum")
    assert [d.at for d in asked] == [START + timedelta(days=6), START + timedelta(days=15)]


def test_7_28_the_forum_month_asked_for_is_kept_with_the_childs_stored_state() -> None:
    timeline = Timeline()
    timeline.repeatedly_missing(3, every=timedelta(days=3))
    timeline.state = STATE.validate_json(STATE.dump_json(timeline.state))
    decisions = timeline.receive(misper("EP-3", at=START + timedelta(days=9)))
    assert not told(decisions, "rise", "add_to_cse_and_missing_forum")


def test_7_28_a_state_stored_before_the_forum_month_was_kept_still_loads() -> None:
    stored = STATE.dump_python(ChildState(CHILD), mode="json")
    del stored["forum_month"]
    assert STATE.validate_python(stored).forum_month is None


def test_5_1_a_child_found_at_a_place_not_given_has_police_attend_without_delay() -> None:
    """The found report says the child may be a victim of crime but not where the child was
    found: the police attend without delay all the same (5.1), and ask the finder where."""
    timeline = Timeline()
    timeline.receive(misper())
    nowhere = FoundReport.model_validate(
        found(possible_victim_of_crime=True).model_dump() | {"found_where": ""}
    )
    decisions = timeline.receive(nowhere)
    [attend] = told(decisions, "police", "attend_without_delay")
    assert attend.due == FOUND_AT
    assert attend.child["found_where"] is None
    assert attend.notification().child.found_where is None  # as its schema allows
    assert told(decisions, "mct", "conduct_return_interview")  # 5.12


def test_found_before_reported_is_refused() -> None:
    with pytest.raises(ProtocolViolation, match="no MISPER report"):
        Timeline().receive(found())


def test_found_before_the_child_went_missing_is_refused() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(found(at=START - timedelta(hours=1)), at=START)
    assert caught.value.field == "data.found_at"


def test_a_return_interview_before_the_child_is_found_is_refused() -> None:
    timeline = Timeline()
    timeline.receive(misper())
    with pytest.raises(ProtocolViolation, match="not been reported found"):
        timeline.receive(return_interview(START + timedelta(hours=3)))


def test_5_18_the_interviews_findings_travel_with_the_notification() -> None:
    timeline = returned()
    decisions = timeline.receive(
        return_interview(FOUND_AT + timedelta(hours=20), EpisodeAssessment.SIGNIFICANT)
    )
    [police] = told(decisions, "police", "return_interview_shared")
    assert police.details["assessment"] == "significant"
    assert police.details["formal_interview"] is True


def test_5_18_a_factor_listed_many_times_is_shared_once() -> None:
    """A sender repeating a push factor never stops the interview being shared (5.18)."""
    timeline = Timeline()
    timeline.receive(misper())
    timeline.receive(found())
    result = return_interview(START + timedelta(days=3)).model_copy(
        update={"push_factors": (PushPullFactor.POOR_FAMILY_RELATIONSHIPS,) * 9}
    )
    [police] = told(timeline.receive(result), "police", "return_interview_shared")
    assert police.details["push_factors"] == "poor_family_relationships"
    assert police.notification().details["push_factors"] == "poor_family_relationships"


def test_6_6_rise_told_a_child_with_a_cse_marker_was_missing_is_told_it_was_found() -> None:
    """RISE, told at once of a missing child at risk of sexual exploitation (6.6), hears of
    the return, for its work after it; its alert, unanswered, is no longer chased."""
    timeline = returned(cse_risk=True)
    [rise] = told(timeline.decisions, "rise", "child_found")
    assert (rise.paragraph, rise.due) == ("6.6", None)
    fired = timeline.advance(FOUND_AT + timedelta(days=3))
    assert not [d for d in fired if "'missing_child_at_risk_of_cse'" in d.summary]


def test_4_1_leaving_care_told_a_care_leaver_was_missing_is_told_of_the_return() -> None:
    """4.1: the Leaving Care Service may re-assess the young person's needs: it hears of the
    return it plans the support after."""
    timeline = returned(legal_status=LegalStatus.CARE_LEAVER)
    [leaving_care] = told(timeline.decisions, "leaving_care", "child_found")
    assert (leaving_care.paragraph, leaving_care.due) == ("4.1", None)


def test_6_6_rise_is_not_told_of_the_return_of_a_child_it_was_never_told_of() -> None:
    assert not told(returned().decisions, "rise")
