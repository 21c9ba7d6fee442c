"""What every rule needs to say "tell X to do Y by Z, because paragraph P"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from hub.contracts.actions import Recipient
from hub.contracts.data_policy import DataPolicy
from hub.contracts.notification import Detail
from hub.routing.directory import Directory, Resolution
from hub.routing.facts import Decision, Episode, Unroutable, clock_start
from hub.routing.particulars import Particulars, of_episode
from hub.routing.placing import Placing, placing_of

# Roles that belong to the home authority's children's services (or its joint teams): every
# recipient but the police and the other authorities, whose topics the directory chooses.
_ELSEWHERE = frozenset(
    {
        Recipient.POLICE,
        Recipient.HOST_POLICE,
        Recipient.HOST_AUTHORITY,
        Recipient.PLACING_AUTHORITY,
        Recipient.HOME_OFFICE,
    }
)
_HOME_ROLES = frozenset(role.value for role in Recipient if role not in _ELSEWHERE)


def unroutable(field: str, resolution: Resolution) -> Unroutable:
    return Unroutable(f"data.{field}", resolution.named, resolution.why_not_routable())


def owed(
    *,
    at: datetime,
    recipient: str,
    authority: str | Unroutable,
    action: str,
    paragraph: str,
    episode_id: str,
    child_id: str,
    cause: str,
    summary: str,
    due: datetime | None,
    details: dict[str, Detail],
    known: Particulars,
    policy: DataPolicy,
    owed_from: datetime | None = None,
) -> Decision:
    """A decision, with its deadline clamped: a deadline already past when decided is due
    now, so it is overdue from the first moment (and never due before it was decided).
    The child's particulars are those the data policy gives this recipient for this action;
    its facts are checked against its action's schema when its notification is made."""
    held = authority if isinstance(authority, Unroutable) else None
    return Decision(
        at=at,
        recipient=recipient,
        authority="" if held is not None else str(authority),
        action=action,
        paragraph=paragraph,
        episode_id=episode_id,
        child_id=child_id,
        cause=cause,
        summary=summary,
        due=max(due, at) if due is not None else None,
        details=details,
        child=policy.pick(recipient, action, known),
        unroutable=held,
        owed_from=owed_from,
    )


@dataclass
class Context:
    """Collects the decisions of one step. `at` is when they are decided."""

    directory: Directory
    at: datetime
    cause: str
    episode: Episode
    decisions: list[Decision] = field(default_factory=list)
    # The absence's grading, if another report of it may be graded otherwise than this one
    # (`ChildState.graded_high`): what a meeting's chair is told. None: this report's.
    absence_high_risk: bool | None = None
    # 8.11's strategy discussion was held for the absence under another report of it, whose
    # search this one took over (`chairs.discussion_held`): none is convened again.
    absence_discussed: bool = False
    # When each of the child's episodes began (`ChildState.clock_starts`): a ladder rung kept
    # from an earlier start than its absence's (`found.a_new_absence`) is counted on from it.
    clock_starts: tuple[datetime, ...] = ()

    @property
    def high_risk(self) -> bool:
        """Graded high: the absence, if known (`absence_high_risk`), else this report."""
        if self.absence_high_risk is None:
            return self.episode.high_risk
        return self.absence_high_risk

    def clock_from(self, event_time: datetime) -> datetime:
        """When a deadline counted from this event time starts: no later than now, when the
        hub decides (`facts.clock_start`)."""
        return clock_start(event_time, self.at)

    @cached_property
    def placing(self) -> Placing:
        return placing_of(self.episode, self.directory)

    @cached_property
    def residence(self) -> Resolution:
        return self.directory.resolve_authority(self.episode.report.residence_authority)

    @cached_property
    def responsible(self) -> Resolution:
        return self.directory.resolve_authority(self.episode.responsible_authority)

    @cached_property
    def known(self) -> Particulars:
        return of_episode(
            self.episode, self.directory, self.placing, self.responsible, self.residence
        )

    def authority_of(self, recipient: str) -> str | Unroutable:
        """The authority whose topic the recipient reads, from the directory only: a field
        a sender wrote chooses among directory entries, never names a topic itself."""
        directory, placing = self.directory, self.placing
        if recipient in _HOME_ROLES:
            return directory.home_authority
        match recipient:
            case "police":
                return directory.home_police_force
            case "home_office":
                return directory.national.home_office
            case "reporting_police":
                named = self.episode.report.reporting_force
                if named is None:  # a replay naming none: the home force passes it on (3.9.1)
                    return directory.home_police_force
                force = directory.resolve_force(named, only_forces=True)
                if force is not None:
                    return force
                return Unroutable(
                    "data.reporting_force", named, "is not a police force in the hub's directory"
                )
            case "host_police":
                if placing is not Placing.PLACED_OUT:
                    return directory.home_police_force
                return directory.force_of(self.residence) or unroutable(
                    "residence_authority", self.residence
                )
            case "host_authority":
                if placing is not Placing.PLACED_OUT:
                    return directory.home_authority
                return self.residence.code or unroutable("residence_authority", self.residence)
            case "placing_authority" | "parent_carer":
                if placing is not Placing.PLACED_IN:
                    return directory.home_authority
                return self.responsible.code or unroutable(
                    "responsible_authority", self.responsible
                )
        raise ValueError(f"no authority is known for the role {recipient!r}")

    def tell(
        self,
        recipient: str,
        action: str,
        paragraph: str,
        summary: str,
        *,
        due: datetime | None = None,
        facts: dict[str, Detail] | None = None,
        owed_from: datetime | None = None,
        **details: Detail,
    ) -> None:
        authority = self.authority_of(recipient)
        self.decisions.append(
            owed(
                at=self.at,
                recipient="police" if recipient == "reporting_police" else recipient,
                authority=authority,
                action=action,
                paragraph=paragraph,
                episode_id=self.episode.episode_id,
                child_id=self.episode.report.child_id,
                cause=self.cause,
                summary=summary,
                due=due,
                details={**(facts or {}), **details},
                known=self.known,
                policy=self.directory.data_policy,
                owed_from=owed_from,
            )
        )
