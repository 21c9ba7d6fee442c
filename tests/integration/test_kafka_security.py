"""The project's secured broker (TLS, SASL/SCRAM-SHA-512, deny-by-default ACLs), tried as a
stranger on the network would try it and as each agency would use it, and the hub running
on it end to end with the ACLs `hub access apply` gives it, not as a super user (issue 13)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.conn import create_conn
from aiokafka.errors import (
    KafkaError,
    TopicAuthorizationFailedError,
    TransactionalIdAuthorizationFailed,
    UnknownTopicOrPartitionError,
)
from aiokafka.protocol.admin import CreateAclsRequest_v1
from aiokafka.structs import ConsumerRecord
from typer.testing import CliRunner

from hub.access.apply import Applied, apply_plan
from hub.access.plan import Grant, access_plan
from hub.access.senders import agencies, recipients_only
from hub.cli import app
from hub.contracts.envelope import ParsedEvent, parse_structured
from hub.devtools.kafka_local import ADMIN_USER, LocalKafka
from hub.devtools.reader import read_topics
from hub.devtools.tls import broker_certificates
from hub.kafka.access_admin import _Prepared, acl_creation, existing_grants
from hub.kafka.connection import KafkaConnection
from hub.kafka.security import HUB_USER, KafkaSecurity
from hub.kafka.topics import NO_ERROR, TopicConfig, ensure_topics
from hub.producers.publisher import publish
from hub.routing.directory import load_directory
from tests.helpers import EXAMPLES
from tests.pipeline.faults import FaultRun, assert_exactly_once

REFUSED = (KafkaError, OSError)  # a failed handshake or login, as aiokafka reports it


AGENCIES = ("bedfordshire-police", "northamptonshire-police", "northamptonshire", "luton")


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """Only the brokers' own user is a super user: the hub has its ACLs, as in production."""
    broker = LocalKafka(tmp_path_factory.mktemp("secured-kafka"), secured=True)
    broker.super_users = (ADMIN_USER,)
    broker.start()
    yield broker
    broker.stop()


async def onboard(broker: LocalKafka, prefix: str) -> Applied:
    """`hub access apply` for the hub and four agencies of one deployment (its prefix)."""
    directory = load_directory()
    known = agencies(directory)
    chosen = [known[code] for code in AGENCIES]
    plan = access_plan(chosen, HUB_USER, prefix, f"{prefix}hub", recipients_only(directory))
    admin = broker.connection(ADMIN_USER)
    return await apply_plan(admin, plan, broker.secrets, TopicConfig(1))


async def lists_topics(kafka: KafkaConnection) -> list[str]:
    admin = kafka.admin(request_timeout_ms=5000)
    try:
        await admin.start()
        return list(await admin.list_topics())
    finally:
        await admin.close()


def open_sockets() -> int:
    """This process's open sockets (Linux: /proc/self/fd)."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if _is_socket(fd))


def _is_socket(fd: Path) -> bool:
    try:
        return fd.readlink().name.startswith("socket:")
    except OSError:  # closed between listing and reading
        return False


async def is_refused(kafka: KafkaConnection) -> bool:
    """Whether the broker refuses this client. aiokafka closes a refused TLS connection
    without waiting for the TLS shutdown to finish; a loop closed before it finishes leaves
    the socket to the garbage collector, whose ResourceWarning then fails some later test.
    So wait until this process holds no more sockets than before the attempt."""
    before = open_sockets()
    try:
        await lists_topics(kafka)
    except REFUSED:
        refused = True
    else:
        refused = False
    for _ in range(100):
        if open_sockets() <= before:
            break
        await asyncio.sleep(0.05)
    return refused


async def refused_soon(kafka: KafkaConnection, seconds: float = 10.0) -> bool:
    """Whether the broker refuses this client within a few seconds: a credential removed or
    replaced reaches the broker's login cache through the cluster's metadata, a moment
    after the admin request returns (a login at once has been seen to pass)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await is_refused(kafka):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def accepted_soon(kafka: KafkaConnection, seconds: float = 10.0) -> bool:
    """Whether the broker takes this client within a few seconds: a credential made or
    replaced reaches the broker's login cache as a removed one does (a login at once after
    a rotation has been seen to fail)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while await is_refused(kafka):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def test_the_hubs_user_connects_over_tls_with_its_password(secured: LocalKafka) -> None:
    assert isinstance(await lists_topics(secured.connection()), list)


async def test_a_client_without_credentials_cannot_connect(secured: LocalKafka) -> None:
    assert await is_refused(KafkaConnection(secured.bootstrap))


async def test_a_client_with_a_wrong_password_cannot_connect(secured: LocalKafka) -> None:
    good = secured.security()
    assert good is not None
    wrong = KafkaSecurity(good.username, good.password + "x", good.ca_file)
    assert await is_refused(KafkaConnection(secured.bootstrap, security=wrong))


async def test_a_client_that_does_not_trust_the_broker_does_not_send_its_password(
    secured: LocalKafka, tmp_path: Path
) -> None:
    """A broker whose certificate another authority signed (someone posing as the bus) is
    refused by the client before SCRAM starts."""
    good = secured.security()
    assert good is not None
    other_ca = broker_certificates(tmp_path / "another-authority").ca_file
    doubting = KafkaSecurity(good.username, good.password, other_ca)
    assert await is_refused(KafkaConnection(secured.bootstrap, security=doubting))


async def test_the_hub_runs_end_to_end_on_the_secured_broker(
    secured: LocalKafka, tmp_path: Path
) -> None:
    """`hub run` configured from HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL and the rest, in
    production: every event applied, every notification delivered once."""
    await onboard(secured, "e2e.")
    run = hub_on_its_acls(secured, tmp_path, "e2e.", events=200)
    try:
        await run.publish_all()
        delivery = await assert_exactly_once(run)
    finally:
        run.close()
    assert delivery.expected > 0


def hub_on_its_acls(broker: LocalKafka, workdir: Path, prefix: str, events: int) -> FaultRun:
    """A `hub run` connected as `hub`, which has only its ACLs; the test itself publishes to
    the shared topics and reads every topic as the brokers' admin."""
    run = FaultRun(
        broker.connection(ADMIN_USER),
        f"sqlite:///{workdir / 'hub.db'}",
        workdir,
        events=events,
        prefix=prefix,
        hub_kafka=broker.connection(),
    )
    run.hub().start()
    return run


def misper_report(event_id: str, source: str, reporting_force: str) -> ParsedEvent:
    """The published example, sent by the force the child was reported to."""
    document = json.loads((EXAMPLES / "01-misper-report.json").read_text())
    document["id"], document["source"] = event_id, source
    document["data"]["reporting_force"] = reporting_force
    return parse_structured(json.dumps(document).encode())


async def arrived(
    kafka: KafkaConnection,
    prefix: str,
    wanted: Callable[[ConsumerRecord[bytes, bytes]], bool] = lambda _: True,
) -> list[ConsumerRecord[bytes, bytes]]:
    """The wanted records on the topics under `prefix`, once at least one has arrived."""
    for _ in range(120):
        found = [record for record in await read_topics(kafka, prefix) if wanted(record)]
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"nothing arrived on {prefix}*")


@pytest.fixture(scope="module")
def agency_deployment(
    secured: LocalKafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultRun]:
    """A hub, as `hub`, reading the agencies' own topics of deployment `agency.`."""
    asyncio.run(onboard(secured, "agency."))
    run = hub_on_its_acls(secured, tmp_path_factory.mktemp("agency-hub"), "agency.", events=1)
    yield run
    run.close()


async def test_a_force_reports_on_its_own_topic_and_the_home_authority_reads_its_own(
    secured: LocalKafka, agency_deployment: FaultRun
) -> None:
    """Bedfordshire Police reports a Northamptonshire child missing in Luton; the hub tells
    Northamptonshire's teams, and Northamptonshire reads them with its own user."""
    report = misper_report("acl-1", "/police/bedfordshire/compact", "bedfordshire-police")
    police = secured.connection("bedfordshire-police")
    [sent] = await publish(police, [report], "agency.", agency="bedfordshire-police")
    assert sent.topic == "agency.inbound.misper-report.bedfordshire-police"

    home = secured.connection("northamptonshire")
    received = await arrived(home, "agency.notify.northamptonshire.")
    assert {r.topic.split(".")[2] for r in received} == {"northamptonshire"}


async def test_an_agency_sees_only_its_own_topics(secured: LocalKafka) -> None:
    await onboard(secured, "agency.")
    visible = set(await lists_topics(secured.connection("luton")))
    assert visible, "its own topics"
    # Its own inbound topics and its own notifications, in every deployment that onboarded it.
    assert all(t.endswith(".luton") or ".notify.luton." in t for t in visible), visible


async def test_an_agency_cannot_read_another_agencys_notifications(secured: LocalKafka) -> None:
    await onboard(secured, "agency.")
    topic = "agency.notify.northamptonshire.mct"
    await ensure_topics(secured.connection(ADMIN_USER), [topic], TopicConfig(1))
    assert await topic_error(secured.connection("luton"), topic) == (
        TopicAuthorizationFailedError.errno
    )
    assert await topic_error(secured.connection("northamptonshire"), topic) == 0


async def test_the_home_office_reads_its_notices_with_its_own_user(secured: LocalKafka) -> None:
    """4.3: the Home Office is told of an asylum-seeking child's missing status; it sends
    the hub nothing, and on a broker that denies by default it must still read its topic."""
    await onboard(secured, "agency.")
    topic = "agency.notify.home-office.home_office"
    await ensure_topics(secured.connection(ADMIN_USER), [topic], TopicConfig(1))
    assert await topic_error(secured.connection("home-office"), topic) == 0
    assert await topic_error(secured.connection("luton"), topic) == (
        TopicAuthorizationFailedError.errno
    )


@pytest.mark.parametrize(
    "topic",
    [
        "agency.inbound.misper-report.northamptonshire-police",  # another force's
        "agency.inbound.mash-rating.luton",  # a local authority's
        "agency.inbound.misper-report",  # the shared topic, the hub's operators' alone
        "agency.notify.northamptonshire.mct",  # the hub's
    ],
)
async def test_a_force_cannot_publish_as_another_agency(secured: LocalKafka, topic: str) -> None:
    await onboard(secured, "agency.")
    producer = secured.connection("bedfordshire-police").producer(request_timeout_ms=5000)
    await producer.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(topic, b"{}", key=b"CF-1")
    finally:
        await producer.stop()


async def test_a_force_writes_its_reports_in_a_transaction_of_its_own(
    secured: LocalKafka,
) -> None:
    """README ("For senders"): a sender may write in Kafka transactions, and what it aborts
    is never read. On a broker that denies by default a transaction is begun under a
    transactional id the sender may write: its own, named `<agency>.*` as its consumer
    groups are, and never another agency's (which would fence that agency's producer)."""
    await onboard(secured, "agency.")
    topic = "agency.inbound.misper-report.bedfordshire-police"
    police = secured.connection("bedfordshire-police")
    producer = police.producer(
        request_timeout_ms=5000, transactional_id="bedfordshire-police.case-system"
    )
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send_and_wait(topic, b"{}", key=b"CF-1")
    finally:
        await producer.stop()
    stranger = police.producer(request_timeout_ms=5000, transactional_id="luton.case-system")
    with pytest.raises(TransactionalIdAuthorizationFailed):
        await stranger.start()
    await stranger.stop()


@pytest.mark.parametrize(
    ("source", "reporting_force", "field"),
    [
        ("/police/northamptonshire/compact", "bedfordshire-police", "ce_source"),
        ("/police/bedfordshire/compact", "northamptonshire-police", "data.reporting_force"),
    ],
)
async def test_the_hub_refuses_a_spoofed_origin_and_tells_the_sender(
    secured: LocalKafka, agency_deployment: FaultRun, source: str, reporting_force: str, field: str
) -> None:
    police = secured.connection("bedfordshire-police")
    event_id = f"spoof-{field}"
    await publish(
        police, [misper_report(event_id, source, reporting_force)], "agency.", "bedfordshire-police"
    )
    [report] = await refusals_of(police, event_id)
    assert report["kind"] == "wrong_sender"
    assert [p["field"] for p in report["problems"]] == [field]


async def refusals_of(kafka: KafkaConnection, event_id: str) -> list[dict[str, Any]]:
    """The hub's refusals of one event, as its sender reads them on its own topic."""
    records = await arrived(
        kafka,
        "agency.notify.bedfordshire-police.refusals",
        lambda record: json.loads(record.value)["event_id"] == event_id,
    )
    return [json.loads(record.value) for record in records]


async def topic_error(kafka: KafkaConnection, topic: str, seconds: float = 10.0) -> int:
    """The broker's answer to a user asking for a topic's partitions, the first step of
    reading it: 29 (TOPIC_AUTHORIZATION_FAILED) where the user may not read it. A topic just
    made reaches the broker's metadata a moment after the admin request returns: until then
    it answers 3 (UNKNOWN_TOPIC_OR_PARTITION), asked again."""
    admin = kafka.admin(request_timeout_ms=5000)
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        await admin.start()
        while True:
            [described] = await admin.describe_topics([topic])
            error = int(described["error_code"])
            if error != UnknownTopicOrPartitionError.errno:
                return error
            if asyncio.get_running_loop().time() > deadline:
                return error
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


def test_an_operator_onboards_an_agency_and_rotates_its_password(
    secured: LocalKafka, tmp_path: Path
) -> None:
    """`hub access add-agency` then `hub access rotate-password`, as docs/security.md tells
    an operator: the agency connects with the file it was given, and after a rotation only
    the new password works."""
    operator = {**secured.connection(ADMIN_USER).environment(), "HUB_TOPIC_PREFIX": "ops."}
    credentials = tmp_path / "credentials"
    command = ["access", "add-agency", "leicestershire", "--credentials", str(credentials)]
    added = CliRunner().invoke(app, command, env=operator)
    assert added.exit_code == 0, added.output
    assert "users created (1): leicestershire" in added.output
    password_file = credentials / "leicestershire.password"
    assert password_file.stat().st_mode & 0o777 == 0o600
    first = password_file.read_text()
    assert first not in added.output
    ca_file = broker_certificates(secured.secrets).ca_file

    def as_agency(password: str) -> KafkaConnection:
        return KafkaConnection(
            secured.bootstrap, security=KafkaSecurity("leicestershire", password, ca_file)
        )

    assert asyncio.run(accepted_soon(as_agency(first)))
    assert "ops.inbound.mash-rating.leicestershire" in asyncio.run(lists_topics(as_agency(first)))

    again = CliRunner().invoke(app, command, env=operator)  # idempotent: nothing new
    assert "users created (0): none" in again.output
    assert "ACLs created: 0" in again.output  # its transactional ids' among those kept
    assert password_file.read_text() == first

    rotate = ["access", "rotate-password", "leicestershire", "--credentials", str(credentials)]
    rotated = CliRunner().invoke(app, rotate, env=operator)
    assert rotated.exit_code == 0, rotated.output
    second = password_file.read_text()
    assert second != first
    assert asyncio.run(accepted_soon(as_agency(second)))
    assert asyncio.run(refused_soon(as_agency(first)))


def test_an_operator_offboards_an_agency_which_then_cannot_connect(
    secured: LocalKafka, tmp_path: Path
) -> None:
    operator = {**secured.connection(ADMIN_USER).environment(), "HUB_TOPIC_PREFIX": "off."}
    credentials = ["--credentials", str(tmp_path)]
    added = CliRunner().invoke(app, ["access", "add-agency", "rutland", *credentials], env=operator)
    assert added.exit_code == 0, added.output
    password = (tmp_path / "rutland.password").read_text()
    ca_file = broker_certificates(secured.secrets).ca_file
    rutland = KafkaConnection(
        secured.bootstrap, security=KafkaSecurity("rutland", password, ca_file)
    )
    assert asyncio.run(accepted_soon(rutland))

    removed = CliRunner().invoke(
        app, ["access", "remove-agency", "rutland", *credentials], env=operator
    )
    assert removed.exit_code == 0, removed.output
    assert "ACLs and its credential removed" in removed.output
    assert not (tmp_path / "rutland.password").exists()
    assert asyncio.run(refused_soon(rutland))
    remaining = asyncio.run(existing_acls_of(secured, "User:rutland"))
    assert remaining == set()


def test_an_agency_offboarded_stays_so_through_apply_until_onboarded_again(
    secured: LocalKafka, tmp_path: Path
) -> None:
    """Every force and authority is in the directory, so `apply` after `remove-agency` made
    the agency's user and ACLs again, and a password file for it (docs/security.md)."""
    operator = {**secured.connection(ADMIN_USER).environment(), "HUB_TOPIC_PREFIX": "back."}
    credentials = ["--credentials", str(tmp_path)]
    for command in (["add-agency", "rutland"], ["remove-agency", "rutland"]):
        done = CliRunner().invoke(app, ["access", *command, *credentials], env=operator)
        assert done.exit_code == 0, done.output

    both = ["--agency", "rutland", "--agency", "peterborough"]
    applied = CliRunner().invoke(app, ["access", "apply", *both, *credentials], env=operator)
    assert applied.exit_code == 0, applied.output
    assert "users created (1): peterborough" in applied.output
    assert "offboarded, not made again (1): rutland" in applied.output
    assert not (tmp_path / "rutland.password").exists()
    assert asyncio.run(existing_acls_of(secured, "User:rutland")) == set()

    again = CliRunner().invoke(app, ["access", "add-agency", "rutland", *credentials], env=operator)
    assert again.exit_code == 0, again.output
    assert "users created (1): rutland" in again.output
    assert (tmp_path / "rutland.password").exists()


async def existing_acls_of(broker: LocalKafka, principal: str) -> set[Grant]:
    admin = broker.connection(ADMIN_USER).admin()
    try:
        await admin.start()
        return {grant for grant in await existing_grants(admin) if grant.principal == principal}
    finally:
        await admin.close()


STOLEN = Grant("User:luton", "TOPIC", "notify.", "PREFIXED", "READ")  # every agency's


async def grant_on_the_controllers_port(broker: LocalKafka, grant: Grant) -> bool:
    """Whether the controller took the ACL, asked without TLS, password or certificate."""
    try:
        conn = await asyncio.wait_for(
            create_conn("127.0.0.1", broker.controller_port, request_timeout_ms=5000), 10
        )
    except (TimeoutError, KafkaError, OSError):
        return False
    try:
        response = await asyncio.wait_for(
            conn.send(_Prepared(CreateAclsRequest_v1([acl_creation(grant)]))), 10
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
    secured: LocalKafka,
) -> None:
    """The controllers' listener is on loopback, which every account of the machine reaches:
    it must not take from them what the client listener's TLS and SCRAM keep from strangers."""
    taken = asyncio.run(grant_on_the_controllers_port(secured, STOLEN))
    assert not taken
    assert STOLEN not in asyncio.run(grants_on(secured))
