"""The hub as FastStream's users expect it: a module-level router and app object, built at
import from the HUB_* settings through the composition root (hub.bootstrap).

    faststream run hub.app:app         runs the hub, as `hub run` does
    faststream docs serve hub.app:app  serves the AsyncAPI document of what it consumes

The published contract, with every notification topic too, is contracts/asyncapi.yaml
(`hub contracts export`); the console serves it at /asyncapi.yaml."""

from __future__ import annotations

from faststream import FastStream
from faststream.specification import AsyncAPI

from hub.bootstrap import build
from hub.memory import fewer_malloc_arenas
from hub.runtime import Hub
from hub.tracing import configure_from_environment

fewer_malloc_arenas()  # as `hub run` does, before any thread starts
traces = configure_from_environment()  # OTEL_EXPORTER_OTLP_ENDPOINT, as for `hub run`
hub = Hub(build())
broker = hub.broker
router = hub.router
app = FastStream(
    broker,
    on_startup=[hub.start_services],  # before FastStream starts the broker
    on_shutdown=[hub.stop_services],  # the relay and scheduler finish, then the broker stops
    after_shutdown=[hub.close, *([traces.shutdown] if traces is not None else [])],
    specification=AsyncAPI(
        title="Missing Children Integration Hub",
        version="1",
        description="The inbound events the hub applies (docs/contracts.md).",
    ),
)
