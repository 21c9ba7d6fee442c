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


@pytest.mark.parametrize(
    ("line", "misspelt", "named"),
    [
        ("bordering:", "bordring:", "bordring"),
        ("police_sharing:", "police_shareing:", "choices.police_shareing"),
    ],
)
def test_a_misspelt_key_is_named_not_dropped(
    tmp_path: Path, line: str, misspelt: str, named: str
) -> None:
    """The deployment file is the operator's own (no child's data in it): a key the hub does
    not know is named, so that a misspelt `bordering` is found, not silently left out
    (the MCT practice guidance's return interviews for bordering authorities lost)."""
    text = DEFAULT_PATH.read_text()
    assert line in text
    bad = tmp_path / "directory.yaml"
    bad.write_text(text.replace(line, misspelt))
    with pytest.raises(DirectoryError, match=rf"{named}: is not a key of this file"):
        load_directory(bad)


def test_a_deployment_may_not_replace_the_national_reference_data(tmp_path: Path) -> None:
    """Who is who across the country is the project's (docs/directory.md): a deployment's
    `reference` key is refused, naming it, never silently ignored."""
    bad = tmp_path / "directory.yaml"
    bad.write_text(DEFAULT_PATH.read_text() + "reference: {authorities: {}}\n")
    with pytest.raises(DirectoryError, match=r"reference: is not a key of this file"):
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


HIGH = "strategy_meeting_within_hours_high_risk"
FIRST = "strategy_meeting_within_hours"


@pytest.mark.parametrize(
    ("line", "changed", "field"),
    [
        (f"{HIGH}: 48", f"{HIGH}: 24", HIGH),
        (f"{FIRST}: 72", f"{FIRST}: 24", FIRST),
        (f"{FIRST}: 72", f"{FIRST}: 48", HIGH),
        (f"{HIGH}: 48", f"{HIGH}: 96", HIGH),
    ],
    ids=["high-risk-24", "first-24", "equal", "high-risk-later"],
)
def test_7_22_a_first_meeting_named_as_another_is_refused_at_start(
    tmp_path: Path, line: str, changed: str, field: str
) -> None:
    """A meeting is known by its name (answers, stand-downs): 7.22's first meeting is the
    "N-hour" of its hours, 7.18's is the "24-hour". Within 24 hours if high risk, the 24-hour
    meeting was taken for the high-risk child's own: graded high at 30 hours, the child's
    72-hour meeting was stood down and none set in its place. Within 24 hours, grading high
    stood down 7.18's meeting with 7.22's. Within as many hours either way (or more if high
    risk), high risk brings nothing forward (7.22: "within 72 hours (48 hours if High
    Risk)"): the two meetings shared a name, or the high-risk child waited longer."""
    bad = tmp_path / "directory.yaml"
    text = DEFAULT_PATH.read_text()
    assert line in text
    bad.write_text(text.replace(line, changed))
    with pytest.raises(DirectoryError, match=rf"timescales\.{field}: "):
        load_directory(bad)
