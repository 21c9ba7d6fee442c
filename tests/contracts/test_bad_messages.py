"""A bad message gets an error that names each failing field and why, and never echoes a
child's personal data."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.contracts.envelope import MAX_MESSAGE_BYTES, from_kafka, parse_structured, to_kafka
from hub.contracts.events import (
    FoundReport,
    MisperReport,
    ReadAs,
    ReturnInterviewResult,
    RiskDisagreementRaised,
    RiskUpdate,
)
from hub.contracts.problems import BadMessage
from hub.contracts.vocabulary import RiskLevel
from tests.helpers import encoded, example


def problems_of(raw: bytes) -> dict[str, str]:
    with pytest.raises(BadMessage) as caught:
        parse_structured(raw)
    return {p.field: p.reason for p in caught.value.problems}


def test_a_child_graded_low_risk_is_taken_and_read_as_medium_6_5() -> None:
    message = example("01-misper-report")
    message["data"]["risk_level"] = "low"
    report = parse_structured(encoded(message)).body
    assert isinstance(report, MisperReport)
    assert report.risk_level is RiskLevel.MEDIUM
    assert report.read_as == (ReadAs("risk_level", "low", "medium", "6.5"),)


def test_an_unknown_risk_grade_is_refused_naming_the_field() -> None:
    message = example("03-risk-update")
    message["data"]["risk_level"] = "absent"
    assert "data.risk_level" in problems_of(encoded(message))


def test_a_care_leaver_of_twenty_may_be_graded_low_risk() -> None:
    message = example("01-misper-report")
    message["data"].update(risk_level="low", legal_status="care_leaver")
    message["data"]["child"]["date_of_birth"] = "2006-01-01"
    assert parse_structured(encoded(message)).body


def test_an_adult_who_is_not_a_care_leaver_is_refused_citing_1_4() -> None:
    message = example("01-misper-report")
    message["data"]["child"]["date_of_birth"] = "2005-01-01"
    assert "1.4" in problems_of(encoded(message))["data.child.date_of_birth"]


def test_a_date_of_birth_after_the_report_is_refused() -> None:
    message = example("01-misper-report")
    message["data"]["child"]["date_of_birth"] = "2030-01-01"
    assert "data.child.date_of_birth" in problems_of(encoded(message))


def test_missing_since_after_the_report_is_taken_and_read_as_the_report_time_7_22() -> None:
    message = example("01-misper-report")
    reported_at = message["data"]["reported_at"]
    message["data"]["missing_since"] = "2026-11-21T00:00:00Z"
    report = parse_structured(encoded(message)).body
    assert isinstance(report, MisperReport)
    assert report.missing_since == datetime.fromisoformat(reported_at)
    assert [(r.field, r.sent) for r in report.read_as] == [
        ("missing_since", "2026-11-21T00:00:00Z")
    ]


def test_last_seen_after_the_report_is_taken_and_read_as_the_report_time_7_22() -> None:
    message = example("01-misper-report")
    reported_at = message["data"]["reported_at"]
    message["data"]["last_seen"]["at"] = "2026-11-21T00:00:00Z"
    report = parse_structured(encoded(message)).body
    assert isinstance(report, MisperReport)
    assert report.last_seen.at == datetime.fromisoformat(reported_at)
    assert [r.field for r in report.read_as] == ["last_seen.at"]


def test_a_report_read_around_is_stored_as_sent() -> None:
    message = example("01-misper-report")
    message["data"].update(risk_level="low", missing_since="2026-11-21T00:00:00Z")
    report = parse_structured(encoded(message)).body
    assert isinstance(report, MisperReport)
    assert report.as_sent()["risk_level"] == "low"
    assert report.as_sent()["missing_since"] == "2026-11-21T00:00:00Z"
    assert MisperReport.model_validate(report.as_sent()) == report


@pytest.mark.parametrize("left_out", [True, False], ids=["absent", "null"])
@pytest.mark.parametrize(
    ("field", "read", "paragraph"),
    [
        ("risk_level", "medium", "6.5"),
        ("cse_risk", "false", "6.6"),
        ("uasc", "false", "4.3"),
        ("legal_status", "not_known", "7.6"),
    ],
)
def test_a_misper_report_leaving_out_a_field_it_routes_on_is_taken_and_read_around(
    field: str, read: str, paragraph: str, left_out: bool
) -> None:
    """A missing child is never refused for what the hub can route around: the field left
    out (or sent null) is read as the protocol allows, the force told, the report kept as sent."""
    message = example("01-misper-report")
    if left_out:
        del message["data"][field]
    else:
        message["data"][field] = None
    report = parse_structured(encoded(message)).body
    assert isinstance(report, MisperReport)
    assert report.read_as == (ReadAs(field, "not given", read, paragraph),)
    assert report.as_sent()[field] is None  # as sent: not given, not what the hub read
    assert MisperReport.model_validate(report.as_sent()) == report


def test_a_misper_report_grading_the_child_with_no_known_grade_is_refused() -> None:
    """A value the contract does not know is not a value left out: refused as today."""
    message = example("01-misper-report")
    message["data"]["risk_level"] = "purple"
    assert "data.risk_level" in problems_of(encoded(message))


def test_every_failing_field_is_named_at_once() -> None:
    message = example("01-misper-report")
    message["data"]["uasc"] = "maybe"  # left out, it would be read as false: taken
    message["data"]["nickname"] = "JJ"
    message["data"]["reported_at"] = "yesterday"
    problems = problems_of(encoded(message))
    assert set(problems) == {"data.uasc", "data", "data.reported_at"}
    assert problems["data"].startswith("has a field that is not in this contract")


def test_a_timestamp_without_an_offset_is_refused() -> None:
    message = example("02-mash-rating")
    message["data"]["rated_at"] = "2026-11-21T09:30:00"
    assert "data.rated_at" in problems_of(encoded(message))


def test_an_unknown_version_is_refused_naming_the_type() -> None:
    message = example("02-mash-rating")
    message["type"] = "uk.missing-children.mash-rating.v2"
    assert "not a contract the hub accepts" in problems_of(encoded(message))["type"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "is empty"),
        (b"{not json", "is not JSON"),
        (b"\xff\xfe\x00bad", "is not UTF-8"),
        (b" " * (MAX_MESSAGE_BYTES + 1), "is larger than"),
    ],
    ids=["empty", "not-json", "not-utf8", "oversized"],
)
def test_unreadable_messages_are_refused_with_the_reason(raw: bytes, reason: str) -> None:
    assert reason in problems_of(raw)["(message)"]


def test_a_completed_return_interview_needs_its_assessment_7_7() -> None:
    message = example("07-return-interview")
    del message["data"]["assessment"]
    assert "7.7" in problems_of(encoded(message))["data.assessment"]


def test_an_interview_completed_after_it_was_recorded_is_taken_completed_when_recorded() -> None:
    """5.12: a completed interview's findings are shared (5.17, 5.18) and its duties done;
    its completion cannot follow its record (a clock skew, a typo): read as `recorded_at`,
    the latest it can truly be."""
    message = example("07-return-interview")
    recorded_at = message["data"]["recorded_at"]
    message["data"]["completed_at"] = "2026-11-26T18:00:00Z"
    result = parse_structured(encoded(message)).body
    assert isinstance(result, ReturnInterviewResult)
    assert result.completed_at == datetime.fromisoformat(recorded_at)
    assert result.read_as == (
        ReadAs("completed_at", "2026-11-26T18:00:00Z", "2026-11-26T16:00:00Z", "5.12"),
    )
    assert result.as_sent()["completed_at"] == "2026-11-26T18:00:00Z"  # stored as sent


@pytest.mark.parametrize("blank", [{"reason": ""}, {"reason": "   "}, {}])
def test_a_risk_update_giving_no_reason_is_taken_7_17(blank: dict[str, str]) -> None:
    """No rule reads why police re-graded: a child graded high is met about (7.17) whether
    or not the force wrote why, as a name left blank is a name not given."""
    message = example("03-risk-update")
    del message["data"]["reason"]
    message["data"] |= blank
    update = parse_structured(encoded(message)).body
    assert isinstance(update, RiskUpdate)
    assert update.reason is None


@pytest.mark.parametrize("blank", [{"found_where": ""}, {"found_where": "  "}, {}])
def test_a_found_report_giving_no_place_is_taken_5_1(blank: dict[str, str]) -> None:
    """Refused, the search would go on for a child found and no return interview be owed
    (5.12): a place left out or blank is not given, as a name left blank is not."""
    message = example("05-found-report")
    del message["data"]["found_where"]
    message["data"] |= blank
    found = parse_structured(encoded(message)).body
    assert isinstance(found, FoundReport)
    assert found.found_where is None


def test_a_risk_disagreement_giving_no_reason_is_taken_6_7() -> None:
    message = example("04-risk-disagreement")
    message["data"]["reason"] = ""
    raised = parse_structured(encoded(message)).body
    assert isinstance(raised, RiskDisagreementRaised)
    assert raised.reason is None


def test_a_placement_notice_needs_the_placed_child_8_9() -> None:
    message = example("08-cross-border-notice")
    del message["data"]["placed_child"]
    assert "8.9" in problems_of(encoded(message))["data.placed_child"]


def test_personal_data_never_appears_in_an_error() -> None:
    message = example("01-misper-report")
    hostile = "Jordan Example <script>alert(1)</script>"
    message["data"]["child"]["name"] = hostile * 10  # too long: refused
    message["data"]["child_id"] = "Jordan Example"  # a name where an id belongs
    message["data"]["circumstances"] = ""
    with pytest.raises(BadMessage) as caught:
        parse_structured(encoded(message))
    assert "Jordan" not in str(caught.value)
    assert "script" not in str(caught.value)


def test_a_kafka_key_that_is_not_the_child_id_is_refused() -> None:
    event = parse_structured(encoded(example("02-mash-rating")))
    wire = to_kafka(event)
    with pytest.raises(BadMessage) as caught:
        from_kafka(wire.headers, b"someone-else", wire.value)
    assert [p.field for p in caught.value.problems] == ["key"]


def test_a_kafka_message_without_cloudevents_headers_is_refused() -> None:
    event = parse_structured(encoded(example("02-mash-rating")))
    wire = to_kafka(event)
    with pytest.raises(BadMessage) as caught:
        from_kafka({}, b"CF-100231", wire.value)
    assert {p.field for p in caught.value.problems} >= {"ce_id", "ce_type"}


def test_a_cloudevents_header_with_no_value_is_refused_naming_it() -> None:
    wire = to_kafka(parse_structured(encoded(example("02-mash-rating"))))
    headers: dict[str, bytes | None] = {**wire.headers, "ce_id": None}
    with pytest.raises(BadMessage) as caught:
        from_kafka(headers, b"CF-100231", wire.value)
    assert [(p.field, p.reason) for p in caught.value.problems] == [
        ("ce_id", "header has no value")
    ]


def test_a_message_round_trips_through_kafka_binary_mode() -> None:
    event = parse_structured(encoded(example("01-misper-report")))
    wire = to_kafka(event)
    assert wire.key == "CF-100231"
    assert wire.headers["ce_type"] == b"uk.missing-children.misper-report.v1"
    back = from_kafka(wire.headers, b"CF-100231", wire.value)
    assert back.body == event.body
    assert back.event_id == event.event_id
