"""Shared building blocks of every contract."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic.config import JsonDict

# Identifiers are opaque references (police or CareFirst ids), never names: they travel in
# Kafka keys and headers, which are logged by brokers and tools.
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
IDENTIFIER_LIMIT = 64
Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=IDENTIFIER_LIMIT,
        pattern=IDENTIFIER_PATTERN,
        description="An opaque id: letters, digits and . _ : - only; never a name.",
    ),
]

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


def is_identifier(text: str, limit: int = IDENTIFIER_LIMIT) -> bool:
    """Whether `text` could be an Identifier (a Kafka key, or an event's id with its own
    limit, before its event is validated)."""
    return len(text) <= limit and _IDENTIFIER.fullmatch(text) is not None  # no "\n" after


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
# Typographic apostrophes and dashes and the no-break space are what office systems and
# copied web pages write ("Children\u2019s Trust", "Dyfed\u2013Powys"): the directory reads them
# as ' and -, so they are never a reason to refuse a missing child.
NAME_PATTERN = r"^[\w][\w .,'\u2018\u2019&()\u2013\u2014\u00a0-]*$"
_NAME = re.compile(NAME_PATTERN)


def _a_name(value: str) -> str:
    if _NAME.fullmatch(value) is None:
        raise ValueError(
            "may hold only letters, digits, spaces and . , ' & ( ) - (a directory code, an "
            "older name the directory keeps or the official name), starting with a letter "
            "or digit"
        )
    return value


NamedAuthority = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="A directory code (e.g. 'west-northamptonshire'), an older name the "
        "directory keeps (e.g. 'northamptonshire'), the official name or the GSS code "
        "(e.g. 'E06000062').",
        json_schema_extra={"pattern": NAME_PATTERN},
    ),
    AfterValidator(_a_name),
]


def _blank_as_not_given(value: object) -> object:
    """A name left blank ("" or spaces only) is a name not given: police systems send the
    fields they have no name for blank, and the hub reads them as left out (docs/
    contracts.md, "Naming authorities and police forces"), never a reason to refuse."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


# Blank, in the JSON Schema: what a sender may send for a name it does not have.
BlankName = Annotated[str, Field(pattern=r"^\s*$", description="Blank: not given.")]

# A name that may be left out, or sent blank: either is not given (None).
OptionalName = Annotated[
    NamedAuthority | None,
    BeforeValidator(_blank_as_not_given, json_schema_input_type=NamedAuthority | BlankName | None),
]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no episode the hub acts on began before
FURTHEST_AHEAD = timedelta(days=400)  # a meeting or review booked within the year, at most


def _written_as_text(value: object) -> object:
    """A number would be read as seconds since 1970 (`missing_since: 0` made every duty
    overdue since then): a time is ISO 8601 text, or refused."""
    if not isinstance(value, str | datetime):
        raise ValueError("must be ISO 8601 text with a UTC offset, not a number")
    return value


# The furthest time found plausible so far: the clock only moves on, so a time before it is
# plausible without asking the clock again (every time in every message passes here, some
# twenty an event: asking the clock each time was 4% of the hub's applying).
_furthest_plausible = [datetime.now(UTC) + FURTHEST_AHEAD]


def _plausible(value: datetime) -> datetime:
    if value < EARLIEST:
        raise ValueError(f"is before {EARLIEST:%Y-%m-%d}, not a time the hub can act on")
    if value > _furthest_plausible[0]:
        _furthest_plausible[0] = datetime.now(UTC) + FURTHEST_AHEAD
        if value > _furthest_plausible[0]:
            raise ValueError(f"is more than {FURTHEST_AHEAD.days} days ahead, not a plausible time")
    return value


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_written_as_text),
    AfterValidator(_plausible),
    Field(description="ISO 8601 with a UTC offset; the hub stores UTC."),
]

# Characters no name, place or account needs and that hide or reorder what a reader sees:
# C0 controls but tab and newlines, DEL, and the bidirectional formatting characters
# (U+202E would show "gpj.exe" as "exe.jpg").
UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
# A short text a message may leave out or send blank (where a child was found, 5.1: the
# finder may not say): not given (None), never a reason to refuse a missing child's message.
OptionalShortText = Annotated[
    ShortText | None,
    BeforeValidator(_blank_as_not_given, json_schema_input_type=ShortText | BlankName | None),
]
# Free text no rule reads (why police re-graded a child, 6.7's reason for disagreeing): left
# out or sent blank, it is not given (None), never a reason to refuse a missing child's
# message, as a name left blank is not (`OptionalName`).
OptionalText = Annotated[
    LongText | None,
    BeforeValidator(_blank_as_not_given, json_schema_input_type=LongText | BlankName | None),
]

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

    @model_validator(mode="after")
    def _no_unsafe_characters(self) -> Self:
        """Refused naming the field, never showing the text."""
        # Every message, inbound or built by the hub (four for each notification), passes
        # here, so the common case is one search over the fields' text joined by a newline
        # (itself allowed). `type(...) is str` passes over enum members, whose values the
        # code fixes, and reads the values as stored: iterating the model costs several times
        # as much.
        texts: list[str] = []
        for value in self.__dict__.values():
            kind = type(value)
            if kind is str:
                texts.append(value)
            elif kind is list or kind is tuple:
                texts.extend(text for text in value if type(text) is str)
        if UNSAFE_CHARACTERS.search("\n".join(texts)) is not None:
            raise ValueError(f"{_holding_unsafe(self)}: {_UNSAFE}")
        return self


_UNSAFE = "contains a control or bidirectional formatting character"


def _holding_unsafe(message: Message) -> str:
    """The first field whose text holds an unsafe character (found again, rarely needed)."""
    for name, value in message.__dict__.items():
        held = value if isinstance(value, list | tuple) else (value,)
        if any(isinstance(text, str) and UNSAFE_CHARACTERS.search(text) for text in held):
            return name
    raise AssertionError("the joined text held one, so a field does")


class ChildEvent(Message):
    """Every inbound event is about one child in one episode. The Kafka key is `child_id`
    so that everything about one child stays in order on one partition."""

    episode_id: Identifier = Field(description="The missing episode this event belongs to.")
    child_id: Identifier = Field(description="Stable id of the child; the Kafka message key.")
    case_reference: Identifier | None = Field(
        default=None,
        description="The sending agency's own reference for the case (a police MISPER or "
        "incident number, a case management system's id): ops search the routing log by it. "
        "An identifier, never a name.",
    )

    def partition_key(self) -> str:
        return self.child_id
