"""Risk changes while the child is missing (1.4, 6.6, 6.7, 7.16, 7.22)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hub.contracts.actions import Action
from hub.contracts.events import ADULT_AGE, RiskDisagreementRaised, RiskUpdate, age_at
from hub.contracts.vocabulary import RiskLevel
from hub.routing.context import Context
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Decision, Episode, Outcome, Timer, clock_start
from hub.routing.placing import Placing
from hub.routing.rules.chairs import (
    CHILD_PROTECTION,
    child_protection_discussion,
    discussion_held,
    strategy_meeting,
)
from hub.routing.rules.duties import recorded, stand_down, stand_down_meeting
from hub.routing.rules.episode_access import open_episode, read_late
from hub.routing.rules.repeat import on_new_concern
from hub.routing.rules.roles import (
    adult_care_leaver,
    asylum_seeking,
    at_once_or_at_opening,
    day_teams_closed,
    edt_acts_for_childrens_services,
    has_our_worker,
    host_force_reported_it,
    social_worker_or_mash,
    told_the_host,
    young_person_or,
)
from hub.routing.rules.strategy import (
    BROUGHT_FORWARD_FOR,
    HELD_AT_ONCE,
    MISSING_24H,
    OVER_24_HOURS,
    SIGNIFICANT_RISK_MEETING,
    SIX_EIGHT_NOTICES,
    STRATEGY_MEETING,
    first_meeting_brought_forward_before,
    of_the_absence,
    significant_risk_meeting,
    six_eight_notice,
)

RISK_DISAGREEMENT = "risk_disagreement"


def on_risk_update(
    state: ChildState, event: RiskUpdate, directory: Directory, at: datetime, cause: str
) -> Outcome:
    episode = open_episode(
        state, event.episode_id, event.updated_at, "data.updated_at", read_late_ok=True
    )
    sent = event.risk_level
    event = _as_graded_for_a_child(episode, event, at)
    late = read_late(episode, event.updated_at)
    if late:
        return _graded_before_found(state, episode, event, directory, at, cause, sent)
    raised = event.risk_level is RiskLevel.HIGH and not episode.high_risk
    new_cse = event.cse_risk and not episode.cse_risk
    updated = replace(episode, risk_level=event.risk_level, cse_risk=event.cse_risk)
    ctx = Context(directory, at, cause, updated)
    # 1.4: located under another report of the absence, the child is back, as had it been
    # found under this one (_graded_before_found): the Home Office hears it is found.
    located = state.back_from(episode, at)
    updated = ctx.episode = _marked_since_reported(ctx, event, found=located)
    # 8.11's discussion held under another report of the absence: none again for this one.
    ctx.absence_discussed = discussion_held(state, episode, but=episode.episode_id)
    cancel: tuple[Timer, ...] = ()
    _read_otherwise_than_sent(ctx, sent, event.risk_level)
    graded = _as_told(episode.risk_level, sent, event.risk_level) + _marked(episode, updated)
    ctx.tell(
        social_worker_or_mash(ctx),
        "risk_level_changed",
        "7.16",
        f"{graded}: review the case as agreed at the strategy meeting.",
        due=at if raised else None,
        risk_level=event.risk_level.value,
        cse_risk=event.cse_risk,
    )
    ctx.tell(
        "mct",
        "risk_level_changed",
        "7.16",
        f"{graded}.",
        risk_level=event.risk_level.value,
        cse_risk=event.cse_risk,
    )
    _the_host_searching(ctx, state, episode, graded)
    # 1.4: "if the person is under 18", and missing: located under another report of this
    # absence, the child is back, as had it been found under this one (_graded_before_found).
    why = _HIGH_RISK if raised else _CSE
    if raised and not adult_care_leaver(episode) and not located:
        meet = not _brought_forward_by_another(state, episode, why, directory)
        updated = ctx.episode = _raised_to_high_risk(ctx, episode, meet)
    elif (
        new_cse
        and not episode.high_risk
        and not adult_care_leaver(episode)
        and not any(t.name == MISSING_24H for t in episode.timers)
        and _still_searched(episode)
        and not _brought_forward_by_another(state, episode, why, directory)
    ):
        # 7.22: known CSE brings the first meeting forward as high risk does. Before 24
        # hours missing, the 24-hour timer reads the marker and sets it within 48 hours.
        updated = ctx.episode = _first_meeting_brought_forward(ctx, episode)
    if new_cse:
        _rise_told_of_the_marker(ctx, found=located)
    # Graded as proposed (6.7), as police sent it: a proposed `low` they agree to is settled,
    # though the hub reads the child medium (6.5); left open, it was escalated at 12 hours.
    if episode.disputed_risk_level in (sent, event.risk_level):
        updated, cancel = settle_disagreement(updated, event.updated_at, "police re-graded")
    after = on_new_concern(ctx, state, state.with_episode(updated))
    decisions = list(ctx.decisions)
    if (raised or (new_cse and not episode.high_risk)) and not adult_care_leaver(episode):
        after = _searched_meeting_brought_forward(
            after, episode, directory, at, cause, decisions, why
        )
    return Outcome(after, tuple(decisions), cancel=cancel)


def _rise_told_of_the_marker(ctx: Context, *, found: bool) -> None:
    """6.6: RISE is told of a missing child given a CSE risk marker, at once. `found`:
    located under another report of the absence (1.4: missing "until located"), the child
    is back: RISE hears it was marked and has been found, for its work after the return,
    with no deadline to chase, as the Home Office of a child marked asylum-seeking then
    (`_marked_since_reported`)."""
    who = young_person_or(ctx.episode, "child")
    ctx.tell(
        "rise",
        "missing_child_at_risk_of_cse",
        "6.6",
        f"Before being found, the missing {who} was given a CSE risk marker (received after "
        f"the {who} was located under another report): the {who} has been found; for your "
        "work on the exploitation risk after the return."
        if found
        else "A missing child now has a CSE risk marker.",
        due=None if found else ctx.at,
    )


def _the_host_searching(ctx: Context, state: ChildState, before: Episode, graded: str) -> None:
    """7.16: "All professionals should also appropriately respond to new information
    received that amends the risk level for a Missing child": the host force searching for
    our child placed in its area (3.9) and the host authority acting with us (8.3), told it
    was missing (`told_the_host`), are told a grading that amends its risk level or CSE
    marker while that absence goes on (1.4: missing "until located"). Not the host force
    the absence was reported to: it graded the child (3.19). A notice: what each does with
    it is its own protocol's (8.3)."""
    after = ctx.episode  # as graded now
    amended = (after.risk_level, after.cse_risk) != (before.risk_level, before.cse_risk)
    # Located since under another report of the absence, or reported again by its force
    # (`ChildState.came_back`): the search the host was told of is over.
    over = state.came_back(reported_again=True).get(before.episode_id) is not None
    if not told_the_host(ctx) or not amended or over:
        return
    marker = ", with a CSE risk marker" if after.cse_risk else ""
    if before.cse_risk and not after.cse_risk:
        marker = ", its CSE risk marker removed"
    news = f"{graded}{marker}, for our child in care missing in your area"
    hosts = (
        [] if host_force_reported_it(ctx) else [("host_police", "search on the new grading (3.9)")]
    )
    hosts.append(
        ("host_authority", "your missing protocol applies, in collaboration with us (8.3)")
    )
    for host, asked in hosts:
        ctx.tell(
            host,
            "risk_level_changed",
            "7.16",
            f"{news}: {asked}.",
            risk_level=after.risk_level.value,
            cse_risk=after.cse_risk,
        )


def _as_graded_for_a_child(episode: Episode, event: RiskUpdate, at: datetime) -> RiskUpdate:
    """The update as the hub reads it: a child under 18 on the day graded `low` is read as
    `medium` (6.5: "Persons under the age of 18 can now only be categorised as Medium or
    High risk"), the least a child can be graded, as a MISPER report's `low` is: refusing it
    would leave the last grading standing, and taking it as sent would grade a child low.
    A care leaver of 18 or over may be graded low (1.4): her age when graded, but no later
    than the hub read it (an update typed ahead, past her birthday, grades a child of 17)."""
    if event.risk_level is not RiskLevel.LOW:
        return event
    graded = clock_start(event.updated_at, at)
    if age_at(episode.report.child.date_of_birth, graded) >= ADULT_AGE:
        return event
    return event.model_copy(update={"risk_level": RiskLevel.MEDIUM})


def _as_told(before: RiskLevel, sent: RiskLevel, read: RiskLevel) -> str:
    """The grading as those reviewing the case with the police are told it (7.16)."""
    if sent is read:
        return f"Police risk grading is now {read.value}"
    return f"Police graded the risk {sent.value}{_read_as(before, sent, read)}"


def _read_as(before: RiskLevel, sent: RiskLevel, read: RiskLevel) -> str:
    """Read otherwise than sent (`_as_graded_for_a_child`): what the hub reads, and whether
    that changed anything. Told only "now medium", those told would take it for the
    police's grading, which the police's record, until corrected, does not say."""
    if sent is read:
        return ""
    was = "unchanged" if before is read else f"was {before.value}"
    return (
        f", read as {read.value} ({was}; a child under 18 is graded medium or high only, "
        "6.5: the police are asked to correct the record)"
    )


def _read_otherwise_than_sent(ctx: Context, sent: RiskLevel, read: RiskLevel) -> None:
    """An update the hub read otherwise than sent (`_as_graded_for_a_child`) was taken, not
    refused: the force the child was reported to, which investigates the absence and
    re-grades it (3.19), is told what the hub read, to see the record corrected or grade the
    child high, whichever force sent the update (the engine is not told the sender: the home
    or the host's force may send one too). No deadline: nothing of the child waits on it."""
    if sent is read:
        return
    ctx.tell(
        "reporting_police",
        "check_risk_update",
        "6.5",
        f"A risk update grading the child {sent.value} was taken and the child graded "
        f"{read.value}: a child under 18 is graded medium or high only (6.5). Send a risk "
        "update if the child is at high risk, and see that the record is corrected.",
        risk_level_sent=sent.value,
        risk_level_read=read.value,
    )


def settle_disagreement(
    episode: Episode, at: datetime, by: str
) -> tuple[Episode, tuple[Timer, ...]]:
    """6.7's disagreement resolved: police graded the risk as proposed, or those told to
    resolve it said they had. Its 12-hour escalation stands down, and so do the duties to
    resolve it, which were one matter for the practitioner's manager and the police, and
    its escalation's, if it was escalated. A new
    grading the other agency did not propose settles nothing: unresolved at 12 hours, it is
    escalated."""
    settled, cancel = episode.without_timers({RISK_DISAGREEMENT})
    duties = tuple(
        replace(d, done_at=at, done_by=by)
        if d.action == Action.RESOLVE_RISK_DISAGREEMENT and not d.settled
        else d
        for d in episode.duties
    )
    # Escalated already (at 12 hours), those it went to owe it no longer: stood down, not
    # done, for they did not resolve it.
    resolved = stand_down(
        replace(settled, duties=duties), frozenset({Action.ESCALATE_RISK_DISAGREEMENT.value}), at
    )
    return replace(resolved, disputed_risk_level=None), cancel


def _graded_before_found(
    state: ChildState,
    episode: Episode,
    event: RiskUpdate,
    directory: Directory,
    at: datetime,
    cause: str,
    sent: RiskLevel,
) -> Outcome:
    """7.16 says who is told of a new grading; the child is found, so what they owe is the
    return and its interview (3.20), not a search: they are told, with no deadline, and no
    strategy meeting or high-risk alert (1.4, 7.17, 7.22) is raised for a child already
    found. A new CSE marker still goes to RISE (6.6): it shapes the support after return."""
    new_cse = event.cse_risk and not episode.cse_risk
    updated = replace(episode, risk_level=event.risk_level, cse_risk=event.cse_risk)
    ctx = Context(directory, at, cause, updated)
    updated = ctx.episode = _marked_since_reported(ctx, event, found=True)
    _read_otherwise_than_sent(ctx, sent, event.risk_level)
    read_as = _read_as(episode.risk_level, sent, event.risk_level)
    summary = (
        f"Before the child was found, police graded the risk {sent.value}{read_as}"
        f"{_marked(episode, updated)} (received after the found report): for the return and "
        "its interview."
    )
    for recipient in (social_worker_or_mash(ctx), "mct"):
        ctx.tell(
            recipient,
            "risk_level_changed",
            "7.16",
            summary,
            risk_level=event.risk_level.value,
            cse_risk=event.cse_risk,
        )
    if new_cse:
        ctx.tell(
            "rise",
            "missing_child_at_risk_of_cse",
            "6.6",
            "Before being found, the child was given a CSE risk marker (received after "
            "the found report).",
        )
    return Outcome(state.with_episode(updated), tuple(ctx.decisions))


# 4.3's markers a risk update can raise, as those told of it (7.16) read them.
_MARKERS = (
    ("uasc", "an {uasc}"),
    ("suspected_trafficking", "suspected of being trafficked"),
)


def _marked(before: Episode, after: Episode) -> str:
    """The markers the update raised (`_marked_since_reported`), in words for those told of
    the grading (7.16): the update's news may be the marker alone, not the grading. A care
    leaver of 18 or over is the young person, no longer a child (1.4, `young_person_or`)."""
    raised = [
        words.format(uasc=asylum_seeking(after))
        for field, words in _MARKERS
        if getattr(after.report, field) and not getattr(before.report, field)
    ]
    who = young_person_or(after, "child")
    return f", and police now mark the {who} as {' and '.join(raised)} (4.3)" if raised else ""


def _marked_since_reported(ctx: Context, event: RiskUpdate, *, found: bool) -> Episode:
    """4.3: a child the update marks as its MISPER report did not (a field left out, read
    false; or found out in the search): the Home Office is told of an unaccompanied
    asylum-seeking child's missing status, and the local authority asked to refer a child
    who may have been trafficked to the National Referral Mechanism, as had the report said
    so. Marked on the report as the hub reads it, so that the return (4.3) and a closure
    (7.24) are told as they are for a child reported so. `found`: read after the found
    report (or once located under another report, 1.4), the Home Office is told with no
    deadline, and that the child is back."""
    report = ctx.episode.report
    marks: dict[str, bool] = {}
    if event.uasc and not report.uasc:
        marks["uasc"] = True
        uasc, who = asylum_seeking(ctx.episode), young_person_or(ctx.episode, "child")
        ctx.tell(
            "home_office",
            "uasc_missing",
            "4.3",
            f"An {uasc} is missing (so marked by the police since the report)."
            if not found
            else f"Before being found, the missing {who} was marked an {uasc} (received after "
            f"the return): the {who} has been found.",
            due=None if found else ctx.at,
        )
    if event.suspected_trafficking and not report.suspected_trafficking:
        marks["suspected_trafficking"] = True
        ctx.tell(
            social_worker_or_mash(ctx),
            "consider_national_referral_mechanism",
            "4.3",
            "Trafficking is now suspected: refer to the National Referral Mechanism.",
        )
    if not marks:
        return ctx.episode
    return replace(ctx.episode, report=report.model_copy(update=marks))


# Why 7.22's first meeting was brought forward, as its name tells the chair: graded high, or
# a CSE marker on a child not graded high ("deemed high e.g. known sexual exploitation").
_HIGH_RISK, _CSE = BROUGHT_FORWARD_FOR


def _significant_risk_meeting_owed(episode: Episode) -> bool:
    """7.17's meeting for the child's significant risk is owed and not yet held: graded high
    again after being lowered, the child is owed that meeting, not a second one chased on
    its own once the first is held. Not 7.22's first, brought forward for a CSE marker: due
    at 48 hours, it does not stand for 7.17's, due at 24, as a child graded high throughout
    has both."""
    return _meeting_owed(episode, {SIGNIFICANT_RISK_MEETING})


def _first_meeting_owed(episode: Episode, hours: int, held: bool = False) -> bool:
    """7.22's first meeting, within 48 hours or held at once past them, is owed and not yet
    held (`held`: was held instead: the child had its one first meeting, "within 72 hours
    (48 hours if High Risk)", and a grading made again after it convenes no second by its
    name; the ladder's meetings follow it). Not 7.17's significant-risk meeting: 7.22's is
    convened "after the child has been missing for 24 hours", and a child graded high
    throughout has both (on_missing_24h); one graded high before 24 hours, lowered, then
    high again after them, has both too."""
    # And one a CSE marker brought forward (7.22's same "deemed high"), by either name a
    # stored state may hold: brought forward for CSE was once named for high risk.
    first = {
        f"{hours}-hour",
        *(f"{hours}-hour (brought forward: {why})" for why in BROUGHT_FORWARD_FOR),
    }
    return _meeting_owed(episode, first, HELD_AT_ONCE, held)


def _meeting_owed(
    episode: Episode, names: set[str], endings: tuple[str, ...] = (), held: bool = False
) -> bool:
    """Such a meeting owed, not yet held; `held`: held instead."""
    return any(
        d.action == Action.CONVENE_STRATEGY_MEETING
        and (d.done_at is not None if held else not d.settled)
        and d.meeting is not None
        and (d.meeting in names or d.meeting.endswith(endings))
        for d in episode.duties
    )


def _deemed_so(episode: Episode, why: str) -> bool:
    """Graded high (`why` high risk), or deemed high for either reason (`why` CSE): as
    on_risk_update asks of the report graded whether the grading is new."""
    return episode.high_risk if why == _HIGH_RISK else episode.meeting_brought_forward


def _brought_forward_by_another(
    state: ChildState, graded: Episode, why: str, directory: Directory
) -> bool:
    """The report graded is the one searched, and 7.22's first meeting under it was brought
    forward already (owed, or held) by another report of the same absence graded so, still
    (`_searched_meeting_brought_forward`): the child was deemed high in this absence before,
    and one first meeting was set for it; a second force's like grading sets none again.
    Or that meeting was held under another report of the absence, whose search this one
    took over (`search_carried_over`): the absence's one first meeting."""
    hours = directory.timescales.strategy_meeting_within_hours_high_risk
    if _still_searched(graded) and _first_meeting_held(state, graded, hours, but=graded.episode_id):
        return True  # held under the report whose search this one took over: the absence's
    if not first_meeting_brought_forward_before(graded, directory.timescales):
        return False
    back = state.came_back(reported_again=True)
    return any(
        e.episode_id != graded.episode_id and back.get(e.episode_id) is None and _deemed_so(e, why)
        for e in state.episodes
    )


def _raised_to_high_risk(ctx: Context, before: Episode, meet: bool = True) -> Episode:
    """The episode, its first meeting replaced if high risk brings it forward (7.22).
    `meet`: False if another report's grading of the absence brought it forward already."""
    ctx.tell(
        "mash",
        "high_risk_child_missing",
        "1.4 (Definitions)",
        "Now high risk: children's services must be notified immediately.",
        due=ctx.at,
    )
    if day_teams_closed(ctx):
        edt_acts_for_childrens_services(
            ctx,
            "Now high risk, out of hours: children's services must be notified immediately; "
            "EDT acts for them until the day teams open.",
        )
    if not meet:
        return ctx.episode
    if any(t.name == MISSING_24H for t in before.timers):
        if not _significant_risk_meeting_owed(before):
            significant_risk_meeting(ctx)  # 7.17: at significant risk, before 24 hours missing
        return ctx.episode
    if not _still_searched(before):
        return ctx.episode  # 7.22: "if the child has not returned"
    return _first_meeting_brought_forward(ctx, before)


def _still_searched(episode: Episode) -> bool:
    """7.22's meetings still run for the episode: the child has not come back from it. One
    the child came back from (missing again under a new report, located under another, or
    reported after a later one: 1.4) has had its timers stopped (`found.search_ended`), or
    never had them; a grading of it, read now, brings no meeting of it forward."""
    return any(t.name == STRATEGY_MEETING for t in episode.timers)


def graded_before_the_search_was_taken_over(
    state: ChildState, directory: Directory, at: datetime, cause: str, decisions: list[Decision]
) -> ChildState:
    """A new report took the search over (`found.missing_again` stopped the others'
    timers and stood their meetings down) while another report of the absence, the child not
    located since it began (1.4), was graded high or marked CSE: the child has not returned,
    and is deemed high still (7.22), so the first meeting is brought forward under the new
    report, as had that grading come after it (`_searched_meeting_brought_forward`). Else
    the same grading set a 48-hour meeting or a 72-hour one by the order of the reports."""
    back = state.came_back(reported_again=True)
    # 7.17's meeting under a report of the absence when its search was taken over: still
    # owed (stood down just now, `found.missing_again`), past 24 hours or not, the child is
    # owed it under the report searched; held, the child had it, as had the grading come
    # after the new report, and is owed no second.
    significant_risk = [
        d
        for e in state.episodes
        if back.get(e.episode_id) is None
        for d in e.duties
        if d.action == Action.CONVENE_STRATEGY_MEETING and d.meeting == SIGNIFICANT_RISK_MEETING
    ]
    owed = any(d.done_at is None and d.stood_down_at == at for d in significant_risk)
    held = any(d.done_at is not None for d in significant_risk)
    for graded in state.episodes:
        # Closed by joint decision (7.24), its search ended: its grading carries no further.
        ended = graded.closed_at is not None or back.get(graded.episode_id) is not None
        if ended or adult_care_leaver(graded):
            continue
        if graded.meeting_brought_forward:
            why = _HIGH_RISK if graded.high_risk else _CSE
            state = _searched_meeting_brought_forward(
                state, graded, directory, at, cause, decisions, why, (owed, held)
            )
    return state


def _searched_meeting_brought_forward(
    state: ChildState,
    graded: Episode,
    directory: Directory,
    at: datetime,
    cause: str,
    decisions: list[Decision],
    why: str,
    significant_risk: tuple[bool, bool] = (False, False),
) -> ChildState:
    """Graded high, or marked CSE, on a report whose search another report of the same
    absence took over (two forces' reports: `found.missing_again` stopped the first's
    timers): the child has not returned, so 7.22's first meeting is brought forward under
    the report still searched, the one with the meetings' timers. The same absence: no
    return known since the graded report began (`ChildState.came_back`); located since, the
    child returned (1.4), and a later absence's meetings are its own.
    `significant_risk`: whether 7.17's meeting was owed under a report of the absence until
    its search was taken over just now (owed under the searched one, however late), and
    whether it was held (owed no second)."""
    if (
        _still_searched(graded)
        or state.came_back(reported_again=True).get(graded.episode_id) is not None
    ):
        return state  # its own meetings brought forward (or none: the child is back)
    searched = [e for e in state.episodes if _still_searched(e)]  # not the graded one
    if not searched:
        return state
    episode = max(searched, key=lambda e: e.clock_started)
    if _deemed_so(episode, why):
        # Graded so itself, the searched report had its meetings brought forward by its own
        # grading (owed or held): 7.22 has one first meeting, not a second for this one.
        return state
    # 7.22 counts "from the start of the missing episode", and 1.4 has the child missing
    # "until located": not located since the first report began, the child has been missing
    # since then, not since a later force's report of it (as the console's Still missing
    # counts it: `ChildState.missing_since`).
    since = state.missing_since(reported_again=True) or episode.clock_started
    ctx = Context(directory, at, cause, episode)
    # 8.11's discussion held under the graded report (or another of the absence): no second.
    ctx.absence_discussed = discussion_held(state, episode, but=episode.episode_id)
    ts = directory.timescales
    before_24h = at < since + timedelta(hours=ts.first_strategy_meeting_hours)
    still_owed, held = significant_risk
    owed = still_owed or (why == _HIGH_RISK and before_24h and not held)
    if owed and not _significant_risk_meeting_owed(episode):
        significant_risk_meeting(ctx, since)  # 7.17, as for the searched report graded high
    # Before the searched report's 24 hours its timer would set 72 hours, reading its own
    # grading: the meeting is set now, and that timer sets no second (7.22 has one first).
    # Held under another report of the absence before it took the search over, the child
    # had its one first meeting.
    updated = ctx.episode
    if not _first_meeting_held(state, episode, ts.strategy_meeting_within_hours_high_risk):
        updated = _first_meeting_brought_forward(ctx, episode, since, why)
    decisions += ctx.decisions
    return state.with_episode(updated)


def _first_meeting_held(
    state: ChildState, searched: Episode, hours: int, but: str | None = None
) -> bool:
    """7.22's first meeting, within 48 hours or held at once, was held for this absence:
    under the report searched, or another of the absence begun no later (the search of
    which it took over), the child not back since (`ChildState.came_back`); but `but`'s."""
    back = state.came_back(reported_again=True)
    return any(
        _first_meeting_owed(e, hours, held=True)
        for e in state.episodes
        if back[e.episode_id] is None
        and e.clock_started <= searched.clock_started
        and e.episode_id != but
    )


def search_carried_over(
    state: ChildState,
    episode_id: str,
    taken: Episode,
    directory: Directory,
    at: datetime,
    cause: str,
    decisions: list[Decision],
) -> ChildState:
    """The report `episode_id` took over the search of `taken` (as it was), another report of
    the same absence (`strategy.searched_until_now`; its timers carried on: `carried_on`).
    The child has not returned, so the meetings convened under it and not yet held (stood
    down with its search: `found.missing_again`) are owed under this report, by their names
    and dates (7.22: one episode, "from the start of the missing episode"), not convened
    afresh from this report's start; those held are not owed again. This report itself
    graded high or marked CSE past 24 hours of the absence, its first meeting is brought
    forward as for a grading then (its 72-hour one not carried); before them, the 24-hour
    timer carried on reads the grading."""
    episode = state.episode(episode_id)
    assert episode is not None  # reported just now
    ctx = Context(directory, at, cause, episode, absence_high_risk=state.graded_high(episode))
    ts = directory.timescales
    deemed = episode.meeting_brought_forward and not adult_care_leaver(episode)
    before_24h = any(t.name == MISSING_24H for t in episode.timers)
    replaced = f"{ts.strategy_meeting_within_hours}-hour" if deemed and not before_24h else None
    convened = {  # by this report already (7.17's, reported high)
        d.details.get("meeting")
        for d in decisions
        if d.episode_id == episode_id and d.action == Action.CONVENE_STRATEGY_MEETING
    }
    for owed in taken.duties:
        if (
            owed.action != Action.CONVENE_STRATEGY_MEETING
            or owed.settled
            or owed.meeting is None
            or owed.meeting in convened
            or owed.meeting == replaced
        ):
            continue
        strategy_meeting(
            ctx, owed.recipient, owed.recipient, owed.due, owed.meeting, owed.paragraph
        )
    if ctx.placing is not Placing.PLACED_IN:
        _six_eight_carried_over(ctx, state, taken)
    # Recorded now: the grading of another report of the absence (graded_before_the_search_
    # was_taken_over) reads these meetings as owed under this one, and sets none again.
    ctx.episode = recorded(ctx.episode, ctx.decisions, directory)
    hours = ts.strategy_meeting_within_hours_high_risk
    if replaced is not None and not _first_meeting_held(state, episode, hours):
        ctx.episode = _first_meeting_brought_forward(ctx, ctx.episode)
        ctx.episode = recorded(ctx.episode, ctx.decisions, directory)
    decisions += ctx.decisions
    return state.with_episode(ctx.episode)


def _six_eight_carried_over(ctx: Context, state: ChildState, taken: Episode) -> None:
    """6.8: the child in our care is still missing, one absence. The notices of the report
    searched until now that its end stood down (decided after this report's start, as of a
    child then back: `found.search_ended`) are owed under this one, from when they fell due;
    and the 24-hour one, its hours past, if no report of the absence gave it (one saying
    another authority placed the child here, 8.10: `strategy.carried_on` for the others)."""
    ended = state.episode(taken.episode_id)
    assert ended is not None
    for owed in taken.duties:
        now = ended.duty(owed.notification_id)
        if owed.action in SIX_EIGHT_NOTICES and not owed.settled and now and now.stood_down_at:
            six_eight_notice(ctx, owed.action, owed.owed_from or owed.decided_at)
    episode = ctx.episode
    if not episode.looked_after or any(t.name == MISSING_24H for t in episode.timers):
        return  # not in care; or not yet 24 hours: the carried timer tells it
    told = any(
        d.action == OVER_24_HOURS and d.stood_down_at is None
        for e in of_the_absence(state, episode)
        for d in e.duties
    ) or any(d.action == OVER_24_HOURS for d in ctx.decisions)
    if not told:
        hours = ctx.directory.timescales.first_strategy_meeting_hours
        six_eight_notice(ctx, OVER_24_HOURS, episode.absence_started + timedelta(hours=hours))


def _first_meeting_brought_forward(
    ctx: Context, before: Episode, since: datetime | None = None, why: str | None = None
) -> Episode:
    """The episode, its first meeting, set for 72 hours, brought to 48 or held at once: the
    risk now deemed high (7.22: graded high, or known CSE). `since` and `why`: when the
    child went missing and why, if another report of the absence was graded, not this one."""
    since = before.absence_started if since is None else since
    ts = ctx.directory.timescales
    hours = ts.strategy_meeting_within_hours_high_risk
    # The first meeting was already set for 72 hours: high risk brings it to 48 (7.22), and
    # the 72-hour one it replaces, if not yet held, is no longer owed: 7.22's one meeting
    # "within 72 hours (48 hours if High Risk)" (on_missing_24h names it so).
    ctx.episode = stand_down_meeting(
        ctx.episode, f"{ts.strategy_meeting_within_hours}-hour", ctx.at
    )
    # Named for the reason, which the chair is told: a CSE marker is no police grading (1.4).
    why = why or (_HIGH_RISK if ctx.episode.high_risk else _CSE)
    high = why == _HIGH_RISK
    due = since + timedelta(hours=hours)
    if any(_first_meeting_owed(ctx.episode, hours, held) for held in (False, True)):
        # Graded high before: its meeting, no later than this one, stands. Brought forward
        # (or held) for a CSE marker, the child graded high now is at risk of significant
        # harm all the same: placed here, it has our strategy discussion (8.11), unless one
        # was convened under this report already (owed, or held).
        discussed = any(
            d.meeting == CHILD_PROTECTION and d.stood_down_at is None for d in ctx.episode.duties
        )
        if high and ctx.placing is Placing.PLACED_IN and not discussed:
            child_protection_discussion(ctx, max(due, ctx.at))
        return ctx.episode
    if due > ctx.at:
        which = f"{hours}-hour (brought forward: {why})"
        strategy_meeting(ctx, "team_manager", "mash", due, which, high_risk=high)
        return ctx.episode
    # Past 48 hours, it is held at once, chaired as 7.18 has a meeting of that day chaired:
    # from day 7 the Service Manager (or MASH's manager), from day 10 the SQAS Service Manager.
    days = (ctx.at - since).days
    which = f"day {days} ({why})"
    ladder = ctx.directory.timescales.strategy_meeting_days  # day 7, day 10 (on_strategy_meeting)
    if days >= ladder[min(1, len(ladder) - 1)]:
        chairs = ("sqas_service_manager", "sqas_service_manager")
    elif days >= ladder[0]:
        chairs = ("service_manager", "mash_manager")
    else:
        chairs = ("team_manager", "mash")
    strategy_meeting(ctx, *chairs, ctx.at, which, high_risk=high)
    return ctx.episode


def practitioners_manager(ctx: Context) -> str:
    """6.7: "the manager of the practitioner involved": the allocated team's manager; for a
    child with no allocated team, MASH's (7.18 names MASH where there is no team); for a
    child placed here by another authority, its social worker's, in the placing authority."""
    if ctx.placing is Placing.PLACED_IN:
        return "placing_authority"
    return "team_manager" if has_our_worker(ctx) else "mash_manager"


def on_risk_disagreement(
    state: ChildState,
    event: RiskDisagreementRaised,
    directory: Directory,
    at: datetime,
    cause: str,
) -> Outcome:
    episode = open_episode(
        state, event.episode_id, event.raised_at, "data.raised_at", read_late_ok=True
    )
    late = read_late(episode, event.raised_at)
    ctx = Context(directory, at, cause, episode)
    if late:  # raised while missing, read after the found report: nothing left to resolve
        _disagreement_before_found(ctx, event)
        return Outcome(state, tuple(ctx.decisions))
    hours = timedelta(hours=directory.timescales.risk_disagreement_hours)
    due = ctx.clock_from(event.raised_at) + hours
    summary = (
        f"{event.raised_by.value} disagrees with the police risk grading (proposes "
        f"{event.proposed_risk_level.value}): resolve within 12 hours."
    )
    ctx.tell(
        practitioners_manager(ctx),
        "resolve_risk_disagreement",
        "6.7",
        summary,
        due=due,
        proposed_risk_level=event.proposed_risk_level.value,
    )
    ctx.tell(
        "police",
        "resolve_risk_disagreement",
        "6.7",
        summary + " (Police Missing Persons Unit)",
        due=due,
        proposed_risk_level=event.proposed_risk_level.value,
    )
    timer = Timer(
        RISK_DISAGREEMENT,
        episode.episode_id,
        due,
        "6.7",
        # Each disagreement its own 12 hours, counted by the police's duty to resolve it.
        sequence=episode.times_owed(Action.RESOLVE_RISK_DISAGREEMENT, "police"),
    )
    updated = replace(
        episode,
        timers=(*episode.timers, timer),
        disputed_risk_level=event.proposed_risk_level,
    )
    return Outcome(state.with_episode(updated), tuple(ctx.decisions), schedule=(timer,))


def _disagreement_before_found(ctx: Context, event: RiskDisagreementRaised) -> None:
    """6.7's 12 hours are for a grading that steers a search; the child is found, so those
    6.7 names are told, with no deadline and no escalation, for the return and its
    interview."""
    summary = (
        f"Before the child was found, {event.raised_by.value} disagreed with the police risk "
        f"grading (proposed {event.proposed_risk_level.value}; received after the found "
        "report): for the return and its interview."
    )
    for recipient in (practitioners_manager(ctx), "police"):
        ctx.tell(
            recipient,
            "resolve_risk_disagreement",
            "6.7",
            summary,
            proposed_risk_level=event.proposed_risk_level.value,
        )


def on_risk_disagreement_unresolved(ctx: Context, timer: Timer) -> list[Timer]:
    # 6.7: "the police DCI and the RISE/MCT Service Manager in Children's Social Care should
    # be consulted" (not the allocated team's Service Manager of 7.18).
    ctx.tell(
        "rise_mct_service_manager",
        "escalate_risk_disagreement",
        "6.7",
        "The risk disagreement is unresolved after 12 hours: you and the police DCI are "
        "consulted; the Head of Safeguarding too.",
        due=at_once_or_at_opening(ctx, "rise_mct_service_manager"),
    )
    ctx.tell(
        "head_of_safeguarding",
        "escalate_risk_disagreement",
        "6.7",
        "Unresolved risk disagreement: consult, and liaise with police chief officers if needed.",
        due=at_once_or_at_opening(ctx, "head_of_safeguarding"),
    )
    ctx.tell(
        "police",
        "escalate_risk_disagreement",
        "6.7",
        "Unresolved risk disagreement: the police DCI is consulted.",
        due=ctx.at,
    )
    return []
