"""The project's secured broker (TLS, SASL/SCRAM-SHA-512, deny-by-default ACLs), tried as a
stranger on the network would try it, and the hub running on it end to end (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.errors import KafkaError

from hub.devtools.kafka_local import LocalKafka
from hub.devtools.tls import broker_certificates
from hub.kafka.connection import KafkaConnection
from hub.kafka.security import KafkaSecurity
from tests.pipeline.faults import FaultRun, assert_exactly_once

REFUSED = (KafkaError, OSError)  # a failed handshake or login, as aiokafka reports it


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    broker = LocalKafka(tmp_path_factory.mktemp("secured-kafka"), secured=True)
    broker.start()
    yield broker
    broker.stop()


async def lists_topics(kafka: KafkaConnection) -> list[str]:
    admin = kafka.admin(request_timeout_ms=5000)
    try:
        await admin.start()
        return list(await admin.list_topics())
    finally:
        await admin.close()


async def test_the_hubs_user_connects_over_tls_with_its_password(secured: LocalKafka) -> None:
    assert isinstance(await lists_topics(secured.connection()), list)


async def test_a_client_without_credentials_cannot_connect(secured: LocalKafka) -> None:
    with pytest.raises(REFUSED):
        await lists_topics(KafkaConnection(secured.bootstrap))


async def test_a_client_with_a_wrong_password_cannot_connect(secured: LocalKafka) -> None:
    good = secured.security()
    assert good is not None
    wrong = KafkaSecurity(good.username, good.password + "x", good.ca_file)
    with pytest.raises(REFUSED):
        await lists_topics(KafkaConnection(secured.bootstrap, security=wrong))


async def test_a_client_that_does_not_trust_the_broker_does_not_send_its_password(
    secured: LocalKafka, tmp_path: Path
) -> None:
    """A broker whose certificate another authority signed (someone posing as the bus) is
    refused by the client before SCRAM starts."""
    good = secured.security()
    assert good is not None
    other_ca = broker_certificates(tmp_path / "another-authority").ca_file
    doubting = KafkaSecurity(good.username, good.password, other_ca)
    with pytest.raises(REFUSED):
        await lists_topics(KafkaConnection(secured.bootstrap, security=doubting))


async def test_the_hub_runs_end_to_end_on_the_secured_broker(
    secured: LocalKafka, tmp_path: Path
) -> None:
    """`hub run` configured from HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL and the rest, in
    production: every event applied, every notification delivered once."""
    run = FaultRun(secured.connection(), f"sqlite:///{tmp_path / 'hub.db'}", tmp_path, events=200)
    run.hub().start()
    try:
        await run.publish_all()
        delivery = await assert_exactly_once(run)
    finally:
        run.close()
    assert delivery.expected > 0
