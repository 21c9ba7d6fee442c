"""Properties over random timelines (hypothesis): a found report cancels everything pending
for its episode; nothing is due before it is decided; the same inputs give the same
decisions and ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.contracts.vocabulary import LegalStatus, RagRating, RiskLevel
from tests.routing.builders import (
    START,
    Timeline,
    by_the_rules,
    found,
    misper,
    rating,
    risk_update,
)

legal = st.sampled_from(
    [
        LegalStatus.LOOKED_AFTER,
        LegalStatus.CHILD_IN_NEED_PLAN,
        LegalStatus.NOT_KNOWN,
        LegalStatus.CHILD_PROTECTION_PLAN,
    ]
)
residence = st.sampled_from(["northamptonshire", "luton", "kent"])
hours = st.floats(min_value=0.1, max_value=24 * 120)


@dataclass(frozen=True)
class Scenario:
    """One episode: the MISPER report's facts, risk updates and a rating while missing, and
    when the child is found (hours after the start)."""

    report: dict[str, Any]
    risk_updates: tuple[tuple[RiskLevel, float], ...]
    mash_rating: tuple[RagRating, float] | None
    found_after: float


@st.composite
def timelines(draw: st.DrawFn) -> Scenario:
    status = draw(legal)
    report: dict[str, Any] = {
        "legal_status": status,
        "residence_authority": draw(residence),
        "risk_level": draw(st.sampled_from([RiskLevel.HIGH, RiskLevel.MEDIUM])),
        "cse_risk": draw(st.booleans()),
    }
    if status is LegalStatus.NOT_KNOWN:
        report["allocated_worker"] = None
    levels = st.sampled_from([RiskLevel.HIGH, RiskLevel.MEDIUM])
    return Scenario(
        report=report,
        risk_updates=tuple(draw(st.lists(st.tuples(levels, hours), max_size=3))),
        mash_rating=draw(st.none() | st.tuples(st.sampled_from(list(RagRating)), hours)),
        found_after=draw(hours),
    )


def play(scenario: Scenario) -> Timeline:
    timeline = Timeline()
    timeline.receive(misper(**scenario.report))
    found_at = START + timedelta(hours=scenario.found_after)
    while_missing: list[tuple[datetime, Any]] = [
        (START + timedelta(hours=h), risk_update(level, START + timedelta(hours=h)))
        for level, h in scenario.risk_updates
    ]
    if scenario.mash_rating:
        rag, h = scenario.mash_rating
        while_missing.append((START + timedelta(hours=h), rating(rag, START + timedelta(hours=h))))
    for at, event in sorted(while_missing, key=lambda pair: pair[0]):
        if at < found_at:
            timeline.receive(event)
    timeline.receive(found(at=found_at))
    return timeline


@settings(max_examples=150, deadline=None)
@given(timelines())
def test_a_found_report_cancels_everything_pending_for_its_episode(
    scenario: Scenario,
) -> None:
    timeline = play(scenario)
    rules = {t.name for t in timeline.pending if t.name != "duty_follow_up"}
    assert rules == {"return_interview_overdue"}
    found_at = timeline.state.episodes[0].found_at
    assert found_at is not None
    after = by_the_rules(timeline.advance(found_at + timedelta(days=400)))
    assert {d.action for d in after} <= {"return_interview_overdue", "complete_return_interview"}


@settings(max_examples=150, deadline=None)
@given(timelines())
def test_no_notification_is_due_before_it_is_decided(scenario: Scenario) -> None:
    timeline = play(scenario)
    assert all(d.due is None or d.due >= d.at for d in timeline.decisions)
    assert all(d.paragraph for d in timeline.decisions)


@settings(max_examples=100, deadline=None)
@given(timelines())
def test_the_same_inputs_give_the_same_decisions_and_ids(
    scenario: Scenario,
) -> None:
    first, second = play(scenario).decisions, play(scenario).decisions
    assert first == second
    ids = [d.notification_id for d in first]
    assert len(ids) == len(set(ids)), "each duty to each recipient has its own id"
