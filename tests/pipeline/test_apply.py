"""One transaction per batch: applied events, the routing log, the outbox and the timers;
bad input stored and reported; resends de-duplicated. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.registry import REJECTED_TOPIC
from hub.contracts.vocabulary import RiskLevel
from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import Record
from hub.service.refusals import expire_held
from hub.store.database import make_engine, migrate, sessions
from hub.store.models import (
    MESSAGE_ID_LIMIT,
    ChildRecord,
    InboundEvent,
    OutboxMessage,
    RejectedMessage,
    RoutingDecision,
    TimerRecord,
)
from hub.store.outbox import Source, rejection_report
from hub.store.outcomes import load_child
from tests.helpers import example
from tests.pipeline.records import misper_record, raw_record, record_of

DIRECTORY = load_directory()
NOW = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)
Store = sessionmaker[Session]


def apply(store: Store, *records: Record) -> None:
    apply_batch(store, records, DIRECTORY, NOW)


def rows(store: Store, model: type) -> int:
    with store() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_misper_report_is_logged_queued_and_its_timers_scheduled(store: Store) -> None:
    result = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert result.applied == 1
    assert result.notifications == rows(store, RoutingDecision) == rows(store, OutboxMessage) > 5
    with store() as session:
        topics = set(session.scalars(select(OutboxMessage.topic)))
        timers = set(session.scalars(select(TimerRecord.name)))
    assert "notify.northamptonshire.mash" in topics
    assert "notify.luton.host_authority" in topics
    assert {"missing_24h", "strategy_meeting", "formal_review"} <= timers


def test_a_resent_event_changes_nothing(store: Store) -> None:
    apply(store, misper_record())
    before = rows(store, OutboxMessage)
    result = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert result.duplicates == 1
    assert rows(store, OutboxMessage) == before
    assert rows(store, InboundEvent) == 1


def test_a_duty_already_in_the_routing_log_is_never_logged_or_sent_twice(store: Store) -> None:
    apply(store, misper_record())
    logged, queued = rows(store, RoutingDecision), rows(store, OutboxMessage)
    with store.begin() as session:  # the event and the child forgotten, the duties logged
        session.execute(delete(InboundEvent))
        session.execute(delete(ChildRecord))
    result = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered, result.notifications) == (1, 0, 0)
    assert rows(store, RoutingDecision) == logged
    assert rows(store, OutboxMessage) == queued


def test_the_same_id_with_a_different_body_is_refused_and_never_overwrites(store: Store) -> None:
    apply(store, misper_record())
    apply(store, misper_record(data={"risk_level": "high"}))
    with store() as session:
        [rejected] = session.scalars(select(RejectedMessage)).all()
        stored = session.get(InboundEvent, "evt-police-0001")
    assert rejected.kind == "conflicting_resend"
    assert stored is not None
    assert stored.body["risk_level"] == "medium"


def _graded(risk_level: str | None) -> Record:
    """The example MISPER report graded `risk_level`, or leaving the grading out (None)."""
    sent = misper_record()
    data = json.loads(sent.value or b"")
    if risk_level is None:
        del data["risk_level"]
    else:
        data["risk_level"] = risk_level
    return replace(sent, value=json.dumps(data).encode())


@pytest.mark.parametrize("grading", ["low", None], ids=["graded low", "left out"])
def test_6_5_a_child_graded_low_or_not_graded_is_routed_as_medium_its_report_stored_as_sent(
    store: Store, grading: str | None
) -> None:
    """6.5: under-18s are medium or high: a child graded low, or a report leaving the
    grading out, is the child reported missing all the same: applied (never refused), routed
    as medium, the force told, the report stored as sent and its resend known as one."""
    report = _graded(grading)
    assert apply_batch(store, [report], DIRECTORY, NOW).applied == 1
    with store() as session:
        stored = session.get(InboundEvent, "evt-police-0001")
        [check] = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == "check_misper_report")
        ).all()
        child = load_child(session, "CF-100231")
    assert stored is not None
    assert stored.body["risk_level"] == grading  # as sent: left out is null
    assert (check.authority, check.paragraph) == ("bedfordshire-police", "6.5")
    assert child.episodes[0].risk_level is RiskLevel.MEDIUM  # as stored and read again
    assert rows(store, RejectedMessage) == 0
    assert apply_batch(store, [report], DIRECTORY, NOW).duplicates == 1  # its resend, as sent


def test_6_5_a_low_update_held_for_its_misper_report_is_read_as_medium_when_released(
    store: Store,
) -> None:
    """Held until its MISPER report comes, the update is tried again from its record as
    sent: read as medium then, and the force told, as had it come after the report."""
    update = example("03-risk-update")
    update["data"] |= {"risk_level": "low", "cse_risk": False}
    held = record_of(update, topic="inbound.risk-update.bedfordshire-police")
    assert apply_batch(store, [held], DIRECTORY, NOW).held == 1
    assert apply_batch(store, [misper_record()], DIRECTORY, NOW).applied == 2
    with store() as session:
        stored = session.get(InboundEvent, "bedfordshire-police:evt-police-0003")
        [check] = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == "check_risk_update")
        ).all()
        child = load_child(session, "CF-100231")
    assert stored is not None
    assert stored.body["risk_level"] == "low"
    assert (check.authority, check.paragraph) == ("bedfordshire-police", "6.5")
    assert child.episodes[0].risk_level is RiskLevel.MEDIUM


def test_two_forces_using_the_same_event_id_each_have_their_report_applied(store: Store) -> None:
    """CloudEvents: an id is unique within its source. Two forces numbering alike must not
    have one's MISPER report refused as a resend of the other's, nor share its duties."""

    def report_by(force: str, child: str) -> Record:
        document = example("01-misper-report")  # the same id, evt-police-0001
        document["source"] = f"/police/{force.removesuffix('-police')}/compact"
        document["data"].update(child_id=child, episode_id=f"EP-{child}", reporting_force=force)
        return record_of(document, topic=f"inbound.misper-report.{force}")

    result = apply_batch(
        store,
        [report_by("northamptonshire-police", "CF-1"), report_by("bedfordshire-police", "CF-2")],
        DIRECTORY,
        NOW,
    )
    assert (result.applied, result.rejected) == (2, 0)
    with store() as session:
        mash = session.scalars(
            select(OutboxMessage.key).where(OutboxMessage.topic == "notify.northamptonshire.mash")
        ).all()
    assert sorted(mash) == [b"CF-1", b"CF-2"]


def test_a_report_on_a_forces_own_topic_naming_no_force_was_made_to_that_force(
    store: Store,
) -> None:
    """On its own topic the sender is the force the child was reported to: its police
    duties go to it, not held for a name it left out (1.6, 5.12)."""
    misper = example("01-misper-report")
    misper["source"] = "/police/bedfordshire/compact"
    del misper["data"]["reporting_force"]
    misper["data"]["residence_authority"] = None  # at home: the reporting force's duties
    found = example("05-found-report")
    found["source"] = "/police/bedfordshire/compact"
    records = [
        record_of(misper, topic="inbound.misper-report.bedfordshire-police"),
        record_of(found, topic="inbound.found-report.bedfordshire-police"),
    ]
    assert apply_batch(store, records, DIRECTORY, NOW).applied == 2
    with store() as session:
        [interview] = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == "conduct_prevention_interview")
        ).all()
        stored = session.get(InboundEvent, "bedfordshire-police:evt-police-0001")
    assert (interview.authority, interview.unroutable_field) == ("bedfordshire-police", None)
    assert stored is not None
    assert "reporting_force" not in stored.body or stored.body["reporting_force"] is None


def test_a_report_forged_in_another_forces_name_is_kept_and_its_sender_told(
    store: Store,
) -> None:
    """docs/security.md: a message naming another agency than the one whose topic it came
    on is refused as `wrong_sender`, stored as sent and reported on the sender's own
    refusals topic (field and reason, never the values); nobody is told of the child."""
    forged = example("01-misper-report")
    forged["source"] = "/police/bedfordshire/compact"
    forged["data"]["reporting_force"] = "metropolitan-police"
    record = record_of(forged, topic="inbound.misper-report.bedfordshire-police")
    assert apply_batch(store, [record], DIRECTORY, NOW).rejected == 1
    with store() as session:
        [kept] = session.scalars(select(RejectedMessage)).all()
        [report] = session.scalars(select(OutboxMessage)).all()
    assert (kept.kind, kept.value) == ("wrong_sender", record.value)
    assert report.topic == "notify.bedfordshire-police.refusals"
    told = json.loads(report.value)
    assert told["problems"] == [
        {"field": "data.reporting_force", "reason": "is another police force than the sender"}
    ]
    assert b"Jordan" not in report.value  # the child's name, never echoed
    assert b"metropolitan" not in report.value  # nor the value refused
    assert rows(store, RoutingDecision) == 0


def placing_interview_from(authority: str) -> list[Record]:
    """The child reported missing and found, then `authority`, on its own topic, saying it
    interviewed the child as its placing authority (8.10). The report names the home
    authority as responsible for the child, and Luton as where it lives."""
    interview = example("07-return-interview")
    interview["source"] = f"/la/{authority}/cs"
    interview["data"]["interviewer"] = "placing_authority"
    return [
        record_of(example("01-misper-report")),
        record_of(example("05-found-report"), topic="inbound.found-report"),
        record_of(interview, topic=f"inbound.return-interview.{authority}"),
    ]


def test_5_12_an_interview_completed_after_its_record_is_applied_and_stored_as_sent(
    store: Store,
) -> None:
    interview = example("07-return-interview")
    interview["data"]["completed_at"] = "2026-11-26T18:00:00Z"  # after recorded_at, 16:00
    records = [
        record_of(example("01-misper-report")),
        record_of(example("05-found-report"), topic="inbound.found-report"),
        record_of(interview, topic="inbound.return-interview"),
    ]
    assert apply_batch(store, records, DIRECTORY, NOW).applied == 3
    with store() as session:
        stored = session.get(InboundEvent, "evt-mct-0007")
        [check] = session.scalars(
            select(RoutingDecision).where(RoutingDecision.action == "check_return_interview")
        ).all()
    assert stored is not None
    assert stored.body["completed_at"] == "2026-11-26T18:00:00Z"
    assert check.paragraph == "5.12 (Independent Return Interview)"
    assert interview_chased(store) == ["cancelled"]
    assert apply_batch(store, records[2:], DIRECTORY, NOW).duplicates == 1  # its resend


def interview_chased(store: Store) -> list[str]:
    with store() as session:
        return list(
            session.scalars(
                select(TimerRecord.status).where(TimerRecord.name == "return_interview_overdue")
            ).all()
        )


def test_8_10_only_the_placing_authority_reports_an_interview_as_placing_authority(
    store: Store,
) -> None:
    """Luton, the child's host authority, says it interviewed our own child as its placing
    authority: refused, and the MCT's interview stays owed and chased (5.12)."""
    result = apply_batch(store, placing_interview_from("luton"), DIRECTORY, NOW)
    assert (result.applied, result.rejected) == (2, 1)
    with store() as session:
        [refused] = session.scalars(select(RejectedMessage)).all()
    assert (refused.kind, refused.problems[0]["field"]) == ("wrong_sender", "data.interviewer")
    assert interview_chased(store) == ["pending"]


def test_8_10_a_strangers_interview_as_placing_authority_is_held_as_about_no_episode(
    store: Store,
) -> None:
    """Leeds is no party to the child's episode: refused at once for not being the placing
    authority, it would learn the child has an episode. Held, as about an episode the hub
    never had, and the MCT's interview stays owed and chased (5.12)."""
    result = apply_batch(store, placing_interview_from("leeds"), DIRECTORY, NOW)
    assert (result.applied, result.held, result.rejected) == (2, 1, 0)
    assert interview_chased(store) == ["pending"]


def test_the_longest_id_an_agency_may_send_fits_with_its_code(store: Store) -> None:
    """Migration 0015: `<agency>:<id>` is up to 48 + 1 + 128 characters."""
    document = example("01-misper-report")
    document["id"] = "e" * 128
    document["source"] = "/police/bedfordshire/compact"
    record = record_of(document, topic="inbound.misper-report.bedfordshire-police")
    assert apply_batch(store, [record], DIRECTORY, NOW).applied == 1
    with store() as session:
        assert session.get(InboundEvent, "bedfordshire-police:" + "e" * 128) is not None


def test_bad_input_is_stored_with_its_source_and_reported_keyed_as_it_came(store: Store) -> None:
    bad = raw_record(b"not json", key=b"CF-9")
    result = apply_batch(store, [bad, misper_record()], DIRECTORY, NOW)
    assert (result.rejected, result.applied) == (1, 1)
    with store() as session:
        [rejected] = session.scalars(select(RejectedMessage)).all()
        [report] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == REJECTED_TOPIC)
        ).all()
    assert (rejected.topic, rejected.offset, rejected.value) == (bad.topic, bad.offset, b"not json")
    assert report.key == b"CF-9"
    assert json.loads(report.value)["source"]["offset"] == bad.offset


def test_a_key_no_child_id_could_be_is_refused_and_the_rest_applied(store: Store) -> None:
    """A serializer's key (Schema Registry's starts with a zero byte): PostgreSQL's text
    cannot hold it, and looking it up as a child's id failed every batch for ever."""
    registry_key = replace(misper_record(id="evt-keyed"), key=b"\x00\x00\x00\x01")
    result = apply_batch(store, [registry_key, misper_record()], DIRECTORY, NOW)
    assert (result.rejected, result.applied) == (1, 1)
    with store() as session:
        [rejected] = session.scalars(select(RejectedMessage)).all()
    assert [p["field"] for p in rejected.problems] == ["key"]


def test_an_id_that_is_no_event_id_is_never_repeated_back(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender's id field could hold anything, a child's name included: the refusal, its
    log line and its report name the message by its source only."""
    caplog.set_level(logging.INFO)
    named = raw_record(b"not json", ce_id=b"Jordan Example 2011-03-14")
    trailing = raw_record(b"not json", ce_id=b"evt-1\n")  # the pattern's $ allows it
    assert apply_batch(store, [named, trailing], DIRECTORY, NOW).rejected == 2
    with store() as session:
        refused = session.scalars(select(RejectedMessage)).all()
        reports = session.scalars(select(OutboxMessage)).all()
    assert [r.event_id for r in refused] == [None, None]
    assert not [r for r in reports if b"Jordan" in r.value]
    assert "Jordan" not in caplog.text


def test_a_header_with_no_value_never_stops_a_message_being_stored_or_applied(
    store: Store,
) -> None:
    """Kafka allows a header with no value: a bad message carrying one is still stored and
    reported (it raised, and the batch was retried for ever), a good one still applied."""
    bad = raw_record(b"not json", x_trace=None)
    good = misper_record()
    good = replace(good, headers=[*good.headers, ("x-trace", None)])
    assert (
        apply_batch(store, [bad, good], DIRECTORY, NOW).rejected,
        rows(store, InboundEvent),
    ) == (
        1,
        1,
    )
    with store() as session:
        [rejected] = session.scalars(select(RejectedMessage)).all()
    assert ["x_trace", None] in rejected.headers


def test_a_redelivered_bad_message_is_rejected_once(store: Store) -> None:
    bad = raw_record(b"")
    apply(store, bad)
    apply(store, bad)
    assert rows(store, RejectedMessage) == 1


def test_a_new_record_where_a_refused_one_was_is_applied_not_taken_for_it(
    store: Store,
) -> None:
    """A topic deleted and made again (or a cluster failed over to) numbers its records
    from 0 again: a report at the offset of a message refused before is not that message
    read again, and was dropped without a word."""
    bad = raw_record(b"not json")
    report = replace(misper_record(), offset=bad.offset)
    other_bad = replace(raw_record(b"{not json either"), offset=bad.offset)
    for record in (bad, report, other_bad, bad):
        apply(store, record)
    assert rows(store, InboundEvent) == 1
    assert rows(store, RejectedMessage) == 2


def test_a_refusal_from_a_topic_with_a_long_name_has_an_id_that_fits() -> None:
    """A report's id names its source, and a topic's name may be up to 249 characters."""
    long_topic = "t0123456.inbound.strategy-meeting-held." + "a" * 120
    report = rejection_report(
        Source(long_topic, 0, 2**40, b"CF-1"), "bad_message", [], None, NOW, DIRECTORY, "ab" * 32
    )
    assert len(report.message_id) <= MESSAGE_ID_LIMIT
    assert report.message_id.startswith("rejected:")


def test_a_protocol_violation_is_rejected_with_its_field(store: Store) -> None:
    apply(
        store, misper_record(data={"responsible_authority": "kent", "residence_authority": "essex"})
    )
    with store() as session:
        [rejected] = session.scalars(select(RejectedMessage)).all()
    assert rejected.kind == "protocol_violation"
    assert rejected.problems[0]["field"] == "data.residence_authority"


def test_a_rejection_report_never_carries_the_childs_details(store: Store) -> None:
    apply(
        store, misper_record(data={"responsible_authority": "kent", "residence_authority": "essex"})
    )
    with store() as session:
        [report] = session.scalars(select(OutboxMessage.value)).all()
    assert b"Jordan" not in report


def found_record() -> Record:
    return record_of(example("05-found-report"), topic="inbound.found-report")


def test_a_found_report_read_before_its_misper_report_waits_for_it(store: Store) -> None:
    held = apply_batch(store, [found_record()], DIRECTORY, NOW)
    assert held.held == 1
    assert rows(store, OutboxMessage) == 0  # not an error yet: nothing reported
    released = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert released.applied == 2
    with store() as session:
        statuses = set(session.scalars(select(RejectedMessage.status)))
        found_duties = session.scalars(
            select(RoutingDecision).where(RoutingDecision.cause == "evt-police-0005")
        ).all()
    assert statuses == {"resolved"}
    assert found_duties


def test_in_one_batch_the_order_across_topics_does_not_matter(store: Store) -> None:
    result = apply_batch(store, [found_record(), misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.rejected) == (2, 0)


def savepoints_taken(store: Store) -> list[str]:
    """Every savepoint the store's engine takes from now on: one per record applied alone."""
    taken: list[str] = []
    event.listen(store.kw["bind"], "savepoint", lambda _connection, name: taken.append(name))
    return taken


def test_records_read_out_of_order_are_held_and_released_in_the_batchs_one_write(
    store: Store,
) -> None:
    """After an outage a child's found report is read before its MISPER report: it waits,
    and the MISPER report releases it, in the batch's one write with another child's."""
    other_child = misper_record(id="evt-other", data={"child_id": "CF-9", "episode_id": "EP-9"})
    taken = savepoints_taken(store)
    result = apply_batch(store, [found_record(), other_child, misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.rejected, taken) == (3, 0, [])
    with store() as session:
        causes = set(session.scalars(select(RoutingDecision.cause)))
        statuses = set(session.scalars(select(RejectedMessage.status)))
    assert {"evt-other", "evt-police-0005"} <= causes
    assert statuses == {"resolved"}  # the found report waited, and is kept as having waited


def test_a_record_held_in_an_earlier_batch_is_released_in_this_batchs_one_write(
    store: Store,
) -> None:
    apply(store, found_record())  # held: its MISPER report has not come
    taken = savepoints_taken(store)
    result = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert (result.applied, taken) == (2, [])
    with store() as session:
        assert session.scalars(select(RejectedMessage.status)).all() == ["resolved"]


def test_a_found_report_for_an_episode_not_yet_reported_waits_beside_its_childs_misper(
    store: Store,
) -> None:
    """A child's MISPER report, then a found report for an episode not yet reported: the
    found report is held, the MISPER report applied once, both in one write."""
    found_early = record_of(
        {**example("05-found-report"), "id": "evt-found-9"}
        | {"data": example("05-found-report")["data"] | {"episode_id": "EP-9"}},
        topic="inbound.found-report",
    )
    taken = savepoints_taken(store)
    result = apply_batch(store, [misper_record(), found_early], DIRECTORY, NOW)
    assert (result.applied, result.held, result.duplicates, taken) == (1, 1, 0, [])
    assert rows(store, InboundEvent) == 1
    with store() as session:
        assert session.scalars(select(RejectedMessage.status)).all() == ["held"]


def test_a_held_record_whose_misper_never_comes_is_rejected_and_reported(store: Store) -> None:
    apply(store, found_record())
    with store.begin() as session:
        assert expire_held(session, NOW + timedelta(hours=25), timedelta(hours=24), DIRECTORY) == 1
    with store() as session:
        [rejected] = session.scalars(select(RejectedMessage)).all()
        reports = session.scalars(select(OutboxMessage.topic)).all()
    assert (rejected.kind, rejected.status) == ("protocol_violation", "open")
    assert reports == [REJECTED_TOPIC]


def test_the_same_bad_record_twice_in_one_batch_is_rejected_once(store: Store) -> None:
    bad = raw_record(b"")
    result = apply_batch(store, [bad, bad], DIRECTORY, NOW)
    assert (result.rejected, result.duplicates) == (1, 1)
    assert rows(store, RejectedMessage) == 1


def test_a_database_error_never_quotes_the_values_it_tried_to_write(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    row = {
        "event_id": "E1",
        "ce_type": "t",
        "child_id": "C1",
        "episode_id": None,
        "body_sha256": "x",
        "body": {"name": "Jordan Example"},
        "topic": "t",
        "partition": 0,
        "offset": 0,
        "received_at": NOW,
    }
    with engine.begin() as connection:
        connection.execute(insert(InboundEvent), row)
    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.execute(insert(InboundEvent), row)
    engine.dispose()
    assert "Jordan" not in str(caught.value)


def stored_state_gone_bad(store: Store) -> None:
    """Jordan's state as an older hub might have written it: the report's child without a
    field this one requires."""
    apply_batch(store, [misper_record()], DIRECTORY, NOW)
    with store.begin() as session:
        row = session.scalars(select(ChildRecord)).one()
        state = json.loads(json.dumps(row.state))
        del state["episodes"][0]["report"]["child"]["sex"]
        row.state = state


def test_a_stored_state_that_fails_validation_never_quotes_the_child(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """pydantic's error quotes the input it refused, and a stored state holds the child's
    name: the error says where and why only, for a log line or a traceback to repeat."""
    stored_state_gone_bad(store)
    found = record_of(example("05-found-report"), "inbound.found-report")
    with pytest.raises(ValidationError) as caught:
        apply_batch(store, [found], DIRECTORY, NOW)
    assert "episodes.0.report.child.sex" in str(caught.value)
    assert "Jordan" not in str(caught.value)
    assert "Jordan" not in caplog.text


def failing_for(event_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine fails unexpectedly (a bug) for one event, and only that one."""
    from hub.routing.engine import decide as real

    def decide(*args: object, **kwargs: object) -> object:
        if args[4] == event_id:
            raise RuntimeError("a bug that quotes Jordan Example")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("hub.service.applying.decide", decide)


def test_a_message_that_fails_unexpectedly_is_dead_lettered_and_the_rest_applied(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_for("evt-bug", monkeypatch)
    buggy = misper_record(id="evt-bug", data={"child_id": "CF-9", "episode_id": "EP-9"})
    result = apply_batch(store, [buggy, misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered) == (1, 1)
    with store() as session:
        (letter,) = session.scalars(select(RejectedMessage)).all()
    assert letter.kind == "dead_letter"
    assert "RuntimeError" in letter.problems[0]["reason"]
    assert "Jordan" not in json.dumps(letter.problems)


def test_a_message_failing_unexpectedly_is_tried_three_times_then_dead_lettered_by_type_and_line(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/pipeline.md: a bug in one message is tried 3 times, each in a savepoint, then
    dead-lettered with the error's type and line, never its text."""
    from hub.routing.engine import decide as real

    tries = 0

    def decide(*args: object, **kwargs: object) -> object:
        nonlocal tries
        if args[4] == "evt-bug":
            tries += 1
            raise RuntimeError("a bug that quotes Jordan Example")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("hub.service.applying.decide", decide)
    buggy = misper_record(id="evt-bug", data={"child_id": "CF-9", "episode_id": "EP-9"})
    result = apply_batch(store, [buggy, misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered) == (1, 1)
    assert tries == 1 + 3  # once with the whole batch, then 3 times on its own
    with store() as session:
        (letter,) = session.scalars(select(RejectedMessage)).all()
    assert re.fullmatch(
        r"failed 3 times \(RuntimeError at .*test_apply\.py:\d+\)", letter.problems[0]["reason"]
    )


def test_a_held_record_failing_when_released_never_takes_the_misper_report_with_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The MISPER report that releases a held found report is applied, and the found
    report, failing for a reason of its own, is dead-lettered alone (it took the child's
    MISPER report with it, dead-lettered as well)."""
    apply(store, found_record())  # held: its MISPER report has not come
    failing_for("evt-police-0005", monkeypatch)  # releasing it will fail
    result = apply_batch(store, [misper_record()], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered, result.duplicates) == (1, 1, 0)
    with store() as session:
        (letter,) = session.scalars(select(RejectedMessage)).all()
        applied = session.scalars(select(InboundEvent.event_id)).all()
    assert (letter.event_id, letter.kind, letter.status) == (
        "evt-police-0005",
        "dead_letter",
        "open",
    )
    assert applied == ["evt-police-0001"]


def cross_border_notice(from_authority: str, topic: str = "inbound.cross-border-notice") -> Record:
    document = example("08-cross-border-notice")
    document["data"]["from_authority"] = from_authority
    return record_of(document, topic=topic)


def test_a_placement_notice_from_a_name_with_no_letter_of_a_code_is_applied(
    store: Store,
) -> None:
    """Section 8, 2.1: an authority the directory does not know is routed around. A name
    such as "Ñ" has no letter or digit to write a code with: its notice was dead-lettered."""
    result = apply_batch(store, [cross_border_notice("Ñ")], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered) == (1, 0)


def test_a_notice_on_an_authoritys_own_topic_naming_no_known_authority_is_from_it(
    store: Store,
) -> None:
    notice = cross_border_notice(
        "Leicestershire C.C. Children", topic="inbound.cross-border-notice.leicestershire"
    )
    assert apply_batch(store, [notice], DIRECTORY, NOW).applied == 1
    with store() as session:
        facts = session.scalars(select(RoutingDecision.details)).all()
    assert {f["from_authority"] for f in facts} == {"leicestershire"}


def test_a_release_undone_by_another_records_failure_is_done_once_record_by_record(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's one write releases a held found report, then another child's message
    fails: all of it is rolled back and applied record by record, the release once."""
    apply(store, found_record())  # held: its MISPER report has not come
    failing_for("evt-bug", monkeypatch)
    buggy = misper_record(id="evt-bug", data={"child_id": "CF-9", "episode_id": "EP-9"})
    result = apply_batch(store, [misper_record(), buggy], DIRECTORY, NOW)
    assert (result.applied, result.dead_lettered) == (2, 1)
    with store() as session:
        refusals = session.execute(select(RejectedMessage.kind, RejectedMessage.status)).all()
        logged = session.scalar(
            select(func.count())
            .select_from(RoutingDecision)
            .where(RoutingDecision.cause == "evt-police-0005")
        )
    assert sorted(refusals) == [("awaiting_predecessor", "resolved"), ("dead_letter", "open")]
    assert logged


def test_a_found_report_in_the_same_batch_as_its_misper_report_cancels_its_timers(
    store: Store,
) -> None:
    result = apply_batch(store, [misper_record(), found_record()], DIRECTORY, NOW)
    assert result.applied == 2
    with store() as session:
        rows = session.execute(
            select(TimerRecord.name, TimerRecord.status).where(
                TimerRecord.episode_id == "EP-2026-0412"
            )
        )
        timers = {name: status for name, status in rows}
    assert timers["missing_24h"] == "cancelled"  # the report's timers (7.18), the child found
    assert timers["strategy_meeting"] == "cancelled"


def test_a_partition_read_past_offset_2_31_is_stored_as_read_and_the_hub_goes_on(
    store: Store,
) -> None:
    """A partition's offset grows for ever (64 bits): a report read at 2^31 + 7 and a record
    refused at the next offset are stored at the offsets they were read at, and the next
    report applies (a 32-bit column stopped the hub there for ever; migration 0006)."""
    far = 2**31 + 7
    refused = replace(raw_record(b"not json"), offset=far + 1)
    apply_batch(store, [replace(misper_record(), offset=far), refused], DIRECTORY, NOW)
    later = misper_record(id="evt-later", data={"child_id": "CF-9", "episode_id": "EP-9"})
    result = apply_batch(store, [replace(later, offset=far + 2)], DIRECTORY, NOW)
    with store() as session:
        events = session.scalars(select(InboundEvent.offset).order_by(InboundEvent.offset)).all()
        refusals = session.scalars(select(RejectedMessage.offset)).all()
    assert result.applied == 1
    assert (events, refusals) == ([far, far + 2], [far + 1])


def test_rows_numbered_past_2_31_are_written(postgres_url: str) -> None:
    """Row ids grow for ever too: on PostgreSQL (SQLite's are 64-bit already) an outbox and
    refusals numbered past 2^31 still take a report's notifications and a refusal
    (migration 0006)."""
    far = 2**31 + 7
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    store = sessions(engine)
    try:
        with store.begin() as session:
            for table in ("outbox", "rejected_messages"):
                session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {far})")
                )
        apply_batch(store, [misper_record(), raw_record(b"not json")], DIRECTORY, NOW)
        with store() as session:
            queued = session.scalars(select(OutboxMessage.id)).all()
            refusals = session.scalars(select(RejectedMessage.id)).all()
    finally:
        engine.dispose()
    assert queued  # the report's notifications
    assert refusals
    assert min([*queued, *refusals]) > far


def test_a_found_report_cancels_its_own_childs_timers_and_no_one_elses(store: Store) -> None:
    """Cancels are written for a whole batch at once, as (child, timer) pairs: another child
    with a timer of the same name and episode keeps it (7.18)."""
    twin = misper_record(id="evt-twin", data={"child_id": "CF-TWIN"})  # same episode id
    apply_batch(store, [misper_record(), twin, found_record()], DIRECTORY, NOW)
    with store() as session:
        rows = session.execute(
            select(TimerRecord.child_id, TimerRecord.status).where(
                TimerRecord.name == "missing_24h"
            )
        )
        statuses = {child: status for child, status in rows}
    assert statuses == {"CF-100231": "cancelled", "CF-TWIN": "pending"}
