"""Certificates with a chosen expiry, as hub/devtools/tls.py makes them (a CA, a broker's
key and chain for loopback), and a TLS listener that presents one: what the hub checks
the expiry of (hub.kafka.certificates) without a broker."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hub.devtools.tls import CA_KEY_USAGE, _key_pem, _name


@dataclass(frozen=True)
class Authority:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    ca_file: Path


def _valid(builder: x509.CertificateBuilder, expires: dt.datetime) -> x509.CertificateBuilder:
    """Valid from now, or from a year before it expires if that is earlier: an expired one
    was valid once."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    since = min(now, expires - dt.timedelta(days=365))
    return builder.not_valid_before(since).not_valid_after(expires)


def authority(folder: Path, expires: dt.datetime) -> Authority:
    """A CA expiring at `expires`, in `folder`/ca.pem (HUB_KAFKA_CA_FILE)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Missing Children Hub local CA")
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    certificate = _valid(builder, expires).sign(key, hashes.SHA256())
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Authority(certificate, key, ca_file)


def broker_keystore(folder: Path, ca: Authority, expires: dt.datetime) -> Path:
    """A broker's key and chain for localhost and 127.0.0.1, signed by `ca`, expiring at
    `expires`, in `folder`/broker.pem."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
    )
    certificate = _valid(builder, expires).sign(ca.key, hashes.SHA256())
    keystore = folder / "broker.pem"
    keystore.write_bytes(
        _key_pem(key)
        + certificate.public_bytes(serialization.Encoding.PEM)
        + ca.certificate.public_bytes(serialization.Encoding.PEM)
    )
    return keystore


@contextmanager
def tls_listener(keystore: Path) -> Iterator[str]:
    """A listener on loopback that presents `keystore`'s certificate in each TLS handshake
    and then closes: the first thing a broker's SASL_SSL listener does. Yields host:port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(keystore)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            raw.settimeout(5)
            try:
                with context.wrap_socket(raw, server_side=True):
                    pass
            except (ssl.SSLError, OSError):  # the client refused the certificate
                raw.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()
