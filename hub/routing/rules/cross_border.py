"""Notices between authorities (section 8): a child another authority places here (8.9, and
3.3 and 3.4 for its forms), a child we place out of area (7.12, 7.14, 7.15, 3.3(b)), the
host authority's missing and found notices for our child placed there (8.4), and the
placing authority taking on the return interview of the child it placed here (8.10)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property

from hub.contracts.base import IDENTIFIER_LIMIT
from hub.contracts.events import CrossBorderNotice, PlacedChild
from hub.contracts.notification import Detail
from hub.contracts.vocabulary import CrossBorderNoticeKind
from hub.routing.calendar import add_working_days, is_out_of_hours
from hub.routing.context import Context, owed, unroutable
from hub.routing.directory import Directory, Resolution, Standing, code_like
from hub.routing.facts import (
    ChildState,
    Decision,
    Episode,
    NoticeDuties,
    Outcome,
    Placement,
    ProtocolViolation,
    Unroutable,
    clock_start,
)
from hub.routing.particulars import Particulars, of_notice
from hub.routing.placing import (
    Placing,
    checked,
    disagreeing,
    named_authorities,
    placed_by,
    placing_of,
)
from hub.routing.rules.duties import HANDOVER_CHASE, stand_down
from hub.routing.rules.episode_access import found_episode, reported_episode
from hub.routing.rules.found import (
    PLACING_AUTHORITY_HANDOVER,
    a_new_absence,
    ask_to_tell_the_parents,
    located,
    owe_return_interview,
    search_ended,
    searched,
    told_of_the_missing_told_of_the_return,
)
from hub.routing.rules.roles import young_person_or


@dataclass
class Notices:
    """The decisions about one notice, all for the same child and episode."""

    event: CrossBorderNotice
    state: ChildState
    directory: Directory
    at: datetime
    cause: str
    decisions: list[Decision] = field(default_factory=list)
    read_as: str = ""  # how the MCT is told a notice naming no episode was read (8.4)

    def tell(
        self,
        recipient: str,
        action: str,
        paragraph: str,
        summary: str,
        due: datetime | None = None,
        authority: str | Unroutable | None = None,
        **details: Detail,
    ) -> None:
        event = self.event
        self.decisions.append(
            owed(
                at=self.at,
                recipient=recipient,
                authority=authority or self.directory.home_authority,
                action=action,
                paragraph=paragraph,
                episode_id=self.holder,
                child_id=event.child_id,
                cause=self.cause,
                summary=summary + (self.read_as if recipient == "mct" else ""),
                due=due,
                details={"from_authority": self.sender, **details},
                known=self.known,
                policy=self.directory.data_policy,
            )
        )

    @cached_property
    def holder(self) -> str:
        """The episode id the notice's duties are held and answered under: the episode it
        names, or, for a placement naming none (7.14, 8.9), its own. Not an episode
        retention has retired: its notifications and timers would be that episode's, and
        a duty held for ops would be dropped as about a retired episode when routed again
        (hub.service.rerouting); a placement's duties are owed all the same."""
        named = self.event.episode_id
        if named and not (self.state.episode(named) is None and self.state.ever_reported(named)):
            return named
        return placement_holder(self.event.notice_id)

    @cached_property
    def known(self) -> Particulars:
        episode = self.state.episode(self.event.episode_id or "")
        return of_notice(self.event, self.directory, episode)

    @property
    def sender(self) -> str:
        """The sending authority as the directory names it (its code), or, if it does not
        know it, as the sender wrote it in code form; a name with no letter or digit of a
        code ("Ñ") is `unknown`, never an empty fact that fails the notice."""
        named = self.directory.resolve_authority(self.event.from_authority)
        return (
            named.code
            or ",".join(named.codes)
            or code_like(self.event.from_authority)[:48]
            or "unknown"
        )


_PLACEMENT = "placement:"


def placement_holder(notice_id: str) -> str:
    """`placement:<notice id>`, if it fits an episode id (an Identifier, 64 characters: the
    answers to the duties name it, hub.contracts); else `placement.`, the notice id's first
    21 characters and a digest of the whole, which no `placement:` id can be."""
    held = _PLACEMENT + notice_id
    if len(held) <= IDENTIFIER_LIMIT:
        return held
    digest = hashlib.sha256(notice_id.encode()).hexdigest()[:32]
    return f"placement.{notice_id[:21]}.{digest}"


def on_cross_border_notice(
    state: ChildState,
    event: CrossBorderNotice,
    directory: Directory,
    at: datetime,
    cause: str,
) -> Outcome:
    home = directory.home_authority
    sender = directory.resolve_authority(event.from_authority)
    addressee = directory.resolve_authority(event.to_authority)
    notices = Notices(event, state, directory, at, cause)
    if sender.standing is Standing.HOME:
        if event.kind is not CrossBorderNoticeKind.PLACEMENT_NOTIFIED:
            raise ProtocolViolation(
                "data.kind",
                "the hub tells other authorities of missing and found children itself, from "
                "the MISPER and found reports; only a placement is sent from here (7.14)",
            )
        _we_placed_out_of_area(notices, state)
        # 7.14: ours, placed out: no longer another authority's child placed here (8.9); as
        # the home authority's code and when, so that an older placement notice read late
        # does not bring that back (`_placed_here`)
        ours = Placement(authority=home, notified_at=event.occurred_at)
        return Outcome(_latest(state, ours), tuple(notices.decisions))
    if addressee.standing in (Standing.KNOWN, Standing.AMBIGUOUS):
        # Addressed to another authority the directory knows. One it does not know may be
        # ours misspelt: the notice is taken, never refused for a typing error.
        raise ProtocolViolation("data.to_authority", f"this hub serves {home} only")
    if event.kind is CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED:
        return _placing_authority_accepts_return_interview(notices, state)
    if event.kind is not CrossBorderNoticeKind.PLACEMENT_NOTIFIED and not event.episode_id:
        return _naming_no_episode(notices, state)
    return _received(notices, state)


def _received(notices: Notices, state: ChildState) -> Outcome:
    if notices.event.kind is not CrossBorderNoticeKind.PLACEMENT_NOTIFIED and not _with_standing(
        notices, state
    ):  # 8.4, about an episode
        return _checked_by_the_mct(notices, state)
    received = RECEIVED[notices.event.kind](notices, state)
    return received or Outcome(state, tuple(notices.decisions))


def _with_standing(notices: Notices, state: ChildState) -> bool:
    """A missing or found notice about an episode the hub has comes from the host authority
    its MISPER report names (the child lives there, 8.4) or the authority responsible for
    the child (its placing authority, 8.10), and from no other. Asked first, before anything
    dated: the refusal goes back to the sender, and an authority with no standing for the
    child must learn nothing from it of the episode (a found notice ends a search). A name
    the directory does not know, the sender's or the report's, cannot be checked: the
    notice is taken, as the hub never refuses a missing child over its own directory's gap
    (as for a risk disagreement, 6.7: hub.access.senders.standing_problems). Nor can a sender
    that wrote an older name covering several authorities ("Bedfordshire"), one of them an
    authority the report names: it may be that one, so its notice is taken too (a found
    notice from it ends no search: `_from_the_host`).

    A notice with no standing is not refused: the refusal would go back to the sender, and
    one about an episode the hub never had is taken (it may come before the MISPER report),
    so a stranger would learn by trying ids which children are missing. Nor is it applied to
    the child's episode: the MCT checks it (`_checked_by_the_mct`). So is a notice about an
    episode retention has retired, of which the hub no longer knows the host or placing
    authority (docs/security.md)."""
    named_id = notices.event.episode_id or ""
    episode = state.episode(named_id)
    if episode is None:
        # no MISPER report yet to check it against: the notice holds its duties
        return not state.ever_reported(named_id)
    directory = notices.directory
    sender = directory.resolve_authority(notices.event.from_authority)
    named = named_authorities(episode, directory)
    if not sender.codes or named is None:
        return True
    standing = {code for resolution in named for code in resolution.codes}
    if set(sender.codes) <= standing:
        return True
    return sender.standing is Standing.AMBIGUOUS and bool(standing & set(sender.codes))


def _naming_no_episode(notices: Notices, state: ChildState) -> Outcome:
    """8.4: a host's missing or found notice naming no episode: the carer told the host's
    police and the host, which may never have learnt the id of our MISPER report. It is
    the child's (by its child id), never refused for that: read as about the episode its
    date falls in (`_dated_in`), the MCT told so, and kept as that episode's; with none, as
    a notice coming before its MISPER report (the MCT acts on it,
    `_child_missing_in_host_area`, `_child_found_in_host_area`). With several open (two
    forces' reports), which one the host means cannot be said, and a found notice must not
    end the wrong search: the MCT checks it with the host instead."""
    missing = [e for e in state.episodes if searched(e)]
    if len(missing) > 1:
        ids = ", ".join(e.episode_id for e in missing)
        why = f"naming no episode while the child has {len(missing)} open ({ids})"
        return _checked_by_the_mct(notices, state, why=why)
    episode = _dated_in(notices.event, missing, state)
    if episode is None:
        return _received(notices, state)
    which = "the child's one open episode" if episode in missing else "the absence it is dated in"
    read = Notices(
        notices.event.model_copy(update={"episode_id": episode.episode_id}),
        state,
        notices.directory,
        notices.at,
        notices.cause,
        read_as=f" The notice named no episode: read as {episode.episode_id}, {which} (8.4).",
    )
    return replace(_received(read, state), about=episode.episode_id)


def _dated_in(
    event: CrossBorderNotice, missing: list[Episode], state: ChildState
) -> Episode | None:
    """The episode a notice naming no episode is about: the child's one open episode, but
    for a return dated before it began, which is of an earlier absence (ending this one's
    search with it would be refused, 8.4: the child was not yet missing); else the episode
    whose absence its date falls in, from its start to the child's return, or on from its
    start if it was closed under 7.24 and the child never found (a notice sent again, or
    after the found report: the return already known, not one before a MISPER report still
    to come, owing a second return interview, 5.12)."""
    returned = event.kind is CrossBorderNoticeKind.CHILD_FOUND
    for episode in missing:
        if not returned or event.occurred_at >= episode.clock_started:
            return episode
    # Back at `back_at`; closed under 7.24 and never found, not back before the notice
    over = [
        e
        for e in state.episodes
        if e not in missing
        and e.clock_started <= event.occurred_at
        and (e.back_at is None or event.occurred_at <= e.back_at)
    ]
    return max(over, key=lambda e: e.clock_started, default=None)


def _checked_by_the_mct(notices: Notices, state: ChildState, why: str = "") -> Outcome:
    """A missing or found notice from an authority the episode's MISPER report names neither
    as host nor as placing authority, or about an episode retention has retired: taken, as
    one about an episode the hub never had is, and the sender sent nothing (its refusal
    would tell it the child has an episode). The child's episode is left as its report reads
    (no search ended, no return interview owed, nobody else told); the MCT, the first point
    of contact (7.2), checks the notice with its sender, as a placement notice it cannot
    take (8.9, `check_placement_notice`)."""
    event = notices.event
    episode = state.episode(event.episode_id or "")
    says = "missing" if event.kind is CrossBorderNoticeKind.CHILD_MISSING else "returned"
    why = why or (
        "which this episode's MISPER report names neither as host nor as placing authority"
        if episode is not None
        else f"about episode {event.episode_id}, retired under the retention policy"
    )
    notices.tell(
        "mct",
        "check_cross_border_notice",
        "8.4",
        f"A notice from {notices.sender}, {why}, says the child is {says} (8.4). Nothing "
        f"of it is applied and {notices.sender} is sent nothing: check the notice with it "
        "(its child or episode id may be mistyped) before anything of the child is shared.",
        due=notices.at,
    )
    return Outcome(state, tuple(notices.decisions))


def _from_the_host(notices: Notices, episode: Episode) -> bool:
    """The notice is from the host authority the episode's MISPER report names, as the
    directory knows both: the one whose word that the child has returned ends the search."""
    return _the_host(notices.directory, notices.event.from_authority, episode)


def _the_host(directory: Directory, named: str, episode: Episode) -> bool:
    sender = directory.resolve_authority(named)
    host = directory.resolve_authority(episode.report.residence_authority)
    return _other(sender) and _other(host) and set(sender.codes) <= set(host.codes)


def host_return(
    notice: NoticeDuties | None, episode: Episode, directory: Directory
) -> datetime | None:
    """8.4: the return a host's found notice gave before the episode's MISPER report came,
    if the notice was from the host the report names and the return is of this absence:
    the report's search is over before it begins, as the notice would have ended it had it
    come after the report (`_returned`)."""
    if notice is None or notice.returned_at is None:
        return None
    # An earlier absence's return; unless the report's start is typed ahead of when the hub
    # read it (a typing error, `Episode.clock_started`): such a start places nothing, and
    # the notice, read before the report, names this episode.
    typed_ahead = episode.clock_started < episode.started_at
    if notice.returned_at < episode.started_at and not typed_ahead:
        return None
    if not _the_host(directory, notice.returned_by, episode):
        return None
    return notice.returned_at


def _other(resolution: Resolution) -> bool:
    return resolution.standing in (Standing.KNOWN, Standing.AMBIGUOUS)


def _placed(notices: Notices) -> PlacedChild:
    placed = notices.event.placed_child
    assert placed is not None  # guaranteed by the contract (8.9)
    return placed


def _forms_due(notices: Notices) -> datetime:
    """3.3(b): before a planned placement, within 5 days of an unplanned one."""
    placed = _placed(notices)
    days = notices.directory.timescales.unplanned_placement_forms_days
    return placed.placement_started_at + timedelta(days=0 if placed.planned_placement else days)


def _placed_here(notices: Notices, state: ChildState) -> Outcome:
    """8.9: recorded; and remembered, who placed the child and when (nothing of the child's
    particulars), for a MISPER report naming no responsible authority (`placing.placed_by`).
    A later placement by another authority replaces it; an earlier one read late does not."""
    event = notices.event
    named = notices.directory.resolve_authority(event.from_authority)
    placement = Placement(
        authority=named.code or code_like(event.from_authority) or notices.sender,
        notified_at=event.occurred_at,
        # 8.9: kept until a MISPER report of the child confirms the notice is of this child
        date_of_birth=event.placed_child.date_of_birth if event.placed_child else None,
    )
    notices.tell(
        "mct",
        "record_placement",
        "8.9",
        f"{notices.sender} has placed a child in our area: record the child and "
        "the placement on CareFirst.",
    )
    notices.tell(
        "mct",
        "complete_incident_and_location_forms",
        "3.3",
        "A child placed here by another authority: the MCT completes the Incident and "
        "Location Forms (3.4), before a planned placement or within 5 days of an "
        "unplanned one.",
        due=_forms_due(notices),
    )
    placed = _latest(state, placement)
    if placed.placed_here is placement:
        placed = _placed_while_missing(notices, placed)
    return Outcome(placed, tuple(notices.decisions))


def _placed_while_missing(notices: Notices, state: ChildState) -> ChildState:
    """8.10: the placement notice came after the MISPER report of an absence still open,
    whose report names no placing authority (routed as ours, as the contract reads it): the
    child is the placing authority's from now, as had the notice come first
    (`placing.placed_by`). The MCT's notice to the placing social worker of the missing
    episode goes now, and on the child's return the interview is handed to it and chased
    (hub.routing.rules.found). What our teams were told on the report stands."""
    for episode in state.episodes:
        if not searched(episode) or episode.placed_by is not None:
            continue
        unconfirmed = disagreeing(state, episode.report, notices.directory)
        if unconfirmed is not None:
            # 8.9: not this child's date of birth: the episode stays ours, the MCT checks
            ctx = Context(notices.directory, notices.at, notices.cause, episode)
            check_placement_notice(ctx, unconfirmed)
            notices.decisions.extend(ctx.decisions)
            continue
        by = placed_by(state, episode.report, notices.directory)
        if by is None:
            continue
        state = replace(state, placed_here=checked(state, episode.report, notices.directory))
        theirs = replace(episode, placed_by=by)
        ctx = Context(notices.directory, notices.at, notices.cause, theirs)
        ctx.tell(
            "placing_authority",
            "child_missing_from_placement",
            "8.10",
            f"A {young_person_or(theirs, 'child')} you placed here is missing (the MCT's "
            "notice to the placing social worker): reported to us before your placement "
            "notice reached us.",
            due=notices.at,
        )
        notices.decisions.extend(ctx.decisions)
        state = state.with_episode(theirs)
    return state


def _latest(state: ChildState, placement: Placement) -> ChildState:
    """The latest word of who places the child, by the time the notice or report gives
    (`Placement`: the state the same however late the hub read either): an older placement
    notice, read late (its topic lagging, or replayed by ops), does not undo a later one."""
    remembered = state.placed_here
    if remembered is not None and placement.notified_at < remembered.notified_at:
        return state
    return replace(state, placed_here=placement)


def _we_placed_out_of_area(notices: Notices, state: ChildState) -> None:
    """7.14: the Formal Notification Process to the host authority; with a history of going
    missing, the social worker also talks to its safeguarding service. 7.15: the IRO checks
    the placement plan within 5 working days. 3.3(b): the forms, if the child is at risk."""
    event, directory = notices.event, notices.directory
    placed = _placed(notices)
    # Episodes are absences: one reported by two forces is one (7.22, `absence_starts`).
    history = len(state.absence_starts())
    host = directory.resolve_authority(event.to_authority)
    notices.tell(
        "host_authority",
        "formal_placement_notification",
        "7.14",
        f"{directory.home_authority} is placing a child in your area (Formal Notification "
        "Process).",
        due=placed.placement_started_at,
        authority=host.code or unroutable("to_authority", host),
        planned_placement=placed.planned_placement,
        previous_missing_episodes=history,
    )
    notices.tell(
        "allocated_worker",
        "complete_incident_and_location_forms",
        "3.3",
        "A child in care placed out of area: if the child is at risk of going missing, "
        "complete the Incident and Location Forms before a planned placement or within 5 "
        "days of an unplanned one.",
        due=_forms_due(notices),
        previous_missing_episodes=history,
    )
    if history:
        notices.tell(
            "allocated_worker",
            "talk_to_host_safeguarding",
            "7.14",
            f"The child has gone missing {history} time(s) before: talk to the host "
            "authority's safeguarding service about the placement.",
            due=placed.placement_started_at,
        )
    days = directory.timescales.placement_plan_check_working_days
    notices.tell(
        "iro",
        "check_placement_plan",
        "7.15",
        f"Receive a copy of the placement plan and check it is in place within {days} "
        "working days of the placement.",
        due=add_working_days(placed.placement_started_at, days, directory),
    )


# Without the episode's MISPER report the hub cannot name the child's social worker or IRO:
# the MCT, the first point of contact, passes the host's notice on (7.3, 8.4).
_NO_MISPER = (
    " No MISPER report has reached the hub yet: pass this to the child's social worker "
    "and IRO (8.4)."
)


def _no_misper(notices: Notices, state: ChildState) -> str:
    """What the MCT is told of a notice the hub holds no episode for. Naming none, with no
    episode covering its date (`_dated_in`), while an episode of the child was closed under
    7.24 with the child not found (begun after that date, or it would cover it): the hub has
    a report of the child, and the notice may be of that absence, its date mistyped (a
    return from it owes the interview, 5.12). Told no MISPER report had come, the MCT would
    take the child for one the hub does not know. Naming an episode the hub never had, the
    same: the MCT checks with the host whether it is of the episode closed."""
    closed = [e.episode_id for e in state.episodes if e.closed_at is not None and e.back_at is None]
    if not closed:
        return _NO_MISPER
    named = notices.event.episode_id
    if named:  # an id the hub never had: the host's own reference, or a typo of ours
        return (
            f" No MISPER report of {named} has reached the hub; the child's episode "
            f"{', '.join(closed)} was closed under 7.24 with the child not found: check with "
            f"{notices.sender} whether the notice is of that absence, and pass this to the "
            "child's social worker and IRO (8.4)."
        )
    return (
        f" No episode covers the date it gives; the child's episode {', '.join(closed)}, begun "
        "after it, was closed under 7.24 with the child not found: check the date with "
        f"{notices.sender}, as the notice may be of that absence, and pass this to the "
        "child's social worker and IRO (8.4)."
    )


def _who(episode: Episode | None) -> str:
    """The child, or the young person its MISPER report shows a care leaver of 18 or over
    (1.4, `roles.young_person_or`); before any report, the child the notice says."""
    return "child" if episode is None else young_person_or(episode, "child")


def _another_authoritys(notices: Notices, episode: Episode | None, state: ChildState) -> bool:
    """A notice about a child its MISPER report shows another authority placed here: its
    social worker and IRO are the placing authority's, never ours (7.27, 8.10). Before any
    MISPER report: a notice from the authority that told us it placed the child here (8.9)
    is that authority's (8.10), not a host's about our child placed out (8.4)."""
    if episode is not None:
        return placing_of(episode, notices.directory) is Placing.PLACED_IN
    placement = state.placed_here
    if placement is None or placement.authority == notices.directory.home_authority:
        return False  # none told us, or ours since (7.14, `placing.placement_after`)
    directory, written = notices.directory, notices.event.from_authority
    sender = directory.resolve_authority(written)
    placing = directory.resolve_authority(placement.authority)
    if sender.codes or placing.codes:
        return set(sender.codes) == set(placing.codes)
    return code_like(written) == code_like(placement.authority)  # neither in the directory


def _child_missing_in_host_area(notices: Notices, state: ChildState) -> None:
    episode = state.episode(notices.event.episode_id or "")
    if _another_authoritys(notices, episode, state):
        notices.tell(
            "mct",
            "child_missing_in_host_area",
            "8.10",
            f"{notices.sender} reports missing the {_who(episode)} placed here by another "
            "authority.",
            due=notices.at,
        )
        return
    # Read after the return the hub has of that absence (its found report came first):
    # Kent's news, not a child missing now, so nothing is due at once (8.4).
    over = episode is not None and _over(notices, episode)
    late = ", before it was found. " + _BACK_ALREADY if over else "."
    notices.tell(
        "mct",
        "child_missing_in_host_area",
        "8.4",
        f"{notices.sender} reports our child placed there as missing{late}"
        + ("" if episode else _no_misper(notices, state)),
        due=None if over else notices.at,
    )
    if episode is not None and episode.allocated:
        notices.tell(
            "allocated_worker",
            "child_missing_in_host_area",
            "8.4",
            f"The host authority reports your child missing{late}",
            due=None if over else notices.at,
        )
    back = episode is not None and episode.back_at is not None
    if is_out_of_hours(notices.at, notices.directory) and not back:
        # MCT-PG: the provider notifies "the allocated Social Worker, or an Emergency Duty Team
        # (EDT) Family Support Worker if out of hours" (Flowchart One): the MCT and the worker
        # are day teams, and with no MISPER report the hub's notice may be all there is (3.10).
        # Not for a child the hub knows is back: nothing is left for EDT to act on that night.
        notices.tell(
            "edt",
            "child_missing_in_host_area",
            "MCT-PG",
            f"Out of hours, {notices.sender} reports our child placed there as missing: act "
            "for the child's social worker until the day teams open (the MCT is told too).",
            due=notices.at,
        )


_BACK_ALREADY = "The hub already has the child back from that absence: act only if missing again."


def _over(notices: Notices, episode: Episode) -> bool:
    """The host's missing notice is of an absence the episode's return ended: it went
    missing no later than the child was back (a later one is a new absence, news at once)."""
    back = episode.back_at
    return back is not None and notices.event.occurred_at <= back


def _child_found_in_host_area(notices: Notices, state: ChildState) -> Outcome | None:
    episode = state.episode(notices.event.episode_id or "")
    if _another_authoritys(notices, episode, state):
        # 8.10: the return interview is the placing authority's; the found report, when it
        # comes, hands it over and chases it (hub.routing.rules.found)
        notices.tell(
            "mct",
            "child_found_in_host_area",
            "8.10",
            f"{notices.sender} reports returned the {_who(episode)} placed here by another "
            "authority.",
        )
        return None
    if episode is None:
        # No MISPER report, so no found report will set the return interview (5.12): the
        # MCT, which tracks every episode to its interview (7.2), holds it, by the deadline
        # the found report would have set. Beyond the bordering authorities the OOC
        # Engagement Worker conducts it (MCT practice guidance).
        hours = notices.directory.timescales.return_interview_hours
        notices.tell(
            "mct",
            "child_found_in_host_area",
            "8.4",
            f"{notices.sender} reports our child placed there has returned."
            + _no_misper(notices, state)
            + f" Arrange the Independent Return Interview within {hours} hours of the "
            f"return (5.12), by {_return_interviewer(notices)}.",
            due=clock_start(notices.event.occurred_at, notices.at) + timedelta(hours=hours),
        )
        held = state.notice(notices.event.episode_id or "") or NoticeDuties(
            notices.event.episode_id or ""
        )
        first_told = held.returned_at is None
        if first_told:
            _edt_told_out_of_hours(notices)
        if not notices.event.episode_id:
            return None  # named no episode: no MISPER report could take its return
        # The return, for the MISPER report that follows (`host_return`); the first told.
        if first_told:
            held = replace(
                held,
                returned_at=notices.event.occurred_at,
                returned_by=notices.event.from_authority,
                returned_read_at=notices.at,
            )
        return Outcome(state.with_notice(held), tuple(notices.decisions))
    # Closed under 7.24 and not found, the child is back all the same: its return interview
    # is owed from the host's word (5.12), as from a found report after the closure.
    ends = episode.back_at is None and _from_the_host(notices, episode)
    if ends:
        # The host's word is the return (8.4): those told of it are told when, as a found
        # report would tell them (5.12's 72 hours run from it).
        back = replace(episode, returned_at=notices.event.occurred_at)
        notices.known = of_notice(notices.event, notices.directory, back)
    notices.tell(
        "mct",
        "child_found_in_host_area",
        "8.4",
        f"{notices.sender} reports our child placed there has returned."
        + ((_SEARCH_ENDED if searched(episode) else _BACK_AFTER_CLOSURE) if ends else ""),
    )
    if ends:
        _edt_told_out_of_hours(notices)
    if episode.allocated:
        notices.tell(
            "allocated_worker",
            "child_found_in_host_area",
            "8.4",
            "The host authority reports your child has returned: review the placement.",
        )
    if episode.looked_after:
        notices.tell(
            "iro",
            "child_found_in_host_area",
            "8.4",
            "The host authority reports the child has returned: review the placement.",
        )
    return _returned(notices, state, episode) if ends else None


def _edt_told_out_of_hours(notices: Notices) -> None:
    """MCT-PG, Flowchart Two: out of hours the provider tells EDT of the return, as of the
    absence (Flowchart One, `_child_missing_in_host_area`): EDT, acting for the day teams
    that night, learns the child is back. A notice, no duty: the hub tells the MCT itself,
    so EDT has no one to pass it to. Back no later than the hub read it (3.10)."""
    returned = clock_start(notices.event.occurred_at, notices.at)
    if is_out_of_hours(returned, notices.directory):
        notices.tell(
            "edt",
            "child_found_in_host_area",
            "MCT-PG",
            f"Out of hours, {notices.sender} reports our child placed there has returned "
            "(the MCT is told too).",
        )


# 8.4: the carer reports the return to the host area's police, whose force may not be
# connected to the hub: the host's word is all the hub may hear of it.
_SEARCH_ENDED = (
    " The search is stood down and the return interview is owed from the return (7.22, "
    "5.12); the police's found report may follow, or never come (8.4)."
)

_BACK_AFTER_CLOSURE = (
    " The police file was closed (7.24) before the child was found: the return interview is "
    "owed from the return (5.12)."
)


def _returned(notices: Notices, state: ChildState, episode: Episode) -> Outcome:
    """8.4: the host authority says our child placed there has returned, and no found report
    has come (the carer reports the return to the host area's police, whose force may not be
    connected). The child is not missing: the search ends as a found report ends it (7.22:
    meetings are held "if the child has not returned"; 6.8's notices; the timers), and the
    return interview is owed "within 72 hours of the child returning" (5.12), to its owner.
    The found report, if it comes, still brings the police's duties, but neither of these
    again (hub.routing.rules.found)."""
    returned_at = notices.event.occurred_at
    if returned_at < episode.clock_started:  # by both measures (episode_access.open_episode)
        raise ProtocolViolation("data.occurred_at", "is before the child went missing")
    at = notices.at
    ended = search_ended(episode, returned_at, at)
    back = replace(ended, returned_at=returned_at, back_read_at=at)
    # 1.4: located no later than the hub heard of it (`clock_back`), a return typed ahead
    # notwithstanding
    state, others = located(state, back, back.clock_back or returned_at, at)
    # Read late, the return may show that a later report which took this one's search over
    # began a new absence: judged as a found report's return is (7.22's day one, 3.6's
    # forms, its own meetings from its start; 7.17's carried on stood down), as the host's
    # word may be all the hub hears of it (8.4).
    state, rebased, afresh, asked = a_new_absence(state, back, notices.directory, at, notices.cause)
    ctx = Context(notices.directory, at, notices.cause, back)
    ctx.decisions += asked
    if back.looked_after:
        # As a found report asks it (which, coming after, does not ask again): the host's
        # word may be all the hub hears of the return (8.4).
        ask_to_tell_the_parents(ctx)
    # So too RISE and the Leaving Care Service, told of the absence (6.6, 4.1): the found
    # report that follows tells them nothing again.
    told_of_the_missing_told_of_the_return(ctx, state.with_episode(back), None)
    timers = owe_return_interview(ctx, state)
    back = replace(back, timers=timers)
    return Outcome(
        state.with_episode(back),
        (*notices.decisions, *ctx.decisions),
        schedule=(*timers, *afresh),
        cancel=(*episode.timers, *others, *rebased),
    )


def _return_interviewer(notices: Notices) -> str:
    """MCT practice guidance: the OOC Engagement Worker beyond the bordering authorities."""
    host = notices.directory.resolve_authority(notices.event.from_authority)
    return "the MCT" if notices.directory.borders(host) else "the OOC Engagement Worker"


def _placing_authority_accepts_return_interview(notices: Notices, state: ChildState) -> Outcome:
    """8.10: the placing authority confirms the return interview is theirs; the hub stops
    waiting for that confirmation."""
    # Who placed the child is asked first: the refusal goes back to the sender, and an
    # authority that did not place it must learn nothing from it of whether it is found.
    reported = reported_episode(state, notices.event.episode_id or "")
    directory = notices.directory
    placing = directory.resolve_authority(reported.responsible_authority)
    sender = directory.resolve_authority(notices.event.from_authority)
    # One of the councils an older name the report gives now covers (Surrey's, since April
    # 2027) may be it, as a notice from it has standing (`_with_standing`).
    if not sender.codes or not set(sender.codes) <= set(placing.codes):
        raise ProtocolViolation(
            "data.from_authority", "is not the authority that placed this child here"
        )
    episode = found_episode(state, notices.event.episode_id or "")
    accepted, cancel = episode.without_timers({PLACING_AUTHORITY_HANDOVER})
    # Confirmed after it was chased: nothing is left to confirm, up to the Head of Safeguarding.
    accepted = stand_down(accepted, HANDOVER_CHASE, notices.at)
    notices.tell(
        "mct",
        "return_interview_accepted_by_placing_authority",
        "8.10",
        "The placing authority has confirmed it will conduct the return interview.",
    )
    return Outcome(state.with_episode(accepted), tuple(notices.decisions), cancel=cancel)


# Each tells its recipients; one that changes the child's state says so in its Outcome.
RECEIVED: dict[CrossBorderNoticeKind, Callable[[Notices, ChildState], Outcome | None]] = {
    CrossBorderNoticeKind.PLACEMENT_NOTIFIED: _placed_here,
    CrossBorderNoticeKind.CHILD_MISSING: _child_missing_in_host_area,
    CrossBorderNoticeKind.CHILD_FOUND: _child_found_in_host_area,
}


def check_placement_notice(ctx: Context, placement: Placement) -> None:
    """8.9: a placement notice for this child id, from an authority the report does not
    name, that cannot be taken as this child's: its date of birth differs from the report's
    (a child id mistyped in the placing authority's system), or is no longer kept (retention,
    a state stored before). The report is routed as it reads; the placing authority is sent
    nothing, and the MCT, the first point of contact (7.2), checks the notice."""
    if placement.date_of_birth is not None:
        why = "gives another date of birth than this report's child's"
    else:
        why = "cannot be checked against this report: its date of birth is no longer kept"
    ctx.tell(
        "mct",
        "check_placement_notice",
        "8.9",
        f"A placement notice from {placement.authority} for this child id {why}. The report "
        f"is routed as it reads, and {placement.authority} is sent nothing: check the notice "
        "with it (its child id may be mistyped) before anything of this episode is shared.",
        due=ctx.at,
        from_authority=placement.authority,
    )
