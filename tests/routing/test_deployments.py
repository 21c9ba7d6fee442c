"""The protocol as configuration: the same scenarios route for two deployments, each with its
own home authority, bordering authorities and choices, and no change of code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hub.contracts.vocabulary import LegalStatus
from hub.routing.directory import (
    DEFAULTS,
    Directory,
    DirectoryError,
    FirstStrategyMeeting,
    load_directory,
)
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


def with_aliases(tmp_path: Path, aliases: str) -> Path:
    deployment = tmp_path / "deployment.yaml"
    text = DEFAULTS.joinpath("leicestershire.yaml").read_text()
    deployment.write_text(f"{text}\naliases: {aliases}\n")
    return deployment


def test_a_deployment_s_alias_names_an_authority_for_its_senders(tmp_path: Path) -> None:
    """docs/directory.md: a name the national data lacks, added by the deployment."""
    directory = load_directory(with_aliases(tmp_path, "{wilts: {to: [wiltshire]}}"))
    assert directory.resolve_authority("Wilts").code == "wiltshire"


def test_a_deployment_s_alias_replaces_a_national_one_for_it_alone(tmp_path: Path) -> None:
    directory = load_directory(with_aliases(tmp_path, "{bedfordshire: {to: [bedford]}}"))
    assert directory.resolve_authority("Bedfordshire").code == "bedford"
    national = load_directory(DEFAULTS.joinpath("leicestershire.yaml"))
    assert national.resolve_authority("Bedfordshire").codes == ("bedford", "central-bedfordshire")


@pytest.mark.parametrize(
    ("aliases", "refused"),
    [
        ("{luton: {to: [bedford]}}", "aliases.luton: is already a code"),
        ("{wilts: {to: [atlantis]}}", "aliases.wilts.to: names a code not listed"),
        ("{wilts: {to: [wiltshire, wiltshire-police]}}", "aliases.wilts.to: mixes"),
    ],
)
def test_a_deployment_s_alias_never_changes_a_national_entry(
    tmp_path: Path, aliases: str, refused: str
) -> None:
    """A deployment adds names; it never re-points an authority's or force's own code."""
    with pytest.raises(DirectoryError, match=refused):
        load_directory(with_aliases(tmp_path, aliases))


def test_an_older_name_over_two_forces_holds_the_host_police_duty(tmp_path: Path) -> None:
    """docs/directory.md: an older name covering several authorities gives their police
    force only when they share one (every national alias does); over two forces, the host
    force of our child placed out of area (3.9) is held for ops, like the host authority."""
    aliases = "{thames-and-kent: {to: [oxfordshire, kent]}}"
    directory = load_directory(with_aliases(tmp_path, aliases))
    timeline = ours(directory, lives_in="Thames and Kent")
    for recipient in ("host_police", "host_authority"):
        [held] = told(timeline.decisions, recipient)
        assert held.unroutable is not None, recipient
        assert "oxfordshire, kent" in held.unroutable.reason
