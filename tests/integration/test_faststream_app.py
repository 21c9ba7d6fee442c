"""The hub as a FastStream application (hub.app): `faststream run hub.app:app` runs the same
hub as `hub run`, on the real broker, and `faststream docs gen` describes what it reads."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.access.senders import inbound_pattern
from hub.contracts.envelope import parse_structured
from hub.devtools.reader import read_topics
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from hub.store.database import make_engine, sessions
from hub.store.models import OutboxMessage
from tests.helpers import EXAMPLES

FASTSTREAM = str(Path(sys.executable).with_name("faststream"))


def _environment(kafka: KafkaConnection, tmp_path: Path) -> dict[str, str]:
    prefix = f"fs{uuid.uuid4().hex[:8]}."
    return {
        **os.environ,
        **kafka.environment(),
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
        "HUB_TOPIC_PREFIX": prefix,
        "HUB_GROUP_ID": f"{prefix}hub",
    }


async def test_faststream_run_applies_a_misper_report_and_delivers_its_duties(
    kafka: KafkaConnection, tmp_path: Path
) -> None:
    env = _environment(kafka, tmp_path)
    prefix = env["HUB_TOPIC_PREFIX"]
    log = tmp_path / "faststream.log"
    with log.open("w") as errors:
        app = await asyncio.create_subprocess_exec(
            FASTSTREAM, "run", "hub.app:app", env=env, stderr=errors
        )
    try:
        event = parse_structured((EXAMPLES / "01-misper-report.json").read_bytes())
        await publish(kafka, [event], topic_prefix=prefix)
        store = sessions(make_engine(env["HUB_DATABASE_URL"]))
        for _ in range(600):  # the hub makes its schema when it starts
            await asyncio.sleep(0.1)
            try:
                with store() as session:
                    rows = session.scalars(select(OutboxMessage)).all()
            except Exception:  # noqa: S112 (not migrated yet)
                continue
            if rows and all(row.status == "sent" for row in rows):
                break
        else:
            pytest.fail("faststream run did not deliver the MISPER report's duties in 60 s")
        app.send_signal(signal.SIGTERM)
        await asyncio.wait_for(app.wait(), timeout=60)
    finally:
        if app.returncode is None:
            app.kill()
    assert app.returncode == 0, log.read_text()[-2000:]
    arrived = await read_topics(kafka, f"{prefix}notify.")
    assert len(arrived) == len(rows)


def test_faststream_docs_describe_every_inbound_topic(
    kafka: KafkaConnection, tmp_path: Path
) -> None:
    assert shutil.which(FASTSTREAM)
    env = _environment(kafka, tmp_path)
    out = tmp_path / "asyncapi.json"
    done = subprocess.run(
        [FASTSTREAM, "docs", "gen", "hub.app:app", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {inbound_pattern(env["HUB_TOPIC_PREFIX"])}


def test_the_app_refuses_to_start_in_production_without_a_broker(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_KAFKA")} | {
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}"
    }
    done = subprocess.run(
        [FASTSTREAM, "run", "hub.app:app"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "HUB_KAFKA_BOOTSTRAP: not set" in done.stderr
