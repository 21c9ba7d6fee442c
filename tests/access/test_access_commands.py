"""`hub access` on a configured broker (docs/security.md, "Onboarding an agency"): the
commands that reach the cluster send it an agency's SCRAM credential."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    [
        ["access", "apply", "--agency", "luton"],
        ["access", "add-agency", "luton"],
        ["access", "rotate-password", "luton"],
        ["access", "remove-agency", "luton"],
    ],
)
def test_in_production_no_agencys_credential_is_sent_in_the_clear(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `hub access` sends the broker for a new password is the salted password
    (RFC 5802's Hi()), from which a SCRAM client key is made: whoever reads it on the
    network logs in as the agency. In production, in the clear, the command is refused
    before it connects, as `hub run` and `hub publish` are."""
    monkeypatch.delenv("HUB_ENVIRONMENT", raising=False)  # production: the default
    monkeypatch.delenv("HUB_KAFKA_SECURITY_PROTOCOL", raising=False)  # PLAINTEXT
    monkeypatch.delenv("HUB_KAFKA_ALLOW_PLAINTEXT", raising=False)
    monkeypatch.setenv("HUB_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    result = runner.invoke(app, [*command, "--credentials", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "HUB_KAFKA_SECURITY_PROTOCOL: PLAINTEXT in production" in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing offboarded


def test_the_brokers_own_user_is_never_rotated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`admin` is the user the brokers log in to each other with, its password in their own
    configuration (docs/security.md): a new one set on the cluster would lock them out of
    each other. Refused before any broker is reached, naming why."""
    monkeypatch.setenv("HUB_ENVIRONMENT", "development")
    monkeypatch.setenv("HUB_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # reached, it fails otherwise
    result = runner.invoke(
        app, ["access", "rotate-password", "admin", "--credentials", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "admin: the brokers' own user" in result.output
    assert list(tmp_path.iterdir()) == []
