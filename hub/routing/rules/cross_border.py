"""Notices from other authorities (8.4, 8.9, 8.10; 3.3 and 3.4 for placed children)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.contracts.events import CrossBorderNotice
from hub.contracts.vocabulary import CrossBorderNoticeKind
from hub.routing.context import owed, require_authority
from hub.routing.directory import Directory
from hub.routing.facts import ChildState, Decision, Outcome, ProtocolViolation


def on_cross_border_notice(
    state: ChildState,
    event: CrossBorderNotice,
    directory: Directory,
    at: datetime,
    cause: str,
) -> Outcome:
    home = directory.home_authority
    require_authority(directory, "from_authority", event.from_authority)
    require_authority(directory, "to_authority", event.to_authority)
    if event.to_authority != home:
        raise ProtocolViolation("data.to_authority", f"this hub serves {home} only")
    decisions: list[Decision] = []

    def tell(
        recipient: str, action: str, paragraph: str, summary: str, due: datetime | None = None
    ) -> None:
        decisions.append(
            owed(
                at=at,
                recipient=recipient,
                authority=home,
                action=action,
                paragraph=paragraph,
                episode_id=event.episode_id or f"placement:{event.notice_id}",
                child_id=event.child_id,
                cause=cause,
                summary=summary,
                due=due,
                details={"from_authority": event.from_authority},
            )
        )

    if event.kind is CrossBorderNoticeKind.PLACEMENT_NOTIFIED:
        placed = event.placed_child
        assert placed is not None  # guaranteed by the contract (8.9)
        tell(
            "mct",
            "record_placement",
            "8.9",
            f"{event.from_authority} has placed a child in our area: record the child and "
            "the placement on CareFirst.",
        )
        days = directory.timescales.unplanned_placement_forms_days
        due = placed.placement_started_at + (
            timedelta() if placed.planned_placement else timedelta(days=days)
        )
        tell(
            "mct",
            "complete_incident_and_location_forms",
            "3.3",
            "A child placed here by another authority: the MCT completes the Incident and "
            "Location Forms (3.4), before a planned placement or within 5 days of an "
            "unplanned one.",
            due=due,
        )
        return Outcome(state, tuple(decisions))
    episode = state.episode(event.episode_id) if event.episode_id else None
    if event.kind is CrossBorderNoticeKind.CHILD_MISSING:
        tell(
            "mct",
            "child_missing_in_host_area",
            "8.4",
            f"{event.from_authority} reports our child placed there as missing."
            + ("" if episode else " No MISPER report has reached the hub yet."),
            due=at,
        )
        if episode is not None and episode.allocated:
            tell(
                "allocated_worker",
                "child_missing_in_host_area",
                "8.4",
                "The host authority reports your child missing.",
                due=at,
            )
    else:
        tell(
            "mct",
            "child_found_in_host_area",
            "8.4",
            f"{event.from_authority} reports our child placed there has returned.",
        )
        if episode is not None and episode.allocated:
            tell(
                "allocated_worker",
                "child_found_in_host_area",
                "8.4",
                "The host authority reports your child has returned: review the placement.",
            )
        if episode is not None and episode.looked_after:
            tell(
                "iro",
                "child_found_in_host_area",
                "8.4",
                "The host authority reports the child has returned: review the placement.",
            )
    return Outcome(state, tuple(decisions))
