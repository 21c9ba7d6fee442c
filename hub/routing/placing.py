"""Where a child stands across borders, from the authorities its MISPER report names (1.5,
section 8). Pure: the directory resolves the names, and one it does not know never stops
the routing."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from hub.contracts.events import MisperReport
from hub.routing.directory import Directory, Resolution, Standing
from hub.routing.facts import ChildState, Episode, Placement, ProtocolViolation


class Placing(StrEnum):
    """Where the child stands across borders (1.5, section 8)."""

    LOCAL = "local"  # a home child living in the home area
    PLACED_OUT = "placed_out"  # a home child placed in another area (8.3-8.7)
    PLACED_IN = "placed_in"  # another authority's child placed here (8.8-8.13)


def placing_of(episode: Episode, directory: Directory) -> Placing:
    """Where the child stands, from the authorities the report names. A name the directory
    does not know never stops the routing (DESIGN.md): only a child the directory shows to
    be neither ours nor living here is outside this protocol's scope (1.5)."""
    report = episode.report
    responsible = directory.resolve_authority(episode.responsible_authority)
    residence = directory.resolve_authority(report.residence_authority)
    ours = responsible.standing in (Standing.HOME, Standing.ABSENT)
    lives_here = residence.standing in (Standing.HOME, Standing.ABSENT)
    if ours:
        return Placing.LOCAL if lives_here else Placing.PLACED_OUT
    if lives_here or residence.standing is Standing.UNKNOWN:
        return Placing.PLACED_IN
    if responsible.standing is Standing.UNKNOWN:
        # Living in another area, responsible authority unrecognised: perhaps ours misspelt.
        # Routed as ours, so that no duty of ours is lost for a typing error.
        return Placing.PLACED_OUT
    raise ProtocolViolation(
        "data.residence_authority",
        f"neither the responsible nor the residence authority is {directory.home_authority}: "
        "the child is outside this protocol's scope (1.5)",
    )


def placed_by(state: ChildState, report: MisperReport, directory: Directory) -> str | None:
    """8.9, 8.10: the authority that told us it placed the child here, for a MISPER report
    naming no responsible authority that puts the child in our area (police often do not
    know who placed a child): the child is routed as placed here by it (8.10, 8.12), not as
    ours. A report naming one keeps it: police know best on the day. One placing the child
    elsewhere is not of this placement: as the report reads (our child placed out, 8.3).
    Nor one whose child's date of birth the placement notice does not give (`disagreeing`):
    the notice may be of another child, its id mistyped."""
    placement = _of_report(state, report, directory)
    if placement is None or not _agrees(placement, report):
        return None
    return placement.authority


def disagreeing(state: ChildState, report: MisperReport, directory: Directory) -> Placement | None:
    """8.9: the placement notice a MISPER report naming no placing authority would be routed
    by, but whose date of birth is not the report's child's (or is no longer kept to compare:
    retention, a state stored before). The report is routed as it reads, and the MCT is told
    to check the notice: sent to its authority, the episode's particulars might be another
    child's (UK GDPR Article 5(1)(d))."""
    placement = _of_report(state, report, directory)
    return None if placement is None or _agrees(placement, report) else placement


def checked(state: ChildState, report: MisperReport, directory: Directory) -> Placement | None:
    """The placement remembered once a report has confirmed it (`placed_by`). Its date of
    birth is kept until retention redacts the notice it came from (the store keeps the
    notice until then): a later report of this child id giving another date of birth, or a
    second force's report of the same absence, is not taken on the first one's word (8.9)."""
    placement = state.placed_here
    if placement is None or placed_by(state, report, directory) is None:
        return placement
    return replace(placement, checked=True)


def _agrees(placement: Placement, report: MisperReport) -> bool:
    if placement.date_of_birth is not None:
        return placement.date_of_birth == report.child.date_of_birth
    return placement.checked  # confirmed, its notice since redacted (retention)


def _of_report(state: ChildState, report: MisperReport, directory: Directory) -> Placement | None:
    placement = state.placed_here
    if placement is None or placement.authority == directory.home_authority:
        return None  # none told us, or no other authority's placement since (`placement_after`)
    if directory.resolve_authority(report.responsible_authority).standing is not Standing.ABSENT:
        return None
    residence = directory.resolve_authority(report.residence_authority)
    if residence.standing not in (Standing.HOME, Standing.ABSENT):
        return None
    return placement


def placement_after(
    state: ChildState, report: MisperReport, directory: Directory
) -> Placement | None:
    """8.9: the placement remembered, after a MISPER report. One made since the placement
    notice that names a responsible authority the directory knows, other than the one that
    told us it placed the child here (ours, or another), is the later word (police know best
    on the day): that placement is over as far as the hub can know, and a later report
    naming none is read as the contract reads it, the home authority's child, not the old
    placing authority's (our worker and IRO told, 7.3, 8.4; nothing to the old one, 8.10).
    Remembered as the home authority's code and when: an older placement notice read late
    does not bring it back (`cross_border._placed_here`). A name the directory does not know,
    or an older name covering the one remembered, changes nothing."""
    placement = state.placed_here
    if placement is None or placement.authority == directory.home_authority:
        return placement
    if report.reported_at < placement.notified_at:
        return placement  # a report read late: the placement notice is the later word
    named = directory.resolve_authority(report.responsible_authority)
    if named.standing not in (Standing.HOME, Standing.KNOWN):
        return placement
    placing = directory.resolve_authority(placement.authority)
    if named.standing is Standing.KNOWN and (
        placing.standing is Standing.UNKNOWN or set(named.codes) <= set(placing.codes)
    ):
        return placement  # the same authority, or perhaps it (a name not in the directory)
    return Placement(authority=directory.home_authority, notified_at=report.reported_at)


def named_authorities(episode: Episode, directory: Directory) -> list[Resolution] | None:
    """The placing (responsible) and host (residence) authorities the episode's MISPER
    report names, as the directory resolves them, for who has standing for the child (6.7,
    8.4, 8.10). None: one is a name the directory does not know (misspelt, say), which may
    be any sender: refusing it would lose a message over the hub's own gap."""
    named = [
        directory.resolve_authority(name)
        for name in (episode.responsible_authority, episode.report.residence_authority)
    ]
    return None if any(r.standing is Standing.UNKNOWN for r in named) else named
