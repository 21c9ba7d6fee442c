"""The outbox: what the hub publishes, encoded as the rows the relay sends (hub.producers.relay):
a notification to its recipient's topic (CloudEvents binary mode, keyed by child), or a
report on the rejected topic. On PostgreSQL a transaction that queues rows also sends
NOTIFY on CHANNEL, delivered when it commits, to wake the relays (hub.producers.wakeup)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from hub.access.senders import REFUSALS, agency_of, arrival
from hub.contracts.envelope import binary_headers
from hub.contracts.notification import Notification
from hub.contracts.problems import Problem, problems_from
from hub.contracts.registry import NOTIFICATION, REJECTED_TOPIC
from hub.routing.directory import Directory
from hub.routing.facts import Decision
from hub.store.models import MESSAGE_ID_LIMIT

SOURCE = "urn:missing-children-hub:router"
NOTIFICATION_PREFIX = "notification:"  # an outbox row's message id: this and the notification id
CHANNEL = "hub_outbox"
NOTIFY = f"NOTIFY {CHANNEL}"
# A report lists at most this many problems, then says how many more: one per field a
# sender got wrong, and a 210 KB message of 24,000 unknown fields made a 2.4 MB report that
# no broker's default limit (1 MiB) accepts, sent for ever, and every later report keyed
# alike held back behind it.
REPORTED_PROBLEMS = 100
# A report is keyed by the message's own key only when it is no longer than this: a Kafka
# key is any bytes, and a sender's 4 KB key put in the outbox's backing-off index (its
# report failing once) is an index row PostgreSQL refuses, failing every relay round.
# A child's id is at most 64 characters.
REPORT_KEY_LIMIT = 255
# The routing log's "field" of a duty held because its notification could not be built
# against its published contract: the hub's fault, not the sender's. Held alone, as one for
# an unknown party is, so the event's other notifications still go; ops routes it again
# once the hub is mended.
NOT_BUILT = "(notification)"


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    topic: str
    key: bytes
    headers: list[tuple[str, bytes]]
    value: bytes

    def row(self, now: datetime, trace: list[list[str]] | None = None) -> dict[str, Any]:
        """Its `outbox` row, pending; `trace`: the queuing span's context headers
        (hub.tracing), sent on with the row."""
        return {
            "message_id": self.message_id,
            "topic": self.topic,
            "key": self.key,
            "headers": [[name, value.decode()] for name, value in self.headers] + (trace or []),
            "value": self.value,
            "created_at": now,
            "status": "pending",
            "attempts": 0,
        }


def notification_topic(authority: str, recipient: str) -> str:
    """One topic per recipient team of each authority: notify.<authority>.<recipient>."""
    return NOTIFICATION.topic.format(authority=authority, recipient=recipient)


_TEAM = re.compile(r"^[a-z][a-z_]*$")


def publishable_topic(directory: Directory, topic: str) -> bool:
    """Only the rejected topic and directory entries' notification topics: a topic is never
    made from a string a sender wrote, even if one reached the outbox."""
    if topic == REJECTED_TOPIC:
        return True
    kind, _, rest = topic.partition(".")
    authority, _, team = rest.partition(".")
    return (
        kind == "notify"
        and authority in directory.topic_authorities
        and _TEAM.fullmatch(team) is not None
    )


def notification_message(decision: Decision) -> Outgoing:
    """In CloudEvents binary mode, keyed by child, to the recipient's topic."""
    return outgoing_notification(decision.notification(), decision.notification_key)


def not_built(error: ValidationError) -> str:
    """Why a notification could not be built, naming the fields and never their values."""
    problems = "; ".join(str(problem) for problem in problems_from(error))
    return (
        f"the hub could not build it against its contract ({problems}): a fault in the hub, "
        "not the sender's; tell the recipient by other means, and route it again once the "
        "hub is mended"
    )


def outgoing_notification(notification: Notification, notification_id: str = "") -> Outgoing:
    """`notification_id`: the notification's id as text, if made already."""
    notification_id = notification_id or str(notification.notification_id)
    return Outgoing(
        message_id=NOTIFICATION_PREFIX + notification_id,
        topic=notification_topic(notification.authority, notification.recipient),
        key=notification.child_id.encode(),
        headers=binary_headers(
            NOTIFICATION, notification_id, SOURCE, notification.decided_at, notification.child_id
        ),
        value=notification.model_dump_json().encode(),
    )


@dataclass(frozen=True)
class Source:
    """Where a message came from, so a sender can find it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None

    @property
    def label(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"


def refusals_topic(topic: str, directory: Directory) -> str:
    """Where a sender is told of a refusal: on its own `notify.<agency>.refusals`, which it
    alone may read, when it sent on its own topic; else (a topic of no agency the directory
    knows among them) the operators' hub.rejected."""
    sender = arrival(topic).sender
    if sender is None or agency_of(directory, sender) is None:
        return REJECTED_TOPIC
    return f"notify.{sender}.{REFUSALS}"


def held_report(
    source: Source,
    problem: Problem,
    event_id: str | None,
    at: datetime,
    directory: Directory,
    record_sha256: str,
) -> Outgoing:
    """A record held, not refused, told to its sender as a refusal is (kind `held`). Its id
    is the record's under `held:`: sent once per record, and the refusal that follows if
    the hold expires (`rejection_report`, under `rejected:`) is a message of its own."""
    report = rejection_report(source, "held", [problem], event_id, at, directory, record_sha256)
    return replace(report, message_id=_report_id("held", source, record_sha256))


def _report_id(prefix: str, source: Source, record_sha256: str) -> str:
    """The record's source and digest, readable when it fits the column (a topic's name
    may be long), else hashed."""
    readable = f"{prefix}:{source.label}:{record_sha256[:16]}"
    if len(readable) <= MESSAGE_ID_LIMIT:
        return readable
    return f"{prefix}:{hashlib.sha256(readable.encode()).hexdigest()}"


def rejection_report(
    source: Source,
    kind: str,
    problems: tuple[Problem, ...] | list[Problem],
    event_id: str | None,
    at: datetime,
    directory: Directory,
    record_sha256: str,
) -> Outgoing:
    """Reported keyed as the message arrived (or by its source when it had no key, or one
    longer than REPORT_KEY_LIMIT), its first REPORTED_PROBLEMS problems listed. The
    report names fields and reasons only: never the rejected values. Its id is the record's
    (its source and digest: a topic made again numbers its records from 0)."""
    listed = [{"field": p.field, "reason": p.reason} for p in problems[:REPORTED_PROBLEMS]]
    if len(problems) > REPORTED_PROBLEMS:
        more = len(problems) - REPORTED_PROBLEMS
        listed.append({"field": "(message)", "reason": f"has {more} more problems not listed"})
    body = {
        "kind": kind,
        "event_id": event_id,
        "source": {"topic": source.topic, "partition": source.partition, "offset": source.offset},
        "problems": listed,
        "rejected_at": at.isoformat(),
    }
    keyed = source.key is not None and 0 < len(source.key) <= REPORT_KEY_LIMIT
    return Outgoing(
        message_id=_report_id("rejected", source, record_sha256),
        topic=refusals_topic(source.topic, directory),
        key=source.key if keyed and source.key else source.label.encode(),
        headers=[("content-type", b"application/json")],
        value=json.dumps(body).encode(),
    )
