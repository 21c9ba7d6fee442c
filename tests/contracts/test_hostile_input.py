"""Input written to break the hub (issue 13, section 3): each is refused with the field and
the reason, and never echoes what was sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hub.contracts.base import Message
from hub.contracts.envelope import ParsedEvent, from_kafka, parse_structured
from hub.contracts.problems import BadMessage
from tests.helpers import encoded, example

SECRET = "Jordan Example, 12 High St"  # stands for a child's details a sender misplaced


def problems_of(raw: bytes) -> dict[str, str]:
    with pytest.raises(BadMessage) as caught:
        parse_structured(raw)
    return {p.field: p.reason for p in caught.value.problems}


def with_data(**changes: Any) -> bytes:
    message = example("01-misper-report")
    message["data"].update(changes)
    return encoded(message)


def test_json_nested_40000_deep_is_refused_not_a_crash() -> None:
    raw = with_data(circumstances="x").replace(b'"x"', b"[" * 40_000 + b"]" * 40_000)
    assert problems_of(raw) == {"(message)": "nests more than 12 deep"}


def test_a_5000_digit_integer_is_refused() -> None:
    raw = with_data(circumstances="x").replace(b'"x"', b"9" * 5_000)
    assert problems_of(raw) == {"(message)": "has a number longer than 18 digits"}


def test_nan_which_json_does_not_allow_is_refused() -> None:
    raw = with_data(circumstances="x").replace(b'"x"', b"NaN")
    assert problems_of(raw) == {"(message)": "has NaN, which JSON does not allow"}


def test_a_key_given_twice_is_refused_rather_than_the_last_silently_winning() -> None:
    raw = with_data(risk_level="high").replace(
        b'"risk_level": "high"', b'"risk_level": "high", "risk_level": "medium"'
    )
    assert problems_of(raw) == {
        "(message)": "has a key twice in one object (its name is not repeated)"
    }


def test_a_numeric_missing_since_is_refused_not_read_as_1970() -> None:
    assert problems_of(with_data(missing_since=0)) == {
        "data.missing_since": "must be ISO 8601 text with a UTC offset, not a number"
    }


@pytest.mark.parametrize("when", ["2099-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_a_time_far_in_the_future_is_refused(when: str) -> None:
    problems = problems_of(with_data(reported_at=when, missing_since="2026-11-20T16:15:00Z"))
    assert problems["data.reported_at"] == "is more than 400 days ahead, not a plausible time"


def test_a_time_implausibly_far_in_the_past_is_refused() -> None:
    problems = problems_of(with_data(missing_since="1970-01-01T00:00:00Z"))
    assert problems == {"data.missing_since": "is before 2000-01-01, not a time the hub can act on"}


@pytest.mark.parametrize("character", ["\x00", "\u202e", "\x1b"], ids=["NUL", "RLO", "ESC"])
def test_a_control_or_bidi_character_in_a_place_is_refused_naming_the_field(
    character: str,
) -> None:
    raw = with_data(last_seen={"place": f"Luton{character}", "at": "2026-11-20T16:15:00Z"})
    assert problems_of(raw) == {
        "data.last_seen.place": "contains a control or bidirectional formatting character"
    }


def test_the_field_holding_the_character_is_named_among_several_texts() -> None:
    raw = with_data(circumstances="Left after an argument\u202e", case_reference="MIS-1")
    assert problems_of(raw) == {
        "data.circumstances": "contains a control or bidirectional formatting character"
    }


class _Places(Message):
    """A message with a list of texts, which no contract has today: the check covers it."""

    heard_of: tuple[str, ...]


def test_a_control_character_in_a_list_of_texts_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        _Places(heard_of=("Luton", "Bedford\x1b[2J"))
    assert "heard_of: contains a control or bidirectional formatting character" in str(caught.value)
    assert "Bedford" not in str(caught.value)


def test_an_unknown_fields_name_is_never_echoed() -> None:
    problems = problems_of(with_data(**{SECRET: "x"}))
    assert problems == {
        "data": "has a field that is not in this contract (its name is not repeated)"
    }


def test_an_unknown_type_is_never_echoed() -> None:
    message = example("01-misper-report")
    message["type"] = SECRET
    assert SECRET not in str(problems_of(encoded(message)))


# What a hostile sender puts where a value belongs.
HOSTILE = st.one_of(
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=30).map(lambda text: f"{SECRET}{text}"),
    st.recursive(st.lists(st.just(SECRET), max_size=2), lambda inner: st.lists(inner, max_size=3)),
    st.dictionaries(st.just(SECRET), st.just(SECRET), max_size=1),
)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for key, child in node.items() for p in _leaves(child, (*path, key))]
    return [path]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_hostile_envelope_is_applied_or_refused_with_a_reason_never_echoed(
    data: st.DataObject,
) -> None:
    """Any example, any of its fields replaced by a hostile value, and perhaps a field of
    the sender's own: parsed in both forms, it is either accepted or refused with reasons;
    never another exception, and the refusal never repeats what was sent."""
    name = data.draw(st.sampled_from(["01-misper-report", "02-mash-rating", "05-found-report"]))
    message = example(name)
    for path in data.draw(st.lists(st.sampled_from(_leaves(message)), max_size=3)):
        node = message
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = data.draw(HOSTILE)
    if data.draw(st.booleans()):
        message["data"][SECRET] = SECRET
    raw = json.dumps(message).encode()
    for parse in (parse_structured, _binary_mode):
        outcome = _applied_or_refused(parse, raw)
        if isinstance(outcome, BadMessage):
            assert outcome.problems
            assert SECRET not in str(outcome)


def _applied_or_refused(parse: Callable[[bytes], ParsedEvent], raw: bytes) -> object:
    """The parsed event or the refusal; any other exception fails the test."""
    try:
        return parse(raw)
    except BadMessage as refused:
        return refused


def _binary_mode(raw: bytes) -> ParsedEvent:
    """The same message as it would arrive on Kafka: attributes in `ce_*` headers (as text
    whatever their JSON type), the data as the body, keyed by the child id sent."""
    message = json.loads(raw)
    headers = [
        (f"ce_{name}", (value if isinstance(value, str) else json.dumps(value)).encode())
        for name, value in message.items()
        if name not in ("data", "datacontenttype")
    ]
    data = message.get("data")
    child = data.get("child_id") if isinstance(data, dict) else None
    key = (child if isinstance(child, str) else json.dumps(child)).encode()
    return from_kafka(headers, key, json.dumps(data).encode())
