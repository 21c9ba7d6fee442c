"""The console in a real browser (Debian's Chromium, driven by Playwright) against a hub
running on the real broker: sign in, filter the routing log, open an episode, replay a
refused message once its cause is fixed, and record a duty acknowledged on an agency's
behalf. Screenshots of each page go to
HUB_SCREENSHOTS (default: the test's temporary folder) for people to look at."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from hub.clock import ManualClock
from hub.console.context import Console
from hub.console.web import create_app
from hub.contracts.envelope import parse_structured
from hub.devtools.ports import free_port, is_listening
from hub.kafka.connection import KafkaConnection
from hub.producers.publisher import publish
from hub.store.database import sessions
from hub.store.models import InboundEvent, RejectedMessage
from tests.console.conftest import PASSWORDS, SECRET, add_users
from tests.helpers import encoded, example
from tests.pipeline.hub_harness import all_sent, count, eventually, in_process_hub

pytestmark = pytest.mark.timeout(300)
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
EPISODE = "EP-2026-0412"


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:  # never a skip: CI installs it (scripts/setup)
        raise AssertionError("Debian's chromium is not installed: run scripts/setup as root")
    return found


def serve(console: Console) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(console, SECRET, secure_cookies=False), port=port, log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if is_listening(port):
            break
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


async def hub_with_a_refusal_to_replay(kafka: KafkaConnection, database_url: str):  # type: ignore[no-untyped-def]
    """A found report read before its MISPER report is held (5.1); a day later it is
    refused; the MISPER report then arrives. Also a message that is not JSON."""
    hub = in_process_hub(kafka, database_url, NOW)
    await hub.start()
    prefix = hub.settings.topic_prefix
    found = parse_structured(encoded(example("05-found-report")))
    await publish(kafka, [found], topic_prefix=prefix)
    await eventually(lambda: count(hub, RejectedMessage, RejectedMessage.status == "held") == 1)
    assert isinstance(hub.clock, ManualClock)
    hub.clock.advance(timedelta(hours=25))
    await eventually(lambda: count(hub, RejectedMessage, RejectedMessage.status == "open") == 1)
    misper = parse_structured(encoded(example("01-misper-report")))
    await publish(kafka, [misper], topic_prefix=prefix)
    producer = AIOKafkaProducer(**kafka.options(), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(f"{prefix}inbound.misper-report", b"{not json", key=b"CF-9")
    finally:
        await producer.stop()
    await eventually(lambda: count(hub, InboundEvent) == 1)
    await eventually(lambda: count(hub, RejectedMessage) == 2)
    await eventually(lambda: all_sent(hub))
    return hub


@pytest.mark.kafka
def test_ops_staff_sign_in_filter_the_log_open_an_episode_and_replay(
    kafka: KafkaConnection, database_url: str, tmp_path: Path
) -> None:
    loop = asyncio.new_event_loop()
    hub = loop.run_until_complete(hub_with_a_refusal_to_replay(kafka, database_url))
    pump = threading.Thread(target=loop.run_forever, daemon=True)  # the hub keeps running
    pump.start()
    try:
        assert hub.engine is not None
        store = sessions(hub.engine)
        add_users(store)
        console = Console(hub.parts)
        shots = Path(os.environ.get("HUB_SCREENSHOTS", tmp_path))
        shots.mkdir(parents=True, exist_ok=True)
        for base in serve(console):
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium())
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                walk_through(page, base, shots)
                browser.close()
        with store() as session:
            rows = session.execute(select(RejectedMessage.kind, RejectedMessage.status)).all()
        assert {tuple(row) for row in rows} == {
            ("protocol_violation", "resolved"),  # replayed and applied
            ("bad_message", "open"),  # not JSON: nothing to fix, still open
        }
    finally:
        asyncio.run_coroutine_threadsafe(hub.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        pump.join(10)
        loop.close()


def walk_through(page: Page, base: str, shots: Path) -> None:
    page.goto(f"{base}/log")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.screenshot(path=shots / "1-sign-in.png")
    page.get_by_label("Username").fill("olive")
    page.get_by_label("Password").fill(PASSWORDS["olive"][0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Routing log")).to_be_visible()

    page.get_by_label("Paragraph").fill("8.3")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.log tbody tr")).to_have_count(1)
    expect(page.locator("table.log")).to_contain_text("Child missing in your area")
    page.screenshot(path=shots / "2-routing-log-filtered.png")

    page.get_by_role("link", name=EPISODE).first.click()
    expect(page.get_by_role("heading", name=f"Episode {EPISODE}")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("«redacted»")
    page.screenshot(path=shots / "3-episode.png", full_page=True)

    page.get_by_role("link", name="Refused").click()
    expect(page.locator(".group")).to_have_count(2)
    page.screenshot(path=shots / "4-refused.png", full_page=True)
    held_group = page.locator(".group", has_text="protocol_violation")
    held_group.get_by_role("button", name="Replay all 1").click()
    expect(page.locator(".result")).to_contain_text("1 applied")
    expect(page.locator(".group")).to_have_count(1)  # only the message that is not JSON
    page.screenshot(path=shots / "5-replayed.png", full_page=True)

    # Issue 14: the worker's forms duty (3.3, due at once: the report was applied late),
    # said on the phone to be picked up, is recorded on the team's behalf with a reason; its
    # deadline then shows who acknowledged it.
    page.get_by_role("link", name="Deadlines").click()
    forms = page.locator("tr", has_text="Complete incident and location forms")
    expect(forms).to_contain_text("owed")
    expect(forms).to_contain_text("due now")
    expect(forms).to_contain_text("GMT")  # Europe/London, its zone shown
    page.screenshot(path=shots / "6-deadlines.png", full_page=True)
    forms.get_by_label("Answer").select_option("acknowledged")
    forms.get_by_label("Reason").fill("Team manager phoned: the worker is on it")
    forms.get_by_role("button", name="Record").click()
    expect(page.locator(".result")).to_contain_text("recorded")
    forms = page.locator("tr", has_text="Complete incident and location forms")
    expect(forms).to_contain_text("acknowledged")
    expect(forms).to_contain_text("by olive (hub console, on the agency's behalf)")
    page.screenshot(path=shots / "7-acknowledged.png", full_page=True)

    # Section 10: the report page, its charts drawn by the server as SVG.
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.get_by_role("img", name="Episodes per week")).to_be_visible()
    expect(page.locator("svg rect.column")).not_to_have_count(0)
    expect(page.locator("table.figures")).to_contain_text("Episodes")
    page.screenshot(path=shots / "8-reports.png", full_page=True)

    page.get_by_role("link", name="Health").click()
    expect(page.locator(".tile").first).to_contain_text("reachable")
    page.screenshot(path=shots / "9-health.png")

    # The routing log refreshes itself; once the session has ended (8 hours, or signed out
    # elsewhere) the page goes to the sign-in form, not the form into the log's table.
    page.get_by_role("link", name="Routing log").click()
    expect(page.get_by_role("heading", name="Routing log")).to_be_visible()
    page.context.clear_cookies()
    expect(page).to_have_url(re.compile(r"/login\?next="), timeout=15_000)
    expect(page.get_by_role("heading", name="Sign in")).to_have_count(1)
