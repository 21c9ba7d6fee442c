"""docker-compose's broker, secured as the project's own (issue 13): the files
`hub kafka compose-secrets` writes, and the `start.sh` the compose file runs, started for
real on the project's Kafka jars (no Docker engine here) in place of the apache/kafka
image's scripts, and tried as the hub and as a stranger would."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.devtools.kafka_compose import ComposeBroker, write_compose_secrets
from hub.devtools.kafka_local import fetch_jars
from hub.devtools.ports import free_port, is_listening
from hub.kafka.connection import KafkaConnection
from hub.kafka.security import HUB_USER, KafkaSecurity
from tests.integration.test_kafka_security import is_refused, lists_topics

pytestmark = pytest.mark.kafka


@dataclass
class Running:
    broker: ComposeBroker
    root: Path  # its authority/, broker/ and hub/ folders: the three volumes
    scripts: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def internal(self) -> str:  # the containers' listener, by the broker's name
        return f"{self.broker.host}:{self.broker.internal_port}"

    @property
    def external(self) -> str:  # the host's, through the published port
        return self.broker.external_address

    def as_hub(self, bootstrap: str) -> KafkaConnection:
        hub = self.root / "hub"
        password = (hub / f"{HUB_USER}.password").read_text().strip()
        return KafkaConnection(
            bootstrap, security=KafkaSecurity(HUB_USER, password, hub / "ca.pem")
        )

    def start(self) -> None:
        log = self.root / "kafka.log"
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                ["bash", str(self.root / "broker" / "start.sh")],
                env={**os.environ, "KAFKA_BIN": str(self.scripts)},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline, process = time.monotonic() + 90, self.process
        while not is_listening(self.broker.internal_port):
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)

    def stop(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def kafka_scripts(folder: Path) -> Path:
    """The two scripts of the apache/kafka image that start.sh calls, on the project's jars:
    kafka-run-class.sh runs the class its arguments name (here, in an @argfile)."""
    libs = fetch_jars()
    folder.mkdir()
    for name, main in (
        ("kafka-run-class.sh", ""),
        ("kafka-server-start.sh", "kafka.Kafka"),
    ):
        script = folder / name
        script.write_text(f'#!/bin/sh\nexec java -Xmx512m -cp "{libs}/*" {main} "$@"\n')
        script.chmod(0o700)
    return folder


@pytest.fixture(scope="module")
def compose_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("compose-kafka")
    internal, published, controller = free_port(), free_port(), free_port()
    broker = ComposeBroker(
        host="localhost",  # `kafka` on the compose network; this machine knows no such name
        mount=root / "broker",  # where the kafka service mounts its volume
        data=root / "data",
        internal_port=internal,
        external_port=published,  # the host's published port is the listener itself here
        external_address=f"127.0.0.1:{published}",
        controller_port=controller,
    )
    write_compose_secrets(root / "authority", root / "broker", root / "hub", broker)
    running = Running(broker, root, kafka_scripts(root / "bin"))
    running.start()
    try:
        yield running
    finally:
        running.stop()


async def test_the_hub_connects_on_both_listeners_over_tls_with_its_password(
    compose_broker: Running,
) -> None:
    for bootstrap in (compose_broker.internal, compose_broker.external):
        assert isinstance(await lists_topics(compose_broker.as_hub(bootstrap)), list)


async def test_no_listener_of_the_compose_broker_takes_a_client_without_credentials(
    compose_broker: Running,
) -> None:
    for bootstrap in (compose_broker.internal, compose_broker.external):
        assert await is_refused(KafkaConnection(bootstrap))


def test_only_the_controller_listens_in_plaintext_and_only_on_loopback(
    compose_broker: Running,
) -> None:
    properties = (compose_broker.broker.mount / "server.properties").read_text()
    assert "listener.security.protocol.map=INTERNAL:SASL_SSL,EXTERNAL:SASL_SSL," in properties
    assert f"CONTROLLER://127.0.0.1:{compose_broker.broker.controller_port}" in properties
    assert "allow.everyone.if.no.acl.found=false" in properties


def test_each_volume_holds_only_what_its_service_reads_and_secrets_are_private(
    compose_broker: Running,
) -> None:
    root = compose_broker.root
    assert sorted(p.name for p in (root / "hub").iterdir()) == ["ca.pem", "hub.password"]
    broker_files = {p.name for p in (root / "broker").iterdir()}
    assert "ca-key.pem" not in broker_files  # the CA signs in kafka-secrets only
    for name in ("broker.pem", "admin.password", "server.properties", "client.properties"):
        mode = stat.S_IMODE((root / "broker" / name).stat().st_mode)
        assert mode == 0o600, name
    assert stat.S_IMODE((root / "hub" / "hub.password").stat().st_mode) == 0o600


async def test_a_restarted_compose_broker_keeps_its_users_and_certificate(
    compose_broker: Running, tmp_path: Path
) -> None:
    """`docker compose up` again: kafka-secrets keeps what it made, start.sh skips the
    format, and the hub logs in with the same password against the same CA."""
    root = compose_broker.root
    before = (root / "broker" / "broker.pem").read_bytes()
    result = CliRunner().invoke(  # as compose runs it, into folders of its own here
        app,
        [
            *("kafka", "compose-secrets", "--authority", str(root / "authority")),
            *("--broker", str(tmp_path / "broker"), "--hub", str(tmp_path / "hub")),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "broker" / "broker.pem").read_bytes() == before
    assert "/etc/kafka/hub/broker.pem" in (tmp_path / "broker" / "server.properties").read_text()
    write_compose_secrets(root / "authority", root / "broker", root / "hub", compose_broker.broker)
    assert (root / "broker" / "broker.pem").read_bytes() == before
    compose_broker.stop()
    compose_broker.start()
    assert isinstance(await lists_topics(compose_broker.as_hub(compose_broker.internal)), list)
