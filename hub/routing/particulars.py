"""Every particular the hub knows of a child at a decision, as JSON-ready values; the data
policy then picks each recipient's (hub.contracts.data_policy). Pure: from the episode, a
cross-border notice and the directory."""

from __future__ import annotations

from datetime import date, datetime

from hub.clock import iso_utc
from hub.contracts.events import CrossBorderNotice
from hub.contracts.notification import Detail
from hub.contracts.particulars import PARTICULARS
from hub.contracts.vocabulary import CrossBorderNoticeKind
from hub.routing.directory import Directory, Resolution, Standing
from hub.routing.facts import ChildState, Episode
from hub.routing.placing import Placing, placing_of

Particulars = dict[str, Detail]  # keyed by `Particular`

# 8.4, 8.10: what a missing or a found notice's time is, of the particulars.
_NOTICE_SAYS = {
    CrossBorderNoticeKind.CHILD_MISSING: "missing_since",
    CrossBorderNoticeKind.CHILD_FOUND: "found_at",
}


def _iso(moment: datetime | date | None) -> str | None:
    if isinstance(moment, datetime):
        return iso_utc(moment)
    return moment.isoformat() if moment is not None else None


def _authority(directory: Directory, resolution: Resolution) -> str | None:
    """Another authority's official name; one the directory does not know, as written."""
    if resolution.code is not None:
        return directory.name_of(resolution.code)
    return resolution.named


def _sides(
    directory: Directory, placing: Placing, responsible: Resolution, residence: Resolution
) -> Particulars:
    """The placing and the host authority, and how to reach whichever of them is us. The
    child's placing decides which is us, not how a name was spelt: a misspelt home name
    routed as ours (hub.routing.placing) is still us here."""
    ours = directory.home_name
    contact = directory.home_contact
    we_place = placing is not Placing.PLACED_IN
    we_host = placing is not Placing.PLACED_OUT
    return {
        "placing_authority": ours if we_place else _authority(directory, responsible),
        "placing_authority_contact": contact if we_place else None,
        "host_authority": ours if we_host else _authority(directory, residence),
        "host_authority_contact": contact if we_host else None,
    }


def of_episode(
    episode: Episode,
    directory: Directory,
    placing: Placing,
    responsible: Resolution,
    residence: Resolution,
) -> Particulars:
    report = episode.report
    worker = report.allocated_worker
    force = directory.resolve_force(report.reporting_force, only_forces=True)
    status = report.legal_status
    assert status is not None  # left out, read as not_known while validated (7.6)
    return {
        "name": report.child.name,
        "date_of_birth": _iso(report.child.date_of_birth),
        "sex": report.child.sex.value,
        "legal_status": status.value,
        "uasc": report.uasc,
        "allocated_worker": worker.worker if worker else None,
        "worker_team": worker.team if worker else None,
        **_sides(directory, placing, responsible, residence),
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
        "found_at": _iso(episode.back_at),  # or returned, as the host said (8.4)
        "found_where": episode.found_where,  # the found report's; a host's notice says none
    }


def episode_particulars(episode: Episode, directory: Directory) -> Particulars:
    """`of_episode` for a caller without a Context's resolutions at hand."""
    report = episode.report
    return of_episode(
        episode,
        directory,
        placing_of(episode, directory),
        directory.resolve_authority(episode.responsible_authority),
        directory.resolve_authority(report.residence_authority),
    )


def of_notice(
    notice: CrossBorderNotice, directory: Directory, episode: Episode | None
) -> Particulars:
    """About an episode the hub has, what its MISPER report said. Without one, the sides
    are read from the notice: a placement and a return interview taken on come from the
    placing authority (8.9, 8.10), a missing or found notice from the host (8.4), and a
    placement we send, from us (7.14). A placement carries the child itself (8.9); a missing
    or found notice, when the child went missing or came back (its `occurred_at`): the MCT
    holding the return interview on it runs its 72 hours from that return (5.12)."""
    sender = directory.resolve_authority(notice.from_authority)
    addressee = directory.resolve_authority(notice.to_authority)
    if episode is not None:
        known = episode_particulars(episode, directory)
    else:
        known = dict.fromkeys(PARTICULARS)
        if sender.standing is Standing.HOME:
            known.update(_sides(directory, Placing.PLACED_OUT, sender, addressee))
        elif notice.kind in (
            CrossBorderNoticeKind.PLACEMENT_NOTIFIED,
            CrossBorderNoticeKind.RETURN_INTERVIEW_ACCEPTED,
        ):
            known.update(_sides(directory, Placing.PLACED_IN, sender, addressee))
        else:
            known.update(_sides(directory, Placing.PLACED_OUT, addressee, sender))
        said = _NOTICE_SAYS.get(notice.kind)
        if said is not None:
            known[said] = _iso(notice.occurred_at)
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


def disclosed_again(
    state: ChildState, episode_id: str, directory: Directory, recipient: str, action: str
) -> Particulars:
    """The particulars of a duty held before the routing log kept them (migration 0005),
    rebuilt from the child's state: its episode's, as the policy gives them now."""
    episode = state.episode(episode_id)
    if episode is None:
        return {}
    return directory.data_policy.pick(recipient, action, episode_particulars(episode, directory))
