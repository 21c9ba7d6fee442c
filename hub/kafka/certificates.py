"""When the certificates the hub's Kafka clients rely on expire: the CA in HUB_KAFKA_CA_FILE
and each bootstrap broker's, as its TLS handshake presents it to the hub. Neither renews
itself (docs/security.md: 825 days), and once either has expired no client connects and no
child's notification is delivered; so health, /metrics and `hub run`'s log say so
RENEW_WITHIN before, naming the certificate and the date.

The broker's certificate is read with the hub's own SSL context (hub.kafka.security): only
the leaf the broker presents (the standard library gives no verified chain before Python
3.13), and one the hub refuses, expired among others, is reported with the reason the
handshake gives. `cryptography` reads the dates, imported on use: a PLAINTEXT hub never
loads it (tests/test_startup_imports.py)."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from hub.kafka.connection import KafkaConnection

if TYPE_CHECKING:
    from hub.metrics import HubMetrics

log = logging.getLogger(__name__)

RENEW_WITHIN = timedelta(days=30)  # a month to renew and hand every agency the new CA
LOOK_EVERY = timedelta(days=1)  # `hub run` says it again daily
READ_WITHIN = 5.0  # seconds for all the brokers' handshakes together
RENEWING = "(docs/security.md)"  # where renewing them is told


class CertificateExpiry(BaseModel):
    certificate: Literal["ca", "broker"]
    source: str  # the CA file's path, or the broker's host:port
    not_after: datetime  # UTC


@dataclass(frozen=True)
class Certificates:
    tls: bool
    found: list[CertificateExpiry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # a CA unreadable, a broker refused
    unread: list[str] = field(default_factory=list)  # a broker that did not answer

    def earliest(self) -> CertificateExpiry | None:
        return min(self.found, key=lambda found: found.not_after, default=None)


def read_certificates(kafka: KafkaConnection, timeout: float = READ_WITHIN) -> Certificates:
    """The CA file's certificates and each bootstrap broker's (blocking: run it in a
    thread), within about `timeout` seconds in all."""
    security = kafka.security
    if security is None:
        return Certificates(tls=False)
    found = Certificates(tls=True)
    try:
        found.found.extend(_ca_certificates(security.ca_file))
    except (OSError, ValueError) as error:
        found.problems.append(
            f"HUB_KAFKA_CA_FILE ({security.ca_file}) cannot be read: {type(error).__name__}"
        )
    servers = kafka.servers
    for server in servers:
        try:
            found.found.append(
                _broker_certificate(server, security.ssl_context, timeout / len(servers))
            )
        except ssl.SSLCertVerificationError as error:
            found.problems.append(
                f"The broker at {server} is refused by the hub's check of its certificate: "
                f"{error.verify_message} {RENEWING}"
            )
        except (OSError, ValueError) as error:  # not answering, or not speaking TLS
            found.unread.append(f"the broker's at {server} not read ({type(error).__name__})")
    return found


def _ca_certificates(ca_file: Path) -> list[CertificateExpiry]:
    """Read again only when the file changes: health asks at every request."""
    stat = ca_file.stat()
    return list(_read_ca(str(ca_file), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=4)
def _read_ca(path: str, _mtime_ns: int, _size: int) -> tuple[CertificateExpiry, ...]:
    from cryptography import x509  # on use (module docstring)

    with open(path, "rb") as file:
        certificates = x509.load_pem_x509_certificates(file.read())
    return tuple(
        CertificateExpiry(certificate="ca", source=path, not_after=one.not_valid_after_utc)
        for one in certificates
    )


def _broker_certificate(server: str, context: ssl.SSLContext, timeout: float) -> CertificateExpiry:
    """The certificate the broker presents in a TLS handshake checked as the hub's clients
    check it; nothing is sent after it (SCRAM comes later, in Kafka's own protocol)."""
    from cryptography import x509  # on use (module docstring)

    host, _, port = server.rpartition(":")
    host = host.strip("[]")  # an IPv6 address, [::1]:9092
    with (
        socket.create_connection((host, int(port)), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        presented = tls.getpeercert(binary_form=True)
    if presented is None:
        raise ValueError("no certificate presented")
    not_after = x509.load_der_x509_certificate(presented).not_valid_after_utc
    return CertificateExpiry(certificate="broker", source=server, not_after=not_after)


def expiry_check(found: Certificates, wall: datetime, zone: ZoneInfo) -> tuple[bool, str]:
    """Whether the certificates are well, and in plain words which expires first and when
    (in `zone`): not well within RENEW_WITHIN of it, or once it has expired, or while the
    CA cannot be read or the hub refuses a broker's certificate."""
    if not found.tls:
        return True, "no TLS"
    said, ok = list(found.problems), not found.problems
    first = found.earliest()
    if first is not None:
        left = first.not_after - wall
        named, at = _named(first), _local(first.not_after, zone)
        if left <= timedelta(0):
            said.append(
                f"{named} expired on {at}: no client can connect until it is renewed {RENEWING}"
            )
        elif left <= RENEW_WITHIN:
            said.append(f"{named} expires on {at}, {_in(left)}: renew it before then {RENEWING}")
        else:
            said.append(f"{named} expires first, on {at}")
        ok = ok and left > RENEW_WITHIN
    said.extend(found.unread)
    return ok, "; ".join(said) or "no certificate read"


def _named(found: CertificateExpiry) -> str:
    if found.certificate == "ca":
        return f"The CA's certificate ({found.source})"
    return f"The broker's certificate (at {found.source})"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    here = moment.astimezone(zone)
    return f"{here:%a %d %b %Y} at {here:%H:%M %Z}"


def _in(left: timedelta) -> str:
    if left.days >= 1:
        return f"in {left.days} day{'' if left.days == 1 else 's'}"
    hours = int(left.total_seconds() // 3600)
    return f"in {hours} hour{'' if hours == 1 else 's'}" if hours else "in less than an hour"


async def look_at_certificates(kafka: KafkaConnection, zone: ZoneInfo, metrics: HubMetrics) -> None:
    """`hub run`'s look at its certificates as it starts, before its first Kafka client:
    an expired one fails that client, and the log has said why first. Nothing over
    PLAINTEXT."""
    if not kafka.plaintext:
        found = await asyncio.to_thread(read_certificates, kafka)
        tell(found, datetime.now(UTC), zone, metrics)


async def watch_certificates(
    kafka: KafkaConnection,
    zone: ZoneInfo,
    metrics: HubMetrics,
    stop: asyncio.Event,
    every: timedelta = LOOK_EVERY,
) -> None:
    """The same look every day after the start's, until `stop`."""
    while not kafka.plaintext and not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every.total_seconds())
        if not stop.is_set():
            await look_at_certificates(kafka, zone, metrics)


def tell(found: Certificates, wall: datetime, zone: ZoneInfo, metrics: HubMetrics) -> None:
    """In the log, a warning when they need renewing; and hub_certificate_expiry_seconds."""
    for one in found.found:
        metrics.certificate_expiry.labels(certificate=one.certificate, source=one.source).set(
            one.not_after.timestamp()
        )
    ok, detail = expiry_check(found, wall, zone)
    first = found.earliest()
    fields = {"detail": detail}
    if first is not None:
        fields |= {"certificate": first.certificate, "source": first.source}
        fields["not_after"] = first.not_after.isoformat()
    if ok:
        log.info("certificates valid", extra=fields)
    elif first is not None and first.not_after > wall and not found.problems:
        log.warning("certificate expiring", extra=fields)
    else:
        log.warning("certificate expired or refused", extra=fields)
