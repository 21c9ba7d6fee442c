"""Every particular the hub knows of a child at a decision, as JSON-ready values; the data
policy then picks each recipient's (hub.contracts.data_policy). Pure: from the episode, a
cross-border notice and the directory."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hub.contracts.events import CrossBorderNotice
from hub.contracts.notification import Detail
from hub.contracts.particulars import PARTICULARS
from hub.routing.directory import Directory, Resolution, Standing
from hub.routing.facts import Episode

Particulars = dict[str, Detail]  # keyed by `Particular`


def _iso(moment: datetime | date | None) -> str | None:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat() if moment is not None else None


def home_contact(directory: Directory) -> str | None:
    """How another agency reaches the home authority about a child (protocol 2): the
    contacts the deployment names for it, each labelled."""
    parts = [
        f"{team.upper()}: {directory.contacts[team]}"
        for team in directory.contact_for_other_agencies
        if team in directory.contacts
    ]
    return "; ".join(parts) or None


def _authority(directory: Directory, resolution: Resolution) -> str | None:
    """An authority's official name; one the directory does not know, as written."""
    if resolution.standing in (Standing.HOME, Standing.ABSENT):
        return directory.home_name
    if resolution.code is not None:
        return directory.name_of(resolution.code)
    return resolution.named


def _contact(directory: Directory, resolution: Resolution) -> str | None:
    ours = resolution.standing in (Standing.HOME, Standing.ABSENT)
    return home_contact(directory) if ours else None


def of_episode(
    episode: Episode, directory: Directory, responsible: Resolution, residence: Resolution
) -> Particulars:
    report = episode.report
    worker = report.allocated_worker
    force = directory.resolve_force(report.reporting_force)
    return {
        "name": report.child.name,
        "date_of_birth": _iso(report.child.date_of_birth),
        "sex": report.child.sex.value,
        "legal_status": report.legal_status.value,
        "uasc": report.uasc,
        "allocated_worker": worker.worker if worker else None,
        "worker_team": worker.team if worker else None,
        "placing_authority": _authority(directory, responsible),
        "placing_authority_contact": _contact(directory, responsible),
        "host_authority": _authority(directory, residence),
        "host_authority_contact": _contact(directory, residence),
        "placement_started_at": None,
        "placing_social_worker": None,
        "missing_since": _iso(report.missing_since),
        "last_seen_place": report.last_seen.place,
        "last_seen_at": _iso(report.last_seen.at),
        "circumstances": report.circumstances,
        "risk_level": episode.risk_level.value,
        "cse_risk": episode.cse_risk,
        "suspected_trafficking": report.suspected_trafficking,
        "reporting_force": directory.name_of(force) if force else report.reporting_force,
        "mash_rating": episode.mash_rating.value if episode.mash_rating else None,
        "found_at": _iso(episode.found_at),
    }


def of_notice(
    notice: CrossBorderNotice, directory: Directory, episode: Episode | None
) -> Particulars:
    """A notice about a placement carries the child itself (8.9); one about an episode
    adds to what the episode's MISPER report said."""
    placing = directory.resolve_authority(notice.from_authority)
    host = directory.resolve_authority(notice.to_authority)
    known: Particulars = (
        of_episode(episode, directory, placing, host)
        if episode is not None
        else dict.fromkeys(PARTICULARS)
    )
    known.update(
        placing_authority=_authority(directory, placing),
        placing_authority_contact=_contact(directory, placing),
        host_authority=_authority(directory, host),
        host_authority_contact=_contact(directory, host),
    )
    placed = notice.placed_child
    if placed is not None:
        known.update(
            name=placed.name,
            date_of_birth=_iso(placed.date_of_birth),
            sex=placed.sex.value,
            placement_started_at=_iso(placed.placement_started_at),
            placing_social_worker=placed.placing_social_worker,
        )
    return known
