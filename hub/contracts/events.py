"""Inbound events: what police and local-authority systems publish to the hub.

Each model is the JSON body of a Kafka message; the CloudEvents envelope (id, type,
source, time) travels in `ce_*` headers (see `hub.contracts.envelope`). Cross-field
rules that any sender can check by itself live here; rules that need the child's history
or the directory live in `hub.routing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Self, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, model_validator

from hub.contracts.base import (
    PERSONAL,
    ChildEvent,
    Identifier,
    Message,
    NamedAuthority,
    OptionalName,
    OptionalShortText,
    OptionalText,
    ShortText,
    Timestamp,
)
from hub.contracts.notification import Detail
from hub.contracts.vocabulary import (
    Agency,
    CrossBorderNoticeKind,
    EpisodeAssessment,
    FoundBy,
    Interviewer,
    LegalStatus,
    MeetingAttendee,
    PushPullFactor,
    RagRating,
    ReturnInterviewOutcome,
    RiskLevel,
    Sex,
)

# Protocol 1.4: "Police will treat 18 and above as adults". How long a care leaver stays the
# local authority's (21, or 25 in full-time education) is the deployment's, checked in the
# engine (hub.routing.rules.care_leavers): a contract cannot see the deployment.
ADULT_AGE = 18
# A child's age is counted on the day it is in the United Kingdom, where every authority
# and force the hub knows is: a time written in UTC ("23:30Z") or with an offset ("00:30+01:00")
# is the same moment, and the same day for the child (1.4: 18 at the first minute of the
# birthday, BST or GMT). A contract cannot see the deployment; the deployments' zone is this.
UK_TIME = ZoneInfo("Europe/London")


def age_on(date_of_birth: date, day: date) -> int:
    years = day.year - date_of_birth.year
    return years - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def uk_date(moment: datetime) -> date:
    """The day `moment` falls on in the United Kingdom, however its offset was written."""
    return moment.astimezone(UK_TIME).date()


def age_at(date_of_birth: date, moment: datetime) -> int:
    """The age at `moment`, on the day it is in the United Kingdom."""
    return age_on(date_of_birth, uk_date(moment))


def birthday(date_of_birth: date, age: int) -> date:
    """The day `age_on` first gives `age`: born on 29 February, 1 March in a common year
    (the day after 28 February, when the child is still the year younger)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # 29 February, and no such day that year
        return date(date_of_birth.year + age, 2, 28) + timedelta(days=1)


class ChildDetails(Message):
    """Who the child is. Personal data: the hub passes it only to recipients whose duty
    needs it (for example the allocated worker), never to logs."""

    name: ShortText = Field(json_schema_extra=PERSONAL)
    date_of_birth: date = Field(json_schema_extra=PERSONAL)
    sex: Sex


class LastSeen(Message):
    place: ShortText = Field(json_schema_extra=PERSONAL)
    at: Timestamp


class AllocatedWorker(Message):
    """The child's allocated social worker or Early Help worker (protocol 7.3)."""

    worker: ShortText
    team: ShortText


class ReadAround(ChildEvent):
    """An event the hub takes even when some field of it breaks a rule, reading that field
    as the protocol allows (docs/contracts.md, "What the hub reads of ..."): a missing child
    is never refused for what the hub can route around. What it read instead is set while
    validating (`_read`), and its sender told by `CHECK`; the message is kept as sent."""

    # The action by which the sender is told what the hub read (hub.routing).
    CHECK: ClassVar[str]

    # What the hub read otherwise than sent (`read_as`): set while validating, never sent.
    _read_as: tuple[ReadAs, ...] = PrivateAttr(default=())

    @property
    def read_as(self) -> tuple[ReadAs, ...]:
        """The fields the hub read otherwise than the sender sent them, in the order
        checked: empty for a message read as sent. Not stored with the child: the reading is
        the message's own, made again from the message as sent (`as_sent`)."""
        return self._read_as

    def read_as_facts(self) -> dict[str, Detail]:
        """What the hub read otherwise, as a notification's details: `<field>_sent` and
        `<field>_read` for each (a nested field's dot an underscore)."""
        facts: dict[str, Detail] = {}
        for reading in self._read_as:
            name = reading.field.replace(".", "_")
            # A marker read (cse_risk, uasc: false) is JSON's boolean, as its schema says.
            read = reading.value_read if isinstance(reading.value_read, bool) else reading.read
            facts |= {f"{name}_sent": reading.sent, f"{name}_read": read}
        return facts

    def sent(self) -> Self:
        """The message as its sender sent it, not validated again: its raw record keeps it
        so (`as_sent`); what the hub read is the hub's (`read_as` says what differs)."""
        sent = self
        for reading in self._read_as:
            sent = _reading(sent, reading.field, reading.value_sent)
        return sent

    def as_sent(self) -> dict[str, Any]:
        """The message as its sender sent it, as JSON."""
        return self.sent().model_dump(mode="json")

    def _read(
        self,
        name: str,
        sent: datetime | RiskLevel | None,
        read: datetime | RiskLevel | LegalStatus | bool,
        paragraph: str,
    ) -> ReadAs:
        """`name` read as `read`, in this message: set in place, once, while it is validated
        (a frozen model, as pydantic would have built it had the sender sent `read`)."""
        self.__dict__.update(_reading(self, name, read).__dict__)
        return ReadAs(
            name, _as_text(sent), _as_text(read), paragraph, value_sent=sent, value_read=read
        )


class MisperReport(ReadAround):
    """Police report that a child is missing (protocol 3.16, 6.14, 7.2): the MISPER
    notification that opens an episode."""

    CHECK: ClassVar[str] = "check_misper_report"

    child: ChildDetails
    reported_at: Timestamp
    missing_since: Timestamp = Field(
        description="When the child went missing. One after `reported_at` (a clock skew, a "
        "typo) is read as `reported_at`, as is a `last_seen.at` after it, and the force told "
        "(7.22)."
    )
    last_seen: LastSeen
    circumstances: OptionalText = Field(
        default=None,
        json_schema_extra=PERSONAL,
        description="What is known of the absence, for those who search and safeguard. Left "
        "out or blank: not given; the child is routed all the same.",
    )
    # The four below are what the child is routed on. Left out (or null) they are read as
    # the protocol allows, never refused (docs/contracts.md): set by `_consistent`, never
    # None once the report is validated; `as_sent` keeps them as sent.
    risk_level: RiskLevel | None = Field(
        default=None,
        description="Under-18s are medium or high only (6.5): a child's `low` is read as "
        "`medium`, and the force told. Left out or null: read as `medium`, the force told.",
    )
    cse_risk: bool | None = Field(
        default=None,
        description="Child sexual exploitation marker (6.6). Left out or null: read as false, "
        "and the force told (a risk update can raise it).",
    )
    legal_status: LegalStatus | None = Field(
        default=None,
        description="How the child is known to children's services. Left out or null: read "
        "as `not_known` (the child is screened, 7.6), and the force told.",
    )
    uasc: bool | None = Field(
        default=None,
        description="Unaccompanied asylum-seeking child (4.3). Left out or null: read as "
        "false, and the force told.",
    )
    suspected_trafficking: bool = False
    in_full_time_education: bool | None = Field(
        default=None,
        description="A care leaver in full-time education stays the local authority's "
        "to an older age (1.4). Not given: not known.",
    )
    allocated_worker: AllocatedWorker | None = None
    responsible_authority: OptionalName = Field(
        default=None,
        description="The placing authority, responsible for the child's care (1.4). Not "
        "given: the home authority's child.",
    )
    residence_authority: OptionalName = Field(
        default=None,
        description="The authority where the child lives or is placed (the host, 1.4). Not "
        "given: the home authority's area.",
    )
    reporting_force: OptionalName = Field(
        default=None,
        description="The police force the child was reported to. Not given: on a force's "
        "own topic, that force; else the home police force.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # A missing child is never refused for what the hub can route around (docs/
        # contracts.md): what it reads instead is set here, once, and recorded for the
        # force (`read_as`). What it cannot route around stays refused.
        readings = self._left_out()
        # 7.22: timescales run "from the start of the missing episode", which cannot be
        # after the report of it (a clock skew, a typo). Read as the report time, the latest
        # the start can truly be and earlier than the time sent: no deadline counted from it
        # falls later than the force's own figure would put it.
        for name, moment in (
            ("missing_since", self.missing_since),
            ("last_seen.at", self.last_seen.at),
        ):
            if moment > self.reported_at:
                readings.append(self._read(name, moment, self.reported_at, "7.22"))
        if self.child.date_of_birth > uk_date(self.reported_at):
            raise ValueError("child.date_of_birth: is after the report was made")
        age = age_at(self.child.date_of_birth, self.missing_since)
        if age < ADULT_AGE and self.risk_level not in (RiskLevel.HIGH, RiskLevel.MEDIUM):
            # 6.5: "Persons under the age of 18 can now only be categorised as Medium or
            # High risk": medium, the least a child can be graded, lowers nothing any agency
            # does; the force is told to send a risk update if it means high.
            readings.append(self._read("risk_level", self.risk_level, RiskLevel.MEDIUM, "6.5"))
        if age >= ADULT_AGE and self.legal_status is not LegalStatus.CARE_LEAVER:
            # Not routed around: an adult cannot be told from a typed date of birth, and an
            # adult's details must not reach children's services (1.4).
            raise ValueError(
                "child.date_of_birth: the person is 18 or over and not a care leaver, "
                "so police treat them as an adult (protocol 1.4)"
            )
        self._read_as = tuple(readings)
        return self

    def as_last_known(self, legal_status: LegalStatus, uasc: bool, cse_risk: bool) -> Self:
        """The report with a field it left out read as the child's last report said (its
        status, 7.3; its markers, 4.3, 6.6, as the hub read them then or a risk update raised
        them since), where that says more than the floor `_left_out` reads: a child the hub
        knows to be in care, seeking asylum or at risk of sexual exploitation is not read as
        none of these because a force's system left the field out. What was sent wins."""
        last: dict[str, tuple[LegalStatus | bool, str]] = {}
        if legal_status is not LegalStatus.NOT_KNOWN:
            last["legal_status"] = (legal_status, "7.3")
        if uasc:
            last["uasc"] = (True, "4.3")
        if cse_risk:
            last["cse_risk"] = (True, "6.6")
        readings, update = [], {}
        for reading in self._read_as:
            if reading.value_sent is None and reading.field in last:
                value, paragraph = last[reading.field]
                update[reading.field] = value
                reading = ReadAs(
                    reading.field,
                    reading.sent,
                    _as_text(value),
                    paragraph,
                    value_read=value,
                    from_last_report=True,
                )
            readings.append(reading)
        if not update:
            return self
        known = self.model_copy(update=update)
        known._read_as = tuple(readings)
        return known

    def _left_out(self) -> list[ReadAs]:
        """The fields the child is routed on that the report left out (or sent null), each
        read as the protocol allows: refused, no agency would hear of the child until the
        force resent it. Read so, the force is told and asked to correct its record."""
        readings: list[ReadAs] = []
        if self.risk_level is None:
            # 6.5: under-18s are "Medium or High risk": medium, the floor, lowers nothing
            # any agency does. A care leaver of 18 or over may be graded low (1.4), but a
            # grading left out is no grading of low: medium too (only high routes otherwise).
            readings.append(self._read("risk_level", None, RiskLevel.MEDIUM, "6.5"))
        if self.cse_risk is None:
            # 6.6: the markers are reviewed as the risk is; a risk update can raise it.
            readings.append(self._read("cse_risk", None, False, "6.6"))
        if self.uasc is None:
            readings.append(self._read("uasc", None, False, "4.3"))
        if self.legal_status is None:
            # 7.6: a child not known is screened by MASH and recorded by the MCT: what a
            # child of no known status needs, whatever it turns out to be.
            readings.append(self._read("legal_status", None, LegalStatus.NOT_KNOWN, "7.6"))
        return readings


_M = TypeVar("_M", bound=Message)


@dataclass(frozen=True)
class ReadAs:
    """One field of a message the hub read otherwise than sent (`ReadAround`), so as to
    route the child rather than refuse the message: the field (as the contract names it),
    the values sent and read as JSON writes them, and the paragraph that says why."""

    field: str
    sent: str
    read: str
    paragraph: str
    value_sent: object = dataclass_field(default=None, compare=False, repr=False)
    value_read: object = dataclass_field(default=None, compare=False, repr=False)
    # Read as the child's last report said (`MisperReport.as_last_known`), not as the floor.
    from_last_report: bool = dataclass_field(default=False, compare=False)


def _reading(message: _M, name: str, value: object) -> _M:
    """A copy of `message` with the field `name` ("last_seen.at" for a nested one) set to
    `value`, not validated again."""
    outer, _, inner = name.partition(".")
    if inner:
        value = _reading(getattr(message, outer), inner, value)
    return message.model_copy(update={outer: value})


def _as_text(value: datetime | RiskLevel | LegalStatus | bool | None) -> str:
    """As JSON writes it: a time in UTC with a Z (the hub stores UTC), a grading or a
    status its code, a marker `true` or `false`; "not given" for a field left out."""
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.value


class RiskUpdate(ChildEvent):
    """Police re-grade the risk while the child is missing (protocol 3.19, 6.6, 7.16)."""

    updated_at: Timestamp
    risk_level: RiskLevel = Field(
        description="Under-18s are medium or high only (6.5): a child's `low` is read as "
        "`medium`, and the force told (check_risk_update)."
    )
    cse_risk: bool
    # 4.3's markers, which a MISPER report may have left out (read false) or the search found
    # out since: a risk update raises them as it raises the CSE marker (6.6). Never lowered:
    # the Home Office told of the absence must hear of the return.
    uasc: bool | None = Field(
        default=None,
        description="Unaccompanied asylum-seeking child (4.3): `true` for a child the MISPER "
        "report did not mark has the Home Office told. Left out, null or `false`: unchanged.",
    )
    suspected_trafficking: bool | None = Field(
        default=None,
        description="Trafficking suspected (4.3): `true` for a child not marked so has the "
        "local authority asked to refer to the National Referral Mechanism. Left out, null or "
        "`false`: unchanged.",
    )
    reason: OptionalText = Field(
        default=None,
        json_schema_extra=PERSONAL,
        description="Why the grading changed. No rule reads it: left out or blank, not given.",
    )


class RiskDisagreementRaised(ChildEvent):
    """A professional disagrees with the police risk grading (protocol 6.7, 7.5): it must
    be resolved within 12 hours."""

    raised_at: Timestamp
    raised_by: Agency
    proposed_risk_level: RiskLevel
    reason: OptionalText = Field(
        default=None,
        json_schema_extra=PERSONAL,
        description="Why the professional disagrees. No rule reads it: left out or blank, "
        "not given.",
    )


class FoundReport(ChildEvent):
    """The child is found or has returned (protocol 5.1, 5.6, 6.10)."""

    found_at: Timestamp
    found_where: OptionalShortText = Field(
        default=None,
        json_schema_extra=PERSONAL,
        description="Where the child was found, for the police attending (5.1). Left out or "
        "blank: not given; the child is found all the same.",
    )
    found_by: FoundBy
    safe_and_well_check_done: bool
    possible_victim_of_crime: bool = Field(description="Police to attend without delay (5.1).")
    concerns_about_returning_home: bool = Field(
        description="MASH, or EDT out of hours, before the child is returned (5.6)."
    )


class PreventionInterviewCompleted(ChildEvent):
    """Police completed the Prevention Interview (protocol 5.12, 6.10)."""

    completed_at: Timestamp
    concerns_identified: bool


class MashRating(ChildEvent):
    """MASH RAG rating of a missing episode (protocol 6.14)."""

    rated_at: Timestamp
    rating: RagRating


class ReturnInterviewResult(ReadAround):
    """Result of the Independent Return Interview (protocol 5.12 to 5.19, 7.7, 7.8)."""

    CHECK: ClassVar[str] = "check_return_interview"

    interviewer: Interviewer
    outcome: ReturnInterviewOutcome
    recorded_at: Timestamp
    completed_at: Timestamp | None = Field(
        default=None,
        description="When a completed interview was completed. One after `recorded_at` (a "
        "clock skew, a typo), or none given, is read as `recorded_at`, and the interviewer "
        "told (5.12).",
    )
    assessment: EpisodeAssessment | None = Field(
        default=None, description="Required when the interview was completed (7.7)."
    )
    formal_interview: bool = Field(
        default=True,
        description="False when a trusted adult stood in for a formal interview (5.15).",
    )
    push_factors: tuple[PushPullFactor, ...] = ()
    pull_factors: tuple[PushPullFactor, ...] = ()

    @model_validator(mode="after")
    def _outcome_has_its_facts(self) -> Self:
        if self.outcome is ReturnInterviewOutcome.COMPLETED:
            if self.assessment is None:
                raise ValueError("assessment: required when the outcome is completed (7.7)")
            if self.completed_at is None or self.completed_at > self.recorded_at:
                # 5.12: refused, the interview's findings would reach nobody (5.17, 5.18)
                # and its 72-hour chase go on. Its completion cannot follow its record (a
                # clock skew, a typo), and one not given was no later: read as the record's
                # time, the latest it can truly be, so it is never counted done earlier than
                # it was (nor on time if late).
                self._read_as = (
                    self._read("completed_at", self.completed_at, self.recorded_at, "5.12"),
                )
        elif self.assessment is not None or self.completed_at is not None:
            raise ValueError(
                f"outcome: an interview {self.outcome.value} has no completed_at or "
                "assessment (5.15, MCT practice guidance)"
            )
        if self.outcome is ReturnInterviewOutcome.CANNOT_COMPLETE and self.interviewer not in (
            Interviewer.MCT,
            Interviewer.OOC_ENGAGEMENT_WORKER,
        ):
            # MCT practice guidance: "If the OOC Engagement Worker is unable to complete the
            # IRI and there is no capacity within the MCT ..., the MCT must notify the
            # allocated social work team immediately."
            raise ValueError(
                "interviewer: only the MCT or the OOC engagement worker can say the interview "
                "cannot be completed (MCT practice guidance)"
            )
        return self


ANSWERED_BY = (
    "The agency answering: its directory code, a police force or a local authority. It must "
    "be the agency whose topic carries the message, and the one the duty was owed to."
)


class DutyAcknowledged(ChildEvent):
    """An agency has picked up a duty the hub notified it of (issue 14): the hub stops
    counting down to escalating it for want of an answer."""

    notification_id: UUID = Field(description="The notification that asked for the duty.")
    answered_by: NamedAuthority = Field(description=ANSWERED_BY)
    acknowledged_at: Timestamp
    acknowledged_by: ShortText = Field(description="Who picked it up: a role or a team.")


class DutyCompleted(ChildEvent):
    """An agency has done a duty: Incident and Location Forms completed (3.3), the missing
    child risk assessment completed (6.14), minutes shared (7.20, 7.23), a return interview
    conducted (5.12), ... A strategy meeting is recorded as held instead (7.22)."""

    notification_id: UUID = Field(description="The notification that asked for the duty.")
    answered_by: NamedAuthority = Field(description=ANSWERED_BY)
    completed_at: Timestamp
    completed_by: ShortText = Field(description="Who did it: a role or a team.")


class StrategyMeetingHeld(ChildEvent):
    """A strategy meeting was held (7.20, 7.22): it discharges the duties to convene and
    attend it; its minutes are due within 24 hours of it (7.20); the date it set for the
    next meeting stands (7.22: "provisional arrangements ... for the next")."""

    notification_id: UUID = Field(
        description="The notification that asked for the meeting to be convened."
    )
    answered_by: NamedAuthority = Field(description=ANSWERED_BY)
    held_at: Timestamp
    attended: tuple[MeetingAttendee, ...] = Field(
        min_length=1, max_length=len(MeetingAttendee), description="Who attended (7.20)."
    )
    next_meeting_at: Timestamp | None = Field(
        default=None, description="When the next meeting is set, if the child is still missing."
    )

    @model_validator(mode="after")
    def _next_after_this(self) -> Self:
        if len(set(self.attended)) != len(self.attended):
            raise ValueError("attended: names an attendee twice")
        if self.next_meeting_at is not None and self.next_meeting_at <= self.held_at:
            raise ValueError("next_meeting_at: must be after held_at")
        return self


class EpisodeClosed(ChildEvent):
    """7.24: a senior police officer and the Assistant Director, having seen an assessment
    and chronology, jointly decide to close the case of a child not found: its strategy
    meeting ladder and every other timer stop. A later found report is still applied."""

    answered_by: NamedAuthority = Field(description=ANSWERED_BY)
    closed_at: Timestamp
    senior_police_officer: ShortText = Field(description="Rank and role, not a name.")
    assistant_director: ShortText = Field(description="The Assistant Director's title.")


class PlacedChild(Message):
    """What a placing authority tells the host so it can record the child (8.9)."""

    name: ShortText = Field(json_schema_extra=PERSONAL)
    date_of_birth: date = Field(json_schema_extra=PERSONAL)
    sex: Sex
    placement_started_at: Timestamp
    planned_placement: bool = Field(description="Forms due within 5 days if unplanned (3.3).")
    placing_social_worker: ShortText


class CrossBorderNotice(Message):
    """A notice between authorities about a child placed across a border (section 8).

    `placement_notified` carries `placed_child`: to us from a placing authority (8.9), or from
    us when we place a child out of area (7.14). `return_interview_accepted` (the placing
    authority takes on the return interview, 8.10) carries `episode_id`, that of the episode
    it was told of; a host's `child_missing` and `child_found` name one if the host has it (the
    carer tells the host's police and the host, 8.4, which may never learn the id of ours)."""

    notice_id: Identifier
    kind: CrossBorderNoticeKind
    child_id: Identifier
    episode_id: Identifier | None = None
    from_authority: NamedAuthority
    to_authority: NamedAuthority
    occurred_at: Timestamp
    placed_child: PlacedChild | None = None

    def partition_key(self) -> str:
        return self.child_id

    @model_validator(mode="after")
    def _kind_has_its_facts(self) -> Self:
        if self.from_authority == self.to_authority:
            raise ValueError("to_authority: must differ from from_authority")
        if self.kind is CrossBorderNoticeKind.PLACEMENT_NOTIFIED:
            if self.placed_child is None:
                raise ValueError("placed_child: required for a placement notice (8.9)")
        elif self.kind is CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED and not self.episode_id:
            raise ValueError(
                "episode_id: required for the placing authority's acceptance of the return "
                "interview of the episode it was told of (8.10)"
            )
        return self


InboundEvent = (
    MisperReport
    | RiskUpdate
    | RiskDisagreementRaised
    | FoundReport
    | PreventionInterviewCompleted
    | MashRating
    | ReturnInterviewResult
    | CrossBorderNotice
)

__all__ = [
    "UK_TIME",
    "AllocatedWorker",
    "ChildDetails",
    "CrossBorderNotice",
    "FoundReport",
    "InboundEvent",
    "LastSeen",
    "MashRating",
    "MisperReport",
    "PlacedChild",
    "PreventionInterviewCompleted",
    "ReadAround",
    "ReadAs",
    "ReturnInterviewResult",
    "RiskDisagreementRaised",
    "RiskUpdate",
    "age_at",
    "age_on",
    "birthday",
    "uk_date",
]
