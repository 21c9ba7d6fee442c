"""How far the hub's consumer group has applied its inbound topics: the records published
(the partitions' end offsets) against those applied (the group's committed offsets). The
health page's lag, and the scheduler's wait for a backlog before it fires timers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiokafka import TopicPartition

from hub.access.senders import inbound_pattern
from hub.kafka.connection import KafkaConnection


@dataclass(frozen=True)
class InboundOffsets:
    published: dict[TopicPartition, int]  # each partition's end offset
    applied: dict[TopicPartition, int]  # the group's committed offset, where it has one
    # Partitions with no leader (their in-sync replicas' brokers lost): nobody can read
    # them, nor their end offsets (aiokafka asks again until its time limit, then raises).
    leaderless: frozenset[TopicPartition] = frozenset()

    def lag_by_topic(self) -> dict[str, int]:
        """Per inbound topic: the records published but not yet applied."""
        lag: dict[str, int] = {}
        for tp, end in self.published.items():
            lag[tp.topic] = lag.get(tp.topic, 0) + end - self.applied.get(tp, 0)
        return lag

    def has_applied(self, published: dict[TopicPartition, int]) -> bool:
        """Whether every record of `published` (an earlier reading's) has been applied: not
        while a partition has no leader, what it holds unknown."""
        if self.leaderless:
            return False
        return all(self.applied.get(tp, 0) >= end for tp, end in published.items())


async def inbound_offsets(
    kafka: KafkaConnection, group_id: str, prefix: str = "", timeout_ms: int = 4000
) -> InboundOffsets:
    admin = kafka.admin(request_timeout_ms=timeout_ms)
    # read_committed as the hub reads: an open transaction's records are no lag
    reader = kafka.consumer(request_timeout_ms=timeout_ms, isolation_level="read_committed")
    try:
        await admin.start()
        await reader.start()
        committed = await admin.list_consumer_group_offsets(group_id)
        # The partitions from the topics' own metadata: a consumer not subscribed to them
        # knows none (asking it gave no partitions, so the lag was always 0).
        inbound = re.compile(inbound_pattern(prefix))  # shared and agencies' own topics
        topics = sorted(t for t in await admin.list_topics() if inbound.match(t))
        described = await admin.describe_topics(topics) if topics else []
        partitions = [
            (TopicPartition(topic["topic"], partition["partition"]), partition["leader"] >= 0)
            for topic in described
            if topic["error_code"] == 0
            for partition in topic["partitions"]
        ]
        # A leaderless partition asked for failed the whole reading, as if the broker were
        # out: the scheduler's timers, every child's, waited as long as it lasted.
        led = [tp for tp, has_leader in partitions if has_leader]
        leaderless = frozenset(tp for tp, has_leader in partitions if not has_leader)
        ends = await reader.end_offsets(led) if led else {}
    finally:  # also when never started, or cancelled by the time limit
        await reader.stop()
        await admin.close()
    applied = {tp: max(done.offset, 0) for tp, done in committed.items() if tp in ends}
    return InboundOffsets(dict(ends), applied, leaderless)
