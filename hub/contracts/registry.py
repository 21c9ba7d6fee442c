"""Which contract goes with which CloudEvents type and Kafka topic."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from hub.contracts.events import (
    CrossBorderNotice,
    FoundReport,
    MashRating,
    MisperReport,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
    RiskDisagreementRaised,
    RiskUpdate,
)
from hub.contracts.notification import Notification

TYPE_PREFIX = "uk.missing-children"
REJECTED_TOPIC = "hub.rejected"


@dataclass(frozen=True)
class Contract:
    """One message type: its model, its CloudEvents `type`, its topic and who sends it."""

    name: str
    model: type[BaseModel]
    topic: str
    publisher: str
    version: int = 1

    @property
    def ce_type(self) -> str:
        return f"{TYPE_PREFIX}.{self.name}.v{self.version}"

    @property
    def schema_file(self) -> str:
        return f"{self.name}.v{self.version}.schema.json"


CONTRACTS: tuple[Contract, ...] = (
    Contract("misper-report", MisperReport, "inbound.misper-report", "police"),
    Contract("risk-update", RiskUpdate, "inbound.risk-update", "police"),
    Contract(
        "risk-disagreement",
        RiskDisagreementRaised,
        "inbound.risk-disagreement",
        "police or local authority",
    ),
    Contract("found-report", FoundReport, "inbound.found-report", "police"),
    Contract(
        "prevention-interview",
        PreventionInterviewCompleted,
        "inbound.prevention-interview",
        "police",
    ),
    Contract("mash-rating", MashRating, "inbound.mash-rating", "MASH"),
    Contract(
        "return-interview",
        ReturnInterviewResult,
        "inbound.return-interview",
        "MCT or out-of-county worker",
    ),
    Contract(
        "cross-border-notice",
        CrossBorderNotice,
        "inbound.cross-border-notice",
        "another local authority",
    ),
)

INBOUND_TOPICS = tuple(c.topic for c in CONTRACTS)

# The notification is published by the hub to one topic per recipient (see docs/topics.md);
# its contract is registered here so it is exported and validated like the others.
NOTIFICATION = Contract("notification", Notification, "notify.{authority}.{recipient}", "the hub")

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
