"""The project's secured broker as another account of the same machine would try it: its
controller's listener is on loopback, which every local user reaches, so it must not give
them what the client listener's TLS and SCRAM keep from strangers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError
from aiokafka.protocol.admin import CreateAclsRequest_v1

from hub.access.plan import Grant, Operation, PatternType, ResourceType
from hub.devtools.kafka_local import ADMIN_USER, LocalKafka
from hub.kafka.access_admin import ALLOW, _Prepared, existing_grants
from hub.kafka.topics import NO_ERROR

STOLEN = Grant("User:luton", "TOPIC", "notify.", "PREFIXED", "READ")  # every agency's


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    kafka = LocalKafka(tmp_path_factory.mktemp("controller-kafka"), secured=True)
    kafka.super_users = (ADMIN_USER,)
    kafka.start()
    yield kafka
    kafka.stop()


async def grant_on_the_controllers_port(broker: LocalKafka, grant: Grant) -> bool:
    """Whether the controller took the ACL, asked without TLS, password or certificate."""
    creation = (
        ResourceType[grant.resource].value,
        grant.name,
        PatternType[grant.pattern].value,
        grant.principal,
        "*",
        Operation[grant.operation].value,
        ALLOW,
    )
    try:
        conn = await asyncio.wait_for(
            create_conn("127.0.0.1", broker.controller_port, request_timeout_ms=5000), 10
        )
    except (TimeoutError, KafkaError, OSError):
        return False
    try:
        response = await asyncio.wait_for(
            conn.send(_Prepared(CreateAclsRequest_v1([creation]))), 10
        )
    except (TimeoutError, KafkaError, OSError):
        return False
    finally:
        conn.close()
    return all(code == NO_ERROR for code, _ in response.creation_responses)


async def grants_on(broker: LocalKafka) -> set[Grant]:
    admin = broker.connection(ADMIN_USER).admin()
    try:
        await admin.start()
        return await existing_grants(admin)
    finally:
        await admin.close()


def test_a_local_account_cannot_grant_an_agency_every_notification_on_the_controllers_port(
    broker: LocalKafka,
) -> None:
    taken = asyncio.run(grant_on_the_controllers_port(broker, STOLEN))
    assert not taken
    assert STOLEN not in asyncio.run(grants_on(broker))


def test_the_secured_broker_still_answers_its_users(broker: LocalKafka) -> None:
    assert isinstance(asyncio.run(grants_on(broker)), set)
