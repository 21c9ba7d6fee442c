"""Turning validation failures into problems a sender can act on.

A problem names the field and the reason, and never the value: a rejected MISPER report
would otherwise copy a child's name or circumstances into logs and the rejected topic."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

_VALUE_ERROR = "Value error, "


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class BadMessage(ValueError):
    """A message the hub cannot accept: bad input, never retried. Carries every problem."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def problems_from(error: ValidationError, prefix: str = "") -> list[Problem]:
    found: list[Problem] = []
    for detail in error.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in detail["loc"])
        reason = detail["msg"]
        if reason.startswith(_VALUE_ERROR):
            # Our cross-field validators say "field: reason"; lift the field out of it.
            reason = reason.removeprefix(_VALUE_ERROR)
            named, sep, rest = reason.partition(": ")
            if sep and " " not in named:
                field, reason = ".".join(p for p in (field, named) if p), rest
        if detail["type"] == "extra_forbidden":
            # Its name is the sender's text, which may be a child's name or address: the
            # object that holds it is named instead.
            field = ".".join(str(part) for part in detail["loc"][:-1])
            reason = "has a field that is not in this contract (its name is not repeated)"
        found.append(
            Problem(field=".".join(p for p in (prefix, field) if p) or "(message)", reason=reason)
        )
    return found


def without_input(error: ValidationError) -> ValidationError:
    """The same error, each of its lines saying where and why, none quoting the input: for
    data the hub validates that is not a message (a child's stored state), whose errors
    pydantic would otherwise print with the value, a child's name among them."""
    return ValidationError.from_exception_data(
        error.title,
        [
            InitErrorDetails(
                type=PydanticCustomError(detail["type"], detail["msg"]),
                loc=detail["loc"],
                input=None,
            )
            for detail in error.errors(
                include_url=False, include_context=False, include_input=False
            )
        ],
        hide_input=True,
    )
