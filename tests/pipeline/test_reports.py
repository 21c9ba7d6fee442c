"""The protocol's reports (section 10, issue 14) on the real broker and both databases: the
demo's two children run through the hub on a scenario clock, then `hub report` and
`hub report forum`, whose figures must equal those counted by hand from the scenarios."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.clock import ManualClock
from hub.devtools.demo import DEMO_SCENARIOS, SCENARIOS, load_scenarios
from hub.kafka.connection import KafkaConnection
from tests.pipeline.hub_harness import Running, in_process_hub

STORIES = load_scenarios([SCENARIOS / name for name in DEMO_SCENARIOS])
NOVEMBER = ["--from", "2026-11-01", "--to", "2026-12-01"]


@pytest.fixture
async def played(kafka: KafkaConnection, database_url: str) -> str:
    """The demo's scenarios applied, and a day after the last of them: its 65 events sent
    through one producer, not a client connected (TLS, SCRAM) for each."""
    hub = in_process_hub(kafka, database_url, STORIES[0].time - timedelta(minutes=1))
    assert isinstance(hub.clock, ManualClock)
    await hub.start()
    producer = kafka.producer()
    try:
        await producer.start()
        running = Running(kafka, hub, hub.clock, producer)
        for event in STORIES:
            await running.receive(event)
        await running.until(STORIES[-1].time + timedelta(days=1))
    finally:
        await producer.stop()
        await hub.stop()
    return database_url


def hub_report(database_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["report", *args], env={"HUB_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_november_reports_count_what_happened_to_the_two_children(played: str) -> None:
    """Played once per database (it takes a while): the figures, the CSV, the forum list."""
    figures = json.loads(hub_report(played, *NOVEMBER, "--json"))
    # Jordan (CF-100231): one episode; Riley (CF-200477): three, the third in 28 days (7.18).
    assert (figures["episodes"], figures["children"]) == (4, 2)
    assert figures["repeat_missing_children"] == 1
    # Found three times: Jordan's interview done in 2 days; Riley's two never recorded (5.12).
    assert figures["return_interviews_offered"] == 3
    assert figures["return_interviews_within_72_hours"] == 1
    assert figures["return_interviews_declined"] == 0
    # Jordan's significant-risk meeting held before its deadline, the 24-hour one an hour and
    # a quarter after it, the 48-hour one early; Riley's third episode's 24-hour and first
    # meetings never recorded held (7.18, 7.22: within 48 hours, a CSE marker on the report).
    # Jordan found before day 7: no more meetings.
    assert figures["strategy_meetings_due"] == 5
    assert figures["strategy_meetings_held_on_time"] == 2
    assert figures["strategy_meetings_held_late"] == 1
    assert figures["strategy_meetings_not_held"] == 2
    late = {
        e["what"] for e in figures["exceptions"] if e["figure"] == "strategy_meetings_held_on_time"
    }
    assert late == {
        "24-hour meeting held late",
        "24-hour meeting not recorded held",
        "48-hour meeting not recorded held",
    }
    weeks = {w["week_of"]: w["episodes"] for w in figures["episodes_per_week"]}
    assert weeks == {"2026-11-02": 1, "2026-11-09": 1, "2026-11-16": 1, "2026-11-23": 1}

    # As CSV, a row per figure, for a spreadsheet.
    rows = hub_report(played, *NOVEMBER, "--csv").splitlines()
    assert rows[0] == "figure,authority,recipient,value"
    assert "episodes,,,4" in rows

    # 7.28: the monthly CSE and Missing Persons Forum: Riley, once, for the third episode.
    [entry] = json.loads(hub_report(played, "forum", "--month", "2026-11", "--json"))
    assert (entry["child_id"], entry["episode_id"], entry["episodes"]) == (
        "CF-200477",
        "EP-2026-0530",
        3,
    )
