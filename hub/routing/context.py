"""What every rule needs to say "tell X to do Y by Z, because paragraph P"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from hub.contracts.notification import Detail
from hub.routing.directory import Directory
from hub.routing.facts import Decision, Episode, ProtocolViolation

# Roles that belong to the home authority's children's services (or its joint teams).
_HOME_ROLES = frozenset(
    {
        "mash",
        "mash_manager",
        "mct",
        "allocated_worker",
        "iro",
        "cp_chair",
        "edt",
        "rise",
        "leaving_care",
        "ats",
        "practice_manager",
        "team_manager",
        "service_manager",
        "sqas_service_manager",
        "head_of_safeguarding",
        "assistant_director",
        "ooc_engagement_worker",
        "rise_mct_strategic_manager",
        "health",  # the area's health partners (6.11, 7.20)
    }
)


class Placing(StrEnum):
    """Where the child stands across borders (1.5, section 8)."""

    LOCAL = "local"  # a home child living in the home area
    PLACED_OUT = "placed_out"  # a home child placed in another area (8.3-8.7)
    PLACED_IN = "placed_in"  # another authority's child placed here (8.8-8.13)


def require_authority(directory: Directory, field: str, code: str) -> None:
    if not directory.knows(code):
        raise ProtocolViolation(
            f"data.{field}", f"'{code}' is not an authority in the hub's directory"
        )


def placing_of(episode: Episode, directory: Directory) -> Placing:
    report, home = episode.report, directory.home_authority
    require_authority(directory, "responsible_authority", report.responsible_authority)
    require_authority(directory, "residence_authority", report.residence_authority)
    if report.responsible_authority == home:
        return Placing.LOCAL if report.residence_authority == home else Placing.PLACED_OUT
    if report.residence_authority == home:
        return Placing.PLACED_IN
    raise ProtocolViolation(
        "data.residence_authority",
        f"neither the responsible nor the residence authority is {home}: the child is outside "
        "this protocol's scope (1.5)",
    )


def owed(
    *,
    at: datetime,
    recipient: str,
    authority: str,
    action: str,
    paragraph: str,
    episode_id: str,
    child_id: str,
    cause: str,
    summary: str,
    due: datetime | None,
    details: dict[str, Detail],
) -> Decision:
    """A decision, with its deadline clamped: a deadline already past when decided is due
    now, so it is overdue from the first moment (and never due before it was decided)."""
    return Decision(
        at=at,
        recipient=recipient,
        authority=authority,
        action=action,
        paragraph=paragraph,
        episode_id=episode_id,
        child_id=child_id,
        cause=cause,
        summary=summary,
        due=max(due, at) if due is not None else None,
        details=details,
    )


@dataclass
class Context:
    """Collects the decisions of one step. `at` is when they are decided."""

    directory: Directory
    at: datetime
    cause: str
    episode: Episode
    decisions: list[Decision] = field(default_factory=list)

    @cached_property
    def placing(self) -> Placing:
        return placing_of(self.episode, self.directory)

    def authority_of(self, recipient: str) -> str:
        report, directory = self.episode.report, self.directory
        if recipient in _HOME_ROLES:
            return directory.home_authority
        match recipient:
            case "police":
                return directory.home_police_force
            case "host_police":
                return directory.police_force_of(report.residence_authority)
            case "reporting_police":
                return report.reporting_force
            case "placing_authority" | "parent_carer":
                return report.responsible_authority
            case "host_authority":
                return report.residence_authority
            case "home_office":
                return directory.national.home_office
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
        **details: Detail,
    ) -> None:
        self.decisions.append(
            owed(
                at=self.at,
                recipient="police" if recipient == "reporting_police" else recipient,
                authority=self.authority_of(recipient),
                action=action,
                paragraph=paragraph,
                episode_id=self.episode.episode_id,
                child_id=self.episode.report.child_id,
                cause=self.cause,
                summary=summary,
                due=due,
                details={**(facts or {}), **details},
            )
        )
