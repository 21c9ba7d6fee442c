"""The notification the hub delivers: one per duty, per recipient."""

from __future__ import annotations

from typing import Any, Self
from uuid import UUID

from pydantic import Field, ValidationError, field_serializer, model_validator

from hub.contracts.actions import FACTS, Action, Recipient
from hub.contracts.base import AuthorityCode, Identifier, LongText, Message, ShortText, Timestamp
from hub.contracts.particulars import ChildParticulars

Detail = str | int | bool | None


class Notification(Message):
    """One duty owed to one recipient, with the action, the deadline and the protocol
    paragraph it comes from.

    `notification_id` is deterministic (uuid5 of the cause, the rule, the recipient and the
    duty's facts), so a receiver drops the duplicates a relay may re-send after a crash.
    `details` are the facts of the duty, one schema per action. `child` holds only the
    particulars this recipient's duty needs, as the data policy sets them: a particular it
    withholds is absent, one it allows but the hub does not know is null."""

    notification_id: UUID
    episode_id: Identifier
    child_id: Identifier
    recipient: Recipient = Field(description="The recipient's role.")
    authority: AuthorityCode = Field(description="The authority the recipient belongs to.")
    action: Action = Field(description="What to do, or what the recipient is told of.")
    summary: LongText
    decided_at: Timestamp
    due: Timestamp | None = Field(default=None, description="Deadline, or null for none.")
    paragraph: ShortText = Field(description="The protocol paragraph, e.g. '7.18'.")
    cause: ShortText = Field(description="The event id or timer that led to this decision.")
    details: dict[str, Detail] = Field(
        default_factory=dict, description="The duty's facts: the schema of its action."
    )
    child: ChildParticulars = Field(
        default_factory=ChildParticulars,
        description="The child and the episode, as far as this duty needs them.",
    )

    @model_validator(mode="after")
    def _details_of_the_action(self) -> Self:
        try:
            FACTS[self.action].model_validate(self.details)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in ("details", *first["loc"]))
            raise ValueError(f"{where}: {first['msg']} (action {self.action.value})") from None
        return self

    @field_serializer("child")
    def _only_what_was_disclosed(self, child: ChildParticulars) -> dict[str, Any]:
        """Withheld particulars are absent, not null: the message shows what was sent."""
        return child.model_dump(mode="json", exclude_unset=True)

    def partition_key(self) -> str:
        """Keyed by child, so one recipient receives one child's notifications in order."""
        return self.child_id
