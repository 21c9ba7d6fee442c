"""A timeline of inbound messages run through the engine with a simulated clock: each event is
decided at its CloudEvents `time`, and timers fire at their due time, in order."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime

from hub.contracts.envelope import ParsedEvent
from hub.routing.directory import Directory
from hub.routing.engine import decide, fire
from hub.routing.facts import ChildState, Decision, Outcome, ProtocolViolation, Timer


@dataclass(frozen=True)
class Rejection:
    at: datetime
    event_id: str
    field: str
    reason: str


@dataclass
class Simulation:
    directory: Directory
    states: dict[str, ChildState] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    _timers: list[tuple[datetime, int, str, Timer]] = field(default_factory=list)
    _cancelled: set[str] = field(default_factory=set)
    _counter: int = 0

    def _apply(self, child_id: str, outcome: Outcome) -> None:
        self.states[child_id] = outcome.state
        self.decisions.extend(outcome.decisions)
        self._cancelled.update(t.timer_id for t in outcome.cancel)
        for timer in outcome.schedule:
            self._cancelled.discard(timer.timer_id)
            self._counter += 1
            heapq.heappush(self._timers, (timer.due, self._counter, child_id, timer))

    def advance(self, until: datetime) -> None:
        """Fire every pending timer due at or before `until`, each at its own due time."""
        while self._timers and self._timers[0][0] <= until:
            due, _, child_id, timer = heapq.heappop(self._timers)
            if timer.timer_id in self._cancelled:
                continue
            self._apply(child_id, fire(self.states[child_id], timer, self.directory, due))

    def receive(self, event: ParsedEvent) -> None:
        at: datetime = event.time
        self.advance(at)
        child_id = event.key
        state = self.states.get(child_id, ChildState(child_id))
        try:
            outcome = decide(state, event.body, self.directory, at, event.event_id)
        except ProtocolViolation as violation:
            self.rejections.append(Rejection(at, event.event_id, violation.field, violation.reason))
            return
        self._apply(child_id, outcome)


def simulate(
    directory: Directory, events: list[ParsedEvent], until: datetime | None = None
) -> Simulation:
    simulation = Simulation(directory)
    for event in events:
        simulation.receive(event)
    if until is not None:
        simulation.advance(until)
    return simulation
