"""Over random timelines, for children of every kind of authority: every notification meets
its published schema, carries every fact its action needs and every particular its duty
needs, and no particular its recipient's data policy does not allow."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from hub.contracts.actions import FACTS, Action, Recipient
from hub.contracts.data_policy import NEEDS
from hub.contracts.events import (
    CrossBorderNotice,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
)
from hub.contracts.export import json_schema
from hub.contracts.registry import NOTIFICATION
from hub.contracts.vocabulary import (
    CrossBorderNoticeKind,
    EpisodeAssessment,
    FoundBy,
    Interviewer,
    LegalStatus,
    RagRating,
    ReturnInterviewOutcome,
    RiskLevel,
)
from hub.routing.facts import Decision, ProtocolViolation
from hub.store.outbox import notification_message
from tests.routing.builders import (
    CHILD,
    DIRECTORY,
    START,
    Timeline,
    disagreement,
    found,
    misper,
    rating,
    return_interview,
    risk_update,
)
from tests.routing.test_cross_border_notices import placement

SCHEMA = Draft202012Validator(json_schema(NOTIFICATION))


def by_action(schema: dict[str, Any]) -> dict[str, Draft202012Validator]:
    """The notification's schema once per action, keeping of its `allOf` only the branch
    whose `if` names that action: every other branch's `if` fails on a message of that
    action, so its `then` asks nothing, and such a message meets this schema exactly when
    it meets the whole one. Evaluating all 69 `if`s for each of the ~19,000 messages was
    most of this test's time."""
    actions = []
    for branch in schema["allOf"]:
        action = branch["if"]["properties"]["action"]["const"]
        assert branch["if"] == {"properties": {"action": {"const": action}}, "required": ["action"]}
        actions.append(action)
    assert len(set(actions)) == len(actions)  # one branch per action
    return {
        action: Draft202012Validator({**schema, "allOf": [branch]})
        for action, branch in zip(actions, schema["allOf"], strict=True)
    }


FOR_ACTION = by_action(json_schema(NOTIFICATION))

# Where the child lives, and who is responsible: ours at home, ours placed out (an English
# county, a unitary, a London borough, a Welsh and a Scottish council, or an authority the
# directory does not know), or another authority's placed here.
ours_living = st.sampled_from(
    [
        None,
        "northamptonshire",
        "west-northamptonshire",
        "luton",
        "kent",
        "Royal Borough of Greenwich",
        "cardiff",
        "glasgow-city",
        "Nowhereshire",
    ]
)
placing_others = st.sampled_from(["essex", "hertfordshire", "Leeds City Council", "Atlantis"])


@dataclass(frozen=True)
class Story:
    report: dict[str, Any]
    placed_in: bool
    start_after: float  # hours after START: in and out of office hours
    earlier_episodes: int  # a few days apart, before this one (7.18, 7.28, 8.12)
    placement_notice: bool
    found: dict[str, Any]
    risk_updates: tuple[tuple[RiskLevel, bool, float], ...]
    mash_rating: tuple[RagRating, float] | None
    disagreement_after: float | None
    found_after: float
    host_notice: bool
    interview: EpisodeAssessment | ReturnInterviewOutcome | None
    prevention_interview: bool


@st.composite
def stories(draw: st.DrawFn) -> Story:
    status = draw(st.sampled_from(list(LegalStatus)))
    placed_in = draw(st.booleans())
    report: dict[str, Any] = {
        "legal_status": status,
        "risk_level": draw(st.sampled_from([RiskLevel.HIGH, RiskLevel.MEDIUM])),
        "cse_risk": draw(st.booleans()),
        "uasc": draw(st.booleans()),
        "suspected_trafficking": draw(st.booleans()),
        "reporting_force": draw(st.sampled_from(["northamptonshire-police", "kent", None])),
    }
    if placed_in:
        report["responsible_authority"] = draw(placing_others)
        report["residence_authority"] = draw(st.sampled_from([None, "northamptonshire"]))
    else:
        # ours, or ours misspelt: routed as ours (hub.routing.placing)
        ours = [None, "northamptonshire", "Northamptonshre"]
        report["responsible_authority"] = draw(st.sampled_from(ours))
        report["residence_authority"] = draw(ours_living)
    if status in (LegalStatus.NOT_KNOWN, LegalStatus.EARLY_HELP) and draw(st.booleans()):
        report["allocated_worker"] = None
    if status is LegalStatus.CARE_LEAVER:
        report["child"] = misper().child.model_copy(update={"date_of_birth": date(2007, 2, 1)})
    hours = st.floats(min_value=0.1, max_value=24 * 30)
    return Story(
        report=report,
        placed_in=placed_in,
        start_after=draw(st.floats(min_value=0, max_value=24 * 7)),
        earlier_episodes=draw(st.integers(min_value=0, max_value=3)),
        placement_notice=draw(st.booleans()),
        found={
            "found_by": draw(st.sampled_from(list(FoundBy))),
            "safe_and_well_check_done": draw(st.booleans()),
            "possible_victim_of_crime": draw(st.booleans()),
            "concerns_about_returning_home": draw(st.booleans()),
        },
        risk_updates=tuple(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from([RiskLevel.HIGH, RiskLevel.MEDIUM]), st.booleans(), hours
                    ),
                    max_size=2,
                )
            )
        ),
        mash_rating=draw(st.none() | st.tuples(st.sampled_from(list(RagRating)), hours)),
        disagreement_after=draw(st.none() | hours),
        found_after=draw(st.floats(min_value=0.1, max_value=24 * 120)),
        host_notice=draw(st.booleans()),
        interview=draw(
            st.none()
            | st.sampled_from(
                [ReturnInterviewOutcome.DECLINED, ReturnInterviewOutcome.CANNOT_COMPLETE]
            )
            | st.sampled_from(list(EpisodeAssessment))
        ),
        prevention_interview=draw(st.booleans()),
    )


def _other(story: Story) -> str:
    """The other authority of a child placed across a border (or one, for a local child)."""
    key = "responsible_authority" if story.placed_in else "residence_authority"
    named = story.report.get(key)
    return named if named not in (None, "northamptonshire", "west-northamptonshire") else "kent"


def _notice(story: Story, kind: CrossBorderNoticeKind, at: datetime, n: str) -> CrossBorderNotice:
    """From the host authority about our child; from the placing authority about its own;
    a placement from us (PLACE-OUT) or to us (PLACE-IN)."""
    other = _other(story)
    sender, addressee = (
        ("northamptonshire", other) if n == "PLACE-OUT" else (other, "northamptonshire")
    )
    if kind is CrossBorderNoticeKind.PLACEMENT_NOTIFIED:
        return placement(to=addressee, by=sender)
    return CrossBorderNotice(
        notice_id=f"N-{n}",
        kind=kind,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority=sender,
        to_authority=addressee,
        occurred_at=at,
    )


def live(story: Story) -> list[Decision]:
    timeline = Timeline()
    begin = START + timedelta(hours=story.start_after)
    for n in range(story.earlier_episodes):
        earlier = START - timedelta(days=4 * (n + 1))
        attempt(timeline, misper(f"EP-0{n}", at=earlier, **story.report))
        attempt(timeline, found(f"EP-0{n}", at=earlier + timedelta(hours=3)))
    if story.placement_notice:
        kind, which = (
            CrossBorderNoticeKind.PLACEMENT_NOTIFIED,
            "PLACE-IN" if story.placed_in else "PLACE-OUT",
        )
        attempt(timeline, _notice(story, kind, START - timedelta(hours=1), which))
    timeline.receive(misper(at=begin, **story.report))

    def later(hours: float) -> datetime:
        return begin + timedelta(hours=hours)

    found_at = later(story.found_after)
    while_missing: list[tuple[Any, Any]] = [
        (later(h), risk_update(level, later(h), cse)) for level, cse, h in story.risk_updates
    ]
    if story.mash_rating:
        rag, h = story.mash_rating
        while_missing.append((later(h), rating(rag, later(h))))
    if story.disagreement_after is not None:
        while_missing.append(
            (later(story.disagreement_after), disagreement(later(story.disagreement_after)))
        )
    if story.host_notice:
        missing = _notice(story, CrossBorderNoticeKind.CHILD_MISSING, later(0.05), "MISSING")
        while_missing.append((later(0.05), missing))
    for at, event in sorted(while_missing, key=lambda pair: pair[0]):
        if at < found_at:
            attempt(timeline, event)
    timeline.receive(found(at=found_at, **story.found))
    if story.host_notice:
        attempt(timeline, _notice(story, CrossBorderNoticeKind.CHILD_FOUND, found_at, "FOUND"))
        accepted = CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED
        attempt(timeline, _notice(story, accepted, found_at + timedelta(hours=1), "IRI"))
    if story.prevention_interview:
        attempt(
            timeline,
            PreventionInterviewCompleted(
                episode_id="EP-1",
                child_id=CHILD,
                completed_at=found_at + timedelta(hours=2),
                concerns_identified=True,
            ),
        )
    if story.interview is not None:
        at = found_at + timedelta(hours=30)
        if isinstance(story.interview, EpisodeAssessment):
            attempt(timeline, return_interview(at, assessment=story.interview))
        elif story.interview is ReturnInterviewOutcome.DECLINED:
            attempt(timeline, return_interview(at, declined=True))
        else:
            not_done = ReturnInterviewResult(
                episode_id="EP-1",
                child_id=CHILD,
                interviewer=Interviewer.MCT,
                outcome=ReturnInterviewOutcome.CANNOT_COMPLETE,
                recorded_at=at,
            )
            attempt(timeline, not_done)
    timeline.advance(found_at + timedelta(days=200))
    return timeline.decisions


def attempt(timeline: Timeline, event: Any) -> None:
    """An event the protocol refuses for this child (a grading after a care leaver's ...)
    leads to no notification: nothing to check."""
    with contextlib.suppress(ProtocolViolation):
        timeline.receive(event)


def check(decision: Decision) -> None:
    policy = DIRECTORY.data_policy
    allowed = set(policy.disclosed(decision.recipient, decision.action))
    if decision.unroutable is None:
        message = json.loads(notification_message(decision).value)
        action = message.get("action")
        # The whole schema for an action it does not name, or no action at all.
        validator = FOR_ACTION.get(action, SCHEMA) if isinstance(action, str) else SCHEMA
        errors = [e.message for e in validator.iter_errors(message)]
        assert not errors, (decision.recipient, decision.action, errors)
        child = message["child"]
    else:  # held for ops: made into its notification only once routed, so check it here
        FACTS[Action(decision.action)].model_validate(decision.details)
        child = decision.child
    where = f"{decision.recipient} {decision.action}"
    assert set(child) == allowed, f"{where}: sent {sorted(child)}, allowed {sorted(allowed)}"
    recipient, action = Recipient(decision.recipient), Action(decision.action)
    for key in ((recipient, None), (recipient, action)):
        needs, why = NEEDS.get(key, ((), ""))
        for particular in needs:
            assert particular in child, f"{where}: {particular} missing ({why})"
            assert child[particular] is not None, f"{where}: {particular} is null ({why})"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories())
def test_every_notification_carries_what_its_duty_needs_and_nothing_its_policy_withholds(
    story: Story,
) -> None:
    decisions = live(story)
    assert decisions
    for decision in decisions:
        check(decision)


def test_a_host_force_looking_for_our_child_is_told_whom_to_call() -> None:
    """3.9, 8.3: for our child placed out of area the placing authority is us, so the contact
    the force needs is never missing."""
    for area in ("luton", "kent", "cardiff", "glasgow-city"):
        story_decisions = Timeline().receive(misper(residence_authority=area))
        [search] = [d for d in story_decisions if d.recipient == "host_police"]
        assert search.child["placing_authority_contact"], area
