"""What a notification says about the child and the episode: `Notification.child`.

Each recipient receives only the particulars its duty needs, as the data policy sets them
for its role and action (hub/data/data-policy.yaml): a field the policy withholds is absent
from the message, and one it allows but the hub does not know is null."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import Field

from hub.contracts.base import PERSONAL, Message, ShortText, Timestamp
from hub.contracts.vocabulary import LegalStatus, RagRating, RiskLevel, Sex

CONTACT_LIMIT = 1000
Contact = Annotated[str, Field(min_length=1, max_length=CONTACT_LIMIT)]


class ChildParticulars(Message):
    """The child and the episode, as far as this recipient's duty needs them."""

    name: ShortText | None = Field(default=None, json_schema_extra=PERSONAL)
    date_of_birth: date | None = Field(default=None, json_schema_extra=PERSONAL)
    sex: Sex | None = None
    legal_status: LegalStatus | None = Field(
        default=None, description="How the child is known to children's services (3.4, 7.3)."
    )
    uasc: bool | None = Field(default=None, description="Unaccompanied asylum-seeking (4.3).")
    allocated_worker: ShortText | None = Field(
        default=None, description="The allocated worker's name (7.3)."
    )
    worker_team: ShortText | None = None
    placing_authority: ShortText | None = Field(
        default=None, description="The authority responsible for the child's care (1.4)."
    )
    placing_authority_contact: Contact | None = Field(
        default=None,
        description="How to reach the placing authority about the child, where the hub's "
        "deployment is it (protocol 2).",
    )
    host_authority: ShortText | None = Field(
        default=None, description="The authority where the child lives or is placed (1.4)."
    )
    host_authority_contact: Contact | None = Field(
        default=None,
        description="How to reach the host authority about the child, where the hub's "
        "deployment is it (protocol 2).",
    )
    placement_started_at: Timestamp | None = None
    placing_social_worker: ShortText | None = None
    missing_since: Timestamp | None = None
    last_seen_place: ShortText | None = Field(default=None, json_schema_extra=PERSONAL)
    last_seen_at: Timestamp | None = None
    circumstances: str | None = Field(default=None, max_length=4000, json_schema_extra=PERSONAL)
    risk_level: RiskLevel | None = Field(default=None, description="The current grading.")
    cse_risk: bool | None = Field(default=None, description="Child sexual exploitation (6.6).")
    suspected_trafficking: bool | None = None
    reporting_force: ShortText | None = Field(
        default=None, description="The police force the child was reported to."
    )
    mash_rating: RagRating | None = None
    found_at: Timestamp | None = None
    found_where: ShortText | None = Field(
        default=None,
        description="Where the child was found or returned to, as the found report says (5.1).",
        json_schema_extra=PERSONAL,
    )


Particular = Literal[
    "name",
    "date_of_birth",
    "sex",
    "legal_status",
    "uasc",
    "allocated_worker",
    "worker_team",
    "placing_authority",
    "placing_authority_contact",
    "host_authority",
    "host_authority_contact",
    "placement_started_at",
    "placing_social_worker",
    "missing_since",
    "last_seen_place",
    "last_seen_at",
    "circumstances",
    "risk_level",
    "cse_risk",
    "suspected_trafficking",
    "reporting_force",
    "mash_rating",
    "found_at",
    "found_where",
]
PARTICULARS: tuple[Particular, ...] = get_args(Particular)
assert set(PARTICULARS) == set(ChildParticulars.model_fields), "one vocabulary, two spellings"
