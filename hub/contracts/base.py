"""Shared building blocks of every contract."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

# Identifiers are opaque references (police or CareFirst ids), never names: they travel in
# Kafka keys and headers, which are logged by brokers and tools.
Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
        description="An opaque id: letters, digits and . _ : - only; never a name.",
    ),
]

# An authority or police force is named by a short code the directory knows
# (e.g. "northamptonshire", "luton", "northamptonshire-police").
AuthorityCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=48,
        pattern=r"^[a-z][a-z0-9-]*$",
        description="A code from the hub's directory, e.g. 'northamptonshire'.",
    ),
]

# An authority or police force as a sender names it: a directory code, an older name the
# directory keeps as an alias ("northamptonshire"), or the official name ("Wiltshire
# Council"). Free text within limits: the directory resolves it, and one it does not know is
# routed around (its duties held for ops), never a reason to refuse a missing child.
NamedAuthority = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[\w][\w .,'&()-]*$",
        description="A directory code (e.g. 'west-northamptonshire'), an older name the "
        "directory keeps (e.g. 'northamptonshire') or the official name.",
    ),
]

Timestamp = Annotated[
    AwareDatetime,
    Field(description="ISO 8601 with a UTC offset; the hub stores UTC."),
]

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]

# Marks a field as a child's personal data: it is redacted in logs, printed output and the
# ops views by default, and appears in the JSON Schema as "x-personal-data": true.
PERSONAL: JsonDict = {"x-personal-data": True}


class Message(BaseModel):
    """Base of every message: frozen, unknown fields refused, and inputs never echoed in
    validation errors (a rejected MISPER would otherwise print a child's name to logs)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        str_strip_whitespace=True,
    )


class ChildEvent(Message):
    """Every inbound event is about one child in one episode. The Kafka key is `child_id`
    so that everything about one child stays in order on one partition."""

    episode_id: Identifier = Field(description="The missing episode this event belongs to.")
    child_id: Identifier = Field(description="Stable id of the child; the Kafka message key.")

    def partition_key(self) -> str:
        return self.child_id
