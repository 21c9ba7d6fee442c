"""The directory: authorities, office hours, timescales and the protocol's open choices, read
from YAML and validated at start. The engine takes it as an argument."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hub.contracts.base import AuthorityCode
from hub.contracts.problems import problems_from

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "directory.yaml"

Positive = Annotated[int, Field(gt=0)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Authority(Strict):
    name: str
    police_force: AuthorityCode
    bordering: bool = False


class BankHolidays(Strict):
    country: str = "GB"
    subdivision: str = "ENG"


class OfficeHours(Strict):
    opens: time
    closes: time


class RagHours(Strict):
    red: Positive
    amber: Positive
    green: Positive


class Timescales(Strict):
    mash_rag_hours: RagHours
    service_manager_informed_hours: Positive
    need_to_know_hours: Positive
    first_strategy_meeting_hours: Positive
    strategy_meeting_within_hours: Positive
    strategy_meeting_within_hours_high_risk: Positive
    strategy_meeting_days: tuple[Positive, ...]
    fortnightly_for_weeks: Positive
    then_every_months: Positive
    minutes_within_hours: Positive
    formal_review_months: Positive
    return_interview_hours: Positive
    placing_authority_acknowledgement_hours: Positive
    placement_plan_check_working_days: Positive
    trusted_adult_interview_hours: Positive
    risk_disagreement_hours: Positive
    unplanned_placement_forms_days: Positive
    repeat_count: Positive
    repeat_windows_days: tuple[Positive, ...]
    quick_succession_days: Positive


class FirstStrategyMeeting(StrEnum):
    TWO_MEETINGS = "two_meetings"
    SINGLE_MEETING = "single_meeting"


class PlacedInReturnInterviewOwner(StrEnum):
    PLACING_AUTHORITY = "placing_authority"
    MCT = "mct"


class SharingDays(StrEnum):
    """6.4 says the police MPU shares "every week day"; 6.11 says Monday, Wednesday and
    Friday. The default is the more frequent, so no child waits longer than either says."""

    EVERY_WEEKDAY = "every_weekday"
    MONDAY_WEDNESDAY_FRIDAY = "monday_wednesday_friday"

    @property
    def weekdays(self) -> frozenset[int]:
        if self is SharingDays.EVERY_WEEKDAY:
            return frozenset(range(5))
        return frozenset({0, 2, 4})

    @property
    def paragraph(self) -> str:
        return "6.4" if self is SharingDays.EVERY_WEEKDAY else "6.11"


class PoliceSharing(Strict):
    days: SharingDays = SharingDays.EVERY_WEEKDAY
    with_health: bool = True  # 6.11 adds Health to the 6.4 recipients


class SeriousConcerns(Strict):
    high_risk: bool = True
    cse_risk: bool = True
    mash_red: bool = True


class Choices(Strict):
    first_strategy_meeting: FirstStrategyMeeting = FirstStrategyMeeting.TWO_MEETINGS
    placed_in_return_interview_owner: PlacedInReturnInterviewOwner = (
        PlacedInReturnInterviewOwner.PLACING_AUTHORITY
    )
    serious_concerns: SeriousConcerns = SeriousConcerns()
    police_sharing: PoliceSharing = PoliceSharing()


class National(Strict):
    home_office: AuthorityCode


class Directory(Strict):
    home_authority: AuthorityCode
    home_police_force: AuthorityCode
    timezone: str
    bank_holidays: BankHolidays
    office_hours: OfficeHours
    authorities: dict[AuthorityCode, Authority]
    national: National
    timescales: Timescales
    choices: Choices = Choices()

    @model_validator(mode="after")
    def _home_is_listed(self) -> Directory:
        if self.home_authority not in self.authorities:
            raise ValueError("home_authority: must be one of the authorities listed")
        return self

    def knows(self, code: str) -> bool:
        return code in self.authorities

    def police_force_of(self, code: str) -> str:
        return self.authorities[code].police_force

    def is_bordering(self, code: str) -> bool:
        return self.authorities[code].bordering


class DirectoryError(ValueError):
    """The directory file is missing or invalid; the message names each bad key."""


def load_directory(path: Path = DEFAULT_PATH) -> Directory:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise DirectoryError(f"{path}: cannot read the directory ({error})") from None
    try:
        return Directory.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(str(p) for p in problems_from(error))
        raise DirectoryError(f"{path}: {problems}") from None
