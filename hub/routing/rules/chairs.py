"""Strategy meetings: who convenes or chairs them (7.18, 7.22, 7.27, 8.11), who attends (7.20)
and who receives the minutes (7.20, 7.23)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.contracts.actions import Action
from hub.contracts.vocabulary import LegalStatus
from hub.routing.context import Context
from hub.routing.facts import ChildState, Episode
from hub.routing.placing import Placing
from hub.routing.rules.roles import host_force_reported_it

# 8.11's strategy discussion under our child protection procedures, for a child placed here.
CHILD_PROTECTION = "child protection (8.11)"


def chair(
    ctx: Context, allocated_role: str, unallocated_role: str, paragraph: str = "7.18"
) -> tuple[str, str]:
    """The chair's role and the paragraph naming it. A child placed here by another authority
    has its meetings convened by the placing authority (7.27)."""
    if ctx.placing is Placing.PLACED_IN:
        return "placing_authority", "7.27"
    return (allocated_role if ctx.episode.allocated else unallocated_role), paragraph


def strategy_meeting(
    ctx: Context,
    allocated_role: str,
    unallocated_role: str,
    due: datetime,
    which: str,
    paragraph: str = "7.18",
    high_risk: bool | None = None,
) -> None:
    """`high_risk`: what the chair is told of the risk, if not the absence's grading
    (`Context.high_risk`: a meeting brought forward for a reason its name gives: risk.py);
    True, the meeting is convened for the child's high risk, graded just now."""
    if paragraph == "8.11":  # owed under another report of the absence (risk.search_carried_over)
        child_protection_discussion(ctx, due)
        return
    recipient, paragraph = chair(ctx, allocated_role, unallocated_role, paragraph)
    high = ctx.high_risk if high_risk is None else high_risk
    # 7.22: graded high under another force's report of the absence, not this one: the
    # chair's particulars show this report's grading, so the summary says which is whose
    graded_elsewhere = (
        f" The absence is graded high under another police report of it, though this "
        f"report grades it {ctx.episode.risk_level.value}: plan for high risk (7.22)."
        if high and not ctx.episode.high_risk
        else ""
    )
    if recipient == "placing_authority":
        # 7.27: "convened and attended by the placing Children's Social Care Department in
        # accordance with their own procedures": its invitations and minutes are its own.
        ctx.tell(
            recipient,
            "convene_strategy_meeting",
            paragraph,
            f"The child you placed here is still missing: convene and attend the {which} "
            f"strategy meeting under your own procedures.{graded_elsewhere}",
            due=due,
            meeting=which,
            high_risk=high,
        )
        if high_risk:
            # Convened for its high risk (7.17's significant risk, or 7.22's first meeting
            # brought forward for it): the child is at risk of significant harm here (8.11).
            child_protection_discussion(ctx, due)
        return
    ctx.tell(
        recipient,
        "convene_strategy_meeting",
        paragraph,
        f"Convene and chair the {which} strategy meeting, with the police, Health, the "
        "child's social worker (with the MCT's updates), and the parents and carers unless "
        "there is good reason not to (7.20, 7.22); put provisional arrangements in place "
        f"for the next (7.22).{graded_elsewhere}",
        due=due,
        meeting=which,
        high_risk=high,
    )
    invite_attendees(ctx, which, due)
    minutes_due(ctx, which, due)


def child_protection_discussion(ctx: Context, due: datetime) -> None:
    """8.11: "Where a child placed in Northamptonshire by another Local Authority is
    identified to be suffering or at risk of suffering significant harm, Northamptonshire
    Child Protection procedures must be followed": the placing authority's missing meetings
    (7.27) do not stand for them. Our strategy discussion is held "by MASH in the event the
    child is not allocated to a team" (5.7), as our own child's with no team is (7.17), with
    the police and Health (7.20); the placing authority's social work team, the child's,
    asked to it (8.1: the two authorities work together; as 8.12 has it). Its minutes are no
    IRO's of ours (7.27). One owed at a time: a grading raised again convenes no second."""
    owed = any(
        d.action == Action.CONVENE_STRATEGY_MEETING and d.meeting == CHILD_PROTECTION
        for d in ctx.episode.duties
        if not d.settled
    ) or any(
        d.action == Action.CONVENE_STRATEGY_MEETING and d.details.get("meeting") == CHILD_PROTECTION
        for d in ctx.decisions
    )
    if owed or ctx.absence_discussed:
        return
    ctx.tell(
        "mash",
        "convene_strategy_meeting",
        "8.11",
        "A child placed here by another authority is at risk of significant harm (graded "
        "high): Northamptonshire Child Protection procedures apply (8.11). Convene and chair "
        "the strategy discussion under them, with the police, Health and the placing "
        "authority's social work team (5.7, 7.20); the placing authority convenes its own "
        "missing strategy meetings besides (7.27).",
        due=due,
        meeting=CHILD_PROTECTION,
        high_risk=True,
    )
    invite_attendees(ctx, CHILD_PROTECTION, due)
    ctx.tell(
        "placing_authority",
        "attend_strategy_meeting",
        "8.11",
        "The child you placed here is at risk of significant harm: Northamptonshire Child "
        "Protection procedures apply, and our MASH holds the strategy discussion; your social "
        "work team for the child is asked to it.",
        # No deadline of its own: the chair's duty carries it (as 8.12's invitation).
        meeting=CHILD_PROTECTION,
    )


def discussion_held(state: ChildState, searched: Episode, but: str | None = None) -> bool:
    """8.11's discussion was held for the absence `searched` is searched under, as 7.17's
    meeting (`strategy.significant_risk_meeting_held`): a second force's report graded high
    owes no second; but under `but`."""
    return held_for_the_absence(state, searched, CHILD_PROTECTION, but)


def held_for_the_absence(
    state: ChildState, searched: Episode, meeting: str, but: str | None = None
) -> bool:
    """The meeting was held for the absence `searched` is searched under: under it, or
    another report of it begun no later, the child not back since (`ChildState.came_back`);
    not under the report `but`."""
    back = state.came_back(reported_again=True)
    return any(
        d.action == Action.CONVENE_STRATEGY_MEETING
        and d.meeting == meeting
        and d.done_at is not None
        for e in state.episodes
        if back[e.episode_id] is None
        and e.clock_started <= searched.clock_started
        and e.episode_id != but
        for d in e.duties
    )


def invite_attendees(ctx: Context, which: str, due: datetime) -> None:
    """7.20: police and Health attend every strategy meeting. The social worker (with the
    MCT's updates) and the parents and carers are the chair's to invite: the notice that
    convenes the meeting names them. For our child placed out of area, the
    police are the force that took the report and the force searching where the child lives
    (8.3), if another."""
    attendees = ["reporting_police", "health"]
    if ctx.placing is Placing.PLACED_OUT and not host_force_reported_it(ctx):
        attendees.insert(1, "host_police")
    for attendee in attendees:
        ctx.tell(
            attendee,
            "attend_strategy_meeting",
            "7.20",
            f"Attend the {which} strategy meeting.",
            due=due,
            meeting=which,
        )


def minutes_due(ctx: Context, which: str, meeting_due: datetime) -> None:
    """Minutes within 24 hours (7.20) to the IRO, or the child protection chair (7.23)."""
    legal = ctx.episode.report.legal_status
    if legal is LegalStatus.CHILD_PROTECTION_PLAN:
        recipient = "cp_chair"
    elif legal is LegalStatus.LOOKED_AFTER:
        recipient = "iro"
    else:
        return
    hours = ctx.directory.timescales.minutes_within_hours
    ctx.tell(
        recipient,
        "receive_strategy_meeting_minutes",
        "7.23",
        f"Minutes of the {which} strategy meeting are due to you within {hours} hours.",
        due=meeting_due + timedelta(hours=hours),
        meeting=which,
    )
