"""What the engine knows and what it decides: plain frozen values, no I/O.

The state is per child, because everything about one child arrives in order on one
partition (key = child id) and repeat-episode rules (7.18, 8.12) look across episodes."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property

from hub.contracts.events import MisperReport
from hub.contracts.notification import Detail, Notification
from hub.contracts.vocabulary import LegalStatus, RagRating, RiskLevel
from hub.routing.paragraphs import heading_of

NAMESPACE = uuid.UUID("6f1c1d0e-3b7a-5d8e-9a51-0c2f4e9b7a10")
_NAMESPACE_BYTES = NAMESPACE.bytes


def _uuid5_text(name: str) -> str:
    """`str(uuid.uuid5(NAMESPACE, name))`, without making the UUID object: the SHA-1 of the
    namespace and the name, its first 16 bytes with the version (5) and the RFC 4122
    variant set (tests/routing/test_notification_ids.py holds the two equal)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()[:16])  # noqa: S324 - uuid5's own hash
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class ProtocolViolation(ValueError):
    """An event that is well-formed but impossible under the protocol or the child's history
    (found before reported, an unknown authority, ...). Bad input: rejected, never retried."""

    def __init__(self, field: str, reason: str, *, awaiting: bool = False) -> None:
        self.field, self.reason = field, reason
        # The event may be fine but early: it depends on one not yet received (a found report
        # read before its MISPER report from another topic). The pipeline holds it a while.
        self.awaiting = awaiting
        super().__init__(f"{field}: {reason}")


def clock_start(event_time: datetime, read_at: datetime | None) -> datetime:
    """When a deadline counted from an event starts: the event's own time, but never later
    than the hub read it (`read_at`). A duty's clock cannot start after the hub learned of
    it: a time typed ahead (the contracts admit times up to 400 days on) would put every
    deadline off by as much. The event keeps its own time as the fact it records."""
    return event_time if read_at is None else min(event_time, read_at)


@dataclass(frozen=True)
class Timer:
    """A deadline the engine must come back to, unless cancelled first."""

    name: str
    episode_id: str
    due: datetime
    paragraph: str
    sequence: int = 0  # which meeting of a repeating ladder (7.22)
    # A ladder rung's start, its successor counted on from it (7.22) though a meeting held
    # brought it forward (`strategy.rung_counted_from`). None: not a rung, or one stored by
    # an older hub (worked out from its date). Not part of what the timer is (its id, its
    # equality): an older hub beside this one writes a state or a row without it, and the
    # row's timer must still be the state's to fire (`engine.fire`).
    counted_from: datetime | None = field(default=None, compare=False)
    # When the ladder's rung before it fell due, if a meeting held brought that one (and so
    # this one) forward of its count (`strategy.on_strategy_meeting`): a found report read
    # late asks whether it fell due in the new absence (`found.a_new_absence`). Kept in the
    # child's state only (found reads the state's timers). None: on its count, or stored by
    # an older hub (its count then).
    follows: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        heading_of(self.paragraph)  # every citation must be findable in the text

    @property
    def timer_id(self) -> str:
        return f"{self.episode_id}:{self.name}:{self.sequence}"

    def cause(self, child_id: str) -> str:
        """The cause its decisions name, which their ids are made of. Episode ids are the
        senders' own and two children's may coincide ("EP-1"): without the child, the
        second child's notifications would repeat the first's ids and be dropped as
        re-sends. "/" is in no identifier, so no child and episode pair reads as another."""
        return f"timer:{child_id}/{self.timer_id}"


def duty_status(
    decided_at: datetime,
    due: datetime,
    acknowledged_at: datetime | None,
    done_at: datetime | None,
    stood_down_at: datetime | None,
    now: datetime,
) -> str:
    """A duty's state from its answers: one rule for the engine's state and the routing
    log's rows (the console's deadlines)."""
    if done_at is not None:
        return "done"
    if stood_down_at is not None:
        return "stood down"
    # A duty due at once and picked up is acknowledged: it could only ever be picked up after
    # its deadline. Any other whose deadline passed undone is overdue, however early or
    # late it was picked up.
    if now > due and not (acknowledged_at is not None and due <= decided_at):
        return "overdue"
    return "acknowledged" if acknowledged_at is not None else "owed"


@dataclass(frozen=True)
class Duty:
    """A notification with a deadline, followed up until it is acknowledged or done (issue
    14). `answer_by` is when the hub escalates it if neither has happened; `escalates` names
    the duty an escalation is about."""

    notification_id: str
    recipient: str
    authority: str  # empty while the recipient cannot be named (held, unroutable)
    action: str
    paragraph: str
    decided_at: datetime
    due: datetime
    answer_by: datetime
    meeting: str | None = None  # which strategy meeting, for its duties (7.20, 7.22)
    escalates: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    done_at: datetime | None = None
    done_by: str | None = None
    escalated_at: datetime | None = None
    stood_down_at: datetime | None = None  # no longer needed: the child found, or 7.24
    # When what it tells became so, if before it was decided: a timer fired late, after an
    # outage, decides as of the round (3.10) what fell due earlier. None: when decided.
    owed_from: datetime | None = None
    # Held by ops because the hub could not build its notification (hub.store.outbox
    # NOT_BUILT): its recipient never received it, so its escalation must not say it was
    # ignored. Set when held, cleared when ops routes it.
    not_built: bool = False

    @property
    def answered(self) -> bool:
        return self.acknowledged_at is not None or self.done_at is not None

    @property
    def settled(self) -> bool:
        return self.done_at is not None or self.stood_down_at is not None

    def status(self, now: datetime) -> str:
        """Owed, acknowledged, done or overdue, as the console and the reports say it."""
        return duty_status(
            self.decided_at, self.due, self.acknowledged_at, self.done_at, self.stood_down_at, now
        )


_INTERVIEW = frozenset({"conduct_return_interview", "complete_return_interview"})


@dataclass(frozen=True)
class Episode:
    """One missing episode of the child, from the MISPER report to the return interview."""

    report: MisperReport
    risk_level: RiskLevel
    cse_risk: bool
    mash_rating: RagRating | None = None
    found_at: datetime | None = None
    return_interview_declines: int = 0
    timers: tuple[Timer, ...] = ()
    duties: tuple[Duty, ...] = ()
    closed_at: datetime | None = None  # 7.24: closed by joint decision, not found
    # 8.4: the host authority's notice that the child has returned, before any found report
    # (the host area's force may not be connected): the search ends there, and the return
    # interview runs from it (5.12). The police's found report, if it comes, sets `found_at`.
    returned_at: datetime | None = None
    # 6.7: the grading another agency proposed against the police's, until it is settled
    disputed_risk_level: RiskLevel | None = None
    # When the hub read the MISPER report, and the return (`back_at`): a time dated ahead
    # starts no clock later than that (`clock_start`). None in a state stored before.
    read_at: datetime | None = None
    back_read_at: datetime | None = None
    # 8.9: the authority that told us it placed the child here (`ChildState.placed_here`),
    # for a MISPER report naming no responsible authority: police often do not know who
    # placed a child. None: as the report names it (hub.routing.placing.placed_by).
    placed_by: str | None = None
    # When the absence began, if this report took its search over from another report of it
    # (two forces' reports: `found.missing_again`): one absence, one set of meetings, counted
    # from then (`absence_started`). None: from this report's own start; and in a state
    # stored before.
    absence_began: datetime | None = None
    # When the force that reported it reported the child missing again under a new report,
    # this one still searched (its found report lost or never sent): a force does not
    # report one absence twice, so the child had come back from it, unreported, before
    # then (1.4; `ChildState.came_back`; `strategy.reported_again`). None: not so.
    reported_again_at: datetime | None = None
    # Where the found report says the child was found (5.1: the force attending must know
    # where): personal data, gone with the episode when retention retires it. None: not
    # found, returned as the host said (8.4), or a state stored before.
    found_where: str | None = None

    def duty(self, notification_id: str) -> Duty | None:
        return next((d for d in self.duties if d.notification_id == notification_id), None)

    def times_owed(self, action: str, recipient: str | None = None) -> int:
        """How often this episode has owed a duty (to `recipient`, if named), settled or
        not: a timer numbered by it is a new one each time the duty is owed again. Pending
        timers alone will not do: the store re-arms a fired timer scheduled again under its
        id, and its decisions' ids repeat the first firing's, dropped as re-sends."""
        return sum(
            1
            for d in self.duties
            if d.action == action and (recipient is None or d.recipient == recipient)
        )

    def with_duty(self, duty: Duty) -> Episode:
        duties = tuple(
            duty if d.notification_id == duty.notification_id else d for d in self.duties
        )
        return replace(self, duties=duties)

    @property
    def episode_id(self) -> str:
        return self.report.episode_id

    @property
    def responsible_authority(self) -> str | None:
        """The placing authority, responsible for the child's care (1.4): as the MISPER
        report names it, or, naming none, the one that told us it placed the child here
        (8.9, `placed_by`). Neither: the home authority's child (the report's contract)."""
        named = self.report.responsible_authority
        return named if named and named.strip() else self.placed_by

    @property
    def back_at(self) -> datetime | None:
        """When the child came back, as the hub first heard it: the host authority's notice
        of the return (8.4), or the found report."""
        return self.returned_at or self.found_at

    @property
    def started_at(self) -> datetime:
        """When the child went missing, as reported: the episode's place among the child's
        episodes (its timescales run from `clock_started`)."""
        return self.report.missing_since

    @property
    def clock_started(self) -> datetime:
        """7.22: timescales run from the start of the missing episode, but from no later
        than the hub read its report: a start typed ahead must not put them off."""
        return clock_start(self.started_at, self.read_at)

    @property
    def clock_back(self) -> datetime | None:
        """5.12: the return interview runs from the return (`back_at`), but from no later
        than the hub heard of it: a return typed ahead must not put it off."""
        back = self.back_at
        return None if back is None else clock_start(back, self.back_read_at)

    @property
    def absence_started(self) -> datetime:
        """7.22: the meetings' timescales run "from the start of the missing episode": an
        absence is one episode however many forces report it, so from the start of the
        report that began it (`absence_began`) if this one took its search over, else from
        this report's (`clock_started`)."""
        start = self.clock_started
        return start if self.absence_began is None else min(start, self.absence_began)

    @property
    def looked_after(self) -> bool:
        return self.report.legal_status is LegalStatus.LOOKED_AFTER

    @property
    def known(self) -> bool:
        """Known to children's services (3.4, 7.3): any plan or service."""
        return self.report.legal_status is not LegalStatus.NOT_KNOWN

    @property
    def allocated(self) -> bool:
        """A worker named is a worker allocated (7.3), whatever status the report gives: one
        that left its status out (read not known, 7.6) or did not know it still names the
        worker who knows the child, who must hear of the absence from the hub."""
        return self.report.allocated_worker is not None

    @property
    def high_risk(self) -> bool:
        return self.risk_level is RiskLevel.HIGH

    @property
    def meeting_brought_forward(self) -> bool:
        """7.22: "earlier planning and intervention should take place if the risk is deemed
        high e.g. known sexual exploitation": graded high, or with a CSE marker (6.6), the
        first meeting is due within 48 hours, not 72, however the police graded the risk."""
        return self.high_risk or self.cse_risk

    @property
    def return_interviewed(self) -> bool:
        """The child gave its return interview (5.12): the duty to do it reported done, by
        the interview's result or its owner. Read from the duties, so an episode stored
        before this was asked answers it too."""
        return any(d.action in _INTERVIEW and d.done_at is not None for d in self.duties)

    def without_timers(self, names: Collection[str]) -> tuple[Episode, tuple[Timer, ...]]:
        """The episode with its pending timers of these names cancelled, and those timers."""
        cancelled = tuple(t for t in self.timers if t.name in names)
        kept = tuple(t for t in self.timers if t not in cancelled)
        return replace(self, timers=kept), cancelled


@dataclass(frozen=True)
class RetiredEpisode:
    """An episode whose personal data retention has removed (hub.store.retention), reduced to
    what the protocol still counts: 3.3's first episode, 7.17's repeats in 90 days, 8.12's
    serious concerns, 7.14's history of going missing, 5.16's refusals of the interview."""

    episode_id: str
    started_at: datetime
    found_at: datetime | None  # when the child came back: found, or returned (8.4)
    high_risk: bool
    cse_risk: bool
    mash_red: bool
    return_interview_declines: int = 0
    return_interviewed: bool = False
    # When the hub read its report (`Episode.read_at`): its place among the child's episodes
    # stays as the clocks counted it. None in a state stored before: the start as typed.
    read_at: datetime | None = None
    # When the hub heard of its return (`Episode.back_read_at`): a found time typed ahead is
    # no return from a later absence (retention). None in a state stored before: as typed.
    back_read_at: datetime | None = None
    # `Episode.absence_began`: this report took the search of an absence over from another
    # report of it (two forces'), so it began no absence of its own (section 10's episodes).
    absence_began: datetime | None = None

    @property
    def clock_started(self) -> datetime:
        """As `Episode.clock_started`: the start, but no later than the hub read the report."""
        return clock_start(self.started_at, self.read_at)

    @property
    def clock_back(self) -> datetime | None:
        """As `Episode.clock_back`: the return, but no later than the hub heard of it."""
        return None if self.found_at is None else clock_start(self.found_at, self.back_read_at)

    @classmethod
    def of(cls, episode: Episode) -> RetiredEpisode:
        red = episode.mash_rating is not None and episode.mash_rating.value == "red"
        return cls(
            episode.episode_id,
            episode.started_at,
            episode.back_at,  # found, or returned as the host said (8.4): when it was over
            episode.high_risk,
            episode.cse_risk,
            red,
            episode.return_interview_declines,
            episode.return_interviewed,
            episode.read_at,
            episode.back_read_at,
            episode.absence_began,
        )


@dataclass(frozen=True)
class NoticeDuties:
    """The duties of a cross-border notice about no episode the hub has: a placement (7.14,
    7.15, 8.9, 3.3), or a host authority's missing or found notice (8.4) whose MISPER report
    has not reached the hub. Followed up and answered as an episode's are (issue 14); the
    episode takes them over when its MISPER report comes."""

    episode_id: str  # the notice's episode, or `placement:<notice id>` (placement_holder)
    duties: tuple[Duty, ...] = ()
    timers: tuple[Timer, ...] = ()  # its duties' follow-ups only
    # 8.4: the return a host's found notice gave, and the authority as it wrote itself: the
    # MISPER report that follows starts no search if that was the host the report names.
    returned_at: datetime | None = None
    returned_by: str = ""
    returned_read_at: datetime | None = None  # when the hub read that notice

    high_risk = False  # the risk is the MISPER report's to say

    def duty(self, notification_id: str) -> Duty | None:
        return next((d for d in self.duties if d.notification_id == notification_id), None)

    def with_duty(self, duty: Duty) -> NoticeDuties:
        duties = tuple(
            duty if d.notification_id == duty.notification_id else d for d in self.duties
        )
        return replace(self, duties=duties)


@dataclass(frozen=True)
class Placement:
    """8.9: another authority told us it placed the child here. Only who (its directory
    code, or the name it wrote in code form) and when, as the notice dates it (its own
    time, so the state is the same however late the hub read it): none of the child's
    particulars the notice carries. The home authority's code: no other authority's
    placement since that time (ours placed out, 7.14; or a later MISPER report naming
    another responsible authority: hub.routing.placing.placement_after).

    A placement notice is this child's only if the date of birth it gives agrees with the
    child's MISPER report (a child id mistyped in another authority's system must not send
    another child's missing episode to it): `date_of_birth` is kept, once a report has
    confirmed it (`checked`) too, until retention redacts the notice (hub.store.retention):
    every later report is compared with it, not taken on the first one's word. Redacted,
    the placement is taken only if confirmed before (not: a state stored before)."""

    authority: str
    notified_at: datetime
    date_of_birth: date | None = None
    checked: bool = False


@dataclass(frozen=True)
class ChildState:
    child_id: str
    episodes: tuple[Episode, ...] = ()
    placing_authority_escalated: bool = False  # 8.12 written notice sent (to any authority)
    # The placing authorities sent 8.12's written notice: each one is told once, then 8.13
    # (a state recorded before this field has only the flag: its notice went to the one).
    placing_authorities_told: tuple[str, ...] = ()
    retired: tuple[RetiredEpisode, ...] = ()  # episodes whose personal data is gone
    # Duties of cross-border notices about no episode the hub has (yet), by their episode id.
    notices: tuple[NoticeDuties, ...] = ()
    # 8.9: the latest placement notice from another authority (a later one replaces it, an
    # earlier one read late does not; our own placing the child out, 7.14, or a later report
    # naming another responsible authority ends it). None in a state stored before.
    placed_here: Placement | None = None
    # 7.28: the month of the deployment's calendar ("2026-11") RISE was last asked to put the
    # child to the monthly CSE and Missing Persons Forum in (`repeat.forum_recorded`): asked
    # once a month. None: never, or a state stored before.
    forum_month: str | None = None

    @property
    def history(self) -> int:
        """How many episodes the child has had, retired ones included."""
        return len(self.episodes) + len(self.retired)

    def clock_starts(self) -> list[datetime]:
        """When each episode began no later than the hub read its report (`clock_started`),
        retired ones included: how the rules count and order them (7.18, 8.12), a start
        typed ahead notwithstanding."""
        retired = [r.clock_started for r in self.retired]
        return [e.clock_started for e in self.episodes] + retired

    def absence_starts(self) -> list[datetime]:
        """`clock_starts` of the reports that began an absence, retired ones included: one
        absence reported by two forces is one episode (7.22), counted under the report that
        began it, not again under the one that took its search over (`absence_began`), unless
        the child came back between (a found report read late: a new absence, as
        `found.missing_again` judges it, though its search had ended and kept the mark)."""
        reports: list[Episode | RetiredEpisode] = [*self.episodes, *self.retired]
        return [r.clock_started for r in reports if self.began_an_absence(r)]

    def began_an_absence(self, report: Episode | RetiredEpisode) -> bool:
        """The report began an absence (`absence_starts`): it took no other's search over,
        or the child came back between (a new absence, though it kept the mark)."""
        began = report.absence_began
        return began is None or any(
            began < back <= report.clock_started for back in self.returns(but=report.episode_id)
        )

    def absence_start(self, episode: Episode) -> datetime:
        """When the absence `episode` reports began, as `absence_starts` counts it: its own
        start if it began one, else the start of the report that did (`absence_began`)."""
        return episode.clock_started if self.began_an_absence(episode) else episode.absence_started

    def returns(self, but: str | None = None) -> list[datetime]:
        """When the child came back from its episodes (but `but`), as the hub knows it:
        found, or returned as the host authority said (8.4), retired ones included. Each no
        later than the hub heard of it (`clock_back`, as `found.located` ends searches): a
        return typed ahead is no return from an absence begun after it was read (1.4)."""
        backs = [e.clock_back for e in self.episodes if e.episode_id != but]
        backs += [r.clock_back for r in self.retired if r.episode_id != but]
        return [back for back in backs if back is not None]

    def back_between(self, after: datetime, until: datetime, but: str | None = None) -> bool:
        """Whether the child came back from an episode (but `but`) after `after`, no later
        than `until`, as the hub knows it (`returns`)."""
        return any(after < back <= until for back in self.returns(but=but))

    def reports_of_an_absence_over(self, episode: Episode, at: datetime) -> list[Episode]:
        """The other reports of the absence `episode` reports, if the child was located since
        it began, as the hub knew by `at` (found, or returned as the host said: 1.4, missing
        "until located"): a report read after the return (queued by its force, read late
        after an outage, or filed by a force that did not know) of an absence already over.
        Its reports: those begun no later than it, after the child's last return before it
        began, the child not known back from them since (`reported_again_at`). Empty: no
        return since it began, or no report of its absence before it (`came_back`'s earlier
        absence, or a new one)."""
        start = episode.clock_started
        if not self.back_between(start, at, but=episode.episode_id):
            return []
        backs = self.returns(but=episode.episode_id)
        last = max((back for back in backs if back <= start), default=None)
        return [
            e
            for e in self.episodes
            if e.episode_id != episode.episode_id
            and (last is None or last < e.clock_started)
            and e.clock_started <= start
            and (e.reported_again_at is None or start < e.reported_again_at)
        ]

    def came_back(self, reported_again: bool = False) -> dict[str, datetime | None]:
        """When the child came back from each episode, as far as the hub knows: found, or
        returned by the host authority's word (8.4); or, one child being missing once at a
        time (1.4), back under another episode that began no earlier (missing again and
        found, or a second force's report of the same absence found). None: the child may
        still be missing from it (a 7.24 closure is no return). As the engine counts
        (`found.located`): each episode from when it began no later than the hub read its
        report, each return from when the hub heard of it at the latest (`returns`): a start
        typed ahead must not keep its data on, nor a return typed ahead end a later absence.
        A return at the very moment the episode began is no return from it (the next absence
        may have begun then): the engine searches for the child under it, as `back_from`.
        `reported_again`: the routing engine's absences, also back from a report whose own
        force reported the child missing again (`Episode.reported_again_at`), before that
        new report began: another absence's gradings and meetings are not the new one's.
        Not for retention or the console's Still missing: no return was ever reported."""
        return {
            e.episode_id: e.clock_back
            or min(
                [b for b in self.returns(but=e.episode_id) if b > e.clock_started]
                + ([e.reported_again_at] if reported_again and e.reported_again_at else []),
                default=None,
            )
            for e in self.episodes
        }

    def missing_since(self, reported_again: bool = False) -> datetime | None:
        """When the earliest episode the child may still be missing from began, no later
        than the hub read its report (`clock_started`, the console's order), or None. Stored
        with the state (ChildRecord.missing_since): the console's Still missing reads those
        children alone, longest missing first, not the store's every state. `reported_again`:
        as the routing engine counts absences (`came_back`)."""
        back = self.came_back(reported_again)
        return min(
            (e.clock_started for e in self.episodes if back[e.episode_id] is None), default=None
        )

    def graded_high(self, episode: Episode) -> bool:
        """The absence `episode` is searched under is graded high now, under it or under
        another report of it that began no later and the child is not back from (another
        force's: 7.22's meetings tell their chair the absence's risk). A grading lowered
        since is lowered for the absence too."""
        if episode.high_risk:
            return True
        others = [
            e
            for e in self.episodes
            if e.high_risk
            and e.back_at is None
            and e.closed_at is None
            and e.clock_started <= episode.clock_started
        ]
        if not others:  # most children: `came_back` reads every episode against every other
            return False
        back = self.came_back(reported_again=True)
        return any(back[e.episode_id] is None for e in others)

    def earliest_return(self) -> datetime | None:
        """When the child came back from the first of the episodes it still holds, as
        `came_back` counts it, or None: none come back from. Stored with the state
        (ChildRecord.earliest_return): retention reads only the children whose return is
        past its cutoff (hub.store.retention.due_episodes: an episode is due exactly when its
        return is on or before it), not the store's every state."""
        return min((back for back in self.came_back().values() if back is not None), default=None)

    def back_from(self, episode: Episode, at: datetime) -> bool:
        """The child is certainly back from `episode` and not missing now, though not found
        under it: located under another report since it began (found, or returned as the
        host said: 1.4, missing "until located"; as `found.located` ends its search), and
        no episode begun since. Missing again, or never located, the child may be missing.
        A return at the very moment the episode began is no proof (the next absence may
        have begun then): as missing.py's "came back", strictly after. So an episode begun
        at the very moment of the return is one begun since: the child may be missing."""
        backs = [
            back
            for back in self.returns(but=episode.episode_id)
            if episode.clock_started < back <= at
        ]
        return bool(backs) and all(start < max(backs) for start in self.clock_starts())

    def ever_reported(self, episode_id: str) -> bool:
        return self.episode(episode_id) is not None or any(
            r.episode_id == episode_id for r in self.retired
        )

    def episode(self, episode_id: str) -> Episode | None:
        return next((e for e in self.episodes if e.episode_id == episode_id), None)

    def with_episode(self, episode: Episode) -> ChildState:
        others = tuple(e for e in self.episodes if e.episode_id != episode.episode_id)
        ordered = sorted((*others, episode), key=lambda e: e.started_at)
        return replace(self, episodes=tuple(ordered))

    def notice(self, episode_id: str) -> NoticeDuties | None:
        return next((n for n in self.notices if n.episode_id == episode_id), None)

    def with_notice(self, notice: NoticeDuties) -> ChildState:
        others = tuple(n for n in self.notices if n.episode_id != notice.episode_id)
        return replace(self, notices=(*others, notice))

    def without_notice(self, episode_id: str) -> ChildState:
        return replace(self, notices=tuple(n for n in self.notices if n.episode_id != episode_id))


@dataclass(frozen=True)
class Unroutable:
    """Why a duty's recipient cannot be named yet: the field that should name it, what the
    sender wrote there, and the reason. The duty is held, shown to ops, and delivered once
    the directory knows the party and ops replays it."""

    field: str
    named: str | None
    reason: str

    def __str__(self) -> str:
        written = f" '{self.named}'" if self.named else ""
        return f"{self.field}{written}: {self.reason}"


@dataclass(frozen=True)
class Decision:
    """One notification owed to one recipient, and why. `authority` is empty while the
    recipient is `unroutable`. `details` are the facts of the duty; `child` the particulars
    the data policy gives this recipient with this action, which leave the id alone (a
    policy changed between a crash and its replay must not make a duty new)."""

    at: datetime
    recipient: str
    authority: str
    action: str
    paragraph: str
    episode_id: str
    child_id: str
    cause: str
    summary: str
    due: datetime | None = None
    details: dict[str, Detail] = field(default_factory=dict)
    child: dict[str, Detail] = field(default_factory=dict)  # as the data policy allows
    unroutable: Unroutable | None = None
    owed_from: datetime | None = None  # Duty.owed_from; not part of the id

    def __post_init__(self) -> None:
        heading_of(self.paragraph)  # every citation must be findable in the text

    @cached_property
    def notification_id(self) -> uuid.UUID:
        """Deterministic: the same cause, rule, recipient and facts always give the same id,
        and two duties from one cause (the 24-hour and 48-hour meetings' minutes to the IRO)
        never share one, or a receiver would drop the second as a duplicate."""
        return uuid.UUID(self.notification_key)

    @cached_property
    def notification_key(self) -> str:
        """`notification_id` as text, as the duties, the routing log and the outbox key it:
        uuid5's own digest and bits, written out directly (a UUID object and its text cost
        more than the digest, for each of the hub's thousands of notifications a second)."""
        facts = ",".join(f"{k}={v}" for k, v in sorted(self.details.items()))
        held = self.unroutable
        # Held for an unknown party, the id is fixed by what the sender wrote: the duty keeps
        # it when it is delivered later.
        authority = f"?{held.field}={held.named}" if held is not None else self.authority
        parts = (self.cause, self.action, self.paragraph, self.recipient, authority, facts)
        return _uuid5_text("|".join(parts))

    def notification(self) -> Notification:
        """Validated against its contract, the particulars with the rest: a ChildParticulars
        validated first was validated again as the notification's field, its check of every
        text included."""
        return Notification(
            notification_id=self.notification_key,  # a UUID's text, parsed by the contract
            episode_id=self.episode_id,
            child_id=self.child_id,
            recipient=self.recipient,
            authority=self.authority,
            action=self.action,
            summary=self.summary,
            decided_at=self.at,
            due=self.due,
            paragraph=self.paragraph,
            cause=self.cause,
            details=self.details,
            child=self.child,  # validated as ChildParticulars, once
        )


@dataclass(frozen=True)
class Outcome:
    """What one event or timer leads to: the new state, the notifications, the timers."""

    state: ChildState
    decisions: tuple[Decision, ...] = ()
    schedule: tuple[Timer, ...] = ()
    cancel: tuple[Timer, ...] = ()
    duties: tuple[Duty, ...] = ()  # duties answered, escalated or stood down by this step
    # The episode an event naming none was read as (a host's notice, 8.4): the store keeps
    # the event as that episode's, shown and retired with it.
    about: str | None = None
