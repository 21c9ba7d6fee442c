"""The project's own certificate authority and broker certificates, made with `cryptography`
(no download, no keytool): the local broker, the test brokers and the cluster serve TLS
with them, and every client checks the broker against the CA (hub.kafka.security).

Files (PEM, which Kafka reads as a keystore and a truststore directly):
- `ca.pem`: the authority's certificate, for clients (HUB_KAFKA_CA_FILE);
- `ca-key.pem`: its private key (0600), kept to sign the next broker's certificate;
- `broker.pem`: a broker's private key (PKCS#8) and certificate chain, for
  `ssl.keystore.location` (0600).
Made once per folder and kept: a broker that restarts serves the same certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hub.kafka.security import write_private

VALID_FOR = dt.timedelta(days=825)  # the longest a browser-trusted server certificate may be


CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,  # it signs the brokers' certificates, and nothing else
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class BrokerCertificates:
    ca_file: Path
    keystore: Path  # the broker's key and certificate chain, PEM


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Missing Children Integration Hub"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,  # the form Kafka's PEM keystore reads
        serialization.NoEncryption(),  # the file is the secret: 0600, never in the repo
    )


def _authority(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_file, key_file = folder / "ca.pem", folder / "ca-key.pem"
    if ca_file.exists() and key_file.exists():
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return x509.load_pem_x509_certificate(ca_file.read_bytes()), key
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = _name("Missing Children Hub local CA")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    write_private(key_file, _key_pem(key))
    ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key


def broker_certificates(folder: Path, hosts: tuple[str, ...] = ()) -> BrokerCertificates:
    """The CA and a broker certificate in `folder`, made on first use: for loopback, and for
    the host names in `hosts` (a broker reached by name, as docker-compose's `kafka`)."""
    folder.mkdir(parents=True, exist_ok=True)
    keystore = folder / "broker.pem"
    ca, ca_key = _authority(folder)
    if not keystore.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        names: list[x509.GeneralName] = [x509.DNSName(host) for host in ("localhost", *hosts)]
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("localhost"))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + VALID_FOR)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        chain = certificate.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
            serialization.Encoding.PEM
        )
        write_private(keystore, _key_pem(key) + chain)
    return BrokerCertificates(folder / "ca.pem", keystore)
