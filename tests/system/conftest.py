"""The whole system for cross-service tests: every service a separate process behind the real
nginx gateway, real PostgreSQL (a fresh database each) and RabbitMQ (a namespace of its own),
the Stripe stand-in over HTTP delivering webhooks through the gateway, and spans exported over
OTLP to the test's collector."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from scripts.system import (
    SERVICE_NAMES,
    Processes,
    SystemLayout,
    start_gateway,
    start_service,
    start_standin,
    start_web,
)
from service_runtime.bus import Topology
from service_runtime.cli import migrations_dir_of
from tests.fixtures.infra import RUN_ID, delete_queues, free_port
from tests.fixtures.mail import MailSink
from tests.fixtures.otlp import SpanCollector
from tests.system.browser import browser, phone, visitor  # noqa: F401 (fixtures of the browser tests)

# Short windows so the tests see holds expire and payouts fall due without waiting minutes.
FAST = {
    "OTEL_BSP_SCHEDULE_DELAY": "200",
    "AVAILABILITY_HOLD_EXPIRY_MINUTES": "0.1",
    "AVAILABILITY_SWEEPER_INTERVAL_SECONDS": "0.5",
    "BOOKING_HOLD_GRACE_SECONDS": "6",
    "BOOKING_DEADLINE_POLL_SECONDS": "0.2",
    "PAYMENTS_DISPUTE_WINDOW_HOURS": "0.003",
    "PAYMENTS_STEP_POLL_SECONDS": "0.1",
    "PAYMENTS_PAYOUT_INTERVAL_SECONDS": "0.3",
    "PAYMENTS_RECONCILE_INTERVAL_SECONDS": "1",
    "PAYMENTS_WEBHOOK_GRACE_SECONDS": "2",
    "STRIPE_STANDIN_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
    "NOTIFICATIONS_SEND_POLL_SECONDS": "0.2",
    "NOTIFICATIONS_SEND_FIRST_RETRY_SECONDS": "0.5",
    # `make test` runs three systems at once, each process's pool full by the end: 98-99 of
    # PostgreSQL's 100 connections with pools of 4 (measured from pg_stat_activity).
    **{f"{name.upper()}_DATABASE_POOL_SIZE": "3" for name in SERVICE_NAMES},
    # Every test signs people up: with Argon2id's real cost (~0.15 s of CPU a hash) identity
    # was the round's second busiest process, 87 of its 486 s of CPU.
    "IDENTITY_PASSWORD_HASH_PROFILE": "CHEAPEST",
}
# Clerk's webhook is configured, as in production, so that what it answers can be tested.
SECRETS = {"IDENTITY_CLERK_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}


@dataclass
class RunningSystem:
    layout: SystemLayout
    processes: Processes
    spans: SpanCollector

    def url(self, service: str) -> str:
        return self.layout.url(service)

    @property
    def standin(self) -> str:
        return self.layout.standin_url

    def crash(self, service: str) -> None:
        """SIGKILL the service's process: no shutdown hook, nothing flushed."""
        self.processes.kill(service)

    async def start(self, service: str) -> None:
        start_service(self.processes, self.layout, service)
        await asyncio.to_thread(self.processes.wait_ready, service, f"{self.url(service)}/readyz")


def _readable_by_nginx_workers() -> Path:
    """A folder for the gateway: its workers run as nobody when the tests run as root, so the
    merged OpenAPI they serve must not sit in pytest's private temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="system-gateway-"))
    folder.chmod(0o755)
    return folder


@contextlib.asynccontextmanager
async def running_system(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    span_collector: SpanCollector,
    work: Path,
    namespace: str,
    extra_env: dict[str, str],
    *,
    smtp_port: int | None = None,
) -> AsyncIterator[RunningSystem]:
    """Every service migrated into fresh databases, started and ready behind the gateway;
    stopped and its queues deleted on exit. Notifications sends to the SMTP server on
    `smtp_port`; without one, to a closed port (its emails end failed, read by no test)."""
    layout = SystemLayout(
        database_urls={
            name: make_database(name, migrations_dir_of(name)) for name in SERVICE_NAMES
        },
        ports={name: free_port() for name in SERVICE_NAMES},
        standin_port=free_port(),
        gateway_port=free_port(),
        web_port=free_port(),
        smtp_port=smtp_port or free_port(),
        bus_namespace=namespace,
        rabbit_url=rabbit_url,
        otlp_endpoint=span_collector.url,
        extra_env={**extra_env, **SECRETS},
    )
    processes = Processes(work / "logs")
    gateway_dir = _readable_by_nginx_workers()
    try:
        start_standin(processes, layout)
        for name in SERVICE_NAMES:
            start_service(processes, layout, name)
        start_web(processes, layout)
        # Off the event loop: the span collector answers on it meanwhile.
        await asyncio.to_thread(
            processes.wait_ready, "stripe-standin", f"{layout.standin_url}/_standin/health"
        )
        for name in SERVICE_NAMES:
            await asyncio.to_thread(processes.wait_ready, name, f"{layout.url(name)}/readyz")
        # Every test client comes from 127.0.0.1: lift the per-client limits for them.
        await asyncio.to_thread(
            functools.partial(start_gateway, rate_per_minute=60_000),
            processes,
            layout,
            gateway_dir,
        )
        await asyncio.to_thread(processes.wait_ready, "gateway", f"{layout.gateway_url}/healthz")
        await asyncio.to_thread(processes.wait_ready, "web", f"{layout.gateway_url}/sign-in")
        yield RunningSystem(layout, processes, span_collector)
    finally:
        await asyncio.to_thread(processes.stop_all)
        shutil.rmtree(gateway_dir, ignore_errors=True)
        topology = Topology(namespace)
        await delete_queues(
            rabbit_url,
            [queue for n in SERVICE_NAMES for queue in topology.queues_of(n)],
            [topology.exchange, topology.dead_letter_exchange],
        )


@pytest.fixture(scope="session")
async def system(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    span_collector: SpanCollector,
    tmp_path_factory: pytest.TempPathFactory,
    mail_sink: MailSink,
) -> AsyncIterator[RunningSystem]:
    async with running_system(
        make_database,
        rabbit_url,
        span_collector,
        tmp_path_factory.mktemp("system"),
        f"test-{RUN_ID}-system",
        FAST,
        smtp_port=mail_sink.port,
    ) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client
