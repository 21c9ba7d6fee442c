"""`hub run`: refuses settings that could lose messages, logs JSON, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.bootstrap import UnsafeConfiguration, build
from hub.cli import app
from hub.devtools.ports import free_port
from hub.kafka.connection import KafkaConnection
from hub.service.heartbeat import live_roles
from hub.settings import HubSettings
from hub.store.database import make_engine, sessions


@pytest.mark.parametrize(
    ("setting", "value", "variable"),
    [
        ("producer_acks", "1", "HUB_PRODUCER_ACKS"),
        ("producer_idempotence", False, "HUB_PRODUCER_IDEMPOTENCE"),
        ("consumer_offset_reset", "latest", "HUB_CONSUMER_OFFSET_RESET"),
    ],
)
def test_the_hub_refuses_a_setting_that_could_lose_messages(
    setting: str, value: object, variable: str
) -> None:
    with pytest.raises(UnsafeConfiguration, match=variable):
        build(HubSettings(**{setting: value}), KafkaConnection("127.0.0.1:1"))  # type: ignore[arg-type]


def test_hub_run_logs_json_serves_its_metrics_and_stops_cleanly_on_sigterm(
    kafka: KafkaConnection, tmp_path: Path
) -> None:
    metrics_port = free_port()
    env = {
        "HUB_METRICS_PORT": str(metrics_port),
        **os.environ,
        **kafka.environment(),
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
        "HUB_TOPIC_PREFIX": f"run{os.getpid()}.",
        "HUB_GROUP_ID": f"run{os.getpid()}",
    }
    hub = subprocess.Popen(
        [sys.executable, "-m", "hub", "run"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert hub.stderr is not None
    started = time.monotonic()
    lines: list[str] = []
    while time.monotonic() - started < 60:
        line = hub.stderr.readline()
        lines.append(line)
        if '"hub started"' in line:
            break
    else:
        hub.kill()
        pytest.fail(f"hub run did not start: {lines}")
    store = sessions(make_engine(env["HUB_DATABASE_URL"]))
    with store() as session:  # it says it is alive, for the console's health
        assert set(live_roles(session)) == {"consumer", "relay", "scheduler"}
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"hub_outbox_backlog 0.0" in response.read()
    hub.send_signal(signal.SIGTERM)
    _, rest = hub.communicate(timeout=60)
    assert hub.returncode == 0
    with store() as session:  # and, stopped cleanly, that it is gone
        assert live_roles(session) == {}
    records = [json.loads(line) for line in [*lines, *rest.splitlines()] if line.startswith("{")]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    (producer,) = [r for r in records if r["message"] == "outbox producer started"]
    assert (producer["acks"], producer["idempotent"]) == ("all", True)  # as it runs
    assert isinstance(producer["producer_id"], int)
    assert records[-1]["message"] == "hub stopped"


def test_hub_run_names_a_bad_setting_and_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "HUB_PRODUCER_ACKS": "1", "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    done = _hub_run(env)
    assert done.returncode == 2
    assert "HUB_PRODUCER_ACKS" in done.stderr


class NeverStarted:
    """The project's broker, as `hub run` starts it in development: the test says whether
    it was started."""

    bootstrap = "127.0.0.1:1"

    def __init__(self) -> None:
        self.started = False

    def start(self) -> None:
        self.started = True

    def connection(self) -> KafkaConnection:
        return KafkaConnection(self.bootstrap)


@pytest.mark.parametrize(
    ("variable", "value", "refused"),
    [
        ("HUB_PRODUCER_ACKS", "1", "HUB_PRODUCER_ACKS: must be 'all'"),
        ("HUB_RETENTION_PERSONAL_DATA_DAYS", "30", "HUB_RETENTION_PERSONAL_DATA_DAYS: "),
        ("HUB_DIRECTORY", "/nonexistent/deployment.yaml", "/nonexistent/deployment.yaml"),
        ("HUB_KAFKA_PORT", "nine", "HUB_KAFKA_PORT: Input should be a valid integer"),
    ],
)
def test_in_development_hub_run_refuses_a_setting_before_it_starts_the_local_broker(
    variable: str, value: str, refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/pipeline.md: every setting is checked first, then anything started: refused,
    `hub run` leaves no broker of the project's running behind it."""
    broker = NeverStarted()
    monkeypatch.setattr("hub.cli.local_broker", lambda: broker)
    monkeypatch.setattr("hub.logs.configure", lambda: None)  # the test's own logging kept
    for name in [name for name in os.environ if name.startswith("HUB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HUB_ENVIRONMENT", "development")  # no broker set: the project's
    monkeypatch.setenv(variable, value)
    done = CliRunner().invoke(app, ["run"])
    assert done.exit_code == 2, done.output
    assert f"refusing to start: {refused}" in done.output
    assert not broker.started


def test_hub_run_in_production_without_a_broker_refuses_naming_the_setting() -> None:
    """It never starts a development broker of its own where the hub is deployed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    done = _hub_run(env)
    assert done.returncode == 2
    assert "HUB_KAFKA_BOOTSTRAP: not set" in done.stderr
    assert "starting the local Kafka broker" not in done.stderr


def test_hub_run_in_production_in_the_clear_refuses_naming_the_setting() -> None:
    """Anyone on the network could read a plaintext bus: production needs SASL_SSL, or
    plaintext allowed by name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env["HUB_KAFKA_BOOTSTRAP"] = "127.0.0.1:1"
    done = _hub_run(env)
    assert done.returncode == 2
    assert "HUB_KAFKA_SECURITY_PROTOCOL: PLAINTEXT in production" in done.stderr
    assert "HUB_KAFKA_ALLOW_PLAINTEXT" in done.stderr


def test_hub_run_with_sasl_ssl_but_no_password_names_the_setting(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("not read: the password is missing first")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env |= {
        "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        "HUB_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "HUB_KAFKA_USERNAME": "hub",
        "HUB_KAFKA_CA_FILE": str(ca),
    }
    done = _hub_run(env)
    assert done.returncode == 2
    assert "HUB_KAFKA_PASSWORD_FILE (or HUB_KAFKA_PASSWORD): required" in done.stderr


def test_hub_run_names_the_environment_variable_of_a_bad_setting() -> None:
    env = {**os.environ, "HUB_BATCH_SIZE": "0", "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    done = _hub_run(env)
    assert done.returncode == 2
    assert "HUB_BATCH_SIZE: Input should be greater than or equal to 1" in done.stderr


def test_hub_run_names_a_bad_setting_but_never_repeats_its_value() -> None:
    """docs/pipeline.md: any bad setting is refused naming its variable, never its value (a
    value pasted into the wrong variable may be a password)."""
    env = {**os.environ, "HUB_BATCH_SIZE": "Jordan-s3cret", "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    done = _hub_run(env)
    assert done.returncode == 2
    assert "HUB_BATCH_SIZE: Input should be a valid integer" in done.stderr
    assert "Jordan-s3cret" not in done.stderr


def test_hub_run_refuses_a_database_url_it_cannot_read_naming_it_never_its_password() -> None:
    """A database URL with a typing error (no ':' after the driver) is refused at start
    like any bad setting. Before, `hub run` failed with a traceback (exit 1) naming no
    variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env |= {
        "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        "HUB_KAFKA_ALLOW_PLAINTEXT": "true",
        "HUB_DATABASE_URL": "postgresql+psycopg//hub:Jordan-s3cret@db.example/hub",
    }
    done = _hub_run(env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "refusing to start: HUB_DATABASE_URL: " in done.stderr
    assert "Jordan-s3cret" not in done.stderr
    assert "Traceback" not in done.stderr


def test_hub_run_refuses_a_retention_shorter_than_the_protocol_looks_back(tmp_path: Path) -> None:
    """7.17 counts repeat episodes over 90 days: a shorter retention would forget them."""
    done = _hub_run_started(tmp_path, HUB_RETENTION_PERSONAL_DATA_DAYS="30")
    assert done.returncode == 2
    assert "HUB_RETENTION_PERSONAL_DATA_DAYS: Input should be greater than or equal to 91" in (
        done.stderr
    )


def test_hub_run_refuses_a_bad_deployment_file_naming_the_file_and_the_key(
    tmp_path: Path,
) -> None:
    """docs/directory.md: a deployment file (HUB_DIRECTORY) is checked at start: one
    naming an authority the national directory lacks is refused before anything runs."""
    from hub.routing.directory import DEFAULTS

    deployment = tmp_path / "deployment.yaml"
    text = DEFAULTS.joinpath("leicestershire.yaml").read_text()
    deployment.write_text(text.replace("  - rutland", "  - rutlandshire"))
    done = _hub_run_started(tmp_path, HUB_DIRECTORY=str(deployment))
    assert done.returncode == 2
    assert (
        f"refusing to start: {deployment}: bordering: not authorities of the national "
        "directory: ['rutlandshire']"
    ) in done.stderr


def test_hub_run_that_cannot_start_says_why_and_exits_never_hangs(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1",  # nothing listens: no topics can be made
        "HUB_KAFKA_ALLOW_PLAINTEXT": "true",  # past the refusal of PLAINTEXT, to the broker
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
    }
    done = _hub_run(env)
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert records[-1]["message"] == "hub run failed"
    assert records[-1]["failure"] == "broker unavailable: KafkaConnectionError"


def _hub_run_started(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """`hub run` started with these settings, no broker it could reach and a store of its
    own: what it says before anything runs."""
    env = {
        **os.environ,
        **settings,
        "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        "HUB_KAFKA_ALLOW_PLAINTEXT": "true",
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
    }
    return _hub_run(env)


def _hub_run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`hub run` in a process of its own with this environment, as an operator starts it."""
    return subprocess.run(
        [sys.executable, "-m", "hub", "run"], env=env, capture_output=True, text=True, timeout=60
    )
