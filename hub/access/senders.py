"""Who sent a message, known from where it arrived and never from what it says.

Each sending agency (a police force, a local authority's systems) publishes each type on a
topic of its own, `inbound.<type>.<agency>`, that the broker lets it alone write
(hub.access.plan). The hub reads the sender from the topic's name, and refuses a message
whose CloudEvents `source`, `reporting_force` or `from_authority` names another agency: an
agency's own systems cannot speak for a second agency, even by mistake.

The shared topics `inbound.<type>` carry no sender: a deployment whose broker lets no agency
write them (only the hub and its operators) uses them for replays and tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel

from hub.contracts.events import (
    CrossBorderNotice,
    DutyAcknowledged,
    DutyCompleted,
    EpisodeClosed,
    FoundReport,
    MashRating,
    MisperReport,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
    RiskDisagreementRaised,
    RiskUpdate,
    StrategyMeetingHeld,
)
from hub.contracts.problems import Problem
from hub.contracts.registry import CONTRACTS, Contract, Sender
from hub.contracts.vocabulary import Agency as DisagreeingAgency
from hub.contracts.vocabulary import CrossBorderNoticeKind, Interviewer
from hub.routing.directory import Directory, Resolution, Standing, code_like
from hub.routing.facts import ChildState, Episode, NoticeDuties
from hub.routing.placing import named_authorities
from hub.routing.rerouting import answering_for

SOURCE_ROOT = {Sender.POLICE: "police", Sender.AUTHORITY: "la"}  # docs/contracts.md, ce_source
REFUSALS = "refusals"  # notify.<agency>.refusals: each sender reads its own refusals
_CONTRACT_OF_TOPIC = {c.topic: c for c in CONTRACTS}


@dataclass(frozen=True)
class Agency:
    code: str  # its directory code: its Kafka user, its topics' last part
    kind: Sender


@dataclass(frozen=True)
class Arrival:
    """What a topic's name says: the contract it carries and, on a sender's own topic, who
    alone can have written it."""

    contract_topic: str | None
    sender: str | None


def agencies(directory: Directory) -> dict[str, Agency]:
    """Every agency that may connect: each police force and each authority of the national
    directory, and the deployment's home authority under its own code."""
    reference = directory.reference
    codes = (*reference.police_forces, *reference.authorities, directory.home_authority)
    return {code: agency for code in codes if (agency := agency_of(directory, code))}


def recipients_only(directory: Directory) -> tuple[str, ...]:
    """Those the hub notifies that send it nothing: the Home Office (4.3: told of an
    asylum-seeking child's missing status). Each reads its own notifications; none is an
    agency whose topic the hub reads (`agency_of`)."""
    home_office = directory.national.home_office
    return () if agency_of(directory, home_office) is not None else (home_office,)


def agency_of(directory: Directory, code: str) -> Agency | None:
    """The agency a code names, or None (a look-up, not a scan: it runs per message)."""
    if code in directory.reference.police_forces:
        return Agency(code, Sender.POLICE)
    if code in directory.reference.authorities or code == directory.home_authority:
        return Agency(code, Sender.AUTHORITY)
    return None


def sender_topic(contract: Contract, agency: str) -> str:
    return f"{contract.topic}.{agency}"


def topics_of(agency: Agency) -> list[str]:
    """The topics an agency writes: one per type its kind sends."""
    return [sender_topic(c, agency.code) for c in CONTRACTS if agency.kind in c.sent_by]


def inbound_pattern(prefix: str) -> str:
    """Every inbound topic under the deployment's prefix, shared or a sender's own: the
    hub's subscription, so an agency onboarded later is read without a restart."""
    return re.escape(prefix) + r"inbound\.[a-z0-9-]+(\.[a-z0-9-]+)?$"


@lru_cache(maxsize=4096)  # per record, over the few topic names a deployment has
def arrival(topic: str) -> Arrival:
    """`[prefix]inbound.<type>[.<agency>]`, read from the right: a prefix may hold dots."""
    for contract_topic in _CONTRACT_OF_TOPIC:
        if topic.endswith(contract_topic):
            return Arrival(contract_topic, None)
        _, found, agency = topic.rpartition(f"{contract_topic}.")
        if found and agency and "." not in agency:
            return Arrival(contract_topic, agency)
    return Arrival(None, None)


def origin_problems(
    contract: Contract, source: str, body: BaseModel, sender: str, directory: Directory
) -> list[Problem]:
    """Where the message disagrees with the agency whose topic it came on. A name the
    directory does not know is not a disagreement (the routing rules deal with it, and a
    missing child is never refused for it); a name of another agency is."""
    agency = agency_of(directory, sender)
    if agency is None:
        return [Problem("(topic)", "is not the topic of an agency of the directory")]
    if agency.kind not in contract.sent_by:
        return [Problem("ce_type", f"a {contract.name} is not sent by a {agency.kind}")]
    problems = []
    if not _source_names(source, agency, directory):
        root = SOURCE_ROOT[agency.kind]
        problems.append(
            Problem("ce_source", f"does not name the sending agency: /{root}/<{sender}>/...")
        )
    force = getattr(body, "reporting_force", None)
    if force is not None and directory.resolve_force(force, only_forces=True) not in (
        None,
        sender,
    ):
        problems.append(Problem("data.reporting_force", "is another police force than the sender"))
    placing = getattr(body, "from_authority", None)
    if placing is not None and not _may_be(placing, agency, directory):
        problems.append(Problem("data.from_authority", "is another authority than the sender"))
    answering = getattr(body, "answered_by", None)
    if answering is not None and not _answers_as(answering, agency, directory):
        problems.append(Problem("data.answered_by", "is another agency than the sender"))
    if (
        isinstance(body, RiskDisagreementRaised)
        and agency.kind is Sender.AUTHORITY
        and body.raised_by is DisagreeingAgency.POLICE
    ):
        problems.append(Problem("data.raised_by", "an authority cannot raise the police's"))
    problems += _the_home_authoritys(body, agency, directory)
    return problems


def as_sent_by(body: BaseModel, sender: str, directory: Directory) -> BaseModel:
    """What a message on an agency's own topic says of its sender without naming it in a
    way the directory knows. A MISPER report from a force that names no known force was
    reported to that force: its police duties (5.1, 5.12) go to the force that has the
    child's report, not held for a name it left out (1.6: police are the first point of
    contact). A cross-border notice from an authority that names no known authority is
    from that authority (section 8). Called after `origin_problems`, which refuses a name
    of another agency."""
    agency = agency_of(directory, sender)
    if agency is None:
        return body
    if (
        isinstance(body, MisperReport)
        and agency.kind is Sender.POLICE
        and directory.resolve_force(body.reporting_force, only_forces=True) is None
    ):
        return body.model_copy(update={"reporting_force": sender})
    if (
        isinstance(body, CrossBorderNotice)
        and agency.kind is Sender.AUTHORITY
        and not directory.resolve_authority(body.from_authority).codes
        and sender != body.to_authority
    ):
        return body.model_copy(update={"from_authority": sender})
    return body


def _the_home_authoritys(body: BaseModel, agency: Agency, directory: Directory) -> list[Problem]:
    """What only the home authority's teams say of a child: MASH's rating (6.14), and a
    return interview, unless the sender did it as the placing authority of a child it placed
    here (8.10). Another authority saying so would steer the home teams' duties."""
    if agency.kind is not Sender.AUTHORITY or agency.code == directory.home_authority:
        return []
    if isinstance(body, MashRating):
        return [Problem("(topic)", "a MASH rating is the home authority's MASH's (6.14)")]
    if isinstance(body, CrossBorderNotice) and agency.code in directory.home_areas:
        # A council of the home area whose children's services the home authority runs (a
        # trust's): its notice would be the home teams' placement (7.14), in their name.
        return [
            Problem("(topic)", f"the home area's notices are {directory.home_authority}'s to send")
        ]
    if (
        isinstance(body, ReturnInterviewResult)
        and body.interviewer != Interviewer.PLACING_AUTHORITY
    ):
        return [
            Problem(
                "data.interviewer",
                "another authority reports only a return interview it did as the placing "
                "authority (8.10)",
            )
        ]
    return []


def placing_problems(
    body: BaseModel, sender: str, state_of: Callable[[], ChildState], directory: Directory
) -> list[Problem]:
    """A return interview another authority reports as the placing authority (8.10) is
    taken from the authority the child's MISPER report names as responsible for it, and
    from no other: its result discharges the MCT's duty and stops the 72-hour chase (5.12).
    An episode not yet known, and a sender no party to it, are held (`stranger_problem`); a
    responsible authority the directory does not know cannot be checked, so the claim is
    refused and the duty stays owed."""
    if not (
        isinstance(body, ReturnInterviewResult)
        and body.interviewer is Interviewer.PLACING_AUTHORITY
        and sender != directory.home_authority
    ):
        return []
    episode = state_of().episode(body.episode_id)  # read only for such a claim
    if episode is None:
        return []
    placing = directory.resolve_authority(episode.responsible_authority)
    if placing.standing in (Standing.KNOWN, Standing.AMBIGUOUS) and sender in placing.codes:
        return []
    # Naming none (and none told us it placed the child here, 8.9): the home authority's
    # child, as the contract reads it, placed by no other authority. Refused as any child
    # the sender did not place: the refusal goes back to it, and must not tell a stranger
    # what the report says nor ask ops for an alias that would change nothing.
    if placing.standing in (Standing.KNOWN, Standing.AMBIGUOUS, Standing.HOME, Standing.ABSENT):
        return [
            Problem("data.interviewer", "the sender is not the authority that placed this child")
        ]
    # The report names an authority the directory does not know (misspelt, say): stored and
    # reported like any refusal, to be replayed once ops add the name as an alias.
    return [
        Problem(
            "data.interviewer",
            "the child's MISPER report names no authority the directory knows as responsible "
            "for it, so who placed the child cannot be checked yet",
        )
    ]


# What a sender that is no party to an episode is told of it, whether the hub has the episode,
# has had it (retired), or has never heard of it: true in each case.
NOT_A_PARTY = Problem(
    "data.episode_id", "the hub has no MISPER report for this episode that names the sending agency"
)
# About an episode the hub must have: held until its MISPER report comes (the engine's
# `reported_episode`). A MISPER report and a cross-border notice are taken without one.
_ABOUT_AN_EPISODE = (
    RiskUpdate,
    RiskDisagreementRaised,
    FoundReport,
    PreventionInterviewCompleted,
    ReturnInterviewResult,
    DutyAcknowledged,
    DutyCompleted,
    StrategyMeetingHeld,
    EpisodeClosed,
)
_ANSWERS = (DutyAcknowledged, DutyCompleted, StrategyMeetingHeld, EpisodeClosed)
# Taken from the episode's parties only (`stranger_problem`): a disagreement over the risk
# is between the police and the professionals working with the child (6.7), from a force
# as from an authority.
_FROM_PARTIES = (
    *_ANSWERS,
    RiskUpdate,
    RiskDisagreementRaised,
    ReturnInterviewResult,
    CrossBorderNotice,
)


def stranger_problem(
    body: BaseModel, sender: str, state_of: Callable[[], ChildState], directory: Directory
) -> Problem | None:
    """Why a message from an agency that is no party to the episode it names is held, as one
    about an episode the hub has never heard of is: the existence of a child's missing
    episode is personal data, and the refusal goes back to the sender (DESIGN.md: each
    recipient is sent what its duty needs). Told at once that a notification is not one of
    the episode's, that it has no standing (6.7, 7.24, 8.10), or that the episode was
    retired, a stranger would learn the child has an episode by trying ids; told nothing
    until the hold expires, with the same reason, it learns nothing. Held, it is tried again
    whenever the child's record changes, and applied should the sender become a party.

    The home authority, its areas and the home police force are parties to every episode
    of the hub, and are told precisely. Of a retired episode the hub no longer knows who
    else was a party (docs/retention.md): any other sender is told as a stranger. Answers
    (issue 14), a risk disagreement (6.7: between the child's police and the professionals
    working with the child; from a force as from an authority), a risk update (3.19: the
    police investigating the absence re-grade it) and a placing authority's return interview
    and its acceptance of it (8.10) are taken from parties only. A found report or prevention
    interview about an episode the hub has is taken from any force: any force may find the
    child (5.1)."""
    # 8.10: the placing authority's word that it will conduct the return interview is about
    # an episode, as its interview result is. A host's missing or found notice (8.4) is
    # taken without one, and one from a stranger is the MCT's to check (cross_border.py).
    if isinstance(body, CrossBorderNotice):
        if body.kind is not CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED:
            return None
        episode_id = body.episode_id or ""
    elif isinstance(body, _ABOUT_AN_EPISODE):
        episode_id = body.episode_id
    else:
        return None
    if party_to_every_episode(sender, directory):
        return None
    state = state_of()
    episode = state.episode(episode_id)
    if episode is None:
        notice = state.notice(episode_id)
        # An answer to a duty a cross-border notice led to before its MISPER report (8.4,
        # 8.9) is the engine's to apply, from the agency the duty is owed to.
        if notice is not None and isinstance(body, _ANSWERS) and _owed(notice, sender, directory):
            return None
        return NOT_A_PARTY  # never heard of, retired, or a notice owing the sender nothing
    if not isinstance(body, _FROM_PARTIES):
        return None
    return None if _party(episode, sender, directory) else NOT_A_PARTY


def party_to_every_episode(sender: str, directory: Directory) -> bool:
    """The home authority, its areas and the home police force: nothing of an episode of
    the hub is kept from them."""
    return (
        sender in (directory.home_authority, directory.home_police_force)
        or sender in directory.home_areas
    )


def _party(episode: Episode, sender: str, directory: Directory) -> bool:
    """Whether the sender knows of the episode from the hub or the report: its reporting
    force, the placing and host authorities it names and the host's force (8.3, 8.4, 8.10),
    or an agency some duty of the episode is owed to. A name the directory does not know
    (misspelt, say) may be the sender, as for `standing_problems`."""
    named = named_authorities(episode, directory)
    if named is None:
        return True
    authorities = {code for resolution in named for code in resolution.codes}
    forces = {directory.resolve_force(episode.report.reporting_force, only_forces=True)}
    forces |= {directory.force_of(resolution) for resolution in named}
    return sender in authorities | forces or _owed(episode, sender, directory)


def _owed(holder: Episode | NoticeDuties, sender: str, directory: Directory) -> bool:
    """Some duty of the episode or notice is owed to the sender: by its code, or as one of
    those the directory now names by the code of an authority retired since the duty was
    owed (Surrey's councils, 1 April 2027: `answering_for`)."""
    owed_to = {(duty.recipient, duty.authority) for duty in holder.duties if duty.authority}
    return any(
        sender == authority or sender in answering_for(directory, recipient, authority)
        for recipient, authority in owed_to
    )


def standing_problems(
    body: BaseModel, sender: str, state_of: Callable[[], ChildState], directory: Directory
) -> list[Problem]:
    """A risk disagreement (6.7) another authority raises is taken from the child's placing
    or host authority, as its MISPER report names them, and from no other: the refusal goes
    back to the sender, and one from an authority with no standing for the child must tell
    it nothing of the episode (its `raised_at` tried either side of when the child went
    missing or was found). An episode not yet known, and an authority no party to the
    episode, are held before this is asked (`stranger_problem`), and it is asked again when
    the record is released."""
    if not isinstance(body, RiskDisagreementRaised):
        return []
    agency = agency_of(directory, sender)
    if agency is None or agency.kind is not Sender.AUTHORITY:
        return []
    if sender == directory.home_authority or sender in directory.home_areas:
        return []
    episode = state_of().episode(body.episode_id)
    if episode is None:
        return []
    named = named_authorities(episode, directory)
    if named is None:
        # A name the directory does not know (misspelt, say) may be this sender: refusing it
        # would lose a 12-hour escalation over the hub's own gap, so it is taken.
        return []
    if sender in {code for resolution in named for code in resolution.codes}:
        return []
    return [
        Problem(
            "(topic)",
            "the sender is neither the home authority nor the placing or host authority the "
            "child's MISPER report names (6.7)",
        )
    ]


def _answers_as(named: str, agency: Agency, directory: Directory) -> bool:
    """An answer (issue 14) names its agency as a force or an authority, and only itself."""
    force = directory.resolve_force(named)
    if force is not None:
        return force == agency.code
    resolution = directory.resolve_authority(named)
    if resolution.standing in (Standing.UNKNOWN, Standing.ABSENT):
        return True  # no agency at all: the engine refuses it, naming the field
    return agency.kind is Sender.AUTHORITY and _is(directory, named, agency.code, resolution)


def _source_names(source: str, agency: Agency, directory: Directory) -> bool:
    """`/police/<force>/<system>` or `/la/<authority>/<system>`, as the examples are
    written: a force by its code or its code without "-police" (`/police/bedfordshire/`)."""
    parts = source.strip("/").split("/")
    if len(parts) < 2 or parts[0] != SOURCE_ROOT[agency.kind]:
        return False
    named = parts[1]
    if agency.kind is Sender.POLICE:
        return agency.code in (named, f"{named}-police") or directory.resolve_force(named) == (
            agency.code
        )
    return named == agency.code or _is(directory, named, agency.code)


def _may_be(named: str, agency: Agency, directory: Directory) -> bool:
    resolution = directory.resolve_authority(named)
    if resolution.standing in (Standing.UNKNOWN, Standing.ABSENT):
        return True  # not another agency: the cross-border rules say what is wrong with it
    return _is(directory, named, agency.code, resolution)


def _is(directory: Directory, named: str, code: str, resolution: Resolution | None = None) -> bool:
    resolution = resolution or directory.resolve_authority(named)
    if resolution.standing is Standing.HOME:  # the home authority, or a home area by its name
        return code in (directory.home_authority, code_like(named))
    return code in resolution.codes
