"""Crash points are inert unless a test arms one, and an armed one is named right or the
hub does not start (hub.crashpoints)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hub import crashpoints


def test_no_crash_point_is_armed_in_a_deployment() -> None:
    assert "HUB_CRASH_AT" not in os.environ
    assert crashpoints.ARMED is None
    for point in crashpoints.POINTS:
        crashpoints.reach(point)  # returns: nothing is armed


@pytest.mark.parametrize(
    ("setting", "armed"),
    [("relay.claimed", ("relay.claimed", 1)), ("consumer.committed:3", ("consumer.committed", 3))],
)
def test_a_crash_point_is_armed_by_name_and_count(setting: str, armed: tuple[str, int]) -> None:
    assert crashpoints._armed(setting) == armed


@pytest.mark.parametrize(
    ("setting", "named"),
    [("relay.sent", "is not a crash point"), ("relay.claimed:0", "a whole number from 1")],
)
def test_a_misnamed_crash_point_is_refused_naming_the_variable(setting: str, named: str) -> None:
    with pytest.raises(ValueError, match=f"HUB_CRASH_AT: .*{named}"):
        crashpoints._armed(setting)


def test_an_armed_point_ends_the_process_when_reached_and_not_before() -> None:
    code = "from hub import crashpoints\n"
    code += "crashpoints.reach('relay.claimed'); print('past one', flush=True)\n"
    code += "crashpoints.reach('relay.claimed'); print('past two', flush=True)"
    env = {**os.environ, "HUB_CRASH_AT": "relay.claimed:2"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == crashpoints.CRASH_EXIT
    assert done.stdout == "past one\n"
    assert '"point": "relay.claimed"' in done.stderr
