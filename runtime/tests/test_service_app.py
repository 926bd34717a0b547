"""What a service is built from its settings: the pool it opens, the errors it answers."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy import text

from service_runtime.db import Database
from service_runtime.problems import install_problem_handlers
from service_runtime.service_app import (
    ServiceParts,
    ServiceRuntime,
    create_http_app,
    create_service_app,
)
from service_runtime.settings import HttpSettings, ServiceSettings
from service_runtime.telemetry import create_tracer_provider

from .conftest import inbox, outbox


def test_pool_settings_from_the_environment_reach_the_engine(
    monkeypatch: pytest.MonkeyPatch, tracer_provider: TracerProvider
) -> None:
    monkeypatch.setenv("DATABASE_POOL_SIZE", "2")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "1")
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT_SECONDS", "4")

    app = create_service_app(
        ServiceSettings(), ServiceParts("probe", outbox, inbox), tracer_provider=tracer_provider
    )

    runtime: ServiceRuntime = app.state.runtime
    pool = runtime.database.engine.sync_engine.pool
    assert pool.size() == 2  # type: ignore[attr-defined]
    assert pool._max_overflow == 1  # type: ignore[attr-defined]
    assert pool._timeout == 4  # type: ignore[attr-defined]


async def test_each_app_traces_its_statements_with_its_own_tracer_provider(
    database_url: str,
) -> None:
    exporters = [InMemorySpanExporter(), InMemorySpanExporter()]
    providers = [TracerProvider(), TracerProvider()]
    for provider, exporter in zip(providers, exporters, strict=True):
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    apps = [
        create_service_app(
            ServiceSettings(database_url=database_url, trace_sql_statements=True),
            ServiceParts(f"probe-{index}", outbox, inbox),
            tracer_provider=provider,
        )
        for index, provider in enumerate(providers)
    ]
    databases = [app.state.runtime.database for app in apps]

    try:
        assert await databases[1].ping()
        assert await databases[1].ping()
        assert await databases[0].ping()
    finally:
        for database in databases:
            await database.dispose()

    statements = [
        [span.name for span in exporter.get_finished_spans() if span.name.startswith("SELECT")]
        for exporter in exporters
    ]
    assert len(statements[0]) == 1
    assert len(statements[1]) == 2


def test_default_pool_fits_the_connection_budget() -> None:
    settings = ServiceSettings()

    # docs/operations.md: 6 services x 2 replicas x (pool + overflow + LISTEN + relay) <= 75.
    assert 12 * (settings.database_pool_size + settings.database_max_overflow + 2) <= 75


async def test_unexpected_error_is_a_logged_500_problem_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = FastAPI()
    install_problem_handlers(app, {})

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("the secret cause")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        with caplog.at_level(logging.ERROR):
            named = await client.get("/bug", headers={"x-request-id": "req-7"})
            unnamed = await client.get("/bug")

    assert named.status_code == 500
    assert named.headers["content-type"] == "application/problem+json"
    assert named.json()["request_id"] == "req-7"
    assert "secret" not in named.text
    assert unnamed.json()["request_id"]
    logged = [record for record in caplog.records if "req-7" in record.getMessage()]
    assert logged
    assert logged[0].exc_info is not None


async def test_a_method_a_route_does_not_take_is_a_405_problem_naming_those_it_does() -> None:
    app = FastAPI()
    install_problem_handlers(app, {})

    @app.get("/things")
    async def things() -> list[str]:
        return []

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        answers = [await client.request(method, "/things") for method in ("DELETE", "PATCH")]

    for answer in answers:
        assert answer.status_code == 405
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["allow"] == "GET"
        assert answer.json()["status"] == 405


class _Refused(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


async def test_a_domain_error_naming_its_field_lists_it_as_a_validation_error_does() -> None:
    app = FastAPI()
    install_problem_handlers(app, {_Refused: 422})

    @app.get("/named")
    async def named() -> None:
        raise _Refused("ends_at must be after starts_at", field="ends_at")

    @app.get("/unnamed")
    async def unnamed() -> None:
        raise _Refused("not now")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        with_field = await client.get("/named")
        without = await client.get("/unnamed")

    assert with_field.status_code == 422
    assert with_field.json()["errors"] == [
        {"field": "ends_at", "message": "ends_at must be after starts_at"}
    ]
    assert (without.status_code, "errors" in without.json()) == (422, False)


async def test_an_app_without_database_or_bus_serves_health_metrics_and_its_routes(
    tracer_provider: TracerProvider,
) -> None:
    app = _front_app(tracer_provider)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://front") as client:
        await client.get("/page")
        health, ready = await client.get("/healthz"), await client.get("/readyz")
        metrics = await client.get("/metrics")

    assert health.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"keys": True}}
    assert 'http_requests_total{method="GET",route="/page",status="200"} 1.0' in metrics.text
    assert (await _no_openapi(app)).status_code == 404


async def test_a_request_is_one_server_span_without_spans_for_its_sends() -> None:
    exporter, provider = InMemorySpanExporter(), TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    transport = httpx.ASGITransport(app=_front_app(provider))
    async with httpx.AsyncClient(transport=transport, base_url="http://front") as client:
        assert (await client.get("/page")).status_code == 200

    spans = exporter.get_finished_spans()
    assert [(span.name, span.kind) for span in spans] == [("GET /page", trace.SpanKind.SERVER)]


def _front_app(tracer_provider: TracerProvider) -> FastAPI:
    """An app without database or bus: one page and a readiness check."""
    router = APIRouter()

    @router.get("/page")
    async def page() -> dict[str, str]:
        return {"page": "yes"}

    return create_http_app(
        HttpSettings(service_name="front"),
        title="front",
        routers=[router],
        checks={"keys": _always_ready},
        tracer_provider=tracer_provider,
    )


async def _always_ready() -> bool:
    return True


async def _no_openapi(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://front") as client:
        return await client.get("/openapi.json")


async def test_no_free_database_connection_is_a_503_problem_to_retry(database_url: str) -> None:
    database = Database(database_url, pool_size=1, max_overflow=0, pool_timeout_seconds=0.2)
    app = FastAPI()
    install_problem_handlers(app, {})

    @app.post("/things")
    async def add_thing() -> dict[str, str]:
        async with database.transaction() as session:
            await session.execute(text("SELECT 1"))
        return {"status": "added"}

    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            async with database.transaction() as held:  # the pool's only connection, busy
                await held.execute(text("SELECT 1"))
                busy = await client.post("/things")
            after = await client.post("/things")
    finally:
        await database.dispose()

    assert busy.status_code == 503
    assert busy.headers["content-type"] == "application/problem+json"
    assert int(busy.headers["retry-after"]) >= 1
    assert "try again" in busy.json()["detail"]
    assert after.status_code == 200


async def test_a_database_connection_cut_mid_request_is_a_503_problem_to_retry(
    database_url: str,
) -> None:
    database = Database(database_url, pool_size=1, max_overflow=0)
    app = FastAPI()
    install_problem_handlers(app, {})

    @app.post("/things")
    async def add_thing() -> dict[str, str]:
        async with database.transaction() as session:
            await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return {"status": "added"}

    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            cut = await client.post("/things")
    finally:
        await database.dispose()

    assert cut.status_code == 503
    assert cut.headers["content-type"] == "application/problem+json"
    assert int(cut.headers["retry-after"]) >= 1
    assert "database" in cut.json()["detail"]


async def test_statements_are_not_traced_unless_asked_and_traces_are_sampled_by_ratio(
    database_url: str,
) -> None:
    exporter = InMemorySpanExporter()
    settings = ServiceSettings(database_url=database_url, trace_sample_ratio=0.0)
    provider = create_tracer_provider(settings)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_service_app(
        settings, ServiceParts("probe", outbox, inbox), tracer_provider=provider
    )
    database = app.state.runtime.database
    tracer = provider.get_tracer("test")
    sampled_parent = SpanContext(
        trace_id=0x1234, span_id=0x5678, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)
    )

    try:
        with tracer.start_as_current_span("new trace"):  # a new trace: the ratio says no
            assert await database.ping()
        with tracer.start_as_current_span(
            "continued", context=trace.set_span_in_context(NonRecordingSpan(sampled_parent))
        ):  # a trace its caller sampled: recorded, whatever the ratio
            assert await database.ping()
    finally:
        await database.dispose()

    assert [span.name for span in exporter.get_finished_spans()] == ["continued"]


def test_new_traces_are_recorded_only_where_they_are_exported() -> None:
    """Without an OTLP endpoint nothing reads a span: none is recorded, but the ids still go to
    logs and messages; with one, the ratio decides."""
    alone = create_tracer_provider(ServiceSettings(trace_sample_ratio=1.0))
    exporting = create_tracer_provider(
        ServiceSettings(trace_sample_ratio=1.0, otel_exporter_otlp_endpoint="http://127.0.0.1:9")
    )
    try:
        with alone.get_tracer("test").start_as_current_span("unread") as unread:
            assert not unread.is_recording()
            assert unread.get_span_context().is_valid
        # Not ended: nothing is queued for the endpoint, which does not exist.
        assert exporting.get_tracer("test").start_span("exported").is_recording()
    finally:
        exporting.shutdown()
