"""The directory's choices change the engine's answers, and a bad directory names its key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hub.contracts.vocabulary import RiskLevel
from hub.routing.directory import (
    DEFAULT_PATH,
    Choices,
    DirectoryError,
    FirstStrategyMeeting,
    PlacedInReturnInterviewOwner,
    SeriousConcerns,
    load_directory,
)
from tests.routing.builders import DIRECTORY, PLACED_IN, START, Timeline, found, misper, told


def with_choices(**changes: object) -> Timeline:
    choices = DIRECTORY.choices.model_copy(update=changes)
    return Timeline(DIRECTORY.model_copy(update={"choices": choices}))


def test_single_meeting_leaves_only_the_7_22_meeting_at_24_hours() -> None:
    timeline = with_choices(first_strategy_meeting=FirstStrategyMeeting.SINGLE_MEETING)
    timeline.receive(misper())
    fired = timeline.advance(START + timedelta(hours=25))
    assert not told(fired, "practice_manager")
    assert told(fired, "team_manager", "convene_strategy_meeting")


def test_the_mct_can_own_the_return_interview_of_a_child_placed_here() -> None:
    timeline = with_choices(placed_in_return_interview_owner=PlacedInReturnInterviewOwner.MCT)
    timeline.receive(misper(**PLACED_IN))  # type: ignore[arg-type]
    decisions = timeline.receive(found())
    assert told(decisions, "mct", "conduct_return_interview")[0].paragraph == "7.6"
    assert told(decisions, "placing_authority", "child_found")


def test_8_12_needs_serious_concerns_as_the_directory_defines_them() -> None:
    none_serious = SeriousConcerns(high_risk=False, cse_risk=False, mash_red=False)
    timeline = with_choices(serious_concerns=none_serious)
    timeline.repeatedly_missing(3, every=timedelta(days=20), risk_level=RiskLevel.HIGH, **PLACED_IN)
    assert not told(
        timeline.decisions, "cse_missing_service_manager", "notify_placing_head_of_safeguarding"
    )


def test_the_default_choices_are_the_documented_ones() -> None:
    assert Choices() == DIRECTORY.choices


def test_a_bad_directory_names_the_key(tmp_path: Path) -> None:
    text = DEFAULT_PATH.read_text().replace(
        "return_interview_hours: 72", "return_interview_hours: -1"
    )
    bad = tmp_path / "directory.yaml"
    bad.write_text(text)
    with pytest.raises(DirectoryError, match=r"timescales\.return_interview_hours"):
        load_directory(bad)


def test_the_home_areas_must_be_authorities_of_the_national_directory(tmp_path: Path) -> None:
    bad = tmp_path / "directory.yaml"
    bad.write_text(
        DEFAULT_PATH.read_text().replace(
            "home_areas: [north-northamptonshire, west-northamptonshire]", "home_areas: [atlantis]"
        )
    )
    with pytest.raises(DirectoryError, match="home_areas"):
        load_directory(bad)
