"""The project's own broker (`make demo`, `hub kafka up`, `hub run` in development) is the
secured one, and a process with no broker configured connects to it as the hub's user."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.bootstrap import kafka_connection
from hub.cli import EXIT_UNAVAILABLE, app
from hub.devtools.kafka_local import ADMIN_USER, POM, local_broker
from hub.devtools.ports import free_port
from hub.kafka.security import HUB_USER

# A java that fails as kafka-storage format might, echoing the arguments it was given:
# those in its @argfile, the SCRAM users' passwords among them.
ECHOING_FORMATTER = """#!/bin/sh
for given in "$@"; do
  case "$given" in @*) echo "Error: could not parse the arguments:" >&2; cat "${given#@}" >&2;; esac
done
exit 1
"""


def test_with_no_broker_configured_the_hub_connects_to_its_own_over_tls_as_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("HUB_KAFKA_BOOTSTRAP", raising=False)
    monkeypatch.delenv("HUB_KAFKA_PORT", raising=False)
    assert local_broker().secured
    kafka = kafka_connection()
    assert kafka.security is not None
    assert kafka.security.username == "hub"
    assert kafka.options()["security_protocol"] == "SASL_SSL"
    assert (tmp_path / "kafka" / "broker-9092-tls" / "secrets" / "ca.pem").is_file()
    password = tmp_path / "kafka" / "broker-9092-tls" / "secrets" / "hub.password"
    assert password.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_no_users_password_is_on_a_command_line_as_the_storage_is_formatted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SCRAM users are written as the storage is formatted (KIP-900). A command line is
    every local account's to read (`ps`, /proc/<pid>/cmdline), as loopback is
    (docs/security.md): the brokers' own password there would make any of them a super
    user. The formatter is given its arguments in a file only the broker's owner may read,
    gone once it has run."""
    import subprocess

    from hub.devtools.kafka_local import ADMIN_USER, LocalKafka
    from hub.kafka.security import HUB_USER

    seen: list[list[str]] = []
    argument_files: list[tuple[str, int]] = []

    def formatter(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        seen.append(command)
        for given in command:
            if given.startswith("@"):
                path = Path(given[1:])
                argument_files.append((path.read_text(), path.stat().st_mode & 0o777))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", formatter)
    broker = LocalKafka(tmp_path / "broker", libs=tmp_path / "libs", secured=True)
    broker._configure()
    [command] = seen
    passwords = [broker.password(ADMIN_USER), broker.password(HUB_USER)]
    assert not [given for given in command if any(p in given for p in passwords)], command
    [(arguments, mode)] = argument_files
    assert "kafka.tools.StorageTool" in arguments
    assert all(password in arguments for password in passwords)
    assert mode == 0o600
    assert not [path for path in (tmp_path / "broker").rglob("*") if path.suffix == ".args"]


def test_a_failed_format_says_why_without_a_users_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`hub kafka up` shows what kafka-storage format said when it failed. Kafka may echo the
    arguments it was given, `--add-scram SCRAM-SHA-512=[name=...,password=...]` among them:
    each password is redacted from what is shown and logged, the rest of its error kept."""
    bin_folder, libs = tmp_path / "bin", tmp_path / "cache" / "kafka" / "libs"
    bin_folder.mkdir()
    libs.mkdir(parents=True)
    (bin_folder / "java").write_text(ECHOING_FORMATTER)
    (bin_folder / "java").chmod(0o700)
    (libs / ".pom-sha256").write_text(hashlib.sha256(POM.read_bytes()).hexdigest())  # no Maven
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HUB_CACHE_DIR", str(tmp_path / "cache"))
    port = free_port()
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(app, ["kafka", "up", "--port", str(port)])
    secrets = tmp_path / "cache" / "kafka" / f"broker-{port}-tls" / "secrets"
    passwords = [(secrets / f"{user}.password").read_text() for user in (ADMIN_USER, HUB_USER)]
    assert result.exit_code == EXIT_UNAVAILABLE, result.output
    assert "Error: could not parse the arguments:" in result.output
    assert '"--add-scram"\n"SCRAM-SHA-512=[«redacted»]"' in result.output  # which, not what
    assert not [p for p in passwords if p in result.output + caplog.text], result.output


def test_the_compose_brokers_start_script_puts_no_password_on_a_command_line(
    tmp_path: Path,
) -> None:
    """docker-compose's broker formats its storage with the same SCRAM users (start.sh). A
    container's processes are listed on its host to every account there: the passwords go
    to the formatter in a file of the broker's own volume, never in its arguments."""
    import stat

    from hub.devtools.kafka_compose import ComposeBroker, write_compose_secrets
    from hub.devtools.kafka_local import ADMIN_USER
    from hub.kafka.security import HUB_USER

    broker = tmp_path / "broker"
    write_compose_secrets(
        tmp_path / "authority", broker, tmp_path / "hub", ComposeBroker(mount=broker)
    )
    start = (broker / "start.sh").read_text()
    assert ".password" not in start, start  # no password read into a command's arguments
    arguments = broker / "format.args"
    assert stat.S_IMODE(arguments.stat().st_mode) == 0o600
    for user in (ADMIN_USER, HUB_USER):
        password = (broker / f"{user}.password").read_text().strip()
        assert f"name={user},password={password}]" in arguments.read_text()
    assert f"@{broker}/format.args" in start or '"@$here/format.args"' in start


def test_a_broker_certificate_removed_is_made_again_by_the_same_authority(tmp_path: Path) -> None:
    """docs/security.md, "Certificates": the CA and the broker's certificate are valid for
    825 days from when they were made and never renewed by themselves; removing
    `broker.pem` has the next start make a new one, signed by the CA the clients trust."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509

    from hub.devtools.tls import broker_certificates

    def certificate(pem: bytes) -> x509.Certificate:
        return x509.load_pem_x509_certificate(pem.split(b"-----END PRIVATE KEY-----\n")[1])

    first = broker_certificates(tmp_path)
    ca = x509.load_pem_x509_certificate(first.ca_file.read_bytes())
    old = certificate(first.keystore.read_bytes())
    for made in (ca, old):
        left = made.not_valid_after_utc - datetime.now(UTC)
        assert timedelta(days=825) - timedelta(minutes=1) < left <= timedelta(days=825)
    first.keystore.unlink()
    again = broker_certificates(tmp_path)
    new = certificate(again.keystore.read_bytes())
    assert new.serial_number != old.serial_number
    assert again.ca_file.read_bytes() == first.ca_file.read_bytes()
    new.verify_directly_issued_by(ca)
