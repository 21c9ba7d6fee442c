"""Which contract goes with which CloudEvents type and Kafka topic."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from hub.contracts.events import (
    CrossBorderNotice,
    DutyAcknowledged,
    DutyCompleted,
    EpisodeClosed,
    FoundReport,
    MashRating,
    MisperReport,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
    RiskDisagreementRaised,
    RiskUpdate,
    StrategyMeetingHeld,
)
from hub.contracts.notification import Notification

TYPE_PREFIX = "uk.missing-children"
REJECTED_TOPIC = "hub.rejected"


class Sender(StrEnum):
    """The two kinds of sending agency (hub.access)."""

    POLICE = "police force"
    AUTHORITY = "local authority"


POLICE, AUTHORITY = frozenset({Sender.POLICE}), frozenset({Sender.AUTHORITY})


@dataclass(frozen=True)
class Contract:
    """One message type: its model, its CloudEvents `type`, its topic and who sends it."""

    name: str
    model: type[BaseModel]
    topic: str
    publisher: str
    sent_by: frozenset[Sender]  # who may send it: the broker's ACLs and the hub enforce it
    version: int = 1

    @property
    def ce_type(self) -> str:
        return f"{TYPE_PREFIX}.{self.name}.v{self.version}"

    @property
    def schema_file(self) -> str:
        return f"{self.name}.v{self.version}.schema.json"


CONTRACTS: tuple[Contract, ...] = (
    Contract("misper-report", MisperReport, "inbound.misper-report", "police", POLICE),
    Contract("risk-update", RiskUpdate, "inbound.risk-update", "police", POLICE),
    Contract(
        "risk-disagreement",
        RiskDisagreementRaised,
        "inbound.risk-disagreement",
        "police or local authority",
        POLICE | AUTHORITY,
    ),
    Contract("found-report", FoundReport, "inbound.found-report", "police", POLICE),
    Contract(
        "prevention-interview",
        PreventionInterviewCompleted,
        "inbound.prevention-interview",
        "police",
        POLICE,
    ),
    Contract("mash-rating", MashRating, "inbound.mash-rating", "MASH", AUTHORITY),
    Contract(
        "return-interview",
        ReturnInterviewResult,
        "inbound.return-interview",
        "MCT or out-of-county worker",
        AUTHORITY,
    ),
    Contract(
        "cross-border-notice",
        CrossBorderNotice,
        "inbound.cross-border-notice",
        "another local authority",
        AUTHORITY,
    ),
    Contract(
        "duty-acknowledged",
        DutyAcknowledged,
        "inbound.duty-acknowledged",
        "the agency a duty was owed to",
        POLICE | AUTHORITY,
    ),
    Contract(
        "duty-completed",
        DutyCompleted,
        "inbound.duty-completed",
        "the agency a duty was owed to",
        POLICE | AUTHORITY,
    ),
    Contract(
        "strategy-meeting-held",
        StrategyMeetingHeld,
        "inbound.strategy-meeting-held",
        "the meeting's chair (local authority)",
        AUTHORITY,
    ),
    Contract(
        "episode-closed",
        EpisodeClosed,
        "inbound.episode-closed",
        "police, with the Assistant Director (7.24)",
        POLICE | AUTHORITY,
    ),
)

INBOUND_TOPICS = tuple(c.topic for c in CONTRACTS)

# The notification is published by the hub to one topic per recipient (see docs/topics.md);
# its contract is registered here so it is exported and validated like the others.
NOTIFICATION = Contract(
    "notification", Notification, "notify.{authority}.{recipient}", "the hub", frozenset()
)

_BY_TYPE = {c.ce_type: c for c in (*CONTRACTS, NOTIFICATION)}


class UnknownMessageType(LookupError):
    """The CloudEvents `type` names no contract (or a version the hub does not accept)."""


def contract_for_type(ce_type: str) -> Contract:
    try:
        return _BY_TYPE[ce_type]
    except KeyError:
        known = ", ".join(sorted(_BY_TYPE))
        raise UnknownMessageType(
            f"type: is not a contract the hub accepts (the type sent is not repeated); "
            f"known types: {known}"
        ) from None
