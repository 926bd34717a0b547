"""The composition every service shares: FastAPI app, database, bus, outbox relay, telemetry.

`create_http_app` is the same shell without a database or a bus, for the web front end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, TypeVar

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from sqlalchemy import Column, Table

from service_runtime.auth import JwksCache, TokenVerifier
from service_runtime.background import BackgroundTask
from service_runtime.bus import Bus
from service_runtime.consumer import Consumer, MessageHandlers
from service_runtime.db import Database
from service_runtime.health import ReadinessCheck, health_router, install_request_metrics
from service_runtime.listen import Listener
from service_runtime.openapi import install_openapi
from service_runtime.problems import install_problem_handlers
from service_runtime.relay_thread import RelayThread
from service_runtime.retention import MessageRetention
from service_runtime.settings import HttpSettings, ServiceSettings
from service_runtime.telemetry import create_tracer_provider, trace_statements
from service_runtime.tls import client_tls
from service_runtime.trust import UserAccess
from service_runtime.unit_of_work import UnitsOfWork


@dataclass
class ServiceRuntime:
    """What a service's routes and handlers reach for: settings, database, bus, units of work."""

    settings: ServiceSettings
    database: Database
    bus: Bus
    units: UnitsOfWork
    relay: RelayThread
    listener: Listener
    """The process's one LISTEN connection, shared by whatever waits for a NOTIFY."""
    http: httpx.AsyncClient
    tracer_provider: TracerProvider
    registry: CollectorRegistry
    """Where a service's own metrics go to be served on /metrics."""


@dataclass
class ServiceParts:
    """What makes one service different from another, given to `create_service_app`."""

    title: str
    outbox: Table
    inbox: Table
    aged_by: Sequence[Column[Any]] = ()
    """Timestamps of the service's own deduplication records (webhook event ids), each row
    deleted with the messages once its timestamp is past `MESSAGE_RETENTION_HOURS`."""
    user_access: Table | None = None  # service_runtime.trust: refuse tokens of changed users
    routers: Sequence[APIRouter] = ()
    handlers: MessageHandlers | None = None
    errors: Mapping[type[Exception], int] | None = None
    background: Callable[[ServiceRuntime], Sequence[BackgroundTask]] | None = None
    """The service's own loops, built with the runtime once it is up; the runtime starts them
    last and stops them first (before `on_stop`)."""
    on_stop: Callable[[ServiceRuntime], Awaitable[None]] | None = None
    """Last words of the service's own clients (an HTTP client to close), after its loops."""


def create_service_app(
    settings: ServiceSettings,
    parts: ServiceParts,
    *,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """Build a service's app; nothing connects until the lifespan starts."""
    tracer_provider = tracer_provider or create_tracer_provider(settings)
    registry = CollectorRegistry()
    database = Database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout_seconds=settings.database_pool_timeout_seconds,
        ping_idle_seconds=settings.database_ping_idle_seconds,
        direct_url=settings.direct_database_url,
        prepared_statements=settings.database_prepared_statements,
    )
    if settings.trace_sql_statements:
        trace_statements(database.engine, tracer_provider)
    bus = Bus(
        settings.rabbit_url,
        namespace=settings.bus_namespace,
        max_deliveries=settings.max_deliveries,
        prefetch=settings.consumer_prefetch,
        retry_delays_seconds=settings.retry_delays_seconds,
        tracer_provider=tracer_provider,
        registry=registry,
    )
    messages_metrics = RabbitPrometheusMiddleware(registry=registry)
    bus.broker.add_middleware(messages_metrics)

    def publisher_bus() -> Bus:
        """The relay thread's own connection to the broker, counted in the same metrics."""
        publisher = Bus(
            settings.rabbit_url,
            namespace=settings.bus_namespace,
            max_deliveries=settings.max_deliveries,
            tracer_provider=tracer_provider,
        )
        publisher.broker.add_middleware(messages_metrics)
        return publisher

    relay = RelayThread(
        settings.database_url,
        parts.outbox,
        publisher_bus,
        poll_seconds=settings.outbox_poll_seconds,
        sweep_after_seconds=settings.outbox_sweep_after_seconds,
        registry=registry,
        prepared_statements=settings.database_prepared_statements,
    )
    units = UnitsOfWork(database, parts.outbox, relay=relay.send)
    http = httpx.AsyncClient(verify=client_tls())
    HTTPXClientInstrumentor.instrument_client(http, tracer_provider=tracer_provider)
    runtime = ServiceRuntime(
        settings=settings,
        database=database,
        bus=bus,
        units=units,
        relay=relay,
        listener=Listener(
            "listen", settings.direct_database_url, retry_seconds=settings.outbox_poll_seconds
        ),
        http=http,
        tracer_provider=tracer_provider,
        registry=registry,
    )
    retention = MessageRetention(
        database,
        parts.outbox,
        parts.inbox,
        retention=timedelta(hours=settings.message_retention_hours),
        every_seconds=settings.message_prune_interval_seconds,
        aged_by=parts.aged_by,
        registry=registry,
    )
    if parts.handlers and parts.handlers.by_type:
        consumer = Consumer(settings.service_name, parts.handlers, units, parts.inbox)
        bus.consume(
            settings.service_name,
            parts.handlers.routing_keys,
            consumer,
            retired_routing_keys=parts.handlers.retired_routing_keys,
        )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        await runtime.relay.start()
        runtime.listener.start()
        await retention.start()
        loops = list(parts.background(runtime)) if parts.background else []
        for loop in loops:
            loop.start()
        try:
            yield
        finally:
            for loop in reversed(loops):
                await loop.stop()
            if parts.on_stop:
                await parts.on_stop(runtime)
            await retention.stop()
            await runtime.listener.stop()
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
        user_id_claim=settings.auth_user_id_claim,
    )
    if parts.user_access is not None:
        app.state.access_check = UserAccess(database, parts.user_access, runtime.listener)
    install_problem_handlers(app, parts.errors or {})
    install_openapi(app, (parts.errors or {}).values())
    _observe(app, parts.routers, {"database": database.ping, "broker": bus.ping}, registry)
    _trace_requests(app, tracer_provider)
    return app


def _trace_requests(app: FastAPI, tracer_provider: TracerProvider) -> None:
    """A server span per request, but none for each ASGI `send` and `receive` inside it: they
    only mark when the headers and the body went out, and cost a few % of a busy service's CPU
    (2.5% of booking's at 32 bookers, bench/booking_throughput.py)."""
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        excluded_urls="healthz,readyz,metrics",
        exclude_spans=["receive", "send"],
    )


def _observe(
    app: FastAPI,
    routers: Sequence[APIRouter],
    checks: Mapping[str, ReadinessCheck],
    registry: CollectorRegistry,
) -> None:
    install_request_metrics(app, registry)
    app.include_router(health_router(checks, registry))
    for router in routers:
        app.include_router(router)


@dataclass
class HttpRuntime:
    """What a process without a database or bus reaches for: settings, an HTTP client, traces."""

    settings: HttpSettings
    http: httpx.AsyncClient
    tracer_provider: TracerProvider


def create_http_app(
    settings: HttpSettings,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    checks: Mapping[str, ReadinessCheck] | None = None,
    http: httpx.AsyncClient | None = None,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """An app with the services' health, metrics and tracing but no database or bus.

    Its outgoing HTTP client (given, or built here) is traced and closed with the app; the app
    installs its own error handlers (the web front end answers pages, not problems).
    """
    tracer_provider = tracer_provider or create_tracer_provider(settings)
    registry = CollectorRegistry()
    client = http or httpx.AsyncClient(verify=client_tls())
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=tracer_provider)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await client.aclose()

    app = FastAPI(title=title, lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.runtime = HttpRuntime(settings, client, tracer_provider)
    _observe(app, routers, checks or {}, registry)
    _trace_requests(app, tracer_provider)
    return app


def runtime_of(request: Request) -> ServiceRuntime:
    """The runtime of the app serving this request (a FastAPI dependency)."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


S = TypeVar("S", bound=ServiceSettings)


def settings_of(kind: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A dependency giving the app's settings as the service's own class (`SettingsDep`).
    Dependencies are `async def` even when they do not wait: FastAPI runs a plain `def` in a
    worker thread, a thread hop per request."""

    async def settings(request: Request) -> S:
        found = runtime_of(request).settings
        if not isinstance(found, kind):
            raise TypeError(f"the app was built with {type(found).__name__}, not {kind.__name__}")
        return found

    return settings


async def _units(request: Request) -> UnitsOfWork:
    return runtime_of(request).units


UnitsDep = Annotated[UnitsOfWork, Depends(_units)]
