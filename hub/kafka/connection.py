"""How every Kafka client of the hub connects: the consumer, the relay's producer, the admin
client that makes topics, health, the readers, `hub publish` and the benchmark all get
their clients here, so that a connection setting (the brokers; TLS and SASL/SCRAM,
hub.kafka.security) is added in one place and reaches every client alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from hub.kafka.security import KafkaSecurity

if TYPE_CHECKING:
    from faststream.kafka import KafkaBroker

CLIENT_ID = "missing-children-hub"
ACKS = {-1: "all", 0: "0", 1: "1"}

# Within which the broker answers a produce request (the relay waits a margin more for a
# round's acknowledgements: hub.producers.relay.ACKNOWLEDGE_WITHIN).
PRODUCER_REQUEST_TIMEOUT = timedelta(seconds=30)


@dataclass(frozen=True)
class ProducerGuarantees:
    """What a running producer really does, as opposed to what it was asked to do."""

    acks: str  # "all": every in-sync replica has the record before it counts as sent
    idempotent: bool
    producer_id: int | None  # the broker's id for it once idempotence is live

    @property
    def safe(self) -> bool:
        return self.acks == "all" and self.idempotent and self.producer_id is not None


def guarantees_of(producer: AIOKafkaProducer) -> ProducerGuarantees:
    """Read from the started client itself: aiokafka has no public accessor, so this reads
    its sender's acks and its transaction manager's producer id (the manager exists only
    when idempotence is on, and holds an id once the broker has given one, at start)."""
    acks: int = producer._sender._acks
    manager = producer._txn_manager
    producer_id = manager.producer_id if manager is not None and manager.has_pid() else None
    return ProducerGuarantees(ACKS.get(acks, str(acks)), manager is not None, producer_id)


@dataclass(frozen=True)
class KafkaConnection:
    bootstrap: str  # host:port[,host:port...]
    client_id: str = CLIENT_ID
    security: KafkaSecurity | None = None  # None: PLAINTEXT (refused in production)

    @property
    def plaintext(self) -> bool:
        return self.security is None

    @property
    def servers(self) -> list[str]:
        return [server.strip() for server in self.bootstrap.split(",") if server.strip()]

    def environment(self) -> dict[str, str]:
        """The HUB_KAFKA_* settings that make a `hub run` started by this process connect
        as this connection does (the benchmark's and the tests' hubs)."""
        if self.security is None:
            return {"HUB_KAFKA_BOOTSTRAP": self.bootstrap, "HUB_KAFKA_ALLOW_PLAINTEXT": "true"}
        return {
            "HUB_KAFKA_BOOTSTRAP": self.bootstrap,
            "HUB_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "HUB_KAFKA_SASL_MECHANISM": self.security.mechanism,
            "HUB_KAFKA_USERNAME": self.security.username,
            "HUB_KAFKA_PASSWORD": self.security.password,  # the environment, never argv
            "HUB_KAFKA_CA_FILE": str(self.security.ca_file),
        }

    def options(self) -> dict[str, Any]:
        """What every client is given, whatever it is."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap, "client_id": self.client_id}
        if self.security is not None:
            options |= self.security.client_options()
        return options

    def producer(self, **tuning: Any) -> AIOKafkaProducer:
        """Acknowledged by every in-sync replica and idempotent: aiokafka's defaults (acks=1,
        no idempotence) could lose or duplicate a message on a leader change."""
        settings: dict[str, Any] = {
            "linger_ms": 5,
            "request_timeout_ms": int(PRODUCER_REQUEST_TIMEOUT.total_seconds() * 1000),
            # The relay sends a round's rows for a partition as one record batch: room for a
            # round's worth, under the broker's default message.max.bytes (1 MiB).
            "max_batch_size": 512 * 1024,
            **tuning,
        }
        return AIOKafkaProducer(**self.options(), acks="all", enable_idempotence=True, **settings)

    def consumer(self, *topics: str, **tuning: Any) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(*topics, **self.options(), **tuning)

    def admin(self, **tuning: Any) -> AIOKafkaAdminClient:
        return AIOKafkaAdminClient(**self.options(), **tuning)

    def broker(self, middlewares: Sequence[Any] = ()) -> KafkaBroker:
        """FastStream's broker, for the inbound consumer (hub.consumers.inbound)."""
        from faststream.kafka import KafkaBroker  # only where it is used: `hub validate` is quick

        # A list: FastStream takes a string as one host, where aiokafka splits it at commas.
        return KafkaBroker(
            self.servers,
            client_id=self.client_id,
            logger=None,
            middlewares=middlewares,
            security=self.security.faststream() if self.security is not None else None,
        )
