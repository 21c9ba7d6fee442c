"""Settings, read once at the edge from the environment (prefix HUB_). A bad value names
its variable in the error."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    def local_bootstrap(self) -> str:
        return self.bootstrap or f"127.0.0.1:{self.port}"
