"""What an operator is told of the pipeline (docs/pipeline.md, and the README's settings) is
what the code does: every `HUB_*` variable named is one the hub reads, every setting of `hub
run` is in the table with the code's default, and each figure the doc gives is the code's."""

from __future__ import annotations

import inspect
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from hub.console.health import WAITING_TOO_LONG
from hub.consumers import read_order
from hub.consumers.inbound import HEARTBEAT_MS
from hub.contracts.registry import INBOUND_TOPICS
from hub.logs import ClientRepeats
from hub.producers.relay import ACKNOWLEDGE_WITHIN, ROW_BACKOFF_CAP, ROW_BACKOFF_FIRST
from hub.scheduler import CHECK_EVERY_SECONDS, PROBE_SECONDS
from hub.service.applying import BUG_ATTEMPTS
from hub.service.refusals import HOLD
from hub.settings import (
    DEFAULT_BATCH_SIZE,
    ConsoleSettings,
    HubSettings,
    KafkaSettings,
    RetentionSettings,
)

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: tuple[type[BaseSettings], ...] = (
    KafkaSettings,  # before HubSettings: HUB_KAFKA_* are its own, not HubSettings' HUB_*
    RetentionSettings,
    ConsoleSettings,
    HubSettings,
)
# Named in the docs but read by no settings class: the fault tests' crash point
# (hub.crashpoints), the suite's servers (tests/conftest.py), docker-compose's database.
NOT_SETTINGS = {"HUB_CRASH_AT", "HUB_TEST_POSTGRES_URL", "HUB_TEST_CONTAINERS"}
NOT_SETTINGS |= {"HUB_POSTGRES_PASSWORD"}
# The local broker's ports: the developer's `hub kafka` and demo, not a deployment's.
UNDEPLOYED = {"HUB_KAFKA_PORT", "HUB_KAFKA_CONTROLLER_PORT"}


def prefix_of(kind: type[BaseSettings]) -> str:
    return str(kind.model_config.get("env_prefix", ""))


def setting(variable: str) -> tuple[type[BaseSettings], str] | None:
    """The settings class reading `variable`, and its field."""
    for kind in SETTINGS:
        name = variable.removeprefix(prefix_of(kind)).lower()
        if variable.startswith(prefix_of(kind)) and name in kind.model_fields:
            return kind, name
    return None


def default_of(variable: str) -> object:
    found = setting(variable)
    assert found is not None, f"{variable} is read by no settings class"
    kind, name = found
    return kind.model_fields[name].default


def settings_table() -> dict[str, str]:
    """docs/pipeline.md's table of settings: each variable its row names, with that row."""
    text = (ROOT / "docs" / "pipeline.md").read_text()
    section = text.split("## Settings (`HUB_*`)", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `HUB_")]
    return {
        variable: row
        for row in rows
        for variable in re.findall(r"`(HUB_[A-Z_]+)`", row.split("|")[1])
    }


@pytest.mark.parametrize("document", ["docs/pipeline.md", "README.md"])
def test_every_variable_the_docs_name_is_one_the_hub_reads(document: str) -> None:
    named = set(re.findall(r"\bHUB_[A-Z_]+[A-Z]\b", (ROOT / document).read_text()))
    unknown = {name for name in named - NOT_SETTINGS if setting(name) is None}
    assert not unknown, f"{document} names settings the hub does not read: {sorted(unknown)}"


def test_every_setting_of_hub_run_is_in_the_table() -> None:
    read = {
        prefix_of(kind) + name.upper()
        for kind in (HubSettings, KafkaSettings, RetentionSettings)
        for name in kind.model_fields
    }
    missing = read - UNDEPLOYED - settings_table().keys()
    assert not missing, f"docs/pipeline.md's settings table leaves out {sorted(missing)}"


@pytest.mark.parametrize(
    ("variable", "documented", "default"),
    [
        ("HUB_DATABASE_URL", "`sqlite:///.hub/hub.db`", "sqlite:///.hub/hub.db"),
        ("HUB_KAFKA_BOOTSTRAP", "none", ""),
        ("HUB_KAFKA_SECURITY_PROTOCOL", "`PLAINTEXT`", "PLAINTEXT"),
        ("HUB_KAFKA_USERNAME", "empty", ""),
        ("HUB_KAFKA_PASSWORD_FILE", "empty", ""),
        ("HUB_KAFKA_CA_FILE", "empty", ""),
        ("HUB_KAFKA_SASL_MECHANISM", "`SCRAM-SHA-512`", "SCRAM-SHA-512"),
        ("HUB_KAFKA_ALLOW_PLAINTEXT", "`false`", False),
        ("HUB_TOPIC_PREFIX", "empty", ""),
        ("HUB_GROUP_ID", "`missing-children-hub`", "missing-children-hub"),
        ("HUB_BATCH_SIZE", "200", 200),
        ("HUB_ROLES", "`consumer,relay,scheduler`", {"consumer", "relay", "scheduler"}),
        ("HUB_CONSUMER_SESSION_TIMEOUT_MS", "10000", 10_000),
        ("HUB_SCHEDULER_CATCH_UP_SECONDS", "300", 300),
        ("HUB_DIRECTORY", "the default deployment", ""),
        ("HUB_ENVIRONMENT", "`production`", "production"),
        ("HUB_METRICS_PORT", "unset", None),
        ("HUB_METRICS_HOST", "`127.0.0.1`", "127.0.0.1"),
        ("HUB_TOPIC_PARTITIONS", "3", 3),
        ("HUB_TOPIC_REPLICATION_FACTOR", "1", 1),
        ("HUB_TOPIC_MIN_INSYNC_REPLICAS", "1", 1),
        ("HUB_TOPIC_RETENTION_DAYS", "30", 30),
        ("HUB_PRODUCER_ACKS", "`all`", "all"),
        ("HUB_PRODUCER_IDEMPOTENCE", "`true`", True),
        ("HUB_CONSUMER_OFFSET_RESET", "`earliest`", "earliest"),
    ],
)
def test_the_table_gives_each_settings_default_as_the_code_has_it(
    variable: str, documented: str, default: object
) -> None:
    row = settings_table()[variable]
    assert documented in row.split("|")[2], row
    assert default_of(variable) == default


def test_the_retention_settings_defaults_are_the_codes_in_the_tables_order() -> None:
    row = settings_table()["HUB_RETENTION_PERSONAL_DATA_DAYS"]
    variables = re.findall(r"`(HUB_[A-Z_]+)`", row.split("|")[1])
    defaults = [int(day) for day in row.split("|")[2].split(",")]
    assert defaults == [default_of(variable) for variable in variables]


CLIENT_WARNINGS_EVERY = inspect.signature(ClientRepeats).parameters["every"].default


def pipeline_doc() -> str:
    return " ".join((ROOT / "docs" / "pipeline.md").read_text().split())  # lines joined


@pytest.mark.parametrize(
    ("said", "figure", "code"),
    [
        ("`inbound.<contract>` (12 topics)", 12, len(INBOUND_TOPICS)),
        ("batch of ≤ 200 records", 200, DEFAULT_BATCH_SIZE),
        ("at most 40 s (`ACKNOWLEDGE_WITHIN`", timedelta(seconds=40), ACKNOWLEDGE_WITHIN),
        ("from half a second, doubling", timedelta(seconds=0.5), ROW_BACKOFF_FIRST),
        ("doubling, at most 30 s", timedelta(seconds=30), ROW_BACKOFF_CAP),
        ("logged at most once a minute", 60.0, CLIENT_WARNINGS_EVERY),
        ("more than 100 ms ahead of the one furthest behind", 100, read_order.WINDOW_MS),
        ("after 2 s without a batch", 2.0, read_order.STUCK_S),
        ("after 3 batches that were not full", 3, read_order.SILENT_BATCHES),
        ("falls two batches (`HUB_BATCH_SIZE`) behind", 2, read_order.BACKLOG_BATCHES),
        ("rejected and reported after 24 hours", timedelta(hours=24), HOLD),
        ("tried 3 times, each in a savepoint", 3, BUG_ATTEMPTS),
        ("reads the offsets first (at most every 10 s", 10.0, CHECK_EVERY_SECONDS),
        ("a broker that does not answer within 3 s", 3.0, PROBE_SECONDS),
        ('"attention" past 3 minutes', timedelta(minutes=3), WAITING_TOO_LONG),
        ("heartbeats go a third of it apart (3 s at most)", 3000, HEARTBEAT_MS),
    ],
)
def test_each_figure_the_pipeline_doc_gives_is_the_codes(
    said: str, figure: object, code: object
) -> None:
    assert said in pipeline_doc()
    assert code == figure
