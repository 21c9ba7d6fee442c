"""A real cluster: three KRaft nodes from the same jars (hub.devtools.kafka_local), topics
with three replicas of which two must be in sync, and the hub on PostgreSQL. One broker is
SIGKILLed mid-run and comes back; two hubs and two relays share one database. Afterwards
every notification has arrived, each id once after de-duplication, each child in order."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from prometheus_client.parser import text_string_to_metric_families

from hub.devtools.kafka_local import KafkaUnavailable, LocalKafkaCluster
from hub.devtools.ports import free_port
from hub.kafka.topics import TopicConfig
from hub.store.models import InboundEvent
from tests.helpers import ReportFigure
from tests.pipeline.faults import FaultRun, assert_exactly_once

# A test's own aiokafka clients (the sender, the reader) may leave a socket to a broker that
# was killed or restarted unclosed when a connection fails half made (aio-libs/aiokafka#715);
# the hub runs in processes of its own. Such a socket, or its transport, is reported when
# the garbage collector meets it: during this module's tests, or while its cluster starts
# (an earlier module's broker restarts: CI once failed the first test's setup so). It is
# no lost notification: what each test checks is every notification, once.
pytestmark = [
    pytest.mark.faults,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
    ),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <function _SelectorTransport.__del__"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]

REPLICATED = TopicConfig(partitions=3, replication_factor=3, min_insync_replicas=2)
DOWN_S = 5.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafkaCluster]:
    nodes = LocalKafkaCluster(tmp_path_factory.mktemp("cluster"), size=3)
    try:
        nodes.start()
    except KafkaUnavailable as error:
        nodes.stop()
        pytest.fail(f"a real three-broker Kafka cluster is required and could not start: {error}")
    yield nodes
    nodes.stop()


async def test_the_hub_makes_its_topics_on_three_brokers_with_two_in_sync(
    cluster: LocalKafkaCluster, postgres_url: str, tmp_path: Path
) -> None:
    kafka = cluster.connection()
    run = FaultRun(kafka, postgres_url, tmp_path, events=10, topics=REPLICATED)
    run.hub().start()
    try:
        await run.publish_all()  # the hub made the notification topics as it sent to them
    finally:
        run.close()
    admin = kafka.admin()
    await admin.start()
    try:
        brokers = (await admin.describe_cluster())["brokers"]
        topics = [t for t in await admin.list_topics() if t.startswith(f"{run.prefix}notify.")]
        described = await admin.describe_topics(topics)
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic) for topic in topics]
        )
    finally:
        await admin.close()
    assert len(brokers) == 3
    assert topics
    assert {len(p["replicas"]) for t in described for p in t["partitions"]} == {3}
    min_isr = {
        entry[1]
        for response in configs
        for resource in response.resources
        for entry in resource[4]
        if entry[0] == "min.insync.replicas"
    }
    assert min_isr == {"2"}


async def test_a_broker_killed_mid_run_and_restarted_loses_nothing(
    cluster: LocalKafkaCluster, postgres_url: str, tmp_path: Path, report_figure: ReportFigure
) -> None:
    run = FaultRun(cluster.connection(), postgres_url, tmp_path, events=1000, topics=REPLICATED)
    run.hub().start()
    victim = cluster.nodes[1]
    try:
        publishing = await run.a_third_done()
        await asyncio.to_thread(victim.stop, kill=True)  # SIGKILL: no clean shutdown
        await asyncio.sleep(DOWN_S)  # two of three in sync: acks=all still succeeds
        await asyncio.to_thread(victim.start)
        await publishing
        delivery = await assert_exactly_once(run)
    finally:
        run.close()
    assert cluster.running() == [1, 2, 3]
    report_figure(
        f"broker {victim.node_id} of 3 SIGKILLed for {DOWN_S:.0f}s mid-run: "
        f"{delivery.expected} notifications, {delivery.received} records received, "
        f"{delivery.duplicates} raw duplicates (dropped by id)"
    )


def sent_by(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "hub_outbox_sent_total"
    )


async def test_two_hubs_and_two_relays_on_one_database_send_each_notification_once(
    cluster: LocalKafkaCluster, postgres_url: str, tmp_path: Path, report_figure: ReportFigure
) -> None:
    run = FaultRun(cluster.connection(), postgres_url, tmp_path, events=1000, topics=REPLICATED)
    for _ in range(2):
        run.hub(HUB_ROLES="consumer,scheduler").start()
    ports = [free_port(), free_port()]
    for port in ports:
        run.hub(HUB_ROLES="relay", HUB_METRICS_PORT=str(port)).start()
    try:
        await run.publish_all()
        delivery = await assert_exactly_once(run)
        sent = [await asyncio.to_thread(sent_by, port) for port in ports]
        applied = run.count(InboundEvent)
    finally:
        run.close()
    assert applied == len(run.load)
    assert delivery.duplicates == 0  # no row sent by both relays (FOR UPDATE SKIP LOCKED)
    assert all(count > 0 for count in sent), sent  # both relays shared the work
    assert sum(sent) == delivery.expected
    report_figure(
        f"two hubs, two relays: {delivery.expected} notifications, sent {sent[0]:.0f} and "
        f"{sent[1]:.0f}, {delivery.duplicates} raw duplicates"
    )
