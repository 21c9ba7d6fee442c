"""The project's own broker (`make demo`, `hub kafka up`, `hub run` in development) is the
secured one, and a process with no broker configured connects to it as the hub's user."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.bootstrap import kafka_connection
from hub.devtools.kafka_local import local_broker


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
