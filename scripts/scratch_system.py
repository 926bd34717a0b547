"""The whole system on scratch databases and a bus namespace of its own, for the benchmarks:
migrated, started, ready behind the gateway; stopped and its databases and queues dropped after."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg

from scripts.system import (
    SERVICE_NAMES,
    Processes,
    SystemLayout,
    migrate,
    start_gateway,
    start_mail_sink,
    start_service,
    start_standin,
    start_web,
)
from service_runtime.bus import Topology
from tests.fixtures.infra import delete_queues, free_port

RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"


@contextlib.contextmanager
def scratch_system(
    admin_url: str, *, web: bool = False
) -> Iterator[tuple[SystemLayout, Path, Processes]]:
    """The running system's layout, its work folder (logs under `logs/`) and its processes; `web`
    adds the web front end behind the gateway. The gateway's per-client limits are lifted for one
    client."""
    run = uuid.uuid4().hex[:8]
    names = {service: f"bench_{run}_{service}" for service in SERVICE_NAMES}
    with psycopg.connect(admin_url, autocommit=True) as connection:
        for database in names.values():
            connection.execute(f'CREATE DATABASE "{database}"')
    layout = SystemLayout(
        database_urls={
            service: urlparse(admin_url)
            ._replace(scheme="postgresql+psycopg", path=f"/{database}")
            .geturl()
            for service, database in names.items()
        },
        ports={service: free_port() for service in SERVICE_NAMES},
        standin_port=free_port(),
        smtp_port=free_port(),
        mail_page_port=free_port(),
        gateway_port=free_port(),
        web_port=free_port() if web else None,
        bus_namespace=f"bench-{run}",
        rabbit_url=RABBIT_URL,
    )
    work = Path(tempfile.mkdtemp(prefix="bench-system-"))
    processes = Processes(work / "logs")
    try:
        for service in SERVICE_NAMES:
            migrate(layout, service)
        start_standin(processes, layout)
        start_mail_sink(processes, layout)  # notifications' emails are part of the work
        for service in SERVICE_NAMES:
            start_service(processes, layout, service)
        if web:
            start_web(processes, layout)
        processes.wait_ready("stripe-standin", f"{layout.standin_url}/_standin/health")
        processes.wait_ready("mail-sink", layout.mail_page_url)
        for service in SERVICE_NAMES:
            processes.wait_ready(service, f"{layout.url(service)}/readyz")
        start_gateway(processes, layout, work / "gateway", rate_per_minute=600_000)
        processes.wait_ready("gateway", f"{layout.gateway_url}/healthz")
        if web:
            processes.wait_ready("web", f"{layout.gateway_url}/sign-in")
        yield layout, work, processes
    finally:
        processes.stop_all()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            for database in names.values():
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        topology = Topology(layout.bus_namespace)
        asyncio.run(
            delete_queues(
                RABBIT_URL,
                [queue for s in SERVICE_NAMES for queue in topology.queues_of(s)],
                [topology.exchange, topology.dead_letter_exchange],
            )
        )
