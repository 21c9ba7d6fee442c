"""A real Apache Kafka broker in KRaft mode, run from the official jars.

The jars come from Maven Central through `infra/kafka/pom.xml` (Maven's dependency
plugin) and are cached under `.cache/kafka/libs`; a marker records the pom they came from,
so changing the Kafka version in the pom fetches again. Each node is one process, both
controller and broker, on 127.0.0.1 only: a single node (LocalKafka), or a cluster of three
whose controllers form the KRaft quorum (LocalKafkaCluster).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hub.devtools.ports import free_port, is_listening
from hub.kafka.connection import KafkaConnection
from hub.kafka.security import HUB_USER, KafkaSecurity, kept_password, write_private

if TYPE_CHECKING:
    from hub.devtools.tls import BrokerCertificates

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POM = PROJECT_ROOT / "infra" / "kafka" / "pom.xml"
ADMIN_USER = "admin"  # the brokers' own SCRAM user, a super user: never given to a client


class KafkaUnavailable(RuntimeError):
    """The broker could not be fetched, formatted or started; the message says why."""


def cache_dir() -> Path:
    return Path(os.environ.get("HUB_CACHE_DIR", PROJECT_ROOT / ".cache"))


def fetch_jars(libs: Path | None = None) -> Path:
    """Fetch the broker's jars with Maven unless the cache already holds this pom's jars."""
    libs = libs or cache_dir() / "kafka" / "libs"
    marker = libs / ".pom-sha256"
    wanted = hashlib.sha256(POM.read_bytes()).hexdigest()
    if marker.exists() and marker.read_text() == wanted:
        return libs
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise KafkaUnavailable("Kafka needs Java 17+ and Maven on PATH (see README: setup)")
    staging = libs.with_name(libs.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise KafkaUnavailable(f"mvn could not fetch the Kafka jars:\n{result.stdout[-2000:]}")
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    marker.write_text(wanted)
    return libs


def cluster_id() -> str:
    """Kafka's Uuid.toString(): URL-safe base64 of 16 random bytes, without padding. Like
    Kafka's Uuid.randomUuid(), never one starting with '-', which a CLI would read as an
    option."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


def _certificates(folder: Path) -> BrokerCertificates:
    # cryptography is loaded by what starts a secured broker, not by every `hub` process.
    from hub.devtools.tls import broker_certificates

    return broker_certificates(folder)


def secured_broker_lines(
    listeners: Sequence[str],
    certificates: BrokerCertificates,
    admin_password: str,
    super_users: Iterable[str],
) -> list[str]:
    """What every secured broker of the project shares (the local one, the cluster's nodes,
    docker-compose's): TLS and SASL/SCRAM-SHA-512 on each of `listeners` (SASL_SSL ones),
    the brokers' own user logging in to each other as ADMIN_USER, and deny by default.

    The controllers' listener (CONTROLLER, SASL_PLAINTEXT on loopback) takes ADMIN_USER's
    password too (SASL/PLAIN: SCRAM's users live in the metadata the controllers serve):
    loopback is every account of the machine's, and a controller takes ACLs and SCRAM
    users from whoever it lets in."""
    login = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN_USER}" password="{admin_password}";'
    )
    controller_login = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{ADMIN_USER}" password="{admin_password}" '
        f'user_{ADMIN_USER}="{admin_password}";'
    )
    return [
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        *(
            f"listener.name.{name.lower()}.scram-sha-512.sasl.jaas.config={login}"
            for name in listeners
        ),
        "sasl.mechanism.controller.protocol=PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        f"listener.name.controller.plain.sasl.jaas.config={controller_login}",
        "ssl.keystore.type=PEM",
        f"ssl.keystore.location={certificates.keystore}",
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={certificates.ca_file}",
        "ssl.endpoint.identification.algorithm=https",
        "ssl.enabled.protocols=TLSv1.3,TLSv1.2",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found=false",
        # No ANONYMOUS: whoever reaches the controllers' port unauthenticated is no one.
        "super.users=" + ";".join(f"User:{user}" for user in super_users),
    ]


_LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
"""


def argfile(arguments: Iterable[str]) -> str:
    """A java launcher's @argfile: a main class and its arguments read from a file, not
    from the command line, which every local account may read (`ps`). One argument a line,
    quoted, its backslashes and quotes escaped."""
    escaped = (a.replace("\\", "\\\\").replace('"', '\\"') for a in arguments)
    return "".join(f'"{argument}"\n' for argument in escaped)


# What a failed kafka-storage format may echo of its arguments or configuration: a SCRAM
# user's `--add-scram SCRAM-SHA-512=[name=...,password=...]`, a JAAS line's password="...".
_SCRAM_USER = re.compile(r"(SCRAM-SHA-(?:256|512)=)\[[^\]\n]*\]?")
_PASSWORD = re.compile(r"(password\s*=\s*)(\"[^\"\n]*\"?|[^\s,\]\"]+)", re.IGNORECASE)
REDACTED = "«redacted»"


def redacted(output: str, secrets: Iterable[str] = ()) -> str:
    """`output` with every password replaced by REDACTED: each of `secrets` wherever it
    appears (however Kafka quoted it), each SCRAM user's `[...]` and each `password=` value
    (a salted one too); the rest kept, to say what went wrong."""
    for secret in secrets:
        output = output.replace(secret, REDACTED) if secret else output
    output = _SCRAM_USER.sub(rf"\1[{REDACTED}]", output)
    return _PASSWORD.sub(rf"\1{REDACTED}", output)


def scram_arguments(passwords: dict[str, str]) -> list[str]:
    """kafka-storage format's SCRAM users (KIP-900), for an @argfile only."""
    return [
        argument
        for user, password in passwords.items()
        for argument in ("--add-scram", f"SCRAM-SHA-512=[name={user},password={password}]")
    ]


@dataclass
class LocalKafka:
    """One KRaft node, controller and broker: alone, or one of a cluster (`voters` names the
    whole quorum and `cluster_id` is shared). `start()` formats storage on first use, so a
    stopped node restarts with its data (the fault tests rely on that)."""

    workdir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    heap: str = "512m"
    libs: Path | None = None
    partitions: int = 3
    node_id: int = 1
    voters: str = ""  # controller.quorum.voters; empty: this node alone
    cluster_id: str = ""  # the cluster's id to format storage with; empty: a new one
    replication: int = 1  # of the brokers' own topics (offsets, transactions)
    # TLS and SASL/SCRAM on the clients' listener, deny-by-default ACLs; the controller's
    # listener, on loopback, without TLS but with the brokers' own password (docs/security.md).
    secured: bool = False
    # Who the authorizer lets do anything: the brokers' own user always; the hub's too on
    # the project's development broker, where the demo reads every agency's topics. A
    # deployment gives the hub its ACLs instead (`hub access apply`, hub.access.plan).
    super_users: tuple[str, ...] = (ADMIN_USER, HUB_USER)
    secrets_dir: Path | None = None  # a cluster's nodes share one CA and one set of users
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def secrets(self) -> Path:
        """The CA, the broker's keystore and the SCRAM users' passwords (0600 files)."""
        return self.secrets_dir or self.workdir / "secrets"

    def password(self, user: str) -> str:
        """A SCRAM user's password, made on first use and kept with the broker."""
        return kept_password(self.secrets / f"{user}.password")

    def security(self, user: str = HUB_USER) -> KafkaSecurity | None:
        """How a client connects as `user` (None: the broker is PLAINTEXT)."""
        if not self.secured:
            return None
        return KafkaSecurity(user, self.password(user), _certificates(self.secrets).ca_file)

    def connection(self, user: str = HUB_USER) -> KafkaConnection:
        return KafkaConnection(self.bootstrap, security=self.security(user))

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.workdir / "kafka.pid"

    @property
    def log_file(self) -> Path:
        return self.workdir / "logs" / "server.log"

    def _listeners(self) -> list[str]:
        if not self.secured:
            return [
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
            ]
        return [
            f"listeners=SASL_SSL://127.0.0.1:{self.port},"
            f"CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners=SASL_SSL://127.0.0.1:{self.port}",
            "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT",
            "inter.broker.listener.name=SASL_SSL",
            *secured_broker_lines(
                ["SASL_SSL"],
                _certificates(self.secrets),
                self.password(ADMIN_USER),
                self.super_users,
            ),
        ]

    def _properties(self) -> str:
        min_isr = min(self.replication, 2)
        return "\n".join(
            [
                "process.roles=broker,controller",
                f"node.id={self.node_id}",
                "controller.quorum.voters="
                + (self.voters or f"{self.node_id}@127.0.0.1:{self.controller_port}"),
                *self._listeners(),
                "controller.listener.names=CONTROLLER",
                f"log.dirs={self.workdir / 'data'}",
                f"num.partitions={self.partitions}",
                f"offsets.topic.replication.factor={self.replication}",
                "offsets.topic.num.partitions=3",
                f"transaction.state.log.replication.factor={self.replication}",
                f"transaction.state.log.min.isr={min_isr}",
                f"share.coordinator.state.topic.replication.factor={self.replication}",
                f"share.coordinator.state.topic.min.isr={min_isr}",
                f"default.replication.factor={self.replication}",
                f"min.insync.replicas={min_isr}",
                "group.initial.rebalance.delay.ms=0",
                # The hub creates its topics with their settings (hub.kafka.topics); a name
                # nobody meant is never made.
                "auto.create.topics.enable=false",
                "",
            ]
        )

    def _java(self, *args: str) -> list[str]:
        libs = self.libs or fetch_jars()
        return [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.workdir / 'log4j2.properties'}",
            "-cp",
            f"{libs}/*",
            *args,
        ]

    def _configure(self) -> Path:
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        properties = self.workdir / "server.properties"
        # It holds the brokers' own SCRAM password when secured.
        write_private(properties, self._properties())
        (self.workdir / "log4j2.properties").write_text(_LOG4J2.format(log=self.log_file))
        if not (self.workdir / "data" / "meta.properties").exists():
            result = self._format(properties)
            if result.returncode != 0:  # what it said may echo a user's --add-scram
                said = redacted(result.stdout + result.stderr, self._scram_passwords().values())
                raise KafkaUnavailable(f"formatting Kafka storage failed:\n{said}")
        return properties

    def _format(self, properties: Path) -> subprocess.CompletedProcess[str]:
        """kafka-storage's format, given its arguments in a file (the java launcher's
        @argfile) readable by the broker's owner alone and removed once it ran: they hold
        the SCRAM users' passwords, and a command line is every local account's to read."""
        arguments = self.workdir / "format.args"
        command = [
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={self.cluster_id or cluster_id()}",
            "--config",
            str(properties),
            *scram_arguments(self._scram_passwords()),
        ]
        write_private(arguments, argfile(command))
        try:
            return subprocess.run(
                self._java(f"@{arguments}"), capture_output=True, text=True, check=False
            )
        finally:
            arguments.unlink(missing_ok=True)

    def _scram_passwords(self) -> dict[str, str]:
        """The SCRAM users written into the metadata as the storage is formatted (KIP-900),
        with their passwords: the brokers' own and the hub's, before any of them can log in
        to create one."""
        if not self.secured:
            return {}
        return {user: self.password(user) for user in (ADMIN_USER, HUB_USER)}

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def start(self, timeout: float = 90.0) -> None:
        self.spawn()
        self.wait_ready(timeout)

    def spawn(self) -> None:
        """Start the process, not waiting for it to answer (a cluster's nodes answer only
        once a majority of its controllers is up)."""
        if self.running_pid() is not None:
            return
        if is_listening(self.port) or is_listening(self.controller_port):
            raise KafkaUnavailable(
                f"port {self.port} or {self.controller_port} is already in use by another "
                "process; choose another port (--port or HUB_KAFKA_PORT)"
            )
        properties = self._configure()
        console = (self.workdir / "logs" / "console.log").open("ab")
        # A new session: the broker outlives `hub kafka up` and is stopped as a group.
        self._process = subprocess.Popen(
            self._java("kafka.Kafka", str(properties)),
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        console.close()
        self.pid_file.write_text(str(self._process.pid))

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running_pid() is None:
                raise KafkaUnavailable(f"the broker exited during start; see {self.log_file}")
            if is_listening(self.port) and asyncio.run(_answers(self.connection(ADMIN_USER))):
                return
            time.sleep(0.5)
        raise KafkaUnavailable(
            f"the broker did not answer within {timeout:.0f}s; see {self.log_file}"
        )

    def stop(self, timeout: float = 30.0, *, kill: bool = False) -> None:
        self.wait_stopped(self.terminate(kill=kill), timeout)

    def terminate(self, *, kill: bool = False) -> int | None:
        """Ask the process to stop (SIGTERM: a controlled shutdown; SIGKILL: none), not
        waiting for it; its pid, or None if it was not running."""
        pid = self.running_pid()
        if pid is not None:
            os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
        return pid

    def wait_stopped(self, pid: int | None, timeout: float = 30.0) -> None:
        """Wait for the process `terminate` returned to end; killed if still alive after
        `timeout` seconds."""
        if pid is None:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        if self._process is not None:
            self._process.wait()
            self._process = None
        self.pid_file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass  # not our child (started by another `hub kafka up`): fall back to kill(0)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _answers(kafka: KafkaConnection) -> bool:
    admin = kafka.admin(request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.list_topics()
    except Exception:
        return False
    finally:
        await admin.close()
    return True


@dataclass
class LocalKafkaCluster:
    """Three KRaft nodes (or `size`), each controller and broker, from the same jars: the
    controllers form the quorum, the brokers' own topics are replicated to three with two
    in sync, and the hub's topics are made with the replication it is told (HUB_TOPIC_*).
    Node i listens on base_port + 2i and its controller on the port after; base_port 0
    takes free ports. Its cluster id is kept in the work folder, so a node restarts into
    the same cluster."""

    workdir: Path
    size: int = 3
    base_port: int = 0
    heap: str = "512m"
    secured: bool = True  # TLS and SASL/SCRAM, one CA and one set of users for every node
    nodes: list[LocalKafka] = field(init=False)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        id_file = self.workdir / "cluster-id"
        if not id_file.exists():
            id_file.write_text(cluster_id())
        ports = [
            (self.base_port + 2 * i, self.base_port + 2 * i + 1)
            if self.base_port
            else (free_port(), free_port())
            for i in range(self.size)
        ]
        voters = ",".join(f"{i + 1}@127.0.0.1:{c}" for i, (_, c) in enumerate(ports))
        self.nodes = [
            LocalKafka(
                self.workdir / f"node-{i + 1}",
                port=port,
                controller_port=controller,
                heap=self.heap,
                node_id=i + 1,
                voters=voters,
                cluster_id=id_file.read_text(),
                replication=min(self.size, 3),
                secured=self.secured,
                secrets_dir=self.secrets,
            )
            for i, (port, controller) in enumerate(ports)
        ]

    @property
    def secrets(self) -> Path:
        """The CA, the brokers' keystore and the SCRAM users' passwords, shared by all."""
        return self.workdir / "secrets"

    def connection(self, user: str = HUB_USER) -> KafkaConnection:
        return KafkaConnection(self.bootstrap, security=self.nodes[0].security(user))

    @property
    def bootstrap(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes)

    def start(self, timeout: float = 120.0) -> None:
        for node in self.nodes:
            node.spawn()
        for node in self.nodes:
            node.wait_ready(timeout)

    def stop(self) -> None:
        """Every node is asked to stop at once, then waited for. One after another, the last
        node would be left without a majority of the controllers to grant its controlled
        shutdown, and would wait for it until killed (30 s more per `hub kafka down`)."""
        pids = [node.terminate() for node in self.nodes]
        for node, pid in zip(self.nodes, pids, strict=True):
            node.wait_stopped(pid)

    def running(self) -> list[int]:
        """The ids of the nodes whose process is alive."""
        return [node.node_id for node in self.nodes if node.running_pid() is not None]


def local_broker(port: int = 0) -> LocalKafka:
    """The project's own broker (`hub kafka up`, `make demo`, `hub run` in development):
    TLS and SASL/SCRAM with deny-by-default ACLs, as production runs (docs/security.md)."""
    from hub.settings import KafkaSettings, read_settings

    settings = read_settings(KafkaSettings)  # refused by name, never its value
    port = port or settings.port
    controller = settings.controller_port or port + 1
    return LocalKafka(
        cache_dir() / "kafka" / f"broker-{port}-tls",  # a plaintext one's data is elsewhere
        port=port,
        controller_port=controller,
        secured=True,
    )
