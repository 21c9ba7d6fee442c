"""The secrets and the configuration of docker-compose's broker, secured as the project's own
(TLS and SASL/SCRAM-SHA-512, deny-by-default ACLs; docs/security.md), written by
`hub kafka compose-secrets` in a one-shot container before the broker starts.

Three folders, each a volume mounted only where it is needed:
- the authority's: the CA's private key, kept to sign, never mounted into the broker;
- the broker's: its key and certificate chain, the CA, `server.properties`, the SCRAM
  passwords of the brokers' own user and the hub's, the cluster id, `client.properties`
  (for the broker's health check), `format.args` and `start.sh`, which formats storage
  with the SCRAM users on first start (KIP-900; their passwords from `format.args`, never
  on a command line) and runs the broker;
- the hub's: the CA and the hub's SCRAM password, and nothing else.
Made once and kept: a restarted broker serves the same certificate to the same users."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from hub.devtools.kafka_local import (
    ADMIN_USER,
    argfile,
    cluster_id,
    scram_arguments,
    secured_broker_lines,
)
from hub.devtools.tls import BrokerCertificates, broker_certificates
from hub.kafka.security import HUB_USER, kept_password, write_private

# Runs in the apache/kafka image; KAFKA_BIN lets a test run it on the project's jars.
START_SCRIPT = """\
#!/bin/bash
# Written by `hub kafka compose-secrets`. Formats storage with the brokers' own SCRAM user
# and the hub's on first start (skipped once formatted), then runs the broker. The format's
# arguments, passwords among them, are in format.args (the java launcher's @argfile): a
# command line is listed to every account of the host.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${KAFKA_BIN:-/opt/kafka/bin}"
"$bin/kafka-run-class.sh" "@$here/format.args"
exec "$bin/kafka-server-start.sh" "$here/server.properties"
"""


@dataclass(frozen=True)
class ComposeBroker:
    """Where the broker runs: its name on the compose network, its data, where its folder
    is mounted, its listeners' ports, and the address the host reaches it at."""

    host: str = "kafka"
    mount: Path = Path("/etc/kafka/hub")
    data: Path = Path("/var/lib/kafka/data")
    internal_port: int = 9092  # the containers' listener, kafka:9092
    external_port: int = 19092  # published on the host's loopback
    external_address: str = "127.0.0.1:9092"
    controller_port: int = 9093  # SASL_PLAINTEXT (admin), on the container's loopback only

    def properties(self, certificates: BrokerCertificates, admin_password: str) -> str:
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
                f"listeners=INTERNAL://0.0.0.0:{self.internal_port},"
                f"EXTERNAL://0.0.0.0:{self.external_port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}",
                f"advertised.listeners=INTERNAL://{self.host}:{self.internal_port},"
                f"EXTERNAL://{self.external_address}",
                "listener.security.protocol.map="
                "INTERNAL:SASL_SSL,EXTERNAL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT",
                "inter.broker.listener.name=INTERNAL",
                "controller.listener.names=CONTROLLER",
                *secured_broker_lines(
                    ["INTERNAL", "EXTERNAL"], certificates, admin_password, (ADMIN_USER, HUB_USER)
                ),
                f"log.dirs={self.data}",
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                # The hub makes every topic it uses; a name nobody meant is never made.
                "auto.create.topics.enable=false",
                "",
            ]
        )

    def client_properties(self, admin_password: str) -> str:
        """For Kafka's own tools inside the broker's container (its health check)."""
        return "\n".join(
            [
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                f'required username="{ADMIN_USER}" password="{admin_password}";',
                "ssl.truststore.type=PEM",
                f"ssl.truststore.location={self.mount / 'ca.pem'}",
                "",
            ]
        )


def write_compose_secrets(
    authority: Path, broker_folder: Path, hub_folder: Path, broker: ComposeBroker
) -> None:
    """Make (or keep) the CA, the broker's certificate and the SCRAM passwords, and write
    the broker's configuration for where it is mounted."""
    for folder in (authority, broker_folder, hub_folder):
        folder.mkdir(parents=True, exist_ok=True)
    made = broker_certificates(authority, hosts=(broker.host,))
    shutil.copyfile(made.ca_file, broker_folder / "ca.pem")
    shutil.copyfile(made.ca_file, hub_folder / "ca.pem")
    write_private(broker_folder / "broker.pem", made.keystore.read_bytes())
    admin = kept_password(broker_folder / f"{ADMIN_USER}.password")
    hub = kept_password(hub_folder / f"{HUB_USER}.password")
    write_private(broker_folder / f"{HUB_USER}.password", hub)
    if not (broker_folder / "cluster.id").exists():
        (broker_folder / "cluster.id").write_text(cluster_id())
    mounted = BrokerCertificates(broker.mount / "ca.pem", broker.mount / "broker.pem")
    write_private(broker_folder / "server.properties", broker.properties(mounted, admin))
    write_private(broker_folder / "client.properties", broker.client_properties(admin))
    passwords = {ADMIN_USER: admin, HUB_USER: hub}
    format_arguments = [
        *("kafka.tools.StorageTool", "format", "--ignore-formatted"),
        *("--cluster-id", (broker_folder / "cluster.id").read_text().strip()),
        *("--config", str(broker.mount / "server.properties")),
        *scram_arguments(passwords),
    ]
    write_private(broker_folder / "format.args", argfile(format_arguments))
    write_private(broker_folder / "start.sh", START_SCRIPT, mode=0o700)
