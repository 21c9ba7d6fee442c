"""The demo: the real hub (consumer, relay, scheduler) on the embedded database and a real
broker, fed realistic scenarios through the contracts on a scenario clock, then what each
agency received and why, read back from the recipients' topics."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from hub.bootstrap import build
from hub.clock import ManualClock
from hub.contracts.envelope import ParsedEvent, from_kafka, parse_structured
from hub.contracts.notification import Notification
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from hub.routing.paragraphs import heading_of
from hub.runtime import Hub, Progress
from hub.settings import HubSettings

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEMO_SCENARIOS = ("looked-after-placed-out-of-area.jsonl", "third-time-in-a-month.jsonl")


def load_scenarios(files: Sequence[Path]) -> list[ParsedEvent]:
    events = [
        parse_structured(line.encode())
        for path in files
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    return sorted(events, key=lambda e: e.time)


async def run_demo(
    kafka: KafkaConnection, database_url: str, files: Sequence[Path] | None = None
) -> list[str]:
    events = load_scenarios(files or [SCENARIOS / name for name in DEMO_SCENARIOS])
    run = uuid.uuid4().hex[:8]
    settings = HubSettings(
        database_url=database_url, topic_prefix=f"demo-{run}.", group_id=f"demo-{run}"
    )
    clock = ManualClock(events[0].time - timedelta(minutes=1))
    hub = Hub(build(settings, kafka, clock))
    lines = [f"the hub: broker {kafka.bootstrap}, database {database_url}, topics demo-{run}.*", ""]
    # A topic the relay has just created has no leader for a moment; the producer retries,
    # and its warnings about it would only bury the demo's output.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    await hub.start()
    try:
        for event in events:
            await _run_until(hub, clock, event.time)  # timers due before this event first
            handled = (await hub.wait_until(lambda p: p.idle)).handled
            await publish(kafka, [event], topic_prefix=settings.topic_prefix)
            await hub.wait_until(partial(_handled_more_than, handled))
            lines.append(f"{_iso(event.time)}  published {event.contract.name} {event.event_id}")
        end = events[-1].time + timedelta(days=1)
        await _run_until(hub, clock, end)
        progress = await hub.wait_until(lambda p: p.idle)
    finally:
        await hub.stop()
    lines += [
        f"{_iso(end)}  scenario clock stops",
        "",
        f"applied {progress.applied} events, {progress.not_applied} not applied; "
        f"delivered every notification (outbox backlog {progress.outbox_backlog})",
        "",
    ]
    received = await read_topics(kafka, f"{settings.topic_prefix}notify.")
    by_topic: dict[str, list[Notification]] = defaultdict(list)
    for record in received:
        body = from_kafka(record.headers, record.key, record.value).body
        assert isinstance(body, Notification)
        by_topic[record.topic.removeprefix(settings.topic_prefix)].append(body)
    for topic in sorted(by_topic):
        notes = sorted(by_topic[topic], key=lambda n: (n.decided_at, n.action))
        lines.append(f"== {topic}  ({len(notes)} received)")
        for note in notes:
            due = f"due {_iso(note.due)}" if note.due else "no deadline"
            lines += [
                f"   {_iso(note.decided_at)}  child {note.child_id}  {note.action}, {due}",
                f"       para {note.paragraph} ({heading_of(note.paragraph)}) [{note.cause}]",
                f"       {note.summary}",
                f"       {_told(note)}",
            ]
        lines.append("")
    total = sum(len(v) for v in by_topic.values())
    lines.append(f"{total} notifications on {len(by_topic)} recipient topics")
    return lines


def _told(note: Notification) -> str:
    """The facts of the duty, and which of the child's particulars the data policy sent
    (their names only: the demo prints no child's details)."""
    facts = ", ".join(f"{k}={v}" for k, v in note.details.items()) or "none"
    particulars = ", ".join(sorted(note.child.model_fields_set)) or "nothing beyond its id"
    return f"details: {facts}; told of the child: {particulars}"


async def _run_until(hub: Hub, clock: ManualClock, until: datetime) -> None:
    """The scenario clock moved on to `until` as a hub running all along sees the time
    pass: each timer fired when it falls due, not all at once at `until` (a timer fired
    late is decided as of its round, for who is on duty then: 3.10)."""
    while (due := await asyncio.to_thread(hub.next_timer_due, until)) is not None:
        clock.set(max(due, clock.now()))
        await hub.wait_until(lambda p: p.idle)
    clock.set(until)


def _handled_more_than(handled: int, progress: Progress) -> bool:
    return progress.handled > handled


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
