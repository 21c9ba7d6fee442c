"""Redaction of a child's personal data, driven by the `x-personal-data` field marker."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

REDACTED = "«redacted»"


def is_personal(model: type[BaseModel], name: str) -> bool:
    extra = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and extra.get("x-personal-data") is True


def redacted(message: BaseModel) -> dict[str, Any]:
    """The message as JSON-ready data with every personal field replaced by a marker."""
    shown: dict[str, Any] = {}
    for name in type(message).model_fields:
        value = getattr(message, name)
        if value is not None and is_personal(type(message), name):
            shown[name] = REDACTED
        elif isinstance(value, BaseModel):
            shown[name] = redacted(value)
        else:
            shown[name] = message.model_dump(mode="json", include={name})[name]
    return shown
