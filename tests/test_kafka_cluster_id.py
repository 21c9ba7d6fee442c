"""Kafka's storage formatter reads a cluster id that starts with '-' as an option."""

from __future__ import annotations

from hub.devtools.kafka_local import cluster_id


def test_a_cluster_id_never_starts_with_a_dash() -> None:
    ids = [cluster_id() for _ in range(2000)]  # ~1 in 64 raw candidates starts with '-'
    assert not any(i.startswith("-") for i in ids)
    assert all(len(i) == 22 for i in ids)
