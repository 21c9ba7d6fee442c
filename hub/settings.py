"""Settings, read once at the edge from the environment (prefix HUB_). A bad value names
its variable in the error."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from hub.kafka.topics import TopicConfig

DEFAULT_BATCH_SIZE = 200  # HUB_BATCH_SIZE: records a consumer batch or relay round takes at most

S = TypeVar("S", bound=BaseSettings)


class SettingsError(ValueError):
    """A setting is missing or bad; the message names each environment variable."""


def read_settings(kind: type[S]) -> S:
    """`kind` from the environment; a bad or missing value is refused naming its variable
    (`HUB_CONSOLE_SECRET: Field required`), never its value."""
    try:
        return kind()
    except ValidationError as error:
        prefix = str(kind.model_config.get("env_prefix", ""))
        problems = [
            f"{prefix}{str(detail['loc'][0]).upper() if detail['loc'] else ''}: {detail['msg']}"
            for detail in error.errors(include_input=False, include_url=False)
        ]
        raise SettingsError("; ".join(problems)) from None


Role = Literal["consumer", "relay", "scheduler"]
ROLES: frozenset[Role] = frozenset(("consumer", "relay", "scheduler"))


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_KAFKA_", extra="ignore")

    bootstrap: str = Field(
        default="",
        description="host:port of an external broker; empty means the project's local broker",
    )
    port: int = Field(default=9092, ge=1024, le=65535, description="local broker port")
    controller_port: int = Field(
        default=0, ge=0, le=65535, description="local controller port; 0 means port + 1"
    )

    security_protocol: Literal["PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        description="SASL_SSL: TLS checked against HUB_KAFKA_CA_FILE, then SASL/SCRAM as "
        "HUB_KAFKA_USERNAME; PLAINTEXT is refused in production unless HUB_KAFKA_ALLOW_PLAINTEXT",
    )
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    username: str = Field(default="", description="the SCRAM user this process connects as")
    password_file: str = Field(
        default="", description="file holding the SCRAM password (a mounted secret)"
    )
    password: SecretStr = Field(
        default=SecretStr(""), description="the SCRAM password, if not from a file"
    )
    ca_file: str = Field(default="", description="PEM file of the CA that signed the brokers")
    allow_plaintext: bool = Field(
        default=False,
        description="let a production hub connect without TLS and SASL (a private test network)",
    )


class HubSettings(BaseSettings):
    """What `hub run` needs. Settings that could lose a message are refused at start, each
    naming its variable (hub.runtime.refuse_unsafe)."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    environment: Literal["production", "development"] = Field(
        default="production",
        description="'development' lets `hub run` start the project's own local broker "
        "when no HUB_KAFKA_BOOTSTRAP is set; in production it refuses to start instead",
    )
    database_url: str = Field(
        default="sqlite:///.hub/hub.db",
        description="SQLAlchemy URL; SQLite (embedded) by default, PostgreSQL in production",
    )
    directory: str = Field(default="", description="directory YAML; empty means the default")
    producer_acks: str = Field(default="all", description="must be 'all'")
    producer_idempotence: bool = Field(default=True, description="must be true")
    consumer_offset_reset: str = Field(default="earliest", description="must be 'earliest'")
    topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="prefix of every topic the hub reads and writes (several hubs, one cluster)",
    )
    group_id: str = Field(default="missing-children-hub", min_length=1)
    # A batch's children's states are most of the consumer's memory: 500 took a backlog's
    # peak to 375 MB in two processes, 200 to 303, draining as fast (docs/benchmark.md).
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, le=5000)
    consumer_session_timeout_ms: int = Field(
        default=10_000,
        ge=1000,
        le=1_800_000,
        description="how long after a consumer process stops answering (killed, its host "
        "lost) the group gives its partitions to another: shorter, they wait less; too short, "
        "a busy process loses them by mistake; within the broker's group.min.session.timeout.ms "
        "and group.max.session.timeout.ms (6 s and 30 minutes by default)",
    )
    roles: Annotated[frozenset[Role], NoDecode] = Field(
        default=ROLES,
        min_length=1,
        description="what this process runs, comma-separated: consumer, relay, scheduler "
        "(all by default; on PostgreSQL the relay can run in processes of its own)",
    )
    scheduler_catch_up_seconds: float = Field(
        default=300.0,
        ge=0,
        le=3600,
        description="after a start or an outage (the broker's too), how long the timers wait "
        "for the inbound records published meanwhile to be applied, once the broker answers; "
        "0: they do not wait (docs/pipeline.md)",
    )
    topic_partitions: int = Field(default=3, ge=1, le=64)
    topic_replication_factor: int = Field(
        default=1, ge=1, le=7, description="replicas of each topic the hub creates; 3 in production"
    )
    topic_min_insync_replicas: int = Field(
        default=1, ge=1, le=7, description="acks=all waits for these; 2 in production"
    )
    topic_retention_days: int = Field(
        default=30, ge=1, le=3650, description="how long a topic keeps a record (docs/pipeline.md)"
    )

    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="serve this process's Prometheus metrics on this port (9464 by custom); "
        "unset: not served; 0: any free port",
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="address the metrics listen on (0.0.0.0 in a container)"
    )

    def topic_config(self) -> TopicConfig:
        return TopicConfig(
            self.topic_partitions,
            self.topic_replication_factor,
            self.topic_min_insync_replicas,
            self.topic_retention_days * 24 * 3600 * 1000,
        )

    @field_validator("database_url")
    @classmethod
    def _a_database_url(cls, value: str) -> str:
        """A URL of a database SQLAlchemy has a dialect for, checked with the other settings:
        a typing error in it is refused naming HUB_DATABASE_URL (exit 2), not met as a
        traceback when the engine is made. Never quoted: it may hold a password."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            make_url(value).get_dialect()
        except (ArgumentError, NoSuchModuleError):
            raise ValueError(
                "not a database URL the hub can use (sqlite:///PATH or "
                "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE)"
            ) from None
        return value

    @field_validator("roles", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value


class RetentionSettings(BaseSettings):
    """How long the hub keeps a child's personal data (docs/retention.md). Read by `hub run`
    (its scheduler applies the policy every `HUB_RETENTION_EVERY_HOURS`) and by `hub
    retention run`."""

    model_config = SettingsConfigDict(env_prefix="HUB_RETENTION_", extra="ignore")

    personal_data_days: int = Field(
        default=180,
        ge=91,
        description="days after a child was found that the episode's personal data is kept: "
        "more than 7.17's 90-day look-back at repeat episodes, and the monthly 7.28 forum",
    )
    refused_days: int = Field(
        default=90, ge=1, description="days a refused message's raw body is kept for ops"
    )
    sent_notifications_days: int = Field(
        default=60,
        ge=1,
        description="days the outbox keeps a sent notification (its topic keeps it 30)",
    )
    audit_reason_days: int = Field(
        default=365, ge=1, description="days the free-text reason of a reveal is kept"
    )
    every_hours: float = Field(default=6, gt=0, description="how often `hub run` applies it")


class ConsoleSettings(BaseSettings):
    """What `hub console` needs besides HubSettings. No default secret: a console started
    without one refuses to start."""

    model_config = SettingsConfigDict(env_prefix="HUB_CONSOLE_", extra="ignore")

    secret: SecretStr = Field(
        min_length=32, description="signs session cookies; at least 32 random characters"
    )
    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8080, ge=1, le=65535)
    secure_cookies: bool = Field(
        default=True, description="cookies only over HTTPS; false only behind no proxy, for tests"
    )
    metrics: bool = Field(
        default=True,
        description="serve Prometheus figures at /metrics (counts only, no sign-in)",
    )
    api_docs: bool = Field(
        default=False,
        description="serve the API's /docs and /openapi.json (for a developer; off in production)",
    )
