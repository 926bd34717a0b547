"""The whole system for cross-service tests: every service a separate process behind the real
nginx gateway, real PostgreSQL (a fresh database each) and RabbitMQ (a namespace of its own),
the Stripe stand-in over HTTP delivering webhooks through the gateway, and spans exported over
OTLP to the test's collector."""

from __future__ import annotations

import asyncio
import functools
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
)
from service_runtime.bus import Topology
from service_runtime.cli import migrations_dir_of
from tests.fixtures.infra import RUN_ID, delete_queues, free_port
from tests.fixtures.otlp import SpanCollector

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
}


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


@pytest.fixture(scope="session")
async def system(
    make_database: Callable[[str, Path | None], str],
    rabbit_url: str,
    span_collector: SpanCollector,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningSystem]:
    namespace = f"test-{RUN_ID}-system"
    layout = SystemLayout(
        database_urls={
            name: make_database(name, migrations_dir_of(name)) for name in SERVICE_NAMES
        },
        ports={name: free_port() for name in SERVICE_NAMES},
        standin_port=free_port(),
        gateway_port=free_port(),
        bus_namespace=namespace,
        rabbit_url=rabbit_url,
        otlp_endpoint=span_collector.url,
        extra_env=FAST,
    )
    work = tmp_path_factory.mktemp("system")
    processes = Processes(work / "logs")
    try:
        start_standin(processes, layout)
        for name in SERVICE_NAMES:
            start_service(processes, layout, name)
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
            work / "gateway",
        )
        await asyncio.to_thread(processes.wait_ready, "gateway", f"{layout.gateway_url}/healthz")
        yield RunningSystem(layout, processes, span_collector)
    finally:
        await asyncio.to_thread(processes.stop_all)
        topology = Topology(namespace)
        await delete_queues(
            rabbit_url,
            [topology.queue(n) for n in SERVICE_NAMES]
            + [topology.dead_letter_queue(n) for n in SERVICE_NAMES],
            [topology.exchange, topology.dead_letter_exchange],
        )


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client
