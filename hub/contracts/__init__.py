"""The published contracts: the events police and local-authority systems send the hub,
and the notification the hub delivers. Frozen pydantic models; parsing and serialising
happen only at the edges (see `hub.contracts.envelope`)."""

from hub.contracts.events import (
    CrossBorderNotice,
    FoundReport,
    InboundEvent,
    MashRating,
    MisperReport,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
    RiskDisagreementRaised,
    RiskUpdate,
)
from hub.contracts.notification import Notification
from hub.contracts.registry import CONTRACTS, Contract, contract_for_type

__all__ = [
    "CONTRACTS",
    "Contract",
    "CrossBorderNotice",
    "FoundReport",
    "InboundEvent",
    "MashRating",
    "MisperReport",
    "Notification",
    "PreventionInterviewCompleted",
    "ReturnInterviewResult",
    "RiskDisagreementRaised",
    "RiskUpdate",
    "contract_for_type",
]
