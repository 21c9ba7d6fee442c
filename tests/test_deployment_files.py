"""docker-compose.yml and the Dockerfile, kept true to the hub without a Docker engine here:
every service built from this project runs a real `hub` command, every HUB_* variable it
sets is a setting the hub reads, and every health check asks a port the service serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.main import get_command

from hub.cli import app
from hub.settings import ConsoleSettings, HubSettings, KafkaSettings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = (HubSettings, KafkaSettings, ConsoleSettings)


def hub_services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return {name: s for name, s in compose["services"].items() if s.get("build") == "."}


def known_variable(name: str) -> bool:
    return any(
        name.startswith(str(kind.model_config.get("env_prefix", "")))
        and name.removeprefix(str(kind.model_config.get("env_prefix", ""))).lower()
        in kind.model_fields
        for kind in SETTINGS
    )


def test_compose_migrates_then_runs_the_hub_and_its_console() -> None:
    services = hub_services()
    secrets = services.pop("kafka-secrets")
    commands = {name: service["command"][0] for name, service in services.items()}
    assert commands == {"migrate": "migrate", "hub": "run", "console": "console"}
    assert secrets["command"][0].startswith("hub kafka compose-secrets ")
    assert "compose-secrets" in get_command(app).commands["kafka"].commands  # type: ignore[attr-defined]
    cli = get_command(app)
    assert all(command in cli.commands for command in commands.values())  # type: ignore[attr-defined]
    for name in ("hub", "console"):
        started_after = services[name]["depends_on"]["migrate"]["condition"]
        assert started_after == "service_completed_successfully"


def test_every_variable_compose_sets_is_one_the_hub_reads() -> None:
    for name, service in hub_services().items():
        for variable in service.get("environment", {}):
            assert known_variable(variable), f"{name}: {variable} is read by nothing"


def test_each_health_check_asks_what_its_service_serves() -> None:
    services = hub_services()
    hub, console = services["hub"], services["console"]
    metrics_port = hub["environment"]["HUB_METRICS_PORT"]
    assert f"127.0.0.1:{metrics_port}/metrics" in " ".join(hub["healthcheck"]["test"])
    assert "127.0.0.1:8080/livez" in " ".join(console["healthcheck"]["test"])
    assert ConsoleSettings.model_fields["port"].default == 8080


def test_the_image_installs_the_hub_as_a_package_and_runs_it_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--no-editable" in dockerfile  # package data, not the source tree (issue 12)
    assert "USER hub" in dockerfile
    assert 'ENTRYPOINT ["hub"]' in dockerfile


def test_the_compose_broker_is_secured_and_the_hub_connects_to_it_as_its_user() -> None:
    """Issue 13: no plaintext broker anywhere the project runs one. The broker runs what
    kafka-secrets wrote (tests/integration/test_compose_broker.py starts that for real)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    kafka = compose["services"]["kafka"]
    assert kafka["command"] == ["bash", "/etc/kafka/hub/start.sh"]
    assert "kafka-broker-secrets:/etc/kafka/hub:ro" in kafka["volumes"]
    assert not [name for name in kafka.get("environment", {}) if "LISTENER" in name]
    assert "--command-config /etc/kafka/hub/client.properties" in kafka["healthcheck"]["test"][1]
    for name in ("hub", "console"):
        service = compose["services"][name]
        settings = service["environment"]
        assert settings["HUB_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert "HUB_KAFKA_ALLOW_PLAINTEXT" not in settings
        mounted = {volume.split(":")[1] for volume in service["volumes"]}
        for file in (settings["HUB_KAFKA_PASSWORD_FILE"], settings["HUB_KAFKA_CA_FILE"]):
            assert str(Path(file).parent) in mounted, f"{name}: {file} is in no volume"


def test_the_env_file_compose_asks_for_is_never_committed() -> None:
    """docker-compose.yml asks for HUB_POSTGRES_PASSWORD and HUB_CONSOLE_SECRET "in your shell
    or an untracked .env": `git add -A` must not take that file, nor one beside a service."""
    import subprocess

    for path in (".env", ".env.production", "infra/.env"):
        ignored = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, f"{path} would be committed"
