"""Following duties up (issue 14): how long a recipient has to acknowledge a duty, and whom
the hub escalates an unanswered duty to, citing the paragraph that names that manager.

The protocol sets the deadlines of duties but no window for picking them up: the windows
here are the hub's defaults, as `placing_authority_acknowledgement_hours` is for 8.10. A
deployment changes them under `follow_up:` in its file."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from hub.contracts.actions import Recipient

Minutes = Annotated[int, Field(gt=0, le=7 * 24 * 60)]


class Escalation(BaseModel):
    """Whom a duty owed to one role goes to when unanswered, and why. `to: null` says the
    protocol names nobody above the role: the duty is shown overdue to ops only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    to: Recipient | None
    paragraph: str


def _up(to: Recipient | None, paragraph: str) -> Escalation:
    return Escalation(to=to, paragraph=paragraph)


R = Recipient
# 6.7: "escalation to the manager of the practitioner involved and the Police Missing Persons
# Unit ... If the matter remains unresolved at team manager/DI level, the police DCI and the
# RISE/MCT Service Manager ... The Head of Safeguarding should also be consulted"; 6.8 the
# Head of Safeguarding notifies the Assistant Director; MCT practice guidance: "inform your
# Team Manager and Service Manager"; 7.22 "the relevant Service Manager/Strategic Manager ...
# via the usual line management route".
DEFAULT_ESCALATION: dict[Recipient, Escalation] = {
    R.ALLOCATED_WORKER: _up(R.TEAM_MANAGER, "6.7"),
    R.MCT: _up(R.RISE_MCT_SERVICE_MANAGER, "6.7"),
    R.OOC_ENGAGEMENT_WORKER: _up(R.RISE_MCT_SERVICE_MANAGER, "6.7"),
    R.RISE: _up(R.RISE_MCT_SERVICE_MANAGER, "6.7"),
    R.ATS: _up(R.RISE_MCT_SERVICE_MANAGER, "6.7"),
    R.LEAVING_CARE: _up(R.SERVICE_MANAGER, "6.7"),
    R.MASH: _up(R.MASH_MANAGER, "6.7"),
    R.EDT: _up(R.SERVICE_MANAGER, "6.7"),
    R.PRACTICE_MANAGER: _up(R.SERVICE_MANAGER, "6.7"),
    R.TEAM_MANAGER: _up(R.SERVICE_MANAGER, "6.7"),
    R.MASH_MANAGER: _up(R.RISE_MCT_SERVICE_MANAGER, "6.7"),
    R.SERVICE_MANAGER: _up(R.HEAD_OF_SAFEGUARDING, "6.7"),
    R.RISE_MCT_SERVICE_MANAGER: _up(R.HEAD_OF_SAFEGUARDING, "6.7"),
    R.CSE_MISSING_SERVICE_MANAGER: _up(R.HEAD_OF_SAFEGUARDING, "6.7"),
    R.SQAS_SERVICE_MANAGER: _up(R.HEAD_OF_SAFEGUARDING, "6.7"),
    R.RISE_MCT_STRATEGIC_MANAGER: _up(R.HEAD_OF_SAFEGUARDING, "6.7"),
    R.HEAD_OF_SAFEGUARDING: _up(R.ASSISTANT_DIRECTOR, "6.8"),
    R.ASSISTANT_DIRECTOR: _up(None, "6.8"),
    # The IRO's and chair's own dispute procedures (IRO Handbook): they are told, and act.
    R.IRO: _up(R.IRO, "7.23"),
    R.CP_CHAIR: _up(R.CP_CHAIR, "7.23"),
    # A force's duty goes to its Missing Persons Unit (6.7, 1.11: the Detective Inspector),
    # which reads the force's own topic: the hub cannot name a person inside a force.
    R.POLICE: _up(R.POLICE, "6.7"),
    R.HOST_POLICE: _up(R.HOST_POLICE, "6.7"),
    # Another authority's duty goes to our Head of Safeguarding, who writes to theirs (8.12).
    R.HOST_AUTHORITY: _up(R.HEAD_OF_SAFEGUARDING, "8.12"),
    R.PLACING_AUTHORITY: _up(R.HEAD_OF_SAFEGUARDING, "8.12"),
    R.HEALTH: _up(None, "7.20"),
    R.HOME_OFFICE: _up(None, "4.3"),
}


class FollowUp(BaseModel):
    """Acknowledgement windows (not in the protocol's text: the hub's defaults) and the
    escalation chain (from the protocol, above). A duty is escalated when it is neither
    acknowledged within its window nor done by its deadline, at the later of the two."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    acknowledge_within_minutes_high_risk: Minutes = 60
    acknowledge_within_minutes: Minutes = 240
    escalate_to: dict[Recipient, Escalation] = Field(
        default_factory=lambda: dict(DEFAULT_ESCALATION)
    )

    def window_minutes(self, high_risk: bool) -> int:
        if high_risk:
            return self.acknowledge_within_minutes_high_risk
        return self.acknowledge_within_minutes

    def escalation(self, recipient: str) -> Escalation:
        role = Recipient(recipient)
        return self.escalate_to.get(role) or DEFAULT_ESCALATION[role]
