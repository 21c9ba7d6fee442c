"""Where a child stands across borders, from the authorities its MISPER report names (1.5,
section 8). Pure: the directory resolves the names, and one it does not know never stops
the routing."""

from __future__ import annotations

from enum import StrEnum

from hub.contracts.events import MisperReport
from hub.routing.directory import Directory, Standing
from hub.routing.facts import ChildState, Episode, ProtocolViolation


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
    elsewhere is not of this placement: as the report reads (our child placed out, 8.3)."""
    placement = state.placed_here
    if placement is None:
        return None
    if directory.resolve_authority(report.responsible_authority).standing is not Standing.ABSENT:
        return None
    residence = directory.resolve_authority(report.residence_authority)
    if residence.standing not in (Standing.HOME, Standing.ABSENT):
        return None
    return placement.authority
