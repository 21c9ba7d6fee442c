"""A child reported missing: the MISPER report opens an episode (3.3-3.10, 4.1, 4.3, 6.6,
6.14, 7.2-7.6, 7.15, 7.22, section 8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hub.contracts.events import MisperReport
from hub.contracts.vocabulary import LegalStatus
from hub.routing.context import Context
from hub.routing.directory import Directory
from hub.routing.facts import (
    ChildState,
    Episode,
    Outcome,
    ProtocolViolation,
    Timer,
)
from hub.routing.placing import Placing, checked, disagreeing, placed_by, placement_after
from hub.routing.rules.chairs import discussion_held
from hub.routing.rules.cross_border import check_placement_notice, host_return
from hub.routing.rules.found import (
    CHECK_PLACEMENT_NOTICE,
    FORMS,
    ONCE,
    interview_held_for_the_found_report_stood_down,
    located,
    missing_again,
    owe_return_interview,
)
from hub.routing.rules.repeat import forum_recorded, notice_recorded, on_repeat
from hub.routing.rules.risk import graded_before_the_search_was_taken_over, search_carried_over
from hub.routing.rules.roles import (
    adult_care_leaver,
    asylum_seeking,
    day_teams_closed,
    edt_acts_for_childrens_services,
    has_our_worker,
    leaving_care_told,
    require_a_care_leaver_of_ours,
    reviewing_officer,
    social_worker_or_mash,
    told_the_host,
    young_person_or,
)
from hub.routing.rules.sharing import share_with_partners
from hub.routing.rules.strategy import (
    asked_for_the_absence,
    asked_under,
    carried_on,
    day_one,
    forms,
    reported_again,
    reporting_force,
    searched_until_now,
    significant_risk_meeting,
    significant_risk_meeting_held,
    timers_on_report,
)


def on_misper_report(
    state: ChildState, event: MisperReport, directory: Directory, at: datetime, cause: str
) -> Outcome:
    if state.ever_reported(event.episode_id):
        raise ProtocolViolation(
            "data.episode_id",
            "this episode has already been reported missing; send a risk update instead",
        )
    event = _as_last_reported(state, event)
    require_a_care_leaver_of_ours(event, directory.timescales)
    # Left out, read while the report was validated (MisperReport._left_out): never None.
    assert event.risk_level is not None
    assert event.cse_risk is not None
    episode = Episode(
        report=event,
        risk_level=event.risk_level,
        cse_risk=event.cse_risk,
        read_at=at,
        placed_by=placed_by(state, event, directory),  # 8.9: naming no placing authority
    )
    notice = state.notice(event.episode_id)
    if notice is not None:
        # 8.4: the host authority's notice came first; the duties it led to are this
        # episode's now, still followed up, and answered as the episode's.
        episode = replace(episode, duties=notice.duties, timers=notice.timers)
        state = state.without_notice(event.episode_id)
    ctx = Context(directory, at, cause, episode)
    placing = ctx.placing  # validates the authorities before anything is decided
    # 8.9: a placement notice whose child's date of birth is not this report's is not taken
    # (`placed_by`): the MCT checks it; one that agrees is confirmed, its date forgotten
    unconfirmed = disagreeing(state, event, directory)
    state = replace(state, placed_here=checked(state, event, directory))
    # 8.9: a report naming another responsible authority ends the placement remembered
    state = replace(state, placed_here=placement_after(state, event, directory))
    # 8.4: the host the report names said the child has returned before the report came.
    returned_at = host_return(notice, episode, directory)
    state = state.with_episode(episode)
    # Reported after a later episode of the child (by another force, say): the child came
    # back from it before that one began, and is not searched for under it (7.22). Nor if
    # reported after the child was located under another report of the same absence, found
    # or returned as its host said (1.4: missing "until located"), as `located` would have
    # ended its search had it been read first.
    # A return dated after the hub read this report (a found report's typing error, a year
    # ahead) is no return yet: it must not leave every report until then unsearched.
    # Another episode began after this one no later than the hub read its report
    # (`clock_started`): a start typed ahead is no later episode, and must not leave the
    # child missing again meanwhile unsearched (7.18, 7.22); nor once retired (retention).
    came_back = any(
        start > episode.started_at for start in state.clock_starts()
    ) or state.back_between(episode.started_at, at, but=episode.episode_id)
    came_back = came_back or returned_at is not None
    # 7.22: another force's report of this absence was searched until now: this one takes
    # its search over and carries on its meetings, counted from when the absence began.
    taken = None if came_back or adult_care_leaver(episode) else searched_until_now(state, episode)
    # Unless this force reported that absence already: a force does not report one absence
    # twice, so the child came back from it unreported and is missing in a new absence, with
    # its own timers, day-one duties and first meeting (7.18, 7.22), and counted (7.18, 8.12).
    again = [] if taken is None else reported_again(state, episode, taken, directory)
    if again:
        taken = None
        state = _reported_again(state, again, episode)
    # Read after the child was located under another report of the same absence (1.4): of
    # that absence, over, as had it been read first and its search ended by the found report
    # (`located`): no further episode (7.18, 7.28, 8.12, section 10), nothing asked again that
    # was asked for it, no host force told to search (3.9, 8.3). Not a new absence.
    # 1.4: an adult's reports are each its own, never one absence (as `taken`): read late as
    # read in order, counted and its forms reviewed (3.6).
    over = [] if adult_care_leaver(episode) else state.reports_of_an_absence_over(episode, at)
    # Located since this report began, as the hub knew when it read it (1.4), of whatever
    # absence: no host told to search for a child already back (3.9, 8.3), as a found report
    # read after this one would have stood that search down (`found.search_ended`).
    located_since = state.back_between(episode.clock_started, at, but=episode.episode_id)
    # Unless this force reported that absence already, as `reported_again` would have read
    # the report before the return: a new absence, counted and asked for (7.18, 7.22), its
    # search over as the return ended it (no host told to search: 3.9, 8.3).
    force = reporting_force(episode, directory)
    if force is not None and any(reporting_force(e, directory) == force for e in over):
        state, over = _reported_again(state, over, episode), []
    if taken is not None or over:
        began = taken.absence_started if taken else min(e.clock_started for e in over)
        episode = replace(episode, absence_began=began)
        state = state.with_episode(episode)
        ctx.episode = episode
    # One absence, one ask: what was asked under another report of this absence and not
    # stood down stays owed there, followed up there (7.22's day one, 3.3's forms, 8.9's
    # check of the same notice), not asked again of the same people.
    asked = frozenset() if taken is None else asked_for_the_absence(state, taken, ONCE)
    if over:  # the child back, its reports are no longer searched (`of_the_absence`)
        asked = asked_under(over, ONCE)
    if unconfirmed is not None and CHECK_PLACEMENT_NOTICE not in asked:
        check_placement_notice(ctx, unconfirmed)
    # 3.3: the child's first episode is its first absence, however many forces report it.
    first_episode = len(state.absence_starts()) == 1
    # 1.4: no high-risk alert for a child certainly back: returned as the host said (8.4),
    # or located since under another report of this absence, and not missing again since.
    back = _back_how(
        state.back_from(episode, at)
        or (
            returned_at is not None
            and all(start <= episode.clock_started for start in state.clock_starts())
        ),
        returned_at,
    )
    _first_contacts(ctx, first_episode, back=back)
    _read_otherwise_than_sent(ctx, event)
    _the_childs_workers(ctx, back=back)
    if FORMS not in asked:
        forms(ctx, first_episode)
    _reviewing_officers(ctx)
    _across_borders(ctx, placing, host_search=returned_at is None and not located_since)
    if not adult_care_leaver(episode):  # 1.4: "Police will treat 18 and above as adults"
        # 7.17's meeting held for this absence under the report searched until now: the
        # child had it, and a second force's report graded high owes no second.
        had = taken is not None and significant_risk_meeting_held(state, taken)
        # So too 8.11's discussion, for a child placed here.
        ctx.absence_discussed = taken is not None and discussion_held(state, taken)
        # 7.22's day-one duties asked for under another report of this absence stay owed
        # there, followed up there: the worker is not asked twice for one absence (`asked`).
        _timescales_for_action(ctx, placing, searched=not came_back and not had, asked=asked)
        # 6.4, 6.11: the MPU shares missing children (one certainly back, for the record)
        share_with_partners(ctx, "missing", back=back)
    _specific_circumstances(ctx, back=back)
    # 7.17, 7.18, 8.12: a report that took the search of an absence over is no further
    # episode; the repeat was judged when the absence began (an 8.13 letter, a second review).
    escalated = taken is None and not over and on_repeat(ctx, state)
    if came_back:
        timers: tuple[Timer, ...] = ()
    elif taken is not None:
        timers = carried_on(state, taken, ctx)
    else:
        timers = tuple(timers_on_report(ctx))
    located_too: tuple[Timer, ...] = ()
    if returned_at is not None:
        # As had the host's notice come after the report (cross_border._returned): the
        # interview the MCT held on the notice is the owner's now, owed and chased from the
        # return (5.12), and the child is located under any other report from then (1.4).
        assert notice is not None  # the return is the notice's
        episode = replace(
            interview_held_for_the_found_report_stood_down(episode, at),
            returned_at=returned_at,
            back_read_at=notice.returned_read_at or at,  # when the hub heard of the return
        )
        ctx.episode = episode
        timers = owe_return_interview(ctx, state)
        # 1.4: from the return, no later than the hub read the host's notice (`clock_back`):
        # a return typed ahead must not end the search of an episode begun since.
        state, located_too = located(state, episode, episode.clock_back or returned_at, at)
    episode = replace(episode, timers=(*episode.timers, *timers))
    state = state.with_episode(episode)
    if escalated:
        state = notice_recorded(ctx, state)
    state = forum_recorded(ctx, state)
    state, ended = missing_again(state, episode, directory, at)
    decisions = list(ctx.decisions)
    if taken is not None:
        state = search_carried_over(
            state, episode.episode_id, taken, directory, at, cause, decisions
        )
    if timers and ended:  # 7.22: another report's grading of the absence carries to this one
        state = graded_before_the_search_was_taken_over(state, directory, at, cause, decisions)
    return Outcome(state, tuple(decisions), schedule=timers, cancel=(*ended, *located_too))


def _as_last_reported(state: ChildState, report: MisperReport) -> MisperReport:
    """A field the report left out read as the child's last report the hub holds said (its
    status, its asylum and CSE markers, as raised since), where that says more than the
    floor the contract reads (docs/contracts.md): a child in care reported again by a force
    whose system left the status out is still routed to its IRO (7.15), and an asylum-seeking
    child's absence to the Home Office (4.3). The force is told, as for any reading."""
    if not report.read_as:  # sent whole, as most are: nothing to look up
        return report
    earlier = [e for e in state.episodes if e.episode_id != report.episode_id]
    if not earlier:
        return report
    last = max(earlier, key=lambda e: e.clock_started)
    status = last.report.legal_status or LegalStatus.NOT_KNOWN
    return report.as_last_known(status, bool(last.report.uasc), last.cse_risk)


_MISPER = "New missing episode (MISPER): open the episode and await or give the RAG rating."
# 1.4: the alert itself, in words, as when a grading is raised to high later (risk.py): the
# deadline and the particulars' grading alone leave it one MISPER among many in MASH's queue.
_HIGH_RISK_MISPER = (
    "New missing episode (MISPER), reported high risk: children's services must be notified "
    "immediately (1.4). Open the episode now and await or give the RAG rating."
)


def _high_risk_alert(ctx: Context, back: str | None) -> datetime | None:
    """1.4: a child missing at high risk, children's services "must also be notified
    immediately": now. None for a child not graded high, or certainly back when the report
    is read (`_back_how`), as EDT acts for no one then (`_specific_circumstances`)."""
    return ctx.at if ctx.episode.high_risk and back is None else None


def _mash_misper(ctx: Context, back: str | None) -> str:
    """6.14's MISPER notification in words: 1.4's alert for a child missing at high risk;
    one certainly back is recorded, its RAG rating informing the risk assessment "on
    return home" (6.14), with no call to act at once."""
    if not ctx.episode.high_risk:
        return _MISPER
    if back is None:
        return _HIGH_RISK_MISPER
    return (
        f"New missing episode (MISPER), reported high risk ({back}): the child is back. "
        "Open the episode and await or give the RAG rating, for the return."
    )


def _first_contacts(ctx: Context, first_episode: bool, *, back: str | None) -> None:
    """MASH's MISPER notification (6.14) and the Missing Children Co-ordinator (7.2).
    `back`: how the child is known certainly back (`_back_how`): no high-risk alert (1.4)."""
    episode = ctx.episode
    immediate = _high_risk_alert(ctx, back)  # 1.4: high risk, told immediately
    if not adult_care_leaver(episode):  # 1.4: "... immediately if the person is under 18"
        ctx.tell(
            "mash",
            "record_missing_episode",
            "6.14",
            _mash_misper(ctx, back),
            due=immediate,
        )
    ctx.tell(
        "mct",
        "missing_child_notified",
        "7.2",
        "A child is missing: the Missing Children Co-ordinator is the first point of contact.",
        due=immediate,
        first_episode=first_episode,
    )


# What a risk update (3.19, 6.6, 4.3) can set right of a report read otherwise than sent.
RISK_UPDATE_SAYS = (
    ("6.5", "at high risk"),
    ("6.6", "at risk of sexual exploitation"),
    ("4.3", "an unaccompanied asylum-seeking child"),
)


def _read_otherwise_than_sent(ctx: Context, report: MisperReport) -> None:
    """A report the hub read otherwise than sent (`MisperReport.read_as`: a child graded
    low, or not graded, 6.5; a field the child is routed on left out, 6.6, 4.3, 7.6, or read
    as the child's last report said, 7.3; a start or last sighting after the report, 7.22)
    was taken, not refused, and the child routed on
    what the hub read: the force that made it is told what that was, to correct its record
    or send a risk update. No deadline: nothing of the child waits on it."""
    readings = report.read_as
    if not readings:
        return
    said = "; ".join(
        f"{r.field} {_as_said(r.sent)} as {r.read}{_LAST if r.from_last_report else ''} "
        f"({r.paragraph})"
        for r in readings
    )
    paragraphs = [r.paragraph for r in readings]
    # 6.5 and 6.6 first: a grading the force may have meant high, or a child it knows at
    # risk of sexual exploitation, is the more urgent to check; a risk update says either.
    paragraph = next((p for p in ("6.5", "6.6") if p in paragraphs), paragraphs[0])
    # A marker read as the child's last report said is raised already: nothing to update.
    floors = {r.paragraph for r in readings if not r.from_last_report}
    risks = [r for p, r in RISK_UPDATE_SAYS if p in floors]
    ask = (
        f"Send a risk update if the child is {' or '.join(risks)}, and correct"
        if risks
        else "Correct"
    )
    ctx.tell(
        "reporting_police",
        report.CHECK,
        paragraph,
        f"Your MISPER report was taken and the child routed reading {said}. {ask} your record.",
        facts=report.read_as_facts(),
    )


_LAST = ", as the child's last report said"


def _as_said(sent: str) -> str:
    """A value sent, as the force is told it: a field left out in brackets."""
    return f"({sent})" if sent == "not given" else sent


def _the_childs_workers(ctx: Context, *, back: str | None) -> None:
    """The allocated worker of a child known (7.3, 7.4, MCT-PG), or the MCT and MASH for a
    child not known (7.6). `back`: certainly back, no high-risk alert (1.4)."""
    episode = ctx.episode
    immediate = _high_risk_alert(ctx, back)
    if has_our_worker(ctx):
        ctx.tell(
            "allocated_worker",
            "missing_child_notified",
            "7.3",
            "Your child is missing: engage with the carers, co-ordinate partners, "
            "re-assess needs and plan to prevent further episodes (7.4).",
            due=immediate,
        )
        # MCT-PG, to the social worker: "You should always inform your Team Manager and
        # Service Manager when a child or young person is reported missing."
        ctx.tell(
            "allocated_worker",
            "inform_team_manager",
            "MCT-PG",
            "Your child is missing: inform your Team Manager.",
            due=immediate,
        )
        if adult_care_leaver(episode):
            # The same sentence names the Service Manager, "always", for a "child or young
            # person": a child's worker is told so under 7.22 (within 24 hours), which a
            # care leaver of 18 or over does not have (1.4); the guidance still applies.
            ctx.tell(
                "allocated_worker",
                "inform_service_manager",
                "MCT-PG",
                "The young person is missing: inform your Service Manager.",
                due=immediate,
            )
    if episode.looked_after and ctx.placing is not Placing.PLACED_IN:
        # MCT-PG: "those with parental responsibility are informed about the missing
        # episode" (8.4: told when the child goes missing, "unless ... inconsistent with the
        # child's welfare"): the worker's judgement, as when the child returns.
        ctx.tell(
            "allocated_worker" if has_our_worker(ctx) else "mct",
            "inform_parental_responsibility_holders",
            "MCT-PG",
            "The child in our care is missing: make sure those with parental responsibility "
            "are told, unless that is inconsistent with the child's welfare (8.4).",
            welfare_check_required=True,
        )
    if not episode.known:
        ctx.tell(
            "mct",
            "create_record_and_screen",
            "7.6",
            "Not known to children's services: request a record; MASH fully screens the "
            "child to inform the return interview.",
        )
        ctx.tell(
            "mash",
            "screen_child_not_known",
            "7.6",
            "Screen this child, not open to children's services, for previous concerns.",
        )


def _reported_again(state: ChildState, reports: list[Episode], episode: Episode) -> ChildState:
    """`reports` marked as the force's own earlier reports of an absence the child came back
    from, `episode` reporting it missing again (`Episode.reported_again_at`)."""
    for before in reports:
        state = state.with_episode(replace(before, reported_again_at=episode.clock_started))
    return state


def _reviewing_officers(ctx: Context) -> None:
    """7.15: the IRO of a child in care, or the child protection chair, oversees the Incident
    Form. A child placed here by another authority has its own there (7.27)."""
    officer = reviewing_officer(ctx)
    if officer is not None:
        ctx.tell(officer, "missing_child_notified", "7.15", _REVIEWS[officer])


_REVIEWS = {
    "iro": "A child in care is missing: oversee the Incident Form and address the episode in "
    "statutory review.",
    "cp_chair": "A child on a child protection plan is missing: oversee the Incident Form.",
}


def _across_borders(ctx: Context, placing: Placing, *, host_search: bool = True) -> None:
    """A child placed here by another authority (3.8, 8.10), or our child placed out of area
    (3.9, 3.9.1, 8.3). The Missing Co-ordinator shares the forms: the hub does not hold them.
    `host_search`: unless the host has told us the child has returned (8.4): it is not told
    the child is missing in its area, a search a found report would stand down (3.9)."""
    if placing is Placing.PLACED_IN:
        ctx.tell(
            "placing_authority",
            "child_missing_from_placement",
            "8.10",
            f"A {young_person_or(ctx.episode, 'child')} you placed here is missing (the MCT's "
            "notice to the placing social worker).",
            due=ctx.at,
        )
        ctx.tell(
            "mct",
            "share_incident_and_location_forms",
            "3.8",
            f"A {young_person_or(ctx.episode, 'child in care')} placed here by another "
            "authority is missing: share the Incident and Location Forms with the police to "
            "aid the investigation.",
            due=ctx.at,
        )
    if not told_the_host(ctx):
        return  # 3.9, 8.3: a child in our care placed out; 1.4: 18 and over, an adult
    ctx.tell(
        "mct",
        "share_incident_and_location_forms",
        "3.9.1",
        "Our child placed out of area is missing: share the Incident and Location Forms with "
        "the Northamptonshire Missing Police Officer, who shares them with the host area's "
        "police force (3.9).",
        due=ctx.at,
    )
    ctx.tell(
        "police",
        "share_forms_with_host_police",
        "3.9.1",
        "The Missing Co-ordinator is sharing the Incident and Location Forms of our child "
        "placed out of area: identify the host area's police force and share them with it.",
        due=ctx.at,
        host_area=ctx.episode.report.residence_authority,
    )
    if not host_search:
        return
    child = _ours_in_your_area(ctx)
    ctx.tell(
        "host_police",
        "child_missing_in_your_area",
        "3.9",
        f"{child} is missing; the Incident and Location Forms follow from our Missing Police "
        "Officer (3.9.1).",
        due=ctx.at,
    )
    ctx.tell(
        "host_authority",
        "child_missing_in_your_area",
        "8.3",
        f"{child} is missing; your missing protocol applies, in collaboration with us.",
    )


def _ours_in_your_area(ctx: Context) -> str:
    """3.9, 8.3 speak of a child in care placed out of area; the host is told of any child of
    ours living there, so that it searches, but a child on a plan of ours, living with its
    family, is not described to it as in our care, in a placement."""
    if ctx.episode.looked_after:
        return "A child in our care placed in your area"
    return (
        "A child our children's services are responsible for, not looked after, living in your area"
    )


def _timescales_for_action(
    ctx: Context, placing: Placing, *, searched: bool, asked: frozenset[str]
) -> None:
    """7.17: a child at significant risk needs a meeting now (`searched`: unless the child
    is known to have come back); 7.22: the social worker tells the Service Manager within
    24 hours, and the Need to Know briefing on day one, unless asked already for this
    absence under another report of it (`asked`: `strategy.day_one`)."""
    episode = ctx.episode
    if episode.high_risk and searched:
        significant_risk_meeting(ctx)
    if placing is not Placing.PLACED_IN:
        day_one(ctx, asked)


def _back_how(back: bool, returned_at: datetime | None) -> str | None:
    """How the hub knew the child certainly back when it read the report, in words for
    those told of the absence then (`_specific_circumstances`); None: it may be missing."""
    if not back:
        return None
    if returned_at is not None:
        return "received after the host authority said the child had returned"
    return "received after the child was located under another report"


# 4.1: a care leaver certainly back when the report is read (`_back_how`).
_RETURNED_CARE_LEAVER = "A care leaver was reported missing ({}) and has returned"


def _specific_circumstances(ctx: Context, *, back: str | None) -> None:
    """Out of hours (3.10), a CSE risk (6.6), a care leaver (1.4, 4.1), an unaccompanied
    asylum-seeking or trafficked child (4.3). `back`: how the child is known certainly back
    (`_back_how`: `ChildState.back_from`, or the host's word, 8.4), to whom no high-risk
    alert is owed: those told of the absence hear that it is over, with no deadline (the
    found report that follows tells them nothing again: found.told_of_the_return_already)."""
    episode, report = ctx.episode, ctx.episode.report
    missing = back is None
    if day_teams_closed(ctx):
        ctx.tell(
            "edt",
            "missing_child_out_of_hours",
            "3.10",
            "Reported out of hours: police may ask EDT for the Incident and Location Forms.",
            due=ctx.at,
        )
        if episode.high_risk and missing and not adult_care_leaver(episode):
            edt_acts_for_childrens_services(
                ctx,
                "Reported missing at high risk, out of hours: children's services must be "
                "notified immediately; EDT acts for them until the day teams open.",
            )
    if episode.cse_risk:
        # 1.4: certainly back, RISE hears the child was missing and has been found, for its
        # work after the return, as the Home Office does (4.3): no alert to chase.
        ctx.tell(
            "rise",
            "missing_child_at_risk_of_cse",
            "6.6",
            "A child with a CSE risk marker is missing."
            if missing
            else f"A child with a CSE risk marker was reported missing ({back}): the child "
            "has been found; for your work on the exploitation risk after the return.",
            due=ctx.at if missing else None,
        )
    if report.legal_status is LegalStatus.CARE_LEAVER:
        # 4.1: the local authority "remains responsible" for its care leavers; one placed
        # here by another authority is that authority's to re-assess (1.4: the placing
        # authority is "responsible for the child's care and Care planning"), as 4.3's
        # referral is (social_worker_or).
        ctx.tell(
            "leaving_care" if leaving_care_told(ctx) else "placing_authority",
            "reassess_care_leaver",
            "4.1",
            ("A care leaver is missing" if missing else _RETURNED_CARE_LEAVER.format(back))
            + ": consider re-assessing needs and putting support in place; care leavers up "
            "to 25 are always fully assessed for specific vulnerabilities (1.4).",
            adult=adult_care_leaver(episode),
        )
    if report.uasc:
        # 1.4: certainly back (a report read once the child was located under another, or
        # the host said it had returned), the Home Office hears the child has been found,
        # with no deadline, as for a marking risk update read then
        # (risk._marked_since_reported), not of a child missing now.
        uasc, who = asylum_seeking(episode), young_person_or(episode, "child")
        ctx.tell(
            "home_office",
            "uasc_missing",
            "4.3",
            f"An {uasc} is missing."
            if missing
            else f"An {uasc} was reported missing ({back}): the {who} has been found.",
            due=ctx.at if missing else None,
        )
    if report.suspected_trafficking:
        ctx.tell(
            social_worker_or_mash(ctx),
            "consider_national_referral_mechanism",
            "4.3",
            "Trafficking is suspected: refer to the National Referral Mechanism.",
        )
