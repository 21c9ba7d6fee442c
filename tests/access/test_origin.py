"""Who sent a message is known from the topic it came on (issue 13, section 2): a message
that names another agency than its sender is refused, naming the field."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from hub.access.senders import arrival, inbound_pattern, origin_problems, placing_problems
from hub.contracts.envelope import ParsedEvent, parse_structured
from hub.contracts.events import CrossBorderNotice, PlacedChild
from hub.contracts.vocabulary import CrossBorderNoticeKind, Sex
from hub.routing.directory import Directory, load_directory
from hub.routing.engine import decide
from hub.routing.facts import ChildState
from hub.store.outbox import refusals_topic
from tests.helpers import EXAMPLES
from tests.routing.builders import CHILD, PLACED_IN, START, misper

DIRECTORY: Directory = load_directory()  # Northamptonshire's deployment


def example(name: str, **changes: object) -> ParsedEvent:
    document = json.loads((EXAMPLES / name).read_text())
    for key, value in changes.items():
        if key == "source":
            document["source"] = value
        else:
            document["data"][key] = value
    return parse_structured(json.dumps(document).encode())


def problems(event: ParsedEvent, sender: str) -> list[str]:
    found = origin_problems(event.contract, event.source, event.body, sender, DIRECTORY)
    return [problem.field for problem in found]


def test_a_force_reporting_as_itself_is_accepted() -> None:
    report = example("01-misper-report.json", source="/police/bedfordshire/compact")
    assert problems(report, "bedfordshire-police") == []


def test_a_force_naming_another_force_as_its_source_is_refused() -> None:
    report = example("01-misper-report.json", source="/police/metropolitan/fake")
    assert problems(report, "bedfordshire-police") == ["ce_source"]


def test_a_force_naming_another_as_the_reporting_force_is_refused() -> None:
    report = example(
        "01-misper-report.json",
        source="/police/bedfordshire/compact",
        reporting_force="metropolitan-police",
    )
    assert problems(report, "bedfordshire-police") == ["data.reporting_force"]


def test_a_reporting_force_the_directory_does_not_know_is_left_to_the_routing_rules() -> None:
    """Not another agency: the child is routed around it (2.1), never refused for it."""
    report = example(
        "01-misper-report.json",
        source="/police/bedfordshire/compact",
        reporting_force="Ruritania Constabulary",
    )
    assert problems(report, "bedfordshire-police") == []


def test_a_local_authority_cannot_send_a_police_report() -> None:
    report = example("01-misper-report.json", source="/la/luton/mash")
    assert problems(report, "luton") == ["ce_type"]


def test_a_force_cannot_send_a_mash_rating() -> None:
    rating = example("02-mash-rating.json", source="/police/bedfordshire/compact")
    assert problems(rating, "bedfordshire-police") == ["ce_type"]


def test_the_home_authority_sends_under_its_own_code() -> None:
    rating = example("02-mash-rating.json")  # /la/northamptonshire/mash
    assert problems(rating, "northamptonshire") == []


def test_a_cross_border_notice_from_another_authority_than_its_sender_is_refused() -> None:
    notice = example("08-cross-border-notice.json", source="/la/luton/mct")  # from leicestershire
    assert problems(notice, "luton") == ["data.from_authority"]


def test_a_cross_border_notice_from_its_sender_is_accepted() -> None:
    assert problems(example("08-cross-border-notice.json"), "leicestershire") == []


def test_a_topic_of_no_agency_is_refused() -> None:
    report = example("01-misper-report.json", source="/police/atlantis/compact")
    assert problems(report, "atlantis-police") == ["(topic)"]


@pytest.mark.parametrize(
    ("topic", "contract", "sender"),
    [
        ("inbound.misper-report", "inbound.misper-report", None),
        ("t1.inbound.misper-report", "inbound.misper-report", None),
        (
            "inbound.misper-report.bedfordshire-police",
            "inbound.misper-report",
            "bedfordshire-police",
        ),
        ("d.x.inbound.mash-rating.luton", "inbound.mash-rating", "luton"),
        ("inbound.unheard-of.luton", None, None),
    ],
)
def test_the_topic_says_the_contract_and_the_sender(
    topic: str, contract: str | None, sender: str | None
) -> None:
    assert (arrival(topic).contract_topic, arrival(topic).sender) == (contract, sender)


def test_the_hub_reads_shared_and_agency_topics_of_its_own_deployment_only() -> None:
    pattern = re.compile(inbound_pattern("d1."))
    assert pattern.match("d1.inbound.misper-report")
    assert pattern.match("d1.inbound.misper-report.bedfordshire-police")
    assert not pattern.match("d2.inbound.misper-report")
    assert not pattern.match("d1Xinbound.misper-report")  # the prefix's dot is a dot
    assert not pattern.match("d1.notify.luton.mct")


def test_one_home_area_cannot_speak_for_another() -> None:
    """North and West Northamptonshire are two councils, though one trust serves both."""
    notice = example(
        "08-cross-border-notice.json",
        source="/la/north-northamptonshire/mct",
        from_authority="west-northamptonshire",
    )
    # and its notices are the trust's to send in any case (below)
    assert problems(notice, "north-northamptonshire") == ["data.from_authority", "(topic)"]


def test_a_refusal_goes_to_the_sender_when_the_directory_knows_it() -> None:
    assert refusals_topic("d.inbound.misper-report.luton", DIRECTORY) == "notify.luton.refusals"
    assert refusals_topic("d.inbound.misper-report.atlantis", DIRECTORY) == "hub.rejected"
    assert refusals_topic("d.inbound.misper-report", DIRECTORY) == "hub.rejected"


def test_an_authority_answering_a_duty_as_itself_is_accepted() -> None:
    answer = example("09-duty-acknowledged.json")
    assert problems(answer, "northamptonshire") == []


def test_an_authority_answering_for_another_is_refused() -> None:
    """Issue 14: a duty is answered by the agency it was owed to, which the topic proves."""
    answer = example("09-duty-acknowledged.json", source="/la/luton/carefirst")
    assert problems(answer, "luton") == ["data.answered_by"]


def test_a_force_answering_as_the_local_authority_is_refused() -> None:
    answer = example("09-duty-acknowledged.json", source="/police/bedfordshire/compact")
    assert problems(answer, "bedfordshire-police") == ["data.answered_by"]


def test_a_meeting_is_recorded_by_a_local_authority_only() -> None:
    held = example("10-strategy-meeting-held.json", source="/police/bedfordshire/compact")
    assert problems(held, "bedfordshire-police") == ["ce_type"]


def test_mash_s_rating_from_another_authority_is_refused() -> None:
    """6.14: the rating is the home MASH's; another authority's would set the home teams'
    risk assessment deadline."""
    rating = example("02-mash-rating.json", source="/la/leeds/mash")
    assert problems(rating, "leeds") == ["(topic)"]
    assert problems(example("02-mash-rating.json"), "northamptonshire") == []


def test_another_authority_reports_only_a_return_interview_it_did_as_placing_authority() -> None:
    """8.10: a placing authority may do the interview of a child it placed here; any other
    interview is the home teams' to report (it ends their duty to do it)."""
    theirs = example(
        "07-return-interview.json", source="/la/essex/cs", interviewer="placing_authority"
    )
    ours = example("07-return-interview.json", source="/la/essex/cs", interviewer="mct")
    assert problems(theirs, "essex") == []
    assert problems(ours, "essex") == ["data.interviewer"]


def placement_by_essex() -> CrossBorderNotice:
    return CrossBorderNotice(
        notice_id="N-1",
        kind=CrossBorderNoticeKind.PLACEMENT_NOTIFIED,
        child_id=CHILD,
        from_authority="essex",
        to_authority="northamptonshire",
        occurred_at=START - timedelta(days=7),
        placed_child=PlacedChild(
            name="Placed Child",
            date_of_birth=date(2012, 5, 1),  # the report's child's (8.9: this child's)
            sex=Sex.MALE,
            placement_started_at=START - timedelta(days=7),
            planned_placement=True,
            placing_social_worker="E SW",
        ),
    )


def placed_by(authority: str, episode_id: str) -> ChildState:
    """A child whose MISPER report names `authority` as responsible for it."""
    changes: dict[str, object] = {**PLACED_IN, "responsible_authority": authority}
    report = misper(episode_id, START, **changes)
    return decide(ChildState(CHILD), report, DIRECTORY, START, "misper").state


def placing_claim(state: ChildState, sender: str) -> list[str]:
    interview = example(
        "07-return-interview.json", source=f"/la/{sender}/cs", interviewer="placing_authority"
    )
    found = placing_problems(interview.body, sender, lambda: state, DIRECTORY)
    return [problem.field for problem in found]


def test_8_10_the_authority_that_placed_the_child_reports_its_return_interview() -> None:
    episode_id = example("07-return-interview.json").body.episode_id  # type: ignore[attr-defined]
    assert placing_claim(placed_by("Essex County Council", episode_id), "essex") == []


def test_8_10_the_authority_that_told_us_it_placed_the_child_reports_its_interview() -> None:
    """8.9: Essex told us it placed the child here; the police's report names no placing
    authority. 8.10: the interview is Essex's, and its result is taken as Essex's."""
    episode_id = example("07-return-interview.json").body.episode_id  # type: ignore[attr-defined]
    state = decide(ChildState(CHILD), placement_by_essex(), DIRECTORY, START, "placement").state
    report = misper(episode_id, START, **{**PLACED_IN, "responsible_authority": None})
    state = decide(state, report, DIRECTORY, START, "misper").state
    assert placing_claim(state, "essex") == []


def test_8_10_a_placing_authority_the_directory_cannot_name_is_told_why_it_was_refused() -> None:
    # "Essex CC" is no name the directory knows: who placed the child cannot be checked.
    # The refusal says so, for ops to add the alias and replay it; it does not tell Essex
    # that it did not place the child.
    episode_id = example("07-return-interview.json").body.episode_id  # type: ignore[attr-defined]
    interview = example(
        "07-return-interview.json", source="/la/essex/cs", interviewer="placing_authority"
    )
    [problem] = placing_problems(
        interview.body, "essex", lambda: placed_by("Essex CC", episode_id), DIRECTORY
    )
    assert "names no authority the directory knows" in problem.reason


def test_8_10_an_authority_that_did_not_place_the_child_cannot_say_its_interview_is_done() -> None:
    # Leeds saying so of Essex's child, or of our own, would discharge the MCT's duty to
    # interview the child and stop the 72-hour chase (5.12).
    episode_id = example("07-return-interview.json").body.episode_id  # type: ignore[attr-defined]
    assert placing_claim(placed_by("essex", episode_id), "leeds") == ["data.interviewer"]
    assert placing_claim(placed_by("northamptonshire", episode_id), "leeds") == ["data.interviewer"]


def test_8_10_a_stranger_claiming_the_interview_of_a_child_no_report_places_is_refused() -> None:
    """8.10: the police's report names no placing authority and none told us it placed the
    child here (8.9): the child is the home authority's, as the contract reads it. Leeds
    saying it interviewed the child as its placing authority did not place it, and is told
    so, as of any child it did not place: not that the report names no authority the
    directory knows (what the report says, and an alias for ops to add that would change
    nothing)."""
    episode_id = example("07-return-interview.json").body.episode_id  # type: ignore[attr-defined]
    interview = example(
        "07-return-interview.json", source="/la/leeds/cs", interviewer="placing_authority"
    )
    ours = misper(episode_id, START, responsible_authority=None)
    state = decide(ChildState(CHILD), ours, DIRECTORY, START, "misper").state
    [problem] = placing_problems(interview.body, "leeds", lambda: state, DIRECTORY)
    [as_for_another] = placing_problems(
        interview.body, "leeds", lambda: placed_by("essex", episode_id), DIRECTORY
    )
    assert (problem.field, problem.reason) == (as_for_another.field, as_for_another.reason)


def test_6_7_an_authority_cannot_raise_a_disagreement_as_the_police() -> None:
    # Leeds saying the police disagree with their own grading would escalate at 12 hours in
    # the police's name. A force may record children's services' disagreement (told to its
    # missing persons unit), so that way round is taken.
    by_police = example("04-risk-disagreement.json", source="/la/leeds/cs", raised_by="police")
    assert problems(by_police, "leeds") == ["data.raised_by"]
    recorded = example(
        "04-risk-disagreement.json",
        source="/police/cumbria/compact",
        raised_by="childrens_services",
    )
    assert problems(recorded, "cumbria-police") == []
    ours = example("04-risk-disagreement.json", source="/la/leeds/cs")
    assert problems(ours, "leeds") == []


def test_7_14_a_council_of_the_home_area_cannot_send_the_home_teams_placement_notice() -> None:
    # The trust runs both councils' children's services: a council's notice naming itself
    # would send Kent a placement in the home teams' name and give them its duties.
    notice = example(
        "08-cross-border-notice.json",
        source="/la/north-northamptonshire/cs",
        from_authority="north-northamptonshire",
        to_authority="kent",
        kind="placement_notified",
    )
    assert problems(notice, "north-northamptonshire") == ["(topic)"]
    from_the_trust = example(
        "08-cross-border-notice.json",
        source="/la/northamptonshire/cs",
        from_authority="northamptonshire",
        to_authority="kent",
        kind="placement_notified",
    )
    assert problems(from_the_trust, "northamptonshire") == []
