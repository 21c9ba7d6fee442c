"""Who can hold a duty for this child. A role the child does not have is never told: a child
placed here by another authority has its social worker, IRO and managers in the placing
authority (7.27, 8.10), and a child with no allocated worker has no allocated team (3.4, 7.6).
A care leaver of 18 or over is an adult to the police (1.4): the child's processes (the MASH
episode, the strategy meetings, the Assistant Director's reviews) are not theirs, and how long
they stay the local authority's is the deployment's setting."""

from __future__ import annotations

from datetime import datetime

from hub.contracts.actions import Action, Recipient
from hub.contracts.events import ADULT_AGE, MisperReport, age_at
from hub.contracts.vocabulary import LegalStatus
from hub.routing.calendar import is_out_of_hours, next_opening
from hub.routing.context import Context
from hub.routing.directory import Timescales
from hub.routing.facts import Episode, ProtocolViolation
from hub.routing.placing import Placing


def has_our_worker(ctx: Context) -> bool:
    """An allocated worker of the home authority's (7.3): a child placed here by another
    authority has its worker there."""
    return ctx.episode.allocated and ctx.placing is not Placing.PLACED_IN


# A plan of social work (5.15: "a child in care or a child living at home but who is already
# receiving support from a social worker"; 7.3 names the "social worker or Early Help
# worker" apart): an Early Help worker or a care leaver's personal adviser is not a social
# worker.
SOCIAL_WORK = frozenset(
    {LegalStatus.LOOKED_AFTER, LegalStatus.CHILD_PROTECTION_PLAN, LegalStatus.CHILD_IN_NEED_PLAN}
)


def has_our_social_worker(ctx: Context) -> bool:
    """An allocated worker of ours who is the child's social worker (6.14, 5.15)."""
    return has_our_worker(ctx) and ctx.episode.report.legal_status in SOCIAL_WORK


def social_worker_or(ctx: Context, without: str) -> str:
    """The child's social worker: ours if allocated; for a child placed here by another
    authority, the placing authority's (8.10); otherwise `without`."""
    if ctx.placing is Placing.PLACED_IN:
        return "placing_authority"
    return "allocated_worker" if ctx.episode.allocated else without


def social_worker_or_mash(ctx: Context) -> str:
    """The child's social worker (`social_worker_or`), or MASH. MASH is never told of a care
    leaver of 18 or over (1.4: "Police will treat 18 and above as adults"): the Leaving Care
    Service, responsible for the young person (4.1), is told instead, as of the concerns
    about the return (5.6); one placed here is the placing authority's (8.10)."""
    return social_worker_or(ctx, "leaving_care" if adult_care_leaver(ctx.episode) else "mash")


def day_teams_closed(ctx: Context) -> bool:
    """Out of hours (3.10: 17:30 to 09:00, weekends and bank holidays) when the hub tells:
    whoever is on duty then must act. A report read late (after an outage) is judged by the
    time it is read, not the time it was made."""
    return is_out_of_hours(ctx.at, ctx.directory)


# Who answers out of hours (3.10): EDT for children's services, and the police; another
# authority keeps its own hours. Every other team and manager of ours keeps office hours.
_AT_ALL_HOURS = frozenset(
    {"edt", "police", "host_police", "reporting_police", "placing_authority", "host_authority"}
)


def at_once_or_at_opening(ctx: Context, recipient: str) -> datetime:
    """The deadline of an escalation the rules themselves make (6.7, 5.12, MCT-PG), which is
    not followed up again: at once, but for a day team or manager of ours told out of hours
    (3.10), when the day teams open."""
    if recipient in _AT_ALL_HOURS or not day_teams_closed(ctx):
        return ctx.at
    return next_opening(ctx.at, ctx.directory)


def edt_acts_for_childrens_services(ctx: Context, summary: str) -> None:
    """1.4's "Children's services must also be notified immediately", out of hours: the
    Emergency Duty Team (3.10, 3.13). MASH and the managers it escalates to are office-hours
    teams."""
    ctx.tell("edt", "high_risk_child_missing", "1.4 (Definitions)", summary, due=ctx.at)


def age_when_missing(report: MisperReport) -> int:
    """On the day the child went missing in the United Kingdom, whatever the offset written."""
    return age_at(report.child.date_of_birth, report.missing_since)


def adult_care_leaver(episode: Episode) -> bool:
    """1.4: "Police will treat 18 and above as adults" (the contract admits no adult who is
    not a care leaver)."""
    return age_when_missing(episode.report) >= ADULT_AGE


def young_person_or(episode: Episode, child: str) -> str:
    """How a notice names the person: `child` ("child", "child in care", ...), but "young
    person" for a care leaver of 18 or over (1.4: an adult to the police; "the term 'child'
    is used throughout this document to include young people", and the care leaver notices
    say "young person"), who is no child placed here nor an unaccompanied asylum-seeking
    child (4.3: no longer once "age assessed as being over 18yrs")."""
    return "young person" if adult_care_leaver(episode) else child


def asylum_seeking(episode: Episode) -> str:
    """How the Home Office is told of the person 4.3 has it told of: an "unaccompanied
    asylum-seeking child", but a care leaver of 18 or over is one no longer (`young_person_or`)."""
    if adult_care_leaver(episode):
        return "asylum-seeking young person (a care leaver of 18 or over)"
    return "unaccompanied asylum-seeking child"


def reviewing_officer(ctx: Context) -> str | None:
    """7.15: the IRO of a child in care, or the child protection chair of a child on a plan,
    who oversees the Incident Form; none for a child placed here by another authority, whose
    own are there (7.27)."""
    if ctx.placing is Placing.PLACED_IN:
        return None
    return _REVIEWING_OFFICERS.get(ctx.episode.report.legal_status)


_REVIEWING_OFFICERS: dict[LegalStatus | None, str] = {  # None only before validation
    LegalStatus.LOOKED_AFTER: "iro",
    LegalStatus.CHILD_PROTECTION_PLAN: "cp_chair",
}


def told_the_host(ctx: Context) -> bool:
    """3.9, 8.3: our child placed in another area, whose host force and host authority are
    told of its absence (and the authority of its return, 8.4). Not a care leaver of 18 or
    over: an adult to the police (1.4), never described to a host as a child in our care
    placed there."""
    return ctx.placing is Placing.PLACED_OUT and not adult_care_leaver(ctx.episode)


def host_force_reported_it(ctx: Context) -> bool:
    """The force where our child placed out lives is the one the absence was reported to:
    it attends as that force (7.20), and graded the child itself (3.19)."""
    return ctx.authority_of("host_police") == ctx.authority_of("reporting_police")


def rise_told(episode: Episode) -> bool:
    """6.6: RISE was told of the absence of a child at risk of sexual exploitation: with the
    marker when reported, or raised since (its alert owed, though the marker was lowered)."""
    return episode.cse_risk or _alerted(
        episode, Recipient.RISE, Action.MISSING_CHILD_AT_RISK_OF_CSE
    )


def _alerted(episode: Episode, recipient: Recipient, action: Action) -> bool:
    """The report gave `recipient` this alert with a deadline (a duty): of a child missing,
    not one already found, which is told with none."""
    return any(d.recipient == recipient and d.action == action for d in episode.duties)


def rise_told_found(episode: Episode) -> bool:
    """6.6: RISE heard of this report's CSE marker only once the child was certainly back
    (a report, or a marking risk update, read once the child was located under another
    report of the absence: 1.4): told then, with no alert to chase, that the child had been
    found (missing._specific_circumstances, risk._rise_told_of_the_marker)."""
    return episode.cse_risk and not _alerted(
        episode, Recipient.RISE, Action.MISSING_CHILD_AT_RISK_OF_CSE
    )


def home_office_told(episode: Episode) -> bool:
    """4.3: the Home Office was told of the absence of an unaccompanied asylum-seeking child:
    so reported, or marked since (risk._marked_since_reported)."""
    return episode.report.uasc is True


def home_office_told_found(episode: Episode) -> bool:
    """4.3: the Home Office heard of this report's asylum-seeking child only once the child
    was certainly back (a report, or a marking risk update, read once the child was located
    under another report of the absence: 1.4): told then, with no deadline, that the child
    had been found (missing._specific_circumstances, risk._marked_since_reported), as RISE
    is (`rise_told_found`)."""
    return home_office_told(episode) and not _alerted(
        episode, Recipient.HOME_OFFICE, Action.UASC_MISSING
    )


def leaving_care_told(ctx: Context) -> bool:
    """4.1: the Leaving Care Service was told of a missing care leaver, to consider
    re-assessing needs (the missing rules and the return share this rule); one placed here is
    its placing authority's to re-assess (1.4)."""
    leaver = ctx.episode.report.legal_status is LegalStatus.CARE_LEAVER
    return leaver and ctx.placing is not Placing.PLACED_IN


def require_a_care_leaver_of_ours(report: MisperReport, ts: Timescales) -> None:
    """1.4: a former relevant child stays the local authority's "up to 21 (25 years if in
    full time education)" (4.1: "up until 25"); the ages are the deployment's. Not knowing
    whether the young person is in full-time education is no reason to refuse: 1.4 has care
    leavers up to 25 "always be fully assessed"."""
    if report.legal_status is not LegalStatus.CARE_LEAVER:
        return
    age, field = age_when_missing(report), "data.child.date_of_birth"
    limit = ts.care_leaver_in_full_time_education_until_age
    if age >= limit:
        raise ProtocolViolation(
            field,
            f"the care leaver is {limit} or over, beyond the local authority's responsibility "
            "(protocol 1.4, 4.1)",
        )
    if age >= ts.care_leaver_until_age and report.in_full_time_education is False:
        raise ProtocolViolation(
            "data.in_full_time_education",
            f"a care leaver of {ts.care_leaver_until_age} or over is the local authority's "
            "only in full-time education (protocol 1.4)",
        )
