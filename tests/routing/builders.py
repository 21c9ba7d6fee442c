"""Plain constructors for the facts of a scenario: a MISPER report, a found report, ..."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.contracts.events import (
    AllocatedWorker,
    ChildDetails,
    FoundReport,
    LastSeen,
    MashRating,
    MisperReport,
    ReturnInterviewResult,
    RiskDisagreementRaised,
    RiskUpdate,
)
from hub.contracts.vocabulary import (
    Agency,
    EpisodeAssessment,
    FoundBy,
    Interviewer,
    LegalStatus,
    RagRating,
    ReturnInterviewOutcome,
    RiskLevel,
    Sex,
)
from hub.routing.directory import Directory, load_directory
from hub.routing.engine import decide, fire
from hub.routing.facts import ChildState, Decision, Outcome

DIRECTORY = load_directory()
# A Wednesday in office hours (10:00 GMT).
START = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
CHILD = "CF-1"
# A looked-after child placed here by another authority (8.8-8.13), with no worker of ours.
PLACED_IN = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "responsible_authority": "essex",
    "allocated_worker": None,
}


def misper(episode: str = "EP-1", at: datetime = START, **changes: Any) -> MisperReport:
    fields: dict[str, Any] = {
        "episode_id": episode,
        "child_id": CHILD,
        "child": ChildDetails(name="Test Child", date_of_birth=date(2012, 5, 1), sex=Sex.FEMALE),
        "reported_at": at,
        "missing_since": at,
        "last_seen": LastSeen(place="Home", at=at),
        "circumstances": "Did not come home.",
        "risk_level": RiskLevel.MEDIUM,
        "cse_risk": False,
        "legal_status": LegalStatus.CHILD_IN_NEED_PLAN,
        "uasc": False,
        "allocated_worker": AllocatedWorker(worker="A Worker", team="Team 1"),
        "responsible_authority": "northamptonshire",
        "residence_authority": "northamptonshire",
        "reporting_force": "northamptonshire-police",
    }
    fields.update(changes)
    return MisperReport(**fields)


def found(
    episode: str = "EP-1", at: datetime = START + timedelta(days=2), **changes: Any
) -> FoundReport:
    fields: dict[str, Any] = {
        "episode_id": episode,
        "child_id": CHILD,
        "found_at": at,
        "found_where": "Park",
        "found_by": FoundBy.POLICE,
        "safe_and_well_check_done": True,
        "possible_victim_of_crime": False,
        "concerns_about_returning_home": False,
    }
    fields.update(changes)
    return FoundReport(**fields)


def risk_update(level: RiskLevel, at: datetime, cse: bool = False, **changes: Any) -> RiskUpdate:
    return RiskUpdate(
        episode_id="EP-1",
        child_id=CHILD,
        updated_at=at,
        risk_level=level,
        cse_risk=cse,
        reason="New information.",
        **changes,
    )


def disagreement(at: datetime) -> RiskDisagreementRaised:
    return RiskDisagreementRaised(
        episode_id="EP-1",
        child_id=CHILD,
        raised_at=at,
        raised_by=Agency.CHILDRENS_SERVICES,
        proposed_risk_level=RiskLevel.HIGH,
        reason="Known CSE.",
    )


def rating(rag: RagRating, at: datetime) -> MashRating:
    return MashRating(episode_id="EP-1", child_id=CHILD, rated_at=at, rating=rag)


def return_interview(
    at: datetime, assessment: EpisodeAssessment | None = None, declined: bool = False
) -> ReturnInterviewResult:
    if declined:
        return ReturnInterviewResult(
            episode_id="EP-1",
            child_id=CHILD,
            interviewer=Interviewer.MCT,
            outcome=ReturnInterviewOutcome.DECLINED,
            recorded_at=at,
        )
    return ReturnInterviewResult(
        episode_id="EP-1",
        child_id=CHILD,
        interviewer=Interviewer.MCT,
        outcome=ReturnInterviewOutcome.COMPLETED,
        recorded_at=at,
        completed_at=at,
        assessment=assessment or EpisodeAssessment.NOT_SIGNIFICANT_NO_VULNERABILITIES,
    )


class Timeline:
    """A child's history, driven event by event; timers fire as time is moved on."""

    def __init__(self, directory: Directory = DIRECTORY) -> None:
        self.directory = directory
        self.state = ChildState(CHILD)
        self.decisions: list[Decision] = []
        self.pending: list[Any] = []
        self.counter = 0

    def _apply(self, outcome: Outcome) -> list[Decision]:
        for decision in outcome.decisions:
            if decision.unroutable is None:  # held: no recipient to send it to yet
                # As the outbox makes it: details that break their action's published schema
                # fail here, not in the pipeline, where the event would be dead-lettered
                # (docs/notifications.md).
                decision.notification()
        self.state = outcome.state
        self.decisions += outcome.decisions
        cancelled = {t.timer_id for t in outcome.cancel}
        self.pending = [t for t in self.pending if t.timer_id not in cancelled]
        self.pending += outcome.schedule
        return list(outcome.decisions)

    def receive(self, event: Any, at: datetime | None = None) -> list[Decision]:
        when = at or _moment(event)
        self.advance(when)
        self.counter += 1
        return self._apply(decide(self.state, event, self.directory, when, f"evt-{self.counter}"))

    def repeatedly_missing(self, times: int, every: timedelta, **changes: Any) -> None:
        """The child goes missing `times` times, `every` apart, found 3 hours later each time."""
        for n in range(times):
            start = START + every * n
            self.receive(misper(f"EP-{n}", at=start, **changes))
            self.receive(found(f"EP-{n}", at=start + timedelta(hours=3)))

    def advance(self, until: datetime, *, late: bool = False) -> list[Decision]:
        """Fires the timers due by `until`, each as of when it falls due; `late`, all as of
        `until`, as the scheduler back from an outage decides them (hub.service.timers)."""
        fired: list[Decision] = []
        while True:
            due = sorted((t for t in self.pending if t.due <= until), key=lambda t: t.due)
            if not due:
                return fired
            timer = due[0]
            self.pending.remove(timer)
            at = until if late else timer.due
            fired += self._apply(fire(self.state, timer, self.directory, at))


def _moment(event: Any) -> datetime:
    for name in (
        "reported_at",
        "found_at",
        "updated_at",
        "raised_at",
        "rated_at",
        "recorded_at",
        "completed_at",
        "occurred_at",
        "acknowledged_at",
        "held_at",
        "closed_at",
    ):
        value = getattr(event, name, None)
        if isinstance(value, datetime):
            return value
    raise ValueError("the event has no time")


ESCALATED = "duty_escalated"


def by_the_rules(decisions: list[Decision]) -> list[Decision]:
    """What the protocol's rules decided, without the escalations of duties left unanswered
    (a timeline advanced without answers escalates every duty: tests/routing/test_duties.py)."""
    return [d for d in decisions if d.action != ESCALATED]


def told(decisions: list[Decision], recipient: str, action: str | None = None) -> list[Decision]:
    """What the rules told the recipient (escalations only when asked for by action)."""
    chosen = decisions if action == ESCALATED else by_the_rules(decisions)
    return [
        d for d in chosen if d.recipient == recipient and (action is None or d.action == action)
    ]
