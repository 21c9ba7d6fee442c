"""The police MPU's regular sharing of missing and found children (6.4, 6.11) with the
Missing Children Co-ordinator, the Adolescent Targeted Support service and, under 6.11,
Health. The MCT is already told at once (7.2), so this owes only the others, by the close
of the next sharing day the directory's cadence names."""

from __future__ import annotations

from hub.routing.calendar import next_sharing_deadline
from hub.routing.context import Context


def share_with_partners(ctx: Context, status: str, *, back: str | None = None) -> None:
    """`status` is "missing" or "found". `back`: a child reported missing, certainly back
    when the hub read the report (how, in words: missing._back_how), shared for the
    partners' records with no deadline, as had the return stood the share down (found.py's
    SHARED_WHILE_MISSING): no call for action on a child still missing (6.11)."""
    sharing = ctx.directory.choices.police_sharing
    due = None if back else next_sharing_deadline(ctx.at, ctx.directory)
    recipients = ["ats", "health"] if sharing.with_health else ["ats"]
    said = (
        f"a child is {status}. {_FOCUS[status]}"
        if back is None
        else f"a child was {status} ({back}): the child is back. {_FOCUS['found']}"
    )
    for recipient in recipients:
        ctx.tell(
            recipient,
            f"{status}_child_shared",
            "6.11" if recipient == "health" else sharing.days.paragraph,  # 6.4 names no Health
            f"The police Missing Persons Unit's regular sharing: {said}",
            due=due,
        )


# 6.11: the sharing is to "focus on immediate action for particularly vulnerable children
# currently missing"; a found child's share is for the partners' records and support after.
_FOCUS = {
    "missing": "Focus on immediate action for vulnerable children still missing.",
    "found": "For your records and any support after the return.",
}
