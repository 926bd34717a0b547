"""The composition every service shares: FastAPI app, database, bus, outbox relay, telemetry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from sqlalchemy import Table

from service_runtime.auth import JwksCache, TokenVerifier
from service_runtime.bus import Bus
from service_runtime.consumer import Consumer, MessageHandlers
from service_runtime.db import Database
from service_runtime.health import health_router, install_request_metrics
from service_runtime.outbox import OutboxRelay
from service_runtime.problems import install_problem_handlers
from service_runtime.settings import ServiceSettings
from service_runtime.telemetry import create_tracer_provider
from service_runtime.unit_of_work import UnitsOfWork


@dataclass
class ServiceRuntime:
    """What a service's routes and handlers reach for: settings, database, bus, units of work."""

    settings: ServiceSettings
    database: Database
    bus: Bus
    units: UnitsOfWork
    relay: OutboxRelay
    http: httpx.AsyncClient
    tracer_provider: TracerProvider


@dataclass
class ServiceParts:
    """What makes one service different from another, given to `create_service_app`."""

    title: str
    outbox: Table
    inbox: Table
    routers: Sequence[APIRouter] = ()
    handlers: MessageHandlers | None = None
    errors: Mapping[type[Exception], int] | None = None
    on_start: Callable[[ServiceRuntime], Awaitable[None]] | None = None
    on_stop: Callable[[ServiceRuntime], Awaitable[None]] | None = None


def create_service_app(
    settings: ServiceSettings,
    parts: ServiceParts,
    *,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """Build a service's app; nothing connects until the lifespan starts."""
    tracer_provider = tracer_provider or create_tracer_provider(
        settings.service_name, settings.otel_exporter_otlp_endpoint
    )
    registry = CollectorRegistry()
    instrumentor = SQLAlchemyInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        # Process-wide: wraps engine creation, so it must precede Database().
        instrumentor.instrument(tracer_provider=tracer_provider)
    database = Database(settings.database_url)
    bus = Bus(
        settings.rabbit_url,
        namespace=settings.bus_namespace,
        max_deliveries=settings.max_deliveries,
        tracer_provider=tracer_provider,
    )
    bus.broker.add_middleware(RabbitPrometheusMiddleware(registry=registry))
    units = UnitsOfWork(database, parts.outbox)
    http = httpx.AsyncClient()
    HTTPXClientInstrumentor.instrument_client(http, tracer_provider=tracer_provider)
    runtime = ServiceRuntime(
        settings=settings,
        database=database,
        bus=bus,
        units=units,
        relay=OutboxRelay(database, parts.outbox, bus, poll_seconds=settings.outbox_poll_seconds),
        http=http,
        tracer_provider=tracer_provider,
    )
    if parts.handlers and parts.handlers.by_type:
        consumer = Consumer(settings.service_name, parts.handlers, units, parts.inbox)
        bus.consume(settings.service_name, parts.handlers.routing_keys, consumer)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        await runtime.relay.start()
        if parts.on_start:
            await parts.on_start(runtime)
        try:
            yield
        finally:
            if parts.on_stop:
                await parts.on_stop(runtime)
            await runtime.relay.stop()
            await bus.stop()
            await http.aclose()
            await database.dispose()

    app = FastAPI(title=parts.title, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(
        JwksCache.over_http(settings.auth_jwks_url, http),
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        role_claim=settings.auth_role_claim,
    )
    install_problem_handlers(app, parts.errors or {})
    install_request_metrics(app, registry)
    app.include_router(health_router({"database": database.ping, "broker": bus.ping}, registry))
    for router in parts.routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider, excluded_urls="healthz,readyz,metrics"
    )
    return app


def runtime_of(request: Request) -> ServiceRuntime:
    """The runtime of the app serving this request (a FastAPI dependency)."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def _units(request: Request) -> UnitsOfWork:
    return runtime_of(request).units


UnitsDep = Annotated[UnitsOfWork, Depends(_units)]
