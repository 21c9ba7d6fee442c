"""How a Kafka client proves who it is and checks whom it talks to: TLS with the deployment's
certificate authority and SASL/SCRAM (issue 13). Every client of the hub (consumer, relay,
admin, readers, `hub publish`, the benchmark) takes it from its KafkaConnection, so one
setting secures them all."""

from __future__ import annotations

import os
import secrets
import ssl
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from faststream.security import BaseSecurity

Mechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


class KafkaSecurityError(ValueError):
    """The security settings cannot be used; the message names the setting, never a secret."""


HUB_USER = "hub"  # the hub's own SCRAM user, unless a deployment names another


@dataclass(frozen=True)
class KafkaSecurity:
    """SASL_SSL: the broker's certificate checked against `ca_file`, then SCRAM as `username`."""

    username: str
    password: str = field(repr=False)  # never in a repr, a log line or an error
    ca_file: Path
    mechanism: Mechanism = "SCRAM-SHA-512"

    def __post_init__(self) -> None:
        if not self.username:
            raise KafkaSecurityError("HUB_KAFKA_USERNAME: required with SASL_SSL")
        if not self.password:
            raise KafkaSecurityError(
                "HUB_KAFKA_PASSWORD_FILE (or HUB_KAFKA_PASSWORD): required with SASL_SSL"
            )
        if not self.ca_file.is_file():
            raise KafkaSecurityError(f"HUB_KAFKA_CA_FILE: no such file: {self.ca_file}")

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        """Verifies the broker's certificate and its name (TLS 1.2 at least). Made once and
        shared: every client of the process (health opens one per check) would otherwise
        read the CA file again."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def client_options(self) -> dict[str, Any]:
        """aiokafka's producer, consumer and admin client options."""
        return {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
            "ssl_context": self.ssl_context,
        }

    def faststream(self) -> BaseSecurity:
        """The same, as FastStream's broker takes it."""
        from faststream.security import SASLScram256, SASLScram512

        kind = SASLScram512 if self.mechanism == "SCRAM-SHA-512" else SASLScram256
        return kind(self.username, self.password, ssl_context=self.ssl_context)


def read_password(password_file: str, password: str) -> str:
    """The password from its file (a mounted secret: the way production gives it), else from
    the environment; never from the command line, where `ps` shows it to everyone."""
    if password_file:
        path = Path(password_file)
        try:
            return path.read_text().strip()
        except OSError as error:
            raise KafkaSecurityError(
                f"HUB_KAFKA_PASSWORD_FILE: cannot read {path}: {error.strerror}"
            ) from None
    return password


def write_new_password(path: Path) -> str:
    """A random SCRAM password (letters, digits, - and _), in a new file that only its
    owner may ever read: made 0600 from the start, in a folder only its owner may enter."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(password)
    return password


def kept_password(path: Path) -> str:
    """The SCRAM password kept in `path`, made on first use."""
    return path.read_text().strip() if path.exists() else write_new_password(path)


def write_private(path: Path, data: str | bytes, mode: int = 0o600) -> None:
    """Written readable by its owner only from the first byte, an older file's mode too."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(descriptor, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data.encode() if isinstance(data, str) else data)
