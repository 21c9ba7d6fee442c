"""A record about an episode the hub has no MISPER report for is held for a day, waiting
for its report (records may arrive out of order), then refused. The home police force and
the home authority are parties to every episode of the hub (hub.access.senders): told at
once that theirs is held, their control room checks the id while the child's episode still
runs. Any other sender is told nothing until the hold expires (a stranger must learn
nothing of which episodes exist)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from hub.routing.directory import load_directory
from hub.service.applying import apply_batch
from hub.service.batch import Record
from tests.helpers import example
from tests.pipeline.records import misper_record, record_of
from tests.pipeline.test_refusal_reports_to_strangers import holds_expire
from tests.pipeline.test_refusal_reports_to_strangers import reports_told as told

DIRECTORY = load_directory()
REPORTED = datetime(2026, 11, 20, 18, 41, tzinfo=UTC)  # the example MISPER report's
FOUND = datetime(2026, 11, 24, 11, 20, tzinfo=UTC)  # the example found report's
MISTYPED = "EP-2026-0421"  # the example episode's id, two digits swapped
Store = sessionmaker[Session]


def found_by_the_home_force(episode_id: str, event_id: str = "nph-found-1") -> Record:
    """Northamptonshire Police, the home force, on its own topic: the child found."""
    document = example("05-found-report")
    document["id"], document["source"] = event_id, "/police/northamptonshire/niche"
    document["data"]["episode_id"] = episode_id
    return record_of(document, "inbound.found-report.northamptonshire-police")


def found_by_another_force(episode_id: str) -> Record:
    """Bedfordshire Police (the force the example child was reported to, not the home
    force), on its own topic."""
    document = example("05-found-report")
    document["data"]["episode_id"] = episode_id
    return record_of(document, "inbound.found-report.bedfordshire-police")


def test_5_12_the_home_force_is_told_at_once_its_found_report_waits_for_a_misper_report(
    store: Store,
) -> None:
    """The home force's found report names an episode id the hub has no MISPER report for
    (mistyped). Before, it was held in silence for 24 hours while the child's real episode
    went on (meetings, chases, escalations for a child at home) and a day of the 72-hour
    return interview window (5.12) was lost; now the force is told at once, naming the
    field, that it is held and not applied."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    result = apply_batch(store, [found_by_the_home_force(MISTYPED)], DIRECTORY, FOUND)
    [notice] = told(store, "northamptonshire-police")
    [problem] = notice["problems"]
    assert (result.held, notice["kind"], problem["field"]) == (1, "held", "data.episode_id")
    assert "no MISPER report" in problem["reason"]
    assert "refused after 24 hours" in problem["reason"]


def test_the_notice_is_sent_once_per_held_record_and_the_refusal_follows_on_expiry(
    store: Store,
) -> None:
    """Read again (a redelivery), tried again as the child's record changes, the held
    record is told of once; when the hold expires its refusal is reported as before."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    held = found_by_the_home_force(MISTYPED)
    apply_batch(store, [held], DIRECTORY, FOUND)
    apply_batch(store, [held], DIRECTORY, FOUND + timedelta(minutes=1))  # redelivered
    update = record_of(example("03-risk-update"), "inbound.risk-update.bedfordshire-police")
    assert apply_batch(store, [update], DIRECTORY, FOUND + timedelta(minutes=2)).applied == 1
    holds_expire(store, FOUND)
    kinds = [notice["kind"] for notice in told(store, "northamptonshire-police")]
    assert kinds == ["held", "protocol_violation"]


def test_a_found_report_applied_when_its_misper_report_comes_is_not_refused(
    store: Store,
) -> None:
    """Held records are still applied when their MISPER report arrives: the notice says it
    is held, and nothing more follows."""
    early = found_by_the_home_force("EP-2026-0412")
    assert apply_batch(store, [early], DIRECTORY, REPORTED - timedelta(minutes=5)).held == 1
    assert apply_batch(store, [misper_record()], DIRECTORY, REPORTED).applied == 2
    holds_expire(store, REPORTED)
    assert [notice["kind"] for notice in told(store, "northamptonshire-police")] == ["held"]


def test_a_record_released_in_the_batch_that_held_it_is_not_told_of(store: Store) -> None:
    """Read in one batch before its MISPER report (topics read out of order): held and
    applied in the same write, so there is nothing to tell."""
    early = found_by_the_home_force("EP-2026-0412")
    result = apply_batch(store, [early, misper_record()], DIRECTORY, REPORTED)
    assert (result.applied, told(store, "northamptonshire-police")) == (2, [])


def test_another_force_is_told_nothing_until_the_hold_expires(store: Store) -> None:
    """Bedfordshire Police is not a party to every episode: told at once, it would learn
    which episode ids the hub has (hub.access.senders, `stranger_problem`)."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    apply_batch(store, [found_by_another_force(MISTYPED)], DIRECTORY, FOUND)
    at_once = told(store, "bedfordshire-police")
    holds_expire(store, FOUND)
    assert (at_once, [n["kind"] for n in told(store, "bedfordshire-police")]) == (
        [],
        ["protocol_violation"],
    )


def test_the_home_authority_is_told_at_once_its_answer_waits_for_a_misper_report(
    store: Store,
) -> None:
    """The home authority, a party to every episode too, acknowledging a duty under an
    episode id the hub has no MISPER report for."""
    apply_batch(store, [misper_record()], DIRECTORY, REPORTED)
    answer = example("09-duty-acknowledged")
    answer["data"]["episode_id"] = MISTYPED
    record = record_of(answer, "inbound.duty-acknowledged.northamptonshire")
    assert apply_batch(store, [record], DIRECTORY, REPORTED + timedelta(hours=1)).held == 1
    [notice] = told(store, "northamptonshire")
    assert (notice["kind"], notice["problems"][0]["field"]) == ("held", "data.episode_id")
