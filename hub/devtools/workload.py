"""A synthetic but valid workload for the fault tests and the benchmark: many children, each
reported missing, rated by MASH, perhaps risk raised, found and interviewed on return; some
go missing again. Built through the contracts, like any police or local-authority system's
messages; no real child's details.

The events come in phases: a child's n-th event is in phase n. Kafka keeps order only within
a partition, and each event type has its own topic, so a found report could overtake its
MISPER report if both were in flight at once. Publishing a phase only once the one before is
applied keeps the protocol's order, so the expected notifications are known in advance."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from hub.contracts.envelope import ParsedEvent, parse_structured

EXAMPLES = Path(__file__).resolve().parents[2] / "contracts" / "examples"
STEP = timedelta(seconds=30)  # between a child's events: no timer falls due inside a run

# Where a home child lives: mostly at home, some placed out of area (section 8).
RESIDENCES = ("northamptonshire",) * 6 + ("luton", "leicestershire", "birmingham", "kent")
LEGAL_STATUSES = (
    "looked_after",
    "child_protection_plan",
    "child_in_need_plan",
    "early_help",
    "not_known",
)


@dataclass(frozen=True)
class Workload:
    phases: list[list[ParsedEvent]]

    @property
    def events(self) -> list[ParsedEvent]:
        return [event for phase in self.phases for event in phase]

    def __len__(self) -> int:
        return sum(len(phase) for phase in self.phases)


def workload(events: int, start: datetime, seed: int = 1, run: str = "w") -> Workload:
    """At least `events` events, from as many children as that takes; `run` makes the ids
    unique to this run, `seed` makes the children the same from run to run."""
    chance = random.Random(seed)  # noqa: S311 - a repeatable workload, not a secret
    children: list[list[dict[str, Any]]] = []
    total = 0
    while total < events:
        number = len(children)
        stories = _child(chance, f"{run}-{number}", start + timedelta(milliseconds=number))
        children.append(stories)
        total += len(stories)
    depth = max(len(story) for story in children)
    phases = [
        [parse_structured(json.dumps(story[n]).encode()) for story in children if n < len(story)]
        for n in range(depth)
    ]
    return Workload(phases)


def _child(chance: random.Random, name: str, start: datetime) -> list[dict[str, Any]]:
    """One child's messages, in the order the protocol expects them."""
    child_id = f"CF-{name}"
    legal_status = chance.choice(LEGAL_STATUSES)
    residence = chance.choice(RESIDENCES) if legal_status == "looked_after" else "northamptonshire"
    born = date(start.year - chance.randint(9, 17), chance.randint(1, 12), chance.randint(1, 28))
    episodes = 2 if chance.random() < 0.2 else 1
    clock = _Clock(start)
    messages: list[dict[str, Any]] = []
    for number in range(episodes):
        episode_id = f"EP-{name}-{number}"

        def add(example: str, step: str, **data: Any) -> None:
            """The child's next message, timed clock.now: the caller moves the clock on first,
            so the message's own times can say clock.now too."""
            messages.append(
                _message(
                    example,
                    f"{name}-{number}-{step}",  # noqa: B023 - called before the loop moves on
                    clock.now,
                    episode_id=episode_id,  # noqa: B023
                    child_id=child_id,
                    **data,
                )
            )

        risk = "high" if chance.random() < 0.2 else "medium"
        # A child not known to children's services has no worker (7.6): the example's, left
        # in, would be told (7.3). None leaves it out of the message.
        no_worker = {"allocated_worker": None} if legal_status == "not_known" else {}
        clock.next()
        add(
            "01-misper-report",
            "misper",
            child={
                "name": "Synthetic Child",
                "date_of_birth": born.isoformat(),
                "sex": "not_known",
            },
            reported_at=clock.now,
            missing_since=clock.now,
            last_seen={"place": "Synthetic place", "at": clock.now},
            circumstances="Synthetic workload.",
            risk_level=risk,
            cse_risk=chance.random() < 0.3,
            legal_status=legal_status,
            residence_authority=residence,
            **no_worker,
        )
        if number == 0:
            rating = chance.choice(("red", "amber", "green"))
            clock.next()
            add("02-mash-rating", "rag", rated_at=clock.now, rating=rating)
            if risk == "medium" and chance.random() < 0.3:
                clock.next()
                add(
                    "03-risk-update",
                    "risk",
                    updated_at=clock.now,
                    risk_level="high",
                    reason="Synthetic workload.",
                )
        clock.next()
        add(
            "05-found-report",
            "found",
            found_at=clock.now,
            found_where="Synthetic place",
            possible_victim_of_crime=chance.random() < 0.2,
        )
        if number == 0:
            completed = chance.random() < 0.8
            clock.next()
            add(
                "07-return-interview",
                "iri",
                interviewer="mct",
                outcome="completed" if completed else "declined",
                recorded_at=clock.now,
                completed_at=clock.now if completed else None,
                assessment="not_significant_with_vulnerabilities" if completed else None,
                formal_interview=completed,
                push_factors=["conflict_at_home"] if completed else [],
                pull_factors=[],
            )
    return messages


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    @property
    def now(self) -> str:
        return self.moment.isoformat().replace("+00:00", "Z")

    def next(self) -> str:
        self.moment += STEP
        return self.now


@cache
def _example(name: str) -> str:
    return (EXAMPLES / f"{name}.json").read_text()


def _message(example: str, event_id: str, time: str, **data: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_example(example))
    document["id"], document["time"] = f"evt-{event_id}", time
    for name, value in data.items():
        if value is None:
            document["data"].pop(name, None)
        else:
            document["data"][name] = value
    return document
