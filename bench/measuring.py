"""What the benchmarks share: percentiles, CPU time from /proc, the machine's floors, the results.

A figure on a shared 2-core machine means little alone: each benchmark measures the floors it is
compared with in the same run, and reports its figures as ratios to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aio_pika
import httpx
import psycopg

from contracts import Envelope, Message
from service_runtime.bus import Bus, Topology
from tests.fixtures.infra import delete_queues

RESULTS = Path(__file__).with_name("results")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
FLOOR_SECONDS = 3.0
FLOOR_CONCURRENCY = 8


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU of one process so far, from /proc."""
    return _own_cpu_seconds(Path(f"/proc/{pid}/stat"))


def thread_cpu_seconds(native_id: int) -> float:
    """User and system CPU of one of this process's threads so far (`Thread.native_id`)."""
    return _own_cpu_seconds(Path(f"/proc/self/task/{native_id}/stat"))


def _own_cpu_seconds(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


async def publish_all(bus: Bus, messages: Sequence[Message]) -> None:
    """Publish messages on the bus as a service's outbox would, one after the other."""
    for message in messages:
        envelope = Envelope.wrap(message)
        await bus.publish(message.routing_key, envelope.model_dump(mode="json"))


async def wait_for(check: Callable[[], bool], what: str, within: float = 120) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


@contextlib.contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A database of one's own for a run, as a postgresql:// URL; dropped after, whatever
    happened."""
    database = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield urlparse(admin_url)._replace(path=f"/{database}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def sqlalchemy_url(conninfo_url: str) -> str:
    """The same database as a service's DATABASE_URL (SQLAlchemy with psycopg 3)."""
    return conninfo_url.replace("postgresql://", "postgresql+psycopg://", 1)


async def forget_bus(rabbit_url: str, namespace: str, services: Iterable[str]) -> None:
    """Delete a run's queues and exchanges: a bench namespace is used once."""
    topology = Topology(namespace)
    queues = [queue for service in services for queue in topology.queues_of(service)]
    await delete_queues(rabbit_url, queues, [topology.exchange, topology.dead_letter_exchange])


def write_results(name: str, figures: dict[str, Any]) -> Path:
    """`bench/results/<name>.json` (git-ignored), for comparing runs by machine rather than eye."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path


def _stat_fields() -> Iterable[tuple[int, str, int, float]]:
    """(pid, command, session id, CPU seconds so far) of every process of the machine."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # it exited meanwhile
        command = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # fields[0] is field 3 of proc(5): state; session is field 6, utime 14, stime 15, and
        # cutime 16, cstime 17: the children it reaped, so a PostgreSQL backend that exits during
        # the run still counts (its time moves to the postmaster).
        cpu = sum(int(tick) for tick in fields[11:15]) / TICKS_PER_SECOND
        yield int(entry.name), command, int(fields[3]), cpu


class CpuMeter:
    """CPU seconds used by each part of the system: our processes by session (a service and any
    child it forks, nginx's master and workers), PostgreSQL and RabbitMQ by command name.

    PostgreSQL and RabbitMQ are the machine's shared servers: what else runs on the machine at
    the same time is counted too, so measure on a quiet machine.
    """

    SERVERS = {"postgres": "postgresql", "beam.smp": "rabbitmq"}

    def __init__(self, sessions: dict[str, int]) -> None:
        self._sessions = {session: name for name, session in sessions.items()}

    def sample(self) -> dict[str, float]:
        used: dict[str, float] = defaultdict(float)
        for _, command, session, cpu in _stat_fields():
            name = self._sessions.get(session) or self.SERVERS.get(command)
            if name:
                used[name] += cpu
        return used


async def _rate(work: Callable[[], Awaitable[None]], concurrency: int) -> tuple[float, list[float]]:
    """Operations per second and their latencies (ms), `concurrency` at a time for a while."""
    latencies: list[float] = []
    deadline = time.perf_counter() + FLOOR_SECONDS

    async def worker() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await work()
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def postgres_commits_per_s(admin_url: str, *, notify: bool) -> float:
    """Small one-row commits per second (with a NOTIFY in each when `notify`), 8 connections."""
    with scratch_database(admin_url, "bench_floor") as url:
        connections = [
            await psycopg.AsyncConnection.connect(url, autocommit=True)
            for _ in range(FLOOR_CONCURRENCY)
        ]
        await connections[0].execute("CREATE TABLE floor (id bigserial PRIMARY KEY, at text)")
        statement = "INSERT INTO floor (at) VALUES ('x')" + ("; NOTIFY floor" if notify else "")
        idle = list(connections)

        async def commit() -> None:
            connection = idle.pop()
            try:
                await connection.execute(statement.encode())  # one implicit transaction
            finally:
                idle.append(connection)

        rate, _ = await _rate(commit, FLOOR_CONCURRENCY)
        for connection in connections:
            await connection.close()
        return rate


async def rabbitmq_confirmed_publishes_per_s(rabbit_url: str) -> float:
    """Persistent publishes to a quorum queue, each confirmed by the broker, 8 in flight."""
    connection = await aio_pika.connect(rabbit_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        name = f"bench-floor-{uuid.uuid4().hex[:8]}"
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        body = json.dumps({"floor": "x" * 400}).encode()  # about the size of an envelope

        async def publish() -> None:
            message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await channel.default_exchange.publish(message, routing_key=queue.name)

        try:
            rate, _ = await _rate(publish, FLOOR_CONCURRENCY)
        finally:
            await queue.delete(if_unused=False, if_empty=False)
        return rate


async def nginx_empty_endpoint(url: str) -> tuple[float, float]:
    """(requests/s, p99 ms) of an endpoint nginx answers itself, 8 at a time."""
    async with httpx.AsyncClient(timeout=10) as http:

        async def get() -> None:
            (await http.get(url)).raise_for_status()

        rate, latencies = await _rate(get, FLOOR_CONCURRENCY)
    return rate, percentile(latencies, 0.99)


async def floors(admin_url: str, rabbit_url: str, empty_endpoint: str) -> dict[str, float]:
    """The machine's floors, one after another so they do not share the cores."""
    nginx_rate, nginx_p99 = await nginx_empty_endpoint(empty_endpoint)
    return {
        "postgres_commits_per_s": await postgres_commits_per_s(admin_url, notify=False),
        "postgres_notify_commits_per_s": await postgres_commits_per_s(admin_url, notify=True),
        "rabbitmq_confirmed_publishes_per_s": await rabbitmq_confirmed_publishes_per_s(rabbit_url),
        "nginx_empty_requests_per_s": nginx_rate,
        "nginx_empty_p99_ms": nginx_p99,
    }
