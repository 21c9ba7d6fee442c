"""OpenTelemetry traces, from the consumer through the engine and the outbox to the relay.

One trace follows an inbound batch: FastStream's consume span (its middleware), the hub's
"apply inbound batch" span, a "decide" span per event the engine decides, and, carried
across the outbox in the row's W3C `traceparent` header, a "publish" span per notification
the relay sends (the header goes on to the recipient, who may continue the trace). A timer
round is a trace of its own in the same way. Spans carry ids, types, topics and counts,
never a child's details.

Tracing is configured by OpenTelemetry's own variables: with OTEL_EXPORTER_OTLP_ENDPOINT
(or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, `hub run` exports spans over OTLP/HTTP;
without, the API is a no-op and nothing is written into outbox rows."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, TracerProvider

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider

TRACER = "missing-children-hub"
CONTEXT_HEADERS = frozenset(("traceparent", "tracestate"))
_provider: TracerProvider | None = None  # None: OpenTelemetry's global one


def use(provider: TracerProvider | None) -> None:
    """Trace into `provider` rather than the global one (tests); None goes back."""
    global _provider
    _provider = provider


def provider() -> TracerProvider:
    return _provider or trace.get_tracer_provider()


def tracer() -> trace.Tracer:
    """The hub's tracer (a no-op until a provider is configured)."""
    return provider().get_tracer(TRACER)


def configure_from_environment(service: str = "missing-children-hub") -> SdkTracerProvider | None:
    """Export spans over OTLP/HTTP when OpenTelemetry's endpoint variable is set; returns
    the provider to shut down at stop, or None when tracing stays off."""
    if not (
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    ):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = SdkProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


@contextmanager
def span(name: str, **values: Any) -> Iterator[Span]:
    """A span, current while it lasts. An error leaving it is recorded by its type only:
    OpenTelemetry's default records its message and stack trace, and a database error's
    message can quote the values it tried to write."""
    with tracer().start_as_current_span(
        name,
        attributes=attributes(**values),
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current
        except Exception as error:
            _failed(current, error)
            raise


def within(name: str, **values: Any) -> AbstractContextManager[Any]:
    """A span inside the current one, or nothing when the current one is not recorded:
    a per-event span costs nothing while tracing is off."""
    if not trace.get_current_span().is_recording():
        return nullcontext()
    return span(name, **values)


def context_headers() -> list[list[str]]:
    """The current span's context as outbox row headers, or none when nothing is traced."""
    if not trace.get_current_span().is_recording():
        return []
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [[name, value] for name, value in carrier.items() if name in CONTEXT_HEADERS]


def publish_span(topic: str, outbox_id: int, headers: Sequence[Sequence[str]]) -> Span | None:
    """A producer span for one outbox row, a child of the span that queued it; None when
    the row was queued untraced (tracing off, then or now)."""
    carrier = {name: value for name, value in headers if name in CONTEXT_HEADERS}
    if not carrier:
        return None
    return tracer().start_span(
        f"publish {topic.rsplit('.', 1)[-1]}",
        context=propagate.extract(carrier),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": topic,
            "hub.outbox_id": outbox_id,
        },
    )


def end(span: Span | None, error: BaseException | None) -> None:
    if span is None:
        return
    if error is not None:
        _failed(span, error)
    span.end()


def _failed(span: Span, error: BaseException) -> None:
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))  # never its text


def attributes(**values: Any) -> dict[str, Any]:
    """Span attributes under the hub's namespace, leaving out the empty ones."""
    return {f"hub.{name}": value for name, value in values.items() if value is not None}
