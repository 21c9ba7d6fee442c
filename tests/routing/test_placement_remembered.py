"""A child another authority told us it placed here (8.9), reported missing by police who
do not know who placed it: the report leaves the responsible authority blank (8.10, 8.12)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.contracts.events import ChildDetails, CrossBorderNotice, PlacedChild
from hub.contracts.vocabulary import CrossBorderNoticeKind, LegalStatus, RiskLevel, Sex
from hub.routing.facts import ChildState
from hub.store.outcomes import STATE
from tests.routing.builders import CHILD, START, Timeline, found, misper, told

PLACED_AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
# The police's report of a child in care living here: who placed it, they do not say.
NAMES_NO_PLACING_AUTHORITY: dict[str, Any] = {
    "legal_status": LegalStatus.LOOKED_AFTER,
    "responsible_authority": None,
    "allocated_worker": None,
}


# The child's date of birth, as the police's report gives it (tests.routing.builders.misper).
BORN = date(2012, 5, 1)


def placement(
    by: str = "essex",
    at: datetime = PLACED_AT,
    notice: str = "N-1",
    to: str = "northamptonshire",
    born: date = BORN,
) -> CrossBorderNotice:
    return CrossBorderNotice(
        notice_id=notice,
        kind=CrossBorderNoticeKind.PLACEMENT_NOTIFIED,
        child_id=CHILD,
        from_authority=by,
        to_authority=to,
        occurred_at=at,
        placed_child=PlacedChild(
            name="Placed Child",
            date_of_birth=born,
            sex=Sex.MALE,
            placement_started_at=at,
            planned_placement=True,
            placing_social_worker="E SW",
        ),
    )


def placed_here(by: str = "essex") -> Timeline:
    timeline = Timeline()
    timeline.receive(placement(by))
    return timeline


def test_8_10_a_child_placed_here_reported_naming_no_authority_is_its_placing_authoritys() -> None:
    """8.9: Essex told us it placed the child here. 8.10: reported missing, "MCT will contact
    the social worker in the Placing Authority": Essex is told, though the police's report
    does not name it; the child has no worker or IRO of ours (7.27)."""
    decisions = placed_here().receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    [placing] = told(decisions, "placing_authority", "child_missing_from_placement")
    assert (placing.paragraph, placing.authority) == ("8.10", "essex")
    assert not told(decisions, "iro")
    assert not told(decisions, "allocated_worker")


def test_8_10_its_return_interview_is_handed_to_the_placing_authority_and_chased() -> None:
    """8.10: on the child's return the placing authority is told the interview is theirs,
    and the hub chases its confirmation; Essex's confirmation is taken as the placing
    authority's."""
    timeline = placed_here()
    timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    [owner] = told(timeline.receive(found()), "placing_authority", "conduct_return_interview")
    assert (owner.paragraph, owner.authority) == ("8.10", "essex")
    confirmed = CrossBorderNotice(
        notice_id="N-3",
        kind=CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority="essex",
        to_authority="northamptonshire",
        occurred_at=START + timedelta(days=2, hours=2),
    )
    taken = timeline.receive(confirmed)
    assert told(taken, "mct", "return_interview_accepted_by_placing_authority")


def test_8_10_the_placing_authoritys_missing_notice_is_taken_as_the_placing_authoritys() -> None:
    """8.10: Essex, which told us it placed the child here, says the child is missing; the
    police's report named no placing authority: the notice is not refused as from an
    authority with no standing for the child, and goes to the MCT alone."""
    timeline = placed_here()
    timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    notice = CrossBorderNotice(
        notice_id="N-2",
        kind=CrossBorderNoticeKind.CHILD_MISSING,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority="essex",
        to_authority="northamptonshire",
        occurred_at=START + timedelta(hours=1),
    )
    [mct] = timeline.receive(notice)
    assert (mct.recipient, mct.paragraph) == ("mct", "8.10")


def test_8_12_three_in_90_days_naming_no_authority_go_to_the_placing_authority() -> None:
    """8.12: "a child placed in Northamptonshire by another Local Authority has gone missing
    3 times in a 90 day period and there are serious concerns": Essex's Head of
    Safeguarding is told in writing, though no report named Essex."""
    timeline = placed_here()
    timeline.repeatedly_missing(
        3, every=timedelta(days=20), risk_level=RiskLevel.HIGH, **NAMES_NO_PLACING_AUTHORITY
    )
    [notice] = told(timeline.decisions, "placing_authority", "head_of_safeguarding_written_notice")
    assert notice.authority == "essex"


def test_8_9_a_later_placement_by_another_authority_replaces_the_first() -> None:
    timeline = placed_here()
    timeline.receive(placement("kent", at=PLACED_AT + timedelta(days=7), notice="N-2"))
    decisions = timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    [placing] = told(decisions, "placing_authority", "child_missing_from_placement")
    assert placing.authority == "kent"


def test_a_report_naming_the_responsible_authority_keeps_what_it_names() -> None:
    """Police know best on the day: a report naming the child as ours is routed as ours, and
    one naming another placing authority tells that one."""
    ours = placed_here().receive(misper(legal_status=LegalStatus.LOOKED_AFTER))
    assert not told(ours, "placing_authority")
    assert told(ours, "iro", "missing_child_notified")
    kents = {**NAMES_NO_PLACING_AUTHORITY, "responsible_authority": "kent"}
    theirs = placed_here().receive(misper(**kents))
    [placing] = told(theirs, "placing_authority", "child_missing_from_placement")
    assert placing.authority == "kent"


def test_8_9_a_child_placed_out_of_area_since_is_not_routed_as_placed_here() -> None:
    """The report puts the child in Kent, naming no responsible authority: the contract's
    reading (our child, placed out, 8.3) stands; Essex's placement here is not of it."""
    decisions = placed_here().receive(
        misper(**{**NAMES_NO_PLACING_AUTHORITY, "residence_authority": "kent"})
    )
    assert not told(decisions, "placing_authority")
    assert told(decisions, "host_authority", "child_missing_in_your_area")


def test_8_9_the_state_keeps_only_the_placing_authority_and_when() -> None:
    """Children's personal data: the placement notice's name, date of birth and social
    worker are not kept in the child's state; only who placed the child, and when."""
    timeline = placed_here()
    assert timeline.state.placed_here is not None
    assert (timeline.state.placed_here.authority, timeline.state.placed_here.notified_at) == (
        "essex",
        PLACED_AT,
    )
    stored = STATE.dump_json(timeline.state).decode()
    assert "Placed Child" not in stored
    assert "E SW" not in stored


def test_a_state_stored_before_placements_were_kept_still_loads() -> None:
    stored = STATE.dump_python(ChildState(CHILD), mode="json")
    del stored["placed_here"]
    assert STATE.validate_python(stored).placed_here is None


def test_8_10_the_placing_authoritys_found_notice_before_the_report_holds_no_interview() -> None:
    """Essex, which placed the child here, says the child has returned before any MISPER
    report reached the hub: under 8.10 the return interview is Essex's, not one the MCT or
    the OOC Engagement Worker is asked to arrange as for our child placed out (8.4)."""
    notice = CrossBorderNotice(
        notice_id="N-2",
        kind=CrossBorderNoticeKind.CHILD_FOUND,
        child_id=CHILD,
        episode_id="EP-1",
        from_authority="essex",
        to_authority="northamptonshire",
        occurred_at=START + timedelta(hours=9),
    )
    [mct] = placed_here().receive(notice)
    assert (mct.recipient, mct.paragraph) == ("mct", "8.10")
    assert mct.due is None
    assert "Return Interview" not in mct.summary


def test_8_9_a_later_report_naming_the_child_ours_outlasts_the_placement() -> None:
    """Essex told us it placed the child here; since, police reported the child missing as
    ours (our social worker, our IRO: 7.3, 7.15): the placement is over, as far as the hub
    can know. The next report leaving the responsible authority out is read as the contract
    reads it, our child: our worker and IRO are told (7.3, 8.4), and Essex learns nothing
    of a child it no longer places (8.10 is not its)."""
    timeline = placed_here()
    ours: dict[str, Any] = {"legal_status": LegalStatus.LOOKED_AFTER}
    timeline.receive(misper("EP-1", **ours))
    timeline.receive(found("EP-1"))
    later = START + timedelta(days=30)
    decisions = timeline.receive(misper("EP-2", at=later, **ours, responsible_authority=None))
    assert told(decisions, "allocated_worker", "missing_child_notified")
    assert told(decisions, "iro")
    assert not told(decisions, "placing_authority")


def test_8_9_a_later_report_naming_another_placing_authority_outlasts_the_placement() -> None:
    """Essex told us it placed the child here; since, police reported it missing as Kent's.
    A report naming no placing authority is not Essex's to hear of (8.10): Essex no longer
    places the child, as far as the hub can know."""
    timeline = placed_here()
    kents = {**NAMES_NO_PLACING_AUTHORITY, "responsible_authority": "kent"}
    timeline.receive(misper("EP-1", **kents))
    timeline.receive(found("EP-1"))
    later = START + timedelta(days=30)
    decisions = timeline.receive(misper("EP-2", at=later, **NAMES_NO_PLACING_AUTHORITY))
    assert not [d for d in told(decisions, "placing_authority") if d.authority == "essex"]


def test_8_9_a_placement_notice_read_late_does_not_undo_a_later_one() -> None:
    """Kent placed the child here after Essex; Essex's older notice reaches the hub last (its
    topic read late, or replayed by ops): the child is Kent's, as had they come in order."""
    timeline = Timeline()
    timeline.receive(placement("kent", at=PLACED_AT + timedelta(days=7), notice="N-2"))
    timeline.receive(placement("essex", at=PLACED_AT), at=PLACED_AT + timedelta(days=8))
    decisions = timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    [placing] = told(decisions, "placing_authority", "child_missing_from_placement")
    assert placing.authority == "kent"


def test_8_9_our_placing_the_child_out_is_not_undone_by_an_older_placement_read_late() -> None:
    """We placed the child out in Kent (7.14) after Essex had placed it here; Essex's notice
    reaches the hub last. The child is ours: a report naming no placing authority tells
    Essex nothing (8.10)."""
    timeline = Timeline()
    timeline.receive(
        placement("northamptonshire", at=PLACED_AT + timedelta(days=7), notice="N-2", to="kent")
    )
    timeline.receive(placement("essex", at=PLACED_AT), at=PLACED_AT + timedelta(days=8))
    decisions = timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    assert not told(decisions, "placing_authority")


def test_8_10_a_placement_notice_read_while_the_child_is_missing_tells_the_placing_authority() -> (
    None
):
    """Police report the child missing, naming no placing authority; Essex's notice that it
    placed the child here arrives while the child is still missing (an unplanned placement,
    notified late). 8.10: "MCT will contact the social worker in the Placing Authority,
    informing them of the missing episode": Essex is told now; and when the child returns,
    the interview is Essex's to do, handed over and chased."""
    timeline = Timeline()
    timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    decisions = timeline.receive(placement(at=START + timedelta(hours=5)))
    [placing] = told(decisions, "placing_authority", "child_missing_from_placement")
    assert (placing.paragraph, placing.authority, placing.episode_id) == ("8.10", "essex", "EP-1")
    returned = timeline.receive(found())
    [owner] = told(returned, "placing_authority", "conduct_return_interview")
    assert (owner.paragraph, owner.authority) == ("8.10", "essex")
    assert not told(returned, "mct", "conduct_return_interview")


def test_8_9_a_placement_notice_read_after_the_child_was_found_changes_no_closed_episode() -> None:
    """The child was found before Essex's notice arrived: the episode is over, and Essex is
    not told of it as missing now."""
    timeline = Timeline()
    timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    timeline.receive(found())
    decisions = timeline.receive(placement(at=START + timedelta(days=3)))
    assert not told(decisions, "placing_authority")


def test_8_9_a_placement_notice_giving_another_date_of_birth_is_not_this_childs() -> None:
    """Essex's notice names this child id but another date of birth (a child id mistyped in
    Essex's system). The police's report names no placing authority: it is routed as it
    reads, our child, and Essex is sent nothing of this child's episode; the MCT is told to
    check Essex's notice (8.9)."""
    timeline = Timeline()
    timeline.receive(placement(born=date(2011, 1, 1)))
    decisions = timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    assert not told(decisions, "placing_authority")
    assert told(decisions, "iro", "missing_child_notified")
    [check] = told(decisions, "mct", "check_placement_notice")
    assert (check.paragraph, check.details["from_authority"]) == ("8.9", "essex")
    assert "another date of birth" in check.summary
    assert timeline.state.episode("EP-1").placed_by is None  # type: ignore[union-attr]
    returned = timeline.receive(found())
    assert not told(returned, "placing_authority")


def test_8_9_a_placement_notice_read_while_missing_giving_another_date_of_birth() -> None:
    """The report came first; Essex's notice, read while the child is missing, gives another
    date of birth: Essex is not told of this child's episode (8.10 is not its), and the MCT
    checks the notice."""
    timeline = Timeline()
    timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    decisions = timeline.receive(placement(at=START + timedelta(hours=5), born=date(2011, 1, 1)))
    assert not told(decisions, "placing_authority")
    [check] = told(decisions, "mct", "check_placement_notice")
    assert (check.episode_id, check.details["from_authority"]) == ("EP-1", "essex")
    returned = timeline.receive(found())
    assert not told(returned, "placing_authority")


def test_8_9_a_placement_confirmed_by_a_report_is_taken_for_the_next() -> None:
    """The report confirms Essex's notice is of this child, and the next report naming no
    placing authority, giving the same date of birth, is still Essex's (8.10)."""
    timeline = placed_here()
    assert timeline.state.placed_here is not None
    assert timeline.state.placed_here.date_of_birth == BORN
    timeline.receive(misper("EP-1", **NAMES_NO_PLACING_AUTHORITY))
    confirmed = timeline.state.placed_here
    assert confirmed is not None
    assert (confirmed.date_of_birth, confirmed.checked) == (BORN, True)  # kept with the notice
    timeline.receive(found("EP-1"))
    later = misper("EP-2", at=START + timedelta(days=30), **NAMES_NO_PLACING_AUTHORITY)
    [placing] = told(timeline.receive(later), "placing_authority", "child_missing_from_placement")
    assert placing.authority == "essex"


def test_8_9_a_placement_stored_before_dates_of_birth_were_kept_is_checked_by_the_mct() -> None:
    """A state stored before keeps who placed the child and when, no date of birth: the
    notice cannot be checked against the report, so Essex is sent nothing and the MCT is
    told to check it."""
    stored = STATE.dump_python(placed_here().state, mode="json")
    del stored["placed_here"]["date_of_birth"], stored["placed_here"]["checked"]
    timeline = Timeline()
    timeline.state = STATE.validate_python(stored)
    decisions = timeline.receive(misper(**NAMES_NO_PLACING_AUTHORITY))
    assert not told(decisions, "placing_authority")
    [check] = told(decisions, "mct", "check_placement_notice")
    assert "no longer kept" in check.summary


# Another child's date of birth, as a police report under this child id might give it.
ANOTHER_CHILD = ChildDetails(name="Test Child", date_of_birth=date(2011, 1, 1), sex=Sex.FEMALE)


def test_8_9_a_confirmed_placement_does_not_vouch_for_a_report_giving_another_date_of_birth() -> (
    None
):
    """A report confirmed Essex's notice is of this child. A month later a report under this
    child id names no placing authority and gives another date of birth: it is not taken on
    the first report's word. Essex is sent nothing of it, and the MCT checks the notice (8.9:
    the episode's particulars may be another child's)."""
    timeline = placed_here()
    timeline.receive(misper("EP-1", **NAMES_NO_PLACING_AUTHORITY))
    timeline.receive(found("EP-1"))
    later = misper(
        "EP-2", at=START + timedelta(days=30), child=ANOTHER_CHILD, **NAMES_NO_PLACING_AUTHORITY
    )
    decisions = timeline.receive(later)
    assert not told(decisions, "placing_authority")
    [check] = told(decisions, "mct", "check_placement_notice")
    assert check.details["from_authority"] == "essex"
    assert timeline.state.episode("EP-2").placed_by is None  # type: ignore[union-attr]


def test_8_9_a_notice_read_while_two_reports_are_open_is_taken_for_the_one_it_agrees_with() -> None:
    """Two forces report the same absence, naming no placing authority; the second report
    gives another date of birth. Essex's notice, read while the child is missing, agrees with
    the first report only: Essex is told of that episode (8.10), not of the second, whatever
    the order the hub holds them in, and the MCT checks the notice for the second (8.9)."""
    timeline = Timeline()
    timeline.receive(misper("EP-1", **NAMES_NO_PLACING_AUTHORITY))
    second = misper(
        "EP-1B",
        at=START + timedelta(hours=1),
        child=ANOTHER_CHILD,
        reporting_force="leicestershire-police",
        **NAMES_NO_PLACING_AUTHORITY,
    )
    timeline.receive(second)
    decisions = timeline.receive(placement(at=START + timedelta(hours=5)))
    [placing] = told(decisions, "placing_authority", "child_missing_from_placement")
    assert placing.episode_id == "EP-1"
    [check] = told(decisions, "mct", "check_placement_notice")
    assert check.episode_id == "EP-1B"
    assert timeline.state.episode("EP-1B").placed_by is None  # type: ignore[union-attr]
