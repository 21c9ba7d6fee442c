"""An operator records an answer on an agency's behalf (issue 14): a duty acknowledged or
done, said on the phone rather than on the bus. It goes through the engine as the agency's
own message would, in a transaction with its audit line and the operator's reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from hub.contracts.events import DutyAcknowledged, DutyCompleted
from hub.routing.directory import Directory
from hub.routing.engine import decide
from hub.routing.facts import ProtocolViolation
from hub.store.models import AuditEntry, RoutingDecision
from hub.store.outcomes import load_child, save_outcome

Answer = Literal["acknowledged", "done"]
ON_BEHALF: dict[Answer, str] = {"acknowledged": "acknowledge_duty", "done": "complete_duty"}


@dataclass(frozen=True)
class Answered:
    notification_id: str
    outcome: Literal["recorded", "refused", "not_found"]
    reason: str = ""


def answer_on_behalf(
    sessions: sessionmaker[Session],
    directory: Directory,
    notification_id: str,
    answer: Answer,
    who: str,
    reason: str,
    now: datetime,
) -> Answered:
    with sessions.begin() as session:
        duty = session.get(RoutingDecision, notification_id)
        if duty is None or duty.duty_due is None:
            return Answered(notification_id, "not_found")
        by = f"{who} (hub console, on the agency's behalf)"[:200]
        common = {
            "episode_id": duty.episode_id,
            "child_id": duty.child_id,
            "notification_id": uuid.UUID(notification_id),
            "answered_by": duty.authority or directory.home_authority,
        }
        event = (
            DutyAcknowledged(**common, acknowledged_at=now, acknowledged_by=by)
            if answer == "acknowledged"
            else DutyCompleted(**common, completed_at=now, completed_by=by)
        )
        cause = f"console:{uuid.uuid4()}"
        refusal: str | None = None
        try:
            outcome = decide(load_child(session, duty.child_id), event, directory, now, cause)
        except ProtocolViolation as violation:
            refusal = f"{violation.field}: {violation.reason}"
        else:
            # The engine keeps a duty's first answer: one that changed no duty was not
            # recorded, and must not be reported (or audited) as if it had been.
            if not outcome.duties:
                refusal = "data.notification_id: was already answered; the first answer stands"
            else:
                save_outcome(session, outcome, now)
        # The attempt is kept either way: refused, with why, or with the operator's reason.
        session.add(
            AuditEntry(
                at=now,
                who=who,
                action=ON_BEHALF[answer],
                target=notification_id,
                outcome=f"refused: {refusal}" if refusal else f"reason: {reason}",
            )
        )
    if refusal:
        return Answered(notification_id, "refused", refusal)
    return Answered(notification_id, "recorded")
