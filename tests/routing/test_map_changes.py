"""The country's map changes under an open episode: Surrey County Council's children's
services pass to East Surrey and West Surrey on 1 April 2027 (national-directory.yaml, source
6), and the project adds them then and keeps `surrey` as an alias of both, as `cumbria` is
kept (docs/directory.md). A child's episode decided before it goes on after it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hub.contracts.vocabulary import LegalStatus
from hub.routing.directory import Alias, Authority, AuthorityKind, Directory, Nation
from hub.routing.facts import Decision, Duty, ProtocolViolation
from tests.routing.builders import DIRECTORY, PLACED_IN, START, Timeline, found, misper, told
from tests.routing.test_cross_border_notices import FOUND_AT, accepted
from tests.routing.test_duties import acknowledged, completed

SUCCESSORS = ("east-surrey", "west-surrey")


def vested(surrey: tuple[str, ...] = SUCCESSORS) -> Directory:
    """The directory once East Surrey and West Surrey take over ("add them then, and alias
    surrey"); `surrey`, an alias of the councils given."""
    reference = DIRECTORY.reference
    authorities = {code: a for code, a in reference.authorities.items() if code != "surrey"}
    for code in SUCCESSORS:
        authorities[code] = Authority(
            name=code.replace("-", " ").title(),
            gss=None,
            kind=AuthorityKind.UNITARY,
            nation=Nation.ENGLAND,
            police_force="surrey-police",
        )
    aliases = {**reference.aliases, "surrey": Alias(to=surrey)}
    changed = {"authorities": authorities, "aliases": aliases}
    return DIRECTORY.model_copy(update={"reference": reference.model_copy(update=changed)})


VESTED = vested()
# 8.8-8.13: a child Surrey placed here, reported missing before its councils vest.
PLACED_BY_SURREY: dict[str, Any] = {**PLACED_IN, "responsible_authority": "surrey"}


def _placed_by_surrey() -> tuple[Timeline, Decision]:
    """The child's placing authority told (8.10), Surrey's still; then the map changes."""
    timeline = Timeline()
    [owed] = told(timeline.receive(misper(**PLACED_BY_SURREY)), "placing_authority")
    assert (owed.authority, owed.due is not None) == ("surrey", True)
    timeline.directory = VESTED
    return timeline, owed


def _duty(timeline: Timeline, owed: Decision) -> Duty:
    [episode] = timeline.state.episodes
    duty = episode.duty(str(owed.notification_id))
    assert duty is not None
    return duty


@pytest.mark.parametrize("by", [*SUCCESSORS, "surrey", "Surrey County Council"])
def test_8_10_a_duty_surrey_owed_is_answered_by_the_councils_that_took_it_over(by: str) -> None:
    """Surrey's duty to the child it placed here, owed before its councils vest, is theirs
    after: their answer was refused as a stranger's (or, signed Surrey, as no agency's), and
    our Head of Safeguarding told it was ignored (8.12)."""
    timeline, owed = _placed_by_surrey()
    timeline.receive(acknowledged(owed, START + timedelta(minutes=20), by=by))
    timeline.receive(completed(owed, START + timedelta(hours=1), by=by))
    duty = _duty(timeline, owed)
    assert duty.acknowledged_at is not None
    assert duty.done_at is not None


def test_8_10_a_duty_surrey_owed_is_still_no_strangers_to_answer() -> None:
    timeline, owed = _placed_by_surrey()
    with pytest.raises(ProtocolViolation) as caught:
        timeline.receive(acknowledged(owed, START + timedelta(minutes=20), by="kent"))
    assert caught.value.reason == "is not the agency the duty was owed to"


def test_8_10_once_ops_name_surreys_successor_only_it_answers_for_surrey() -> None:
    """Ops name the council the child's case went to (`aliases: surrey: {to: [west-surrey]}`,
    docs/directory.md): West Surrey answers Surrey's duty, East Surrey no longer may."""
    timeline, owed = _placed_by_surrey()
    timeline.directory = vested(surrey=("west-surrey",))
    with pytest.raises(ProtocolViolation):
        timeline.receive(acknowledged(owed, START + timedelta(minutes=20), by="east-surrey"))
    timeline.receive(acknowledged(owed, START + timedelta(minutes=20), by="west-surrey"))
    assert _duty(timeline, owed).acknowledged_at is not None


@pytest.mark.parametrize("by", SUCCESSORS)
def test_8_10_a_council_that_took_over_from_surrey_confirms_its_return_interview(by: str) -> None:
    """8.10: found, the child Surrey placed here is owed a return interview by its placing
    authority, whose confirmation the hub waits for; East or West Surrey confirming it was
    refused (it named one of the two councils, the report the older name of both), and the
    handover chased up to our CSE/Missing Service Manager."""
    timeline = Timeline()
    timeline.receive(misper(**PLACED_BY_SURREY))
    timeline.receive(found(at=FOUND_AT))
    timeline.directory = VESTED
    timeline.receive(accepted(by=by))
    fired = timeline.advance(FOUND_AT + timedelta(hours=24))
    assert not told(fired, "cse_missing_service_manager", "chase_placing_authority")


def test_8_10_what_surrey_is_told_after_its_councils_vest_waits_for_ops_to_say_which() -> None:
    """A notification decided after the change for the child Surrey placed here cannot name
    one council: it is held for ops (docs/directory.md, "duties held as unroutable"), saying
    which two, never sent to Surrey's retired topic nor refused; its police notices still
    go to Surrey Police, both councils' force."""
    timeline, _ = _placed_by_surrey()
    timeline.receive(found(at=FOUND_AT))
    [confirm] = told(
        timeline.advance(FOUND_AT + timedelta(hours=24)),
        "placing_authority",
        "confirm_return_interview",
    )
    assert confirm.authority == ""
    assert confirm.unroutable is not None
    assert confirm.unroutable.field == "data.responsible_authority"
    assert "now covers east-surrey, west-surrey" in confirm.unroutable.reason


def test_8_3_our_child_placed_in_surrey_is_found_after_its_councils_vest() -> None:
    """8.3-8.4: the host police are Surrey Police still; the host authority's notice of the
    child found is held for ops to name the council, not sent to Surrey's retired topic."""
    timeline = Timeline()
    timeline.receive(misper(residence_authority="surrey", legal_status=LegalStatus.LOOKED_AFTER))
    timeline.directory = VESTED
    decided = timeline.receive(found(at=FOUND_AT))
    assert {d.authority for d in told(decided, "host_police")} == {"surrey-police"}
    [host] = told(decided, "host_authority")
    assert host.unroutable is not None
    assert host.unroutable.named == "surrey"
