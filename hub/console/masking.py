"""A child's personal data, hidden in the ops views until someone allowed to see it asks.

The fields are those the contracts mark `x-personal-data` (hub.contracts.base.PERSONAL): a
stored event body is read back through its contract and those fields replaced. A body that
cannot be read that way, and any raw message the hub refused, is hidden whole: it may hold
anything."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from hub.contracts.personal import REDACTED, is_personal
from hub.contracts.registry import UnknownMessageType, contract_for_type

HIDDEN = "«hidden: may hold a child's personal data»"


def masked_body(ce_type: str, body: dict[str, Any]) -> dict[str, Any] | str:
    """The applied event's body with every personal field replaced by a marker."""
    try:
        model = contract_for_type(ce_type).model
        return _masked(model, body)
    except (UnknownMessageType, ValidationError, TypeError, KeyError):
        return HIDDEN


def _masked(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, value in data.items():
        field = model.model_fields.get(name)
        if field is None:
            shown[name] = HIDDEN  # not in the contract: nothing says it is harmless
        elif value is not None and is_personal(model, name):
            shown[name] = REDACTED
        else:
            shown[name] = _value(_model_in(field.annotation), value)
    return shown


def _value(model: type[BaseModel] | None, value: Any) -> Any:
    if isinstance(value, dict):
        return _masked(model, value) if model is not None else HIDDEN
    if isinstance(value, list):
        return [_value(model, item) for item in value]
    return value


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through `X | None` and `list[X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        if (found := _model_in(argument)) is not None:
            return found
    return None
