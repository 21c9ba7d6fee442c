"""The CA and the broker's certificate expire (825 days, docs/security.md) and, once either
has, no client connects and no child's notification is delivered. Ops see it coming where
they already look: health's `certificates` check ("attention" within 30 days, naming the
certificate and the date in London time), `hub_certificate_expiry_seconds` on /metrics,
and a warning in `hub run`'s log at start and daily."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from hub import runtime
from hub.bootstrap import HubParts, build
from hub.clock import ManualClock
from hub.console.context import Console
from hub.console.web import create_app
from hub.kafka.certificates import (
    CertificateExpiry,
    Certificates,
    expiry_check,
    look_at_certificates,
    read_certificates,
    watch_certificates,
)
from hub.kafka.connection import KafkaConnection
from hub.kafka.security import KafkaSecurity
from hub.metrics import HubMetrics
from hub.settings import HubSettings
from tests.certificates import authority, broker_keystore, tls_listener
from tests.console.conftest import SECRET, console_of
from tests.console.test_web import signed_in

LONDON = ZoneInfo("Europe/London")
WALL = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
NOBODY = "127.0.0.1:1"  # no broker answers: its certificate is not read


def over_tls(folder: Path, bootstrap: str) -> KafkaConnection:
    return KafkaConnection(bootstrap, security=KafkaSecurity("hub", "pw", folder / "ca.pem"))


def console_over(store: sessionmaker[Session], kafka: KafkaConnection) -> FastAPI:
    """The test console (tests/console/conftest.py), its hub connecting as `kafka`."""
    plain = console_of(store).parts
    parts = HubParts(plain.settings, kafka, plain.directory, plain.clock, plain.engine)
    return create_app(Console(parts), SECRET, secure_cookies=False)


def ca(not_after: datetime, source: str = "/run/secrets/kafka/ca.pem") -> CertificateExpiry:
    return CertificateExpiry(certificate="ca", source=source, not_after=not_after)


# -- the words ops read ---------------------------------------------------------------


def test_a_ca_expiring_within_30_days_is_attention_naming_it_and_its_date_in_london_time() -> None:
    found = Certificates(tls=True, found=[ca(datetime(2027, 1, 5, 14, 2, tzinfo=UTC))])
    assert expiry_check(found, WALL, LONDON) == (
        False,
        "The CA's certificate (/run/secrets/kafka/ca.pem) expires on Tue 05 Jan 2027 at 14:02 GMT, "
        "in 16 days: renew it before then (docs/security.md)",
    )


def test_the_earliest_of_the_certificates_is_the_one_named() -> None:
    broker = CertificateExpiry(
        certificate="broker", source="kafka:9092", not_after=datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
    )
    found = Certificates(tls=True, found=[ca(datetime(2028, 3, 1, tzinfo=UTC)), broker])
    assert expiry_check(found, WALL, LONDON) == (
        True,
        "The broker's certificate (at kafka:9092) expires first, on Tue 01 Jun 2027 at 09:00 BST",
    )


def test_an_expired_certificate_is_not_well_and_says_no_client_connects() -> None:
    found = Certificates(tls=True, found=[ca(datetime(2026, 12, 19, 23, 0, tzinfo=UTC))])
    assert expiry_check(found, WALL, LONDON) == (
        False,
        "The CA's certificate (/run/secrets/kafka/ca.pem) expired on Sat 19 Dec 2026 at 23:00 GMT: "
        "no client can connect until it is renewed (docs/security.md)",
    )


def test_plaintext_has_no_certificates_to_expire() -> None:
    assert expiry_check(Certificates(tls=False), WALL, LONDON) == (True, "no TLS")


# -- read from the CA file and the broker's TLS handshake ------------------------------


def test_the_ca_file_is_read_and_a_broker_that_does_not_answer_is_said_not_read(
    tmp_path: Path,
) -> None:
    made = authority(tmp_path, datetime(2028, 3, 1, 12, 0, tzinfo=UTC))
    found = read_certificates(over_tls(tmp_path, NOBODY), timeout=2.0)
    assert found.found == [
        CertificateExpiry(
            certificate="ca",
            source=str(made.ca_file),
            not_after=made.certificate.not_valid_after_utc,
        )
    ]
    assert found.unread == [f"the broker's at {NOBODY} not read (ConnectionRefusedError)"]


def test_the_brokers_certificate_is_read_as_its_tls_handshake_presents_it(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    made = authority(tmp_path, now + timedelta(days=800))
    with tls_listener(broker_keystore(tmp_path, made, now + timedelta(days=10, hours=1))) as server:
        found = read_certificates(over_tls(tmp_path, server), timeout=2.0)
    ok, detail = expiry_check(found, now, LONDON)
    assert not ok
    assert detail.startswith(f"The broker's certificate (at {server}) expires on ")
    assert detail.endswith("in 10 days: renew it before then (docs/security.md)")


def test_a_broker_whose_certificate_has_expired_is_refused_and_that_is_not_well(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    made = authority(tmp_path, now + timedelta(days=800))
    with tls_listener(broker_keystore(tmp_path, made, now - timedelta(days=1))) as server:
        found = read_certificates(over_tls(tmp_path, server), timeout=2.0)
    ok, detail = expiry_check(found, now, LONDON)
    assert not ok
    assert detail.startswith(
        f"The broker at {server} is refused by the hub's check of its certificate: "
        "certificate has expired (docs/security.md); The CA's certificate"
    )


# -- where ops look: health, /metrics, hub run's log ------------------------------------


def test_health_says_the_ca_expires_within_30_days_and_is_not_all_well(
    store: sessionmaker[Session], tmp_path: Path
) -> None:
    expires = datetime.now(UTC) + timedelta(days=20, hours=1)
    authority(tmp_path, expires)
    app = console_over(store, over_tls(tmp_path, NOBODY))
    health = signed_in(app, "vera").get("/api/health").json()
    here = expires.astimezone(LONDON)
    assert health["certificates"] == {
        "ok": False,
        "detail": f"The CA's certificate ({tmp_path / 'ca.pem'}) expires on "
        f"{here:%a %d %b %Y at %H:%M %Z}, in 20 days: renew it before then (docs/security.md); "
        f"the broker's at {NOBODY} not read (ConnectionRefusedError)",
    }
    assert health["ok"] is False
    page = signed_in(app, "vera").get("/health").text
    assert "renew it before then" in page


def test_metrics_give_each_certificates_expiry(
    store: sessionmaker[Session], tmp_path: Path
) -> None:
    made = authority(tmp_path, datetime(2028, 3, 1, 12, 0, tzinfo=UTC))
    app = console_over(store, over_tls(tmp_path, NOBODY))
    scraped = text_string_to_metric_families(TestClient(app).get("/metrics").text)
    expiry = {
        (sample.labels["certificate"], sample.labels["source"]): sample.value
        for family in scraped
        if family.name == "hub_certificate_expiry_seconds"
        for sample in family.samples
    }
    assert expiry == {("ca", str(made.ca_file)): made.certificate.not_valid_after_utc.timestamp()}


def test_plaintext_health_says_no_tls(app: FastAPI) -> None:
    health = signed_in(app, "vera").get("/api/health").json()
    assert health["certificates"] == {"ok": True, "detail": "no TLS"}


async def test_hub_run_warns_in_its_log_and_sets_its_metric(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    made = authority(tmp_path, datetime.now(UTC) + timedelta(days=20, hours=1))
    metrics = HubMetrics()
    await look_at_certificates(over_tls(tmp_path, NOBODY), LONDON, metrics)
    [warning] = [r for r in caplog.records if r.message == "certificate expiring"]
    assert warning.levelno == logging.WARNING
    assert "in 20 days: renew it before then" in warning.__dict__["detail"]
    expiry = metrics.registry.get_sample_value(
        "hub_certificate_expiry_seconds", {"certificate": "ca", "source": str(made.ca_file)}
    )
    assert expiry == made.certificate.not_valid_after_utc.timestamp()


async def test_hub_run_looks_again_daily_until_it_stops(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    authority(tmp_path, datetime.now(UTC) + timedelta(days=400))
    stop = asyncio.Event()
    every = timedelta(seconds=0.2)  # a day, shortened
    watching = asyncio.create_task(
        watch_certificates(over_tls(tmp_path, NOBODY), LONDON, HubMetrics(), stop, every)
    )
    for _ in range(100):
        if len([r for r in caplog.records if r.message == "certificates valid"]) >= 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(watching, 5)
    assert len([r for r in caplog.records if r.message == "certificates valid"]) >= 2


async def test_hub_run_over_plaintext_logs_nothing_about_certificates(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await look_at_certificates(KafkaConnection(NOBODY), LONDON, HubMetrics())
    assert not [r for r in caplog.records if "certificate" in r.message]


async def test_hub_run_with_an_expired_ca_says_so_before_it_fails_to_reach_the_broker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hub run` over SASL_SSL, its CA expired yesterday: its first Kafka client (making the
    topics) fails, and its log has said why first."""
    caplog.set_level(logging.INFO)
    authority(tmp_path, datetime.now(UTC) - timedelta(days=1))

    async def no_broker(*_: object) -> None:
        raise KafkaConnectionError("the handshake failed")

    monkeypatch.setattr(runtime, "ensure_topics", no_broker)
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.db'}", roles={"consumer"})
    hub = runtime.Hub(build(settings, over_tls(tmp_path, NOBODY), ManualClock(WALL)))
    with pytest.raises(KafkaConnectionError):
        await hub.start_services()
    hub.close()
    [warning] = [r for r in caplog.records if r.message == "certificate expired or refused"]
    assert "no client can connect until it is renewed" in warning.__dict__["detail"]
