"""The protocol as configuration: the same scenarios route for two deployments, each with its
own home authority, bordering authorities and choices, and no change of code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hub.contracts.vocabulary import LegalStatus
from hub.routing.directory import DEFAULTS, Directory, FirstStrategyMeeting, load_directory
from tests.routing.builders import START, Timeline, found, misper, told

DEPLOYMENTS = sorted(
    (path for path in DEFAULTS.iterdir() if path.name.endswith(".yaml")), key=lambda p: p.name
)


@pytest.fixture(params=DEPLOYMENTS, ids=[path.name.removesuffix(".yaml") for path in DEPLOYMENTS])
def directory(request: pytest.FixtureRequest) -> Directory:
    path: Path = request.param
    return load_directory(path)


def ours(directory: Directory, lives_in: str | None = None) -> Timeline:
    timeline = Timeline(directory)
    home = directory.home_authority
    timeline.receive(
        misper(
            responsible_authority=home,
            residence_authority=lives_in or home,
            reporting_force=directory.home_police_force,
            legal_status=LegalStatus.LOOKED_AFTER,
        )
    )
    return timeline


def test_there_are_two_deployments() -> None:
    assert {path.name.removesuffix(".yaml") for path in DEPLOYMENTS} >= {
        "northamptonshire",
        "leicestershire",
    }


def test_a_home_child_reaches_the_home_teams(directory: Directory) -> None:
    timeline = ours(directory)
    for team in ("mash", "mct", "allocated_worker", "iro"):
        [first, *_] = told(timeline.decisions, team)
        assert first.authority == directory.home_authority


def test_a_bordering_authority_means_the_mct_does_the_return_interview(
    directory: Directory,
) -> None:
    timeline = ours(directory, lives_in=directory.bordering[0])
    [interview] = told(timeline.receive(found()), "mct", "conduct_return_interview")
    assert interview.authority == directory.home_authority


def test_beyond_the_border_the_out_of_county_worker_does_it(directory: Directory) -> None:
    far = "cornwall"
    assert far not in directory.bordering
    timeline = ours(directory, lives_in=far)
    assert told(timeline.decisions, "host_police")[0].authority == "devon-and-cornwall-police"
    assert told(timeline.receive(found()), "ooc_engagement_worker", "conduct_return_interview")


def test_a_child_placed_here_goes_to_its_placing_authority(directory: Directory) -> None:
    timeline = Timeline(directory)
    decisions = timeline.receive(
        misper(
            responsible_authority="hertfordshire",
            residence_authority=directory.home_authority,
            legal_status=LegalStatus.LOOKED_AFTER,
            allocated_worker=None,
        )
    )
    assert told(decisions, "placing_authority")[0].authority == "hertfordshire"


def test_each_deployments_own_choice_of_first_meeting_holds(directory: Directory) -> None:
    timeline = ours(directory)
    fired = timeline.advance(START + timedelta(hours=25))
    two = directory.choices.first_strategy_meeting is FirstStrategyMeeting.TWO_MEETINGS
    assert bool(told(fired, "practice_manager", "convene_strategy_meeting")) is two
