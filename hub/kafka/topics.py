"""Creating the hub's topics, with the partitions, replication and retention the deployment
sets (TopicConfig). The hub creates every topic it reads or writes; the brokers are to run
with auto-creation off, so no topic is ever made by a typing error or a sender's string."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiokafka.admin import NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from hub.contracts.registry import INBOUND_TOPICS, REJECTED_TOPIC

THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000
NO_ERROR = 0

if TYPE_CHECKING:
    from hub.kafka.connection import KafkaConnection


@dataclass(frozen=True)
class TopicConfig:
    """How each topic is made. Retention: 30 days by default, far beyond any outage a
    monitored recipient has (its lag shows within minutes), so a notification is never
    deleted unread in practice; the outbox keeps every row as well (docs/pipeline.md).
    Production sets replication 3 and min.insync.replicas 2."""

    partitions: int = 3
    replication_factor: int = 1
    min_insync_replicas: int = 1
    retention_ms: int = THIRTY_DAYS_MS

    def new_topic(self, name: str) -> NewTopic:
        return NewTopic(
            name,
            num_partitions=self.partitions,
            replication_factor=self.replication_factor,
            topic_configs={
                "min.insync.replicas": str(self.min_insync_replicas),
                "retention.ms": str(self.retention_ms),
            },
        )


async def ensure_topics(
    kafka: KafkaConnection,
    names: Iterable[str] = (*INBOUND_TOPICS, REJECTED_TOPIC),
    partitions: int | TopicConfig = 3,
) -> None:
    config = partitions if isinstance(partitions, TopicConfig) else TopicConfig(partitions)
    admin = kafka.admin()
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [n for n in dict.fromkeys(names) if n not in existing]
        if missing:
            response = await admin.create_topics([config.new_topic(n) for n in missing])
            raise_for_refused(response.topic_errors)
    finally:
        await admin.close()


class TopicsNotCreated(KafkaError):  # type: ignore[misc]  # aiokafka is untyped
    """The controller answered but made some topics not (a broker shutting down, say)."""

    retriable = True  # the relay's next round asks again

    def __init__(self, refused: dict[str, str]) -> None:
        super().__init__(f"topics not created: {refused}")
        self.refused = refused  # topic -> the controller's error, by name


def raise_for_refused(topic_errors: Iterable[tuple[object, ...]]) -> None:
    """The admin client returns a topic it could not create as an error code in its answer,
    not as an exception: taken for made, the relay would wait on it for ever."""
    refused = {
        str(entry[0]): for_code(int(entry[1])).__name__  # type: ignore[call-overload]
        for entry in topic_errors
        if entry[1] not in (NO_ERROR, TopicAlreadyExistsError.errno)  # another hub made it
    }
    if refused:
        raise TopicsNotCreated(refused)
