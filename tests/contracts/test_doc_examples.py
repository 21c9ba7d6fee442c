"""The examples written into the docs an agency's developer reads (docs/notifications.md,
docs/answers.md) are what the hub sends and reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from hub.contracts.envelope import parse_structured
from hub.contracts.export import json_schema
from hub.contracts.notification import Notification
from hub.contracts.registry import NOTIFICATION
from hub.routing.directory import load_directory
from hub.routing.engine import decide
from hub.routing.escalation import FollowUp
from hub.routing.facts import ChildState
from tests.helpers import EXAMPLES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _blocks(doc: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / doc).read_text(), re.S)


def _without_comments(jsonc: str) -> Any:
    return json.loads(re.sub(r"//[^\n]*", "", jsonc))


def test_the_notification_shown_meets_the_published_schema() -> None:
    [shown] = _blocks("notifications.md", "jsonc")
    schema = json_schema(NOTIFICATION)
    checker = jsonschema.FormatChecker()
    jsonschema.validate(_without_comments(shown), schema, format_checker=checker)
    Notification.model_validate(_without_comments(shown))


def test_the_notification_shown_is_what_the_host_force_receives_of_the_example_report() -> None:
    """docs/notifications.md's example: the host force's notice of example 01's child."""
    [shown] = _blocks("notifications.md", "jsonc")
    report = parse_structured((EXAMPLES / "01-misper-report.json").read_bytes())
    outcome = decide(
        ChildState(report.key), report.body, load_directory(), report.time, report.event_id
    )
    [sent] = [d for d in outcome.decisions if d.recipient == "host_police"]
    assert _without_comments(shown) == json.loads(sent.notification().model_dump_json())


def test_the_follow_up_settings_shown_are_a_deployments() -> None:
    """docs/answers.md, "The windows are configuration": the `follow_up:` shown is taken
    as it says: EDT's duty escalated to the MASH manager, the rest as the table says."""
    [shown] = _blocks("answers.md", "yaml")
    follow_up = FollowUp.model_validate(yaml.safe_load(shown)["follow_up"])
    assert follow_up.escalation("edt").to == "mash_manager"
    assert follow_up.escalation("mash").to == "mash_manager"
    assert follow_up.window_minutes(high_risk=True) == 60
    assert follow_up.window_minutes(high_risk=False) == 240
