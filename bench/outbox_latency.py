"""Commit-to-consume latency of the transactional outbox, against raw publish-to-consume.

Not a test: prints p50/p99 over a few thousand messages on the local PostgreSQL and RabbitMQ.
The baseline publishes the same envelopes straight to the broker (no outbox, no transaction),
so the ratio is the price of never losing a message. The outbox is measured twice with the
producers flat out in the process: with the relay on the producers' event loop, and on a
thread of its own (service_runtime.relay_thread, as the services run it).

    make bench, or: PYTHONPATH=. uv run python bench/outbox_latency.py [--messages 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

import psycopg
from sqlalchemy import MetaData, create_engine

from bench.measuring import percentile, write_results
from contracts import Envelope
from contracts.identity import UserDeleted
from service_runtime import outbox as outbox_module
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.messaging_tables import outbox_table
from service_runtime.relay_thread import RelayThread
from tests.fixtures.infra import delete_queues

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"


class Probe:
    """Consumes the benchmark's queue and records when each message id arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.done = asyncio.Event()
        self.expected = 0

    async def __call__(self, body: dict[str, Any]) -> None:
        self.arrived[body["message_id"]] = time.perf_counter()
        if len(self.arrived) >= self.expected:
            self.done.set()

    def reset(self, expected: int) -> None:
        self.arrived.clear()
        self.done.clear()
        self.expected = expected


async def run_batches(count: int, concurrency: int, send: Any) -> dict[str, float]:
    sent: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            message_id, at = await send()
            sent[message_id] = at

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent


def latencies(sent: dict[str, float], arrived: dict[str, float]) -> list[float]:
    return [(arrived[key] - sent[key]) * 1000 for key in sent]


async def main(messages: int, concurrency: int) -> None:
    name = f"bench_outbox_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    metadata = MetaData()
    table = outbox_table(metadata)
    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()

    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    database = Database(url, pool_size=concurrency)
    probe = Probe()
    consumer_bus = Bus(RABBIT_URL, namespace=namespace, max_deliveries=3)
    consumer_bus.consume("bench", [UserDeleted.routing_key], probe)
    publisher_bus = Bus(RABBIT_URL, namespace=namespace, max_deliveries=3)
    relay = outbox_module.OutboxRelay(database, table, publisher_bus, poll_seconds=5)
    threaded = RelayThread(
        url,
        table,
        lambda: Bus(RABBIT_URL, namespace=namespace, max_deliveries=3),
        poll_seconds=5,
    )
    await consumer_bus.start()
    await publisher_bus.start()
    try:

        async def via_outbox() -> tuple[str, float]:
            async with database.transaction() as session:
                envelope = await outbox_module.record(
                    session, table, UserDeleted(user_id=uuid.uuid4()), correlation_id="bench"
                )
            return str(envelope.message_id), time.perf_counter()

        async def direct() -> tuple[str, float]:
            envelope = Envelope.wrap(UserDeleted(user_id=uuid.uuid4()), correlation_id="bench")
            at = time.perf_counter()
            await publisher_bus.publish(UserDeleted.routing_key, envelope.model_dump(mode="json"))
            return str(envelope.message_id), at

        probe.reset(messages)
        started = time.perf_counter()
        baseline_sent = await run_batches(messages, concurrency, direct)
        await asyncio.wait_for(probe.done.wait(), 120)
        baseline_seconds = time.perf_counter() - started
        baseline = latencies(baseline_sent, probe.arrived)

        # Drain: a backlog recorded while no relay ran (as after an outage), then published.
        await run_batches(messages, concurrency, via_outbox)
        probe.reset(messages)
        started = time.perf_counter()
        await relay.start()
        await asyncio.wait_for(probe.done.wait(), 120)
        drain_rate = messages / (time.perf_counter() - started)

        async def through(running: Any) -> tuple[list[float], float]:
            probe.reset(messages)
            started = time.perf_counter()
            sent = await run_batches(messages, concurrency, via_outbox)
            await asyncio.wait_for(probe.done.wait(), 120)
            seconds = time.perf_counter() - started
            await running.stop()
            return latencies(sent, probe.arrived), seconds

        on_loop, on_loop_seconds = await through(relay)
        await threaded.start()
        on_thread, on_thread_seconds = await through(threaded)
    finally:
        await relay.stop()
        await threaded.stop()
        await publisher_bus.stop()
        await consumer_bus.stop()
        await database.dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        topology = consumer_bus.topology
        await delete_queues(
            RABBIT_URL,
            topology.queues_of("bench"),
            [topology.exchange, topology.dead_letter_exchange],
        )

    print(f"{messages} messages, {concurrency} concurrent producers")
    print(f"{'path':<30}{'p50 ms':>10}{'p99 ms':>10}{'msg/s':>10}")
    for label, samples, seconds in (
        ("broker publish (baseline)", baseline, baseline_seconds),
        ("outbox, relay on the loop", on_loop, on_loop_seconds),
        ("outbox, relay thread", on_thread, on_thread_seconds),
    ):
        print(
            f"{label:<30}{statistics.median(samples):>10.2f}{percentile(samples, 0.99):>10.2f}"
            f"{messages / seconds:>10.0f}"
        )
    print(f"relay draining a backlog: {drain_rate:.0f} msg/s")
    figures: dict[str, Any] = {"messages": messages, "producers": concurrency}
    for key, samples in (
        ("baseline", baseline),
        ("relay_on_loop", on_loop),
        ("relay_thread", on_thread),
    ):
        figures[key] = {
            "p50_ms": statistics.median(samples),
            "p99_ms": percentile(samples, 0.99),
            "p50_over_baseline": statistics.median(samples) / statistics.median(baseline),
            "p99_over_baseline": percentile(samples, 0.99) / percentile(baseline, 0.99),
        }
        if key != "baseline":
            print(
                f"{key}/baseline: p50 x{figures[key]['p50_over_baseline']:.1f},"
                f" p99 x{figures[key]['p99_over_baseline']:.1f}"
            )
    figures["drain_per_s"] = drain_rate
    print(f"written to {write_results('outbox_latency', figures)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.messages, arguments.concurrency))
