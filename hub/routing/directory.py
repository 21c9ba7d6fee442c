"""The directory: who is who across the United Kingdom, and one deployment's own choices.

Two files, kept apart on purpose (DESIGN.md, "the directory"):
- the national reference data (`hub/data/national-directory.yaml`): every authority with
  children's social care responsibility and every police force, with official codes;
- the deployment (`hub/data/deployments/northamptonshire.yaml`): the home authority, the authorities
  bordering it, contacts, office hours, timescales and the protocol's open choices.

Read and validated at start; the engine takes the result as an argument. Resolving a name a
sender wrote (`resolve_authority`, `resolve_force`) is pure: an authority the directory does
not know is an answer ("unknown"), never an error, so a missing child is always routed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hub.contracts.base import AuthorityCode
from hub.contracts.data_policy import DataPolicy, default_policy_document, with_changes
from hub.contracts.particulars import CONTACT_LIMIT
from hub.contracts.problems import problems_from
from hub.routing.escalation import FollowUp

# Package data, read with importlib.resources: an installed wheel has no source tree.
DEFAULTS: Traversable = resources.files("hub.data").joinpath("deployments")
DEFAULT_PATH: Traversable = DEFAULTS.joinpath("northamptonshire.yaml")
NATIONAL_DATA = "national-directory.yaml"  # package data of `hub.data`

Positive = Annotated[int, Field(gt=0)]
# 7.18's meeting at 24 hours missing is named "24-hour" (strategy.TWENTY_FOUR_HOUR_MEETING).
SEVEN_EIGHTEEN_MEETING_HOURS = 24


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Nation(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


class AuthorityKind(StrEnum):
    COUNTY = "county"
    UNITARY = "unitary"
    METROPOLITAN_DISTRICT = "metropolitan_district"
    LONDON_BOROUGH = "london_borough"
    CITY_OF_LONDON = "city_of_london"
    WELSH_PRINCIPAL_AREA = "welsh_principal_area"
    SCOTTISH_COUNCIL = "scottish_council"
    NI_HSC_TRUST = "ni_hsc_trust"


class PoliceForce(Strict):
    name: str
    gss: str | None
    nation: Nation | None
    territorial: bool = True


class Authority(Strict):
    """An authority with children's social care responsibility, and the police force whose
    area it lies in."""

    name: str
    gss: str | None
    kind: AuthorityKind
    nation: Nation
    police_force: AuthorityCode


class Alias(Strict):
    """An older or informal name that senders still use, and today's entries it covers."""

    to: tuple[AuthorityCode, ...] = Field(min_length=1)
    note: str = ""


class NationalDirectory(Strict):
    police_forces: dict[AuthorityCode, PoliceForce]
    authorities: dict[AuthorityCode, Authority]
    aliases: dict[AuthorityCode, Alias] = {}

    @model_validator(mode="after")
    def _consistent(self) -> NationalDirectory:
        both = self.police_forces.keys() & self.authorities.keys()
        if both:
            raise ValueError(f"authorities: codes also used by a police force: {sorted(both)}")
        for code, authority in self.authorities.items():
            if authority.police_force not in self.police_forces:
                raise ValueError(f"authorities.{code}.police_force: not a police force listed")
        for name, alias in self.aliases.items():
            if name in self.authorities or name in self.police_forces:
                raise ValueError(f"aliases.{name}: is already a code")
            forces = [code in self.police_forces for code in alias.to]
            if not all(code in self.authorities or code in self.police_forces for code in alias.to):
                raise ValueError(f"aliases.{name}.to: names a code not listed")
            if any(forces) and not all(forces):
                raise ValueError(f"aliases.{name}.to: mixes authorities and police forces")
        return self


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
    # 1.4: a former relevant child stays the local authority's "up to 21 (25 years if in full
    # time education)"; 4.1 says "up until 25". Defaults so an older deployment file loads.
    care_leaver_until_age: Positive = 21
    care_leaver_in_full_time_education_until_age: Positive = 25

    @model_validator(mode="after")
    def _meetings_apart(self) -> Timescales:
        """A strategy meeting is known by its name (answers, stand-downs): 7.22's first is
        named for its hours ("72-hour", "48-hour"), 7.18's at 24 hours missing is the
        "24-hour" (strategy.TWENTY_FOUR_HOUR_MEETING). Two sharing a name were taken for
        each other: one stood down with the other, or a high-risk child left with none."""
        for name in ("strategy_meeting_within_hours", "strategy_meeting_within_hours_high_risk"):
            if getattr(self, name) == SEVEN_EIGHTEEN_MEETING_HOURS:
                raise ValueError(
                    f"{name}: 24 names 7.22's first meeting as 7.18's 24-hour meeting, "
                    "which would be taken for it; choose another number of hours"
                )
        if self.strategy_meeting_within_hours_high_risk >= self.strategy_meeting_within_hours:
            raise ValueError(
                "strategy_meeting_within_hours_high_risk: must be fewer than "
                "strategy_meeting_within_hours: high risk brings 7.22's first meeting forward "
                '("within 72 hours (48 hours if High Risk)")'
            )
        return self


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


class Standing(StrEnum):
    """What the directory makes of an authority a sender named."""

    HOME = "home"  # the home authority, or one of the areas it serves
    KNOWN = "known"  # exactly one other authority
    AMBIGUOUS = "ambiguous"  # an older name that now covers several of today's authorities
    UNKNOWN = "unknown"  # named, but not in the directory (misspelt, or missing from it)
    ABSENT = "absent"  # not named at all


@dataclass(frozen=True)
class Resolution:
    named: str | None
    standing: Standing
    codes: tuple[str, ...] = ()  # today's entries: one if KNOWN, several if AMBIGUOUS

    @property
    def code(self) -> str | None:
        """The one other authority named, if that is what it is."""
        return self.codes[0] if self.standing is Standing.KNOWN else None

    def why_not_routable(self) -> str:
        match self.standing:
            case Standing.AMBIGUOUS:
                return f"now covers {', '.join(self.codes)}: the sender must say which"
            case Standing.UNKNOWN:
                return "is not an authority in the hub's directory"
            case Standing.ABSENT:
                return "was not given"
        return "is the home authority"  # never asked: the home authority is routable


_NOT_IN_CODE = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2019]")
# Words senders add to an authority's name that its code leaves out: "The", "Council of the"
# (Isles of Scilly), "Metropolitan District Council" (Bradford, Wakefield), and "City" or
# "County" alone ("Derby City", beside Derbyshire).
_LEADING = re.compile(
    r"^((the|council-of-the|london-borough-of|royal-borough-of|metropolitan-borough-of"
    r"|city-and-county-of|city-of|county-of)-)+"
)
_TRAILING = re.compile(
    r"-(metropolitan-borough|metropolitan-district|county-borough|borough|county|city"
    r"|district)?-?council$"
    r"|-(city|county)$"
)
# A Welsh council's name puts its words before the place: "Cyngor Sir Powys", "Cyngor
# Bwrdeistref Sirol Wrecsam" (national-directory.yaml's header cites the councils' names).
# "Cyngor" alone is tried too: "Cyngor Sir Ddinbych" is the council of Sir Ddinbych.
_CYNGOR = re.compile(r"^cyngor-")
_CYNGOR_AND_KIND = re.compile(r"^cyngor-(bwrdeistref-sirol|sir-a-dinas|dinas|sir)-")
_THE = re.compile(r"^the-")
# The words after a force's place: "Kent Constabulary", "Kent County Constabulary" are Kent's.
_FORCE_WORDS = re.compile(
    r"-(county-constabulary|constabulary|police-service|police-force|police)$"
)


def code_like(named: str) -> str:
    """'Wiltshire Council' -> 'wiltshire-council': the form codes are written in."""
    # "Ynys Môn" is the alias ynys-mon: an accent is the letter, never a word break.
    letters = unicodedata.normalize("NFKD", named.casefold())
    unaccented = "".join(c for c in letters if not unicodedata.combining(c))
    spelt = _APOSTROPHES.sub("", unaccented.replace("&", " and "))  # Children's, Childrens
    return _NOT_IN_CODE.sub("-", spelt).strip("-")


def _spellings(written: str) -> Iterator[str]:
    """A name in code form as written, then with fewer of the words a council adds before
    and after it: "The City of London Council" is the City of London, not "London"."""
    welsh = (_CYNGOR.sub("", written), _CYNGOR_AND_KIND.sub("", written))
    for leading in (written, _THE.sub("", written), _LEADING.sub("", written), *welsh):
        yield leading
        yield _TRAILING.sub("", leading)


def _place(force_name: str) -> str:
    """'kent-county-constabulary' -> 'kent': a force's name in code form, without "The"
    and the words after its place."""
    return _FORCE_WORDS.sub("", _THE.sub("", force_name))


class Directory(Strict):
    """One deployment: its home authority and choices, over the national reference data."""

    home_authority: AuthorityCode = Field(
        description="the code in the home teams' topics (notify.<home_authority>.<team>)"
    )
    home_name: str
    home_areas: tuple[AuthorityCode, ...] = Field(
        min_length=1, description="the national entries whose children the home authority serves"
    )
    home_police_force: AuthorityCode
    contacts: dict[str, str] = Field(
        default_factory=dict, description="how each home team is reached (protocol 2)"
    )
    contact_for_other_agencies: tuple[str, ...] = Field(
        default=("mct", "edt"),
        description="the `contacts` sent to another force or authority about a child",
    )
    bordering: tuple[AuthorityCode, ...] = ()
    aliases: dict[AuthorityCode, Alias] = Field(
        default_factory=dict,
        description="names this deployment's senders use that the national data lacks",
    )
    timezone: str
    bank_holidays: BankHolidays
    office_hours: OfficeHours
    national: National
    timescales: Timescales
    choices: Choices = Choices()
    follow_up: FollowUp = Field(
        default_factory=FollowUp,
        description="acknowledgement windows and whom an unanswered duty escalates to",
    )
    data_policy: DataPolicy = Field(
        default_factory=lambda: DataPolicy.model_validate(default_policy_document()),
        description="changes to the default data policy (hub/data/data-policy.yaml)",
    )
    reference: NationalDirectory

    @field_validator("data_policy", mode="before")
    @classmethod
    def _over_the_default(cls, changes: object) -> object:
        if not isinstance(changes, dict):
            return changes  # a policy already, or refused by validation naming the key
        return with_changes(default_policy_document(), changes)

    @model_validator(mode="after")
    def _listed_nationally(self) -> Directory:
        reference = self.reference
        for name, codes in (("home_areas", self.home_areas), ("bordering", self.bordering)):
            unknown = [code for code in codes if code not in reference.authorities]
            if unknown:
                raise ValueError(f"{name}: not authorities of the national directory: {unknown}")
        if self.home_police_force not in reference.police_forces:
            raise ValueError("home_police_force: not a police force of the national directory")
        if self.home_authority in reference.police_forces:
            raise ValueError("home_authority: is a police force's code")
        # A host force or authority must be told whom to call (3.9, 8.3): never sent null.
        unlisted = [team for team in self.contact_for_other_agencies if team not in self.contacts]
        if unlisted or not self.contact_for_other_agencies:
            raise ValueError(
                f"contacts: none for {unlisted or 'other agencies'}, which a host "
                "force or authority is sent (contact_for_other_agencies)"
            )
        sent = self.home_contact
        if len(sent) > CONTACT_LIMIT:
            raise ValueError(
                f"contact_for_other_agencies: the contacts come to {len(sent)} "
                f"characters; a notification carries at most {CONTACT_LIMIT}"
            )
        # Checked as the national data checks its own: known targets, never a code reused.
        NationalDirectory.model_validate({**reference.model_dump(), "aliases": self._aliases})
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with changes, its look-up tables built afresh (pydantic would copy the
        cached ones of the original)."""
        copy = super().model_copy(update=update, deep=deep)
        for cached in _CACHED:
            copy.__dict__.pop(cached, None)
        return copy

    @cached_property
    def _aliases(self) -> dict[str, Alias]:
        return {**self.reference.aliases, **self.aliases}

    @cached_property
    def _home_name(self) -> str:
        return code_like(self.home_name)

    @cached_property
    def _names(self) -> dict[str, str]:
        """Every spelling the hub accepts for an authority, in code form, to its code: its
        GSS (ONS) code too, which the directory holds and case systems record."""
        authorities = self.reference.authorities
        names = {code_like(a.name): code for code, a in authorities.items()}
        names.update({code_like(a.gss): code for code, a in authorities.items() if a.gss})
        names.update({code: code for code in authorities})
        names.update(
            {
                alias: alias
                for alias, a in self._aliases.items()
                if a.to[0] not in self.reference.police_forces
            }
        )
        return names

    @cached_property
    def _force_places(self) -> dict[str, str]:
        """Each force's place, from its code, official name (and GSS code, a place of no
        other force) and aliases: "kent" for
        kent-police, "west-mercia", "avon-and-somerset". A place two forces would share
        names neither (a duty held for ops rather than sent to the wrong force)."""
        forces = self.reference.police_forces
        written = [(code, code) for code in forces] + list(self._force_names.items())
        written += [(name, a.to[0]) for name, a in self._aliases.items() if a.to[0] in forces]
        places: dict[str, set[str]] = {}
        for name, code in written:
            places.setdefault(_place(name), set()).add(code)
        return {place: codes.pop() for place, codes in places.items() if len(codes) == 1}

    @property
    def home_contact(self) -> str:
        """How another agency reaches the home teams about a child (protocol 2)."""
        chosen = self.contact_for_other_agencies
        return "; ".join(f"{team.upper()}: {self.contacts[team]}" for team in chosen)

    def resolve_authority(self, named: str | None) -> Resolution:
        """An authority as a sender named it: home, one other, several, or unknown."""
        if not named or not named.strip():
            return Resolution(None, Standing.ABSENT)
        code = None
        for spelling in _spellings(code_like(named)):
            # The home authority by its code or by the name it goes by (a trust's, say, which
            # no national list holds): our own child is never taken for another authority's.
            if spelling in (self.home_authority, self._home_name):
                return Resolution(named, Standing.HOME, self.home_areas)
            code = self._names.get(spelling)
            if code is not None:
                break
        if code is None:
            return Resolution(named, Standing.UNKNOWN)
        alias = self._aliases.get(code)
        codes = alias.to if alias is not None else (code,)
        if set(codes) <= set(self.home_areas):
            return Resolution(named, Standing.HOME, codes)
        if len(codes) > 1:
            return Resolution(named, Standing.AMBIGUOUS, codes)
        return Resolution(named, Standing.KNOWN, codes)

    def resolve_force(self, named: str | None, *, only_forces: bool = False) -> str | None:
        """A police force as a sender named it, or None if the directory does not know it.
        `only_forces`: the field names a force and nothing else (a report's
        `reporting_force`), so a place alone ("Kent") is the force's; elsewhere (an answer's
        `answered_by`) it is the authority's."""
        if not named:
            return None
        written = _THE.sub("", code_like(named))
        forces = self.reference.police_forces
        if written in forces:
            return written
        alias = self._aliases.get(written)
        if alias is not None and alias.to[0] in forces:
            return alias.to[0]
        by_name = self._force_names
        if written in by_name:
            return by_name[written]
        place = _place(written)
        if place == written and not only_forces and self._names_an_authority(named):
            return None  # "Kent" alone is the authority; "Kent Constabulary" is the force
        return self._force_places.get(place)

    @cached_property
    def _force_names(self) -> dict[str, str]:
        """Each force's official name and GSS code, in code form, to its code."""
        forces = self.reference.police_forces
        names = {code_like(force.name): code for code, force in forces.items()}
        names.update({code_like(f.gss): code for code, f in forces.items() if f.gss})
        return names

    def _names_an_authority(self, named: str) -> bool:
        """An authority's name is never taken for its police force's (an answer Kent County
        Council signs "Kent" is its own, not Kent Police's)."""
        return self.resolve_authority(named).standing is not Standing.UNKNOWN

    def force_of(self, resolution: Resolution) -> str | None:
        """The police force whose area the authority lies in; for an older name covering
        several of today's authorities, their force if they share one."""
        if resolution.standing is Standing.HOME:
            return self.home_police_force
        forces = {self.reference.authorities[code].police_force for code in resolution.codes}
        return forces.pop() if len(forces) == 1 else None

    def borders(self, resolution: Resolution) -> bool:
        """MCT practice guidance: does the child live in a bordering authority? An
        authority the directory does not know is not one of those named."""
        codes = resolution.codes if resolution.standing is not Standing.HOME else ()
        return bool(codes) and set(codes) <= set(self.bordering)

    def name_of(self, code: str) -> str:
        if code == self.home_authority:
            return self.home_name
        if code in self.reference.authorities:
            return self.reference.authorities[code].name
        if code in self.reference.police_forces:
            return self.reference.police_forces[code].name
        return code

    @cached_property
    def topic_authorities(self) -> frozenset[str]:
        """The only authorities a notification topic may name: no topic is ever made from
        a string a sender wrote."""
        return frozenset(
            {
                self.home_authority,
                self.home_police_force,
                self.national.home_office,
                *self.reference.authorities,
                *self.reference.police_forces,
            }
        )


_CACHED = (
    "_aliases",
    "_names",
    "_home_name",
    "_force_names",
    "_force_places",
    "topic_authorities",
)


class DirectoryError(ValueError):
    """The directory file is missing or invalid; the message names each bad key."""


def load_national(path: Path | None = None) -> NationalDirectory:
    """The national reference data: the package's own file unless another is named."""
    source = path or resources.files("hub.data").joinpath(NATIONAL_DATA)
    return NationalDirectory.model_validate(_read(source))


def load_directory(
    path: Path | Traversable | None = None, national: Path | None = None
) -> Directory:
    """A deployment's file (the default deployment's if None), over the national reference
    data."""
    path = DEFAULT_PATH if path is None else path
    document = _read(path)
    if not isinstance(document, dict):
        raise DirectoryError(f"{path}: is not a mapping of settings")
    if "reference" in document:  # the national data is the project's, never a deployment's
        raise DirectoryError(f"{path}: reference: {_NOT_A_SETTING}")
    try:
        reference = load_national(national)
    except ValidationError as error:
        raise DirectoryError(f"{national or NATIONAL_DATA}: {_problems(error)}") from None
    try:
        return Directory.model_validate({**document, "reference": reference})
    except ValidationError as error:
        raise DirectoryError(f"{path}: {_problems(error)}") from None


_NOT_A_SETTING = "is not a key of this file"


def _problems(error: ValidationError) -> str:
    """Each bad key, named. Unlike a sender's message (whose unknown keys may be a child's
    name, never repeated), the file is the operator's own: a misspelt key is named, so that
    `bordring:` is found rather than the bordering list left out."""
    details = error.errors(include_input=False, include_url=False)
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc'])}: {_NOT_A_SETTING}"
        if detail["type"] == "extra_forbidden"
        else str(problem)
        for detail, problem in zip(details, problems_from(error), strict=True)
    )


def _read(source: Path | Traversable) -> object:
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DirectoryError(f"{source}: cannot read the directory ({error})") from None
