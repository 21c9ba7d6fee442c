"""The notification the hub delivers: one per duty, per recipient."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from hub.contracts.base import AuthorityCode, Identifier, LongText, Message, ShortText, Timestamp

Detail = str | int | bool | None


class Notification(Message):
    """One duty owed to one recipient, with the action, the deadline and the protocol
    paragraph it comes from.

    `notification_id` is deterministic (uuid5 of the cause, the rule and the recipient), so
    a receiver drops the duplicates a relay may re-send after a crash. `details` holds only
    the fields this recipient's duty needs: a child's name or date of birth appear only
    where the duty is to act on the child's record."""

    notification_id: UUID
    episode_id: Identifier
    child_id: Identifier
    recipient: ShortText = Field(description="A role, e.g. 'mash', 'allocated_worker', 'iro'.")
    authority: AuthorityCode = Field(description="The authority the recipient belongs to.")
    action: ShortText = Field(
        description="A short code for what to do, e.g. 'convene_strategy_meeting'."
    )
    summary: LongText
    decided_at: Timestamp
    due: Timestamp | None = Field(default=None, description="Deadline, or null for none.")
    paragraph: ShortText = Field(description="The protocol paragraph, e.g. '7.18'.")
    cause: ShortText = Field(description="The event id or timer that led to this decision.")
    details: dict[str, Detail] = Field(default_factory=dict)

    def partition_key(self) -> str:
        """Keyed by child, so one recipient receives one child's notifications in order."""
        return self.child_id
