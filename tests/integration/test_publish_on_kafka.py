"""`hub publish` puts a message on the real broker with its key and CloudEvents headers,
and a client that is not Python (kcat) reads the same thing."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.contracts.envelope import from_kafka
from hub.devtools.kafka_local import LocalKafka
from hub.devtools.reader import read_records
from hub.kafka.connection import KafkaConnection
from tests.helpers import EXAMPLES

runner = CliRunner()
PUBLISHED = re.compile(r"published (\S+) -> (\S+)\[(\d+)\]@(\d+)")


def publish(kafka: KafkaConnection, name: str) -> tuple[str, int, int]:
    result = runner.invoke(
        app,
        ["publish", str(EXAMPLES / f"{name}.json"), "--bootstrap", kafka.bootstrap],
        env=kafka.environment(),  # TLS and SCRAM, as the hub's user
    )
    assert result.exit_code == 0, result.output
    match = PUBLISHED.search(result.output)
    assert match, result.output
    return match.group(2), int(match.group(3)), int(match.group(4))


def test_published_misper_report_arrives_with_key_and_headers(kafka: KafkaConnection) -> None:
    topic, partition, offset = publish(kafka, "01-misper-report")
    assert topic == "inbound.misper-report"
    [record] = asyncio.run(read_records(kafka, [(topic, partition, offset)]))
    headers = dict(record.headers)
    assert record.key == b"CF-100231"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == b"evt-police-0001"
    assert headers["ce_type"] == b"uk.missing-children.misper-report.v1"
    assert headers["content-type"] == b"application/json"
    assert from_kafka(record.headers, record.key, record.value).event_id == "evt-police-0001"


@pytest.fixture(scope="module")
def plaintext_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaConnection]:
    """A PLAINTEXT broker of its own: Debian's kcat (librdkafka 2.0.2) cannot log in with
    SCRAM to Kafka 4 (edenhill/kcat#462, fixed in librdkafka 2.6.1), and this test is about
    the records' format, which TLS does not change."""
    broker = LocalKafka(tmp_path_factory.mktemp("plaintext-kafka"))
    broker.start()
    yield broker.connection()
    broker.stop()


def test_kcat_reads_what_hub_publish_sent(plaintext_broker: KafkaConnection) -> None:
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is required (Debian package 'kcat'; `make setup` installs it)")
    kafka = plaintext_broker
    topic, partition, offset = publish(kafka, "05-found-report")
    result = subprocess.run(
        [
            kcat,
            "-b",
            kafka.bootstrap,
            "-C",
            "-t",
            topic,
            "-p",
            str(partition),
            "-o",
            str(offset),
            "-c",
            "1",
            "-e",
            "-J",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    record = json.loads(result.stdout)
    headers = dict(zip(record["headers"][::2], record["headers"][1::2], strict=True))
    assert record["key"] == "CF-100231"
    assert headers["ce_type"] == "uk.missing-children.found-report.v1"
    assert headers["ce_id"] == "evt-police-0005"
    assert json.loads(record["payload"])["found_by"] == "police"
