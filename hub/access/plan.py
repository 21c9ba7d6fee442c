"""Who may do what on the broker: one user per sending agency and one for the hub, and the
ACLs each needs, deny by default (the broker runs StandardAuthorizer with
allow.everyone.if.no.acl.found=false). Pure: `hub access plan` prints it, `hub access
apply` makes the cluster match it (hub.access.apply).

- A police force writes its own topic of each police type, a local authority its own topic
  of each type local authorities send (hub.access.senders); no agency writes another's.
- A sending agency may write in Kafka transactions under its own transactional ids,
  `<agency>.*`, as its consumer groups are named.
- Each agency reads only its own notifications (`notify.<agency>.*`, its refusals among
  them) in consumer groups named `<agency>.*`; so does a recipient that sends nothing, the
  Home Office (4.3), which writes nothing.
- Only the hub reads inbound topics and writes notification topics and `hub.rejected`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from hub.access.senders import Agency, topics_of
from hub.contracts.registry import REJECTED_TOPIC


class ResourceType(IntEnum):  # Kafka's protocol codes
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class PatternType(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8


CLUSTER = "kafka-cluster"  # the one name a cluster resource has


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW ACL, from any host."""

    principal: str  # User:<name>
    resource: str  # a ResourceType's name
    name: str
    pattern: str  # a PatternType's name
    operation: str  # an Operation's name

    def __str__(self) -> str:
        where = f"{self.resource.lower()} {self.name}{'*' if self.pattern == 'PREFIXED' else ''}"
        return f"{self.principal:<40} {self.operation:<9} {where}"


def _grants(
    user: str, resource: ResourceType, name: str, pattern: PatternType, *operations: str
) -> list[Grant]:
    return [
        Grant(f"User:{user}", resource.name, name, pattern.name, Operation[op].name)
        for op in operations
    ]


@dataclass(frozen=True)
class AccessPlan:
    hub_user: str
    agencies: tuple[Agency, ...]
    topics: tuple[str, ...]  # every agency's own inbound topics, made by `apply`
    grants: tuple[Grant, ...]
    recipients: tuple[str, ...] = ()  # users that only read their notifications

    @property
    def users(self) -> tuple[str, ...]:
        return (self.hub_user, *(agency.code for agency in self.agencies), *self.recipients)

    def render(self) -> str:
        lines = [f"users ({len(self.users)}):", *(f"  {user}" for user in self.users)]
        lines += [f"topics ({len(self.topics)}):", *(f"  {topic}" for topic in self.topics)]
        lines += [f"ACLs ({len(self.grants)}, allow; all else denied):"]
        lines += [f"  {grant}" for grant in self.grants]
        return "\n".join(lines)


def agency_grants(agency: Agency, prefix: str) -> list[Grant]:
    code, topic = agency.code, ResourceType.TOPIC
    grants = [
        grant
        for own in topics_of(agency)
        for grant in _grants(code, topic, prefix + own, PatternType.LITERAL, "WRITE", "DESCRIBE")
    ]
    # A sender may write in transactions (README): under its own transactional ids only,
    # `<code>.*` as its groups; another's would fence that agency's producer.
    own_ids = _grants(
        code, ResourceType.TRANSACTIONAL_ID, f"{code}.", PatternType.PREFIXED, "WRITE", "DESCRIBE"
    )
    return grants + own_ids + recipient_grants(code, prefix)


def recipient_grants(code: str, prefix: str) -> list[Grant]:
    """Its own notifications, in its own consumer groups."""
    topic, group = ResourceType.TOPIC, ResourceType.GROUP
    notifications = f"{prefix}notify.{code}."  # the dot: `notify.leeds.` is not `notify.leeds-x.`
    return [
        *_grants(code, topic, notifications, PatternType.PREFIXED, "READ", "DESCRIBE"),
        *_grants(code, group, f"{code}.", PatternType.PREFIXED, "READ", "DESCRIBE"),
    ]


def hub_grants(user: str, prefix: str, group_id: str) -> list[Grant]:
    topic, prefixed, literal = ResourceType.TOPIC, PatternType.PREFIXED, PatternType.LITERAL
    return [
        *_grants(user, topic, f"{prefix}inbound.", prefixed, "READ", "DESCRIBE", "CREATE"),
        *_grants(user, topic, f"{prefix}notify.", prefixed, "WRITE", "DESCRIBE", "CREATE"),
        *_grants(user, topic, prefix + REJECTED_TOPIC, literal, "WRITE", "DESCRIBE", "CREATE"),
        *_grants(user, ResourceType.GROUP, group_id, literal, "READ", "DESCRIBE"),
        *_grants(user, ResourceType.CLUSTER, CLUSTER, literal, "DESCRIBE"),
    ]


def agency_sharing_the_group(group_id: str, codes: Iterable[str]) -> str | None:
    """The agency whose consumer groups (`<code>.*`) would take in the hub's own group: it
    could join the hub's group and be assigned inbound partitions it cannot read, leaving
    every agency's reports on them unapplied. None if no agency's."""
    return next((code for code in sorted(codes) if group_id.startswith(f"{code}.")), None)


def access_plan(
    agencies: Iterable[Agency],
    hub_user: str,
    prefix: str = "",
    group_id: str = "",
    recipients: Iterable[str] = (),
) -> AccessPlan:
    """`recipients`: the codes of those the hub notifies that send it nothing
    (hub.access.senders.recipients_only)."""
    chosen = tuple(sorted(agencies, key=lambda agency: agency.code))
    readers = tuple(sorted(set(recipients)))
    grants = hub_grants(hub_user, prefix, group_id)
    for agency in chosen:
        grants += agency_grants(agency, prefix)
    for code in readers:
        grants += recipient_grants(code, prefix)
    topics = tuple(prefix + t for agency in chosen for t in topics_of(agency))
    return AccessPlan(hub_user, chosen, topics, tuple(grants), readers)
