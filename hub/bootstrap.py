"""The composition root: the one place where the hub's parts are built from the settings
(the database engine and sessions, the Kafka connection every client uses, the directory,
the clock, the relay and the scheduler). `hub run`, the console, the command line and the
tests all build through here, so a setting is read once and reaches every part alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from aiokafka import AIOKafkaProducer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.clock import Clock, SystemClock
from hub.kafka.connection import KafkaConnection
from hub.kafka.offsets import inbound_offsets
from hub.kafka.security import KafkaSecurity, KafkaSecurityError, read_password
from hub.metrics import HubMetrics
from hub.producers.relay import Relay
from hub.routing.directory import Directory, load_directory
from hub.scheduler import RetentionJob, Scheduler
from hub.settings import (
    HubSettings,
    KafkaSettings,
    RetentionSettings,
    SettingsError,
    read_settings,
)
from hub.store.database import make_engine, migrate, sessions
from hub.store.outbox import publishable_topic


class UnsafeConfiguration(ValueError):
    """A setting that could lose or skip messages; the hub refuses to start."""


def refuse_unsafe(settings: HubSettings) -> None:
    problems = []
    if settings.producer_acks != "all":
        problems.append("HUB_PRODUCER_ACKS: must be 'all' (a leader change could lose a message)")
    if not settings.producer_idempotence:
        problems.append("HUB_PRODUCER_IDEMPOTENCE: must be true (retries could duplicate)")
    if settings.consumer_offset_reset != "earliest":
        problems.append(
            "HUB_CONSUMER_OFFSET_RESET: must be 'earliest' (a new group would skip messages)"
        )
    if problems:
        raise UnsafeConfiguration("; ".join(problems))


def kafka_connection(bootstrap: str = "") -> KafkaConnection:
    """The brokers given, else those configured (HUB_KAFKA_BOOTSTRAP), else the project's
    local broker (HUB_KAFKA_PORT), with the security configured (HUB_KAFKA_SECURITY_PROTOCOL
    and the rest): how every client of this process connects."""
    settings = read_settings(KafkaSettings)
    if not (bootstrap or settings.bootstrap):  # the project's own broker, as the hub's user
        from hub.devtools.kafka_local import local_broker

        return local_broker().connection()
    return KafkaConnection(bootstrap or settings.bootstrap, security=kafka_security(settings))


def kafka_security(settings: KafkaSettings) -> KafkaSecurity | None:
    """TLS and SCRAM as configured; None for PLAINTEXT. A missing part is named."""
    if settings.security_protocol == "PLAINTEXT":
        return None
    try:
        return KafkaSecurity(
            settings.username,
            read_password(settings.password_file, settings.password.get_secret_value()),
            Path(settings.ca_file),
            settings.sasl_mechanism,
        )
    except KafkaSecurityError as error:
        raise SettingsError(str(error)) from None


def refuse_plaintext(settings: HubSettings, kafka: KafkaConnection) -> None:
    """A production hub speaks to its brokers over TLS with SCRAM: in the clear, anyone on
    the network could read every agency's notifications or forge a police report."""
    if (
        settings.environment == "production"
        and kafka.plaintext
        and not read_settings(KafkaSettings).allow_plaintext
    ):
        raise SettingsError(
            "HUB_KAFKA_SECURITY_PROTOCOL: PLAINTEXT in production; set SASL_SSL with "
            "HUB_KAFKA_USERNAME, HUB_KAFKA_PASSWORD_FILE and HUB_KAFKA_CA_FILE "
            "(docs/security.md), or HUB_KAFKA_ALLOW_PLAINTEXT=true on a private test network"
        )


def refuse_no_broker(settings: HubSettings, bootstrap: str = "") -> None:
    """A hub in production never falls back to a local broker of its own."""
    if settings.environment == "production" and not (
        bootstrap or read_settings(KafkaSettings).bootstrap
    ):
        raise SettingsError(
            "HUB_KAFKA_BOOTSTRAP: not set; in production the hub never starts a broker of its "
            "own (HUB_ENVIRONMENT=development uses the project's local broker)"
        )


def checked_before_starting(settings: HubSettings) -> Directory:
    """Every refusal of start-up that needs nothing running, made before anything is
    started (the project's own broker, in development): the unsafe settings, the Kafka
    and retention settings, the deployment file. Its directory, read once."""
    refuse_unsafe(settings)
    read_settings(KafkaSettings)
    read_settings(RetentionSettings)
    return directory_of(settings)


def directory_of(settings: HubSettings) -> Directory:
    """The deployment named by HUB_DIRECTORY, or the default one (package data)."""
    return load_directory(Path(settings.directory) if settings.directory else None)


@dataclass
class HubParts:
    settings: HubSettings
    kafka: KafkaConnection
    directory: Directory
    clock: Clock
    engine: Engine
    retention_policy: RetentionSettings = field(default_factory=RetentionSettings)
    sessions: sessionmaker[Session] = field(init=False)
    metrics: HubMetrics = field(init=False)  # this process's own (hub.metrics)

    def __post_init__(self) -> None:
        self.sessions = sessions(self.engine)
        self.metrics = HubMetrics()

    def migrate(self) -> None:
        migrate(self.settings.database_url)

    def publishable(self, topic: str) -> bool:
        """Whether the relay may publish to `topic` (a directory entry's, or the rejected)."""
        return publishable_topic(self.directory, topic)

    def relay(self, producer: AIOKafkaProducer, *, replaceable: bool = True) -> Relay:
        """The outbox relay over a started `producer`. `replaceable`: a broken producer is
        replaced by a fresh one (`hub run`); a one-shot caller (an operator's retry) makes
        its own each time."""
        return Relay(
            self.sessions,
            producer,
            self.kafka,
            self.clock,
            self.settings.batch_size,
            self.settings.topic_config(),
            self.settings.topic_prefix,
            publishable=self.publishable,
            directory=self.directory,
            new_producer=self.kafka.producer if replaceable else None,
            metrics=self.metrics,
        )

    def scheduler(self) -> Scheduler:
        settings = self.settings
        return Scheduler(
            self.sessions,
            self.directory,
            self.clock,
            metrics=self.metrics,
            inbound=partial(inbound_offsets, self.kafka, settings.group_id, settings.topic_prefix),
            catch_up_seconds=settings.scheduler_catch_up_seconds,
        )

    def retention(self) -> RetentionJob:
        return RetentionJob(self.sessions, self.retention_policy, self.clock)

    def close(self) -> None:
        self.engine.dispose()


def build(
    settings: HubSettings | None = None,
    kafka: KafkaConnection | None = None,
    clock: Clock | None = None,
    directory: Directory | None = None,
) -> HubParts:
    """The hub's parts; what is not given is read from the environment. Refuses settings
    that could lose a message (UnsafeConfiguration), a bad or missing environment variable
    (SettingsError, also no broker in production) and a bad deployment file
    (DirectoryError), each named."""
    settings = settings or read_settings(HubSettings)
    refuse_unsafe(settings)
    if kafka is None:
        refuse_no_broker(settings)
        kafka = kafka_connection()
        refuse_plaintext(settings, kafka)
    return HubParts(
        settings=settings,
        kafka=kafka,
        directory=directory or directory_of(settings),
        clock=clock or SystemClock(),
        engine=make_engine(settings.database_url),
        retention_policy=read_settings(RetentionSettings),  # a bad one refused at start
    )
