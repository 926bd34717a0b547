"""OpenTelemetry tracing and JSON logs carrying the trace id."""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import (
    __version__ as sqlalchemy_tracing_version,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from service_runtime.settings import HttpSettings

_SQLALCHEMY_TRACING = "opentelemetry.instrumentation.sqlalchemy"


def create_tracer_provider(settings: HttpSettings) -> TracerProvider:
    """A tracer provider named for the service, sampling a share of new traces (parent-based);
    exports over OTLP/HTTP when an endpoint is set. Without one, new traces are not recorded
    (nothing would read them): their ids still reach the logs, messages and calls."""
    otlp_endpoint = settings.otel_exporter_otlp_endpoint
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=ParentBased(
            TraceIdRatioBased(settings.trace_sample_ratio if otlp_endpoint else 0.0)
        ),
    )
    if otlp_endpoint:
        endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def trace_statements(engine: AsyncEngine, tracer_provider: TracerProvider) -> None:
    """Trace every statement of this engine as a client span of this tracer provider.

    `SQLAlchemyInstrumentor` is a process-wide singleton: only its first `instrument()` call takes
    effect (opentelemetry-python-contrib#3977), so a second app in one process would send its
    statements to the first app's provider. Its `EngineTracer` listens on one engine only.
    The listeners live on the engine and go with it when the engine is dropped.
    """
    tracer = trace.get_tracer(_SQLALCHEMY_TRACING, sqlalchemy_tracing_version, tracer_provider)
    connections = metrics.get_meter(
        _SQLALCHEMY_TRACING, sqlalchemy_tracing_version
    ).create_up_down_counter(
        name="db.client.connections.usage",
        unit="connections",
        description="Connections of the pool, by state.",
    )
    EngineTracer(tracer, engine.sync_engine, connections)  # type: ignore[no-untyped-call]
    _STATEMENT_TRACERS[engine.sync_engine] = tracer


_STATEMENT_TRACERS: weakref.WeakKeyDictionary[Engine, trace.Tracer] = weakref.WeakKeyDictionary()


@contextmanager
def statement_span(engine: Engine, sql: str) -> Iterator[None]:
    """A client span for a statement run past SQLAlchemy's execution (`DriverStatement`) on an
    engine whose statements are traced, named and described as `trace_statements` does them."""
    tracer = _STATEMENT_TRACERS.get(engine)
    if tracer is None:
        yield
        return
    database = engine.url.database or ""
    with tracer.start_as_current_span(
        f"{sql.split(maxsplit=1)[0]} {database}",
        kind=trace.SpanKind.CLIENT,
        attributes={"db.system": "postgresql", "db.name": database, "db.statement": sql},
    ):
        yield


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, with the trace and span ids of the active span."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self._service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        for key in ("booking_id", "user_id", "message_id"):
            if hasattr(record, key):
                entry[key] = str(getattr(record, key))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(service_name: str, level: str) -> None:
    """Route every log record of the process to stdout as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
