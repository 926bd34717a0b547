"""Commit-to-consume latency of the transactional outbox, against raw publish-to-consume.

Not a test: prints p50/p99 over a few thousand messages on the local PostgreSQL and RabbitMQ.
The baseline publishes the same envelopes straight to the broker (no outbox, no transaction),
so the ratio is the price of never losing a message. The outbox is measured twice with 8
producers in the process, each a unit of work that hands the relay what it committed: with the
relay on the producers' event loop, and on a thread of its own (service_runtime.relay_thread,
as the services run it); for the thread, also its own CPU per message, against this process's
CPU per message when it publishes straight to the broker at the same pace. The drain is the
relay's sweep of a backlog nobody handed over. The consumer is another process, as the
consuming service is: on the producers' loop it would measure how long that loop keeps it
waiting, not the outbox.

The producers send at `--rate` messages per second in all (400: far above what a service
publishes, below what the one consumer takes). `--rate 0` sends flat out: then every path,
the baseline included, mostly measures the backlog before the consumer (the producers outrun
it), and the relay on the loop the producers' hold on that loop.

    make bench, or: PYTHONPATH=. uv run python bench/outbox_latency.py [--rate 0]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from multiprocessing.connection import Connection
from typing import Any

import psycopg
from sqlalchemy import MetaData, create_engine

from bench.measuring import percentile, thread_cpu_seconds, write_results
from contracts import Envelope
from contracts.identity import UserDeleted
from service_runtime import outbox as outbox_module
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.messaging_tables import outbox_table
from service_runtime.relay_thread import RelayThread
from service_runtime.unit_of_work import UnitsOfWork
from tests.fixtures.infra import delete_queues

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"


class Probe:
    """Consumes the benchmark's queue and records when each message id arrived (the
    monotonic clock is the machine's: comparable across processes)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self._wanted: set[str] = set()
        self._all_in = asyncio.Event()

    async def __call__(self, body: dict[str, Any]) -> None:
        self.arrived[body["message_id"]] = time.monotonic()
        self._check()

    async def arrival_of(self, wanted: set[str]) -> dict[str, float]:
        """When each of `wanted` arrived, once all have."""
        self._wanted = wanted
        self._check()
        await asyncio.wait_for(self._all_in.wait(), 120)
        self._all_in.clear()
        return {message_id: self.arrived[message_id] for message_id in wanted}

    def _check(self) -> None:
        if self._wanted and self._wanted.issubset(self.arrived):
            self._wanted = set()
            self._all_in.set()


def consume(namespace: str, pipe: Connection) -> None:
    """The consumer process: asked for some message ids, answers when each arrived."""
    asyncio.run(_consuming(namespace, pipe))


async def _consuming(namespace: str, pipe: Connection) -> None:
    probe = Probe()
    bus = Bus(RABBIT_URL, namespace=namespace, max_deliveries=3)
    bus.consume("bench", [UserDeleted.routing_key], probe)
    await bus.start()
    pipe.send("ready")
    try:
        while (wanted := await asyncio.to_thread(pipe.recv)) is not None:
            pipe.send(await probe.arrival_of(wanted))
    finally:
        await bus.stop()


class ConsumerProcess:
    def __init__(self, namespace: str) -> None:
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=consume, args=(namespace, child), daemon=True
        )

    async def start(self) -> None:
        self._process.start()
        assert await self._receive() == "ready"

    async def arrivals(self, message_ids: Iterable[str]) -> dict[str, float]:
        """When each of these messages arrived, once all have."""
        self._pipe.send(set(message_ids))
        arrived: dict[str, float] = await self._receive()
        return arrived

    async def stop(self) -> None:
        if self._process.is_alive():
            self._pipe.send(None)
            await asyncio.to_thread(self._process.join, 30)

    async def _receive(self) -> Any:
        if not await asyncio.to_thread(self._pipe.poll, 150):
            raise TimeoutError("the consumer process did not answer")
        return self._pipe.recv()


async def run_batches(
    count: int, concurrency: int, send: Any, rate: float | None = None
) -> dict[str, float]:
    """`count` sends by `concurrency` producers: flat out, or at `rate` per second in all (the
    i-th is due at i / rate; a producer behind its schedule sends at once)."""
    sent: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)
    started = time.monotonic()

    async def worker() -> None:
        while not queue.empty():
            index = queue.get_nowait()
            if rate is not None:
                await asyncio.sleep(started + index / rate - time.monotonic())
            message_id, at = await send()
            sent[message_id] = at

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent


def latencies(sent: dict[str, float], arrived: dict[str, float]) -> list[float]:
    return [(arrived[key] - sent[key]) * 1000 for key in sent]


async def main(messages: int, concurrency: int, rate: float | None) -> None:
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
    consumer = ConsumerProcess(namespace)
    publisher_bus = Bus(RABBIT_URL, namespace=namespace, max_deliveries=3)
    # A backlog's rows are swept at once; the relays under test only sweep rows 5 s old.
    sweeper = outbox_module.OutboxRelay(
        database, table, publisher_bus, poll_seconds=5, sweep_after_seconds=0
    )
    relay = outbox_module.OutboxRelay(database, table, publisher_bus, poll_seconds=5)
    threaded = RelayThread(
        url,
        table,
        lambda: Bus(RABBIT_URL, namespace=namespace, max_deliveries=3),
        poll_seconds=5,
    )
    await consumer.start()
    await publisher_bus.start()
    try:

        def via_outbox(units: UnitsOfWork) -> Callable[[], Awaitable[tuple[str, float]]]:
            async def send() -> tuple[str, float]:
                async with units.begin() as uow:
                    envelope = await uow.publish(
                        UserDeleted(user_id=uuid.uuid4()), correlation_id="bench"
                    )
                return str(envelope.message_id), time.monotonic()

            return send

        async def direct() -> tuple[str, float]:
            envelope = Envelope.wrap(UserDeleted(user_id=uuid.uuid4()), correlation_id="bench")
            at = time.monotonic()
            await publisher_bus.publish(UserDeleted.routing_key, envelope.model_dump(mode="json"))
            return str(envelope.message_id), at

        started, cpu_started = time.perf_counter(), time.process_time()
        baseline_sent = await run_batches(messages, concurrency, direct, rate)
        publish_cpu_us = (time.process_time() - cpu_started) / messages * 1e6
        baseline = latencies(baseline_sent, await consumer.arrivals(baseline_sent))
        baseline_seconds = time.perf_counter() - started

        # Drain: a backlog recorded while no relay ran (as after an outage), then published.
        backlog = await run_batches(messages, concurrency, via_outbox(UnitsOfWork(database, table)))
        started = time.perf_counter()
        await sweeper.start()
        await consumer.arrivals(backlog)
        drain_rate = messages / (time.perf_counter() - started)
        await sweeper.stop()

        async def through(running: Any) -> tuple[list[float], float, float]:
            """Latencies, seconds, and the CPU per message of the relay's own thread (0 for
            the relay on the loop, whose CPU is the producers' too)."""
            units = UnitsOfWork(database, table, relay=running.send)
            relay_threads = [
                t.native_id
                for t in threading.enumerate()
                if t.name == "outbox-relay" and t.native_id is not None
            ]

            def thread_cpu() -> float:
                return sum(thread_cpu_seconds(native_id) for native_id in relay_threads)

            started, cpu_started = time.perf_counter(), thread_cpu()
            sent = await run_batches(messages, concurrency, via_outbox(units), rate)
            arrived = await consumer.arrivals(sent)
            seconds = time.perf_counter() - started
            cpu_us = (thread_cpu() - cpu_started) / messages * 1e6
            await running.stop()
            return latencies(sent, arrived), seconds, cpu_us

        await relay.start()
        on_loop, on_loop_seconds, _ = await through(relay)
        await threaded.start()
        on_thread, on_thread_seconds, relay_thread_cpu_us = await through(threaded)
    finally:
        await sweeper.stop()
        await relay.stop()
        await threaded.stop()
        await publisher_bus.stop()
        await consumer.stop()
        await database.dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        topology = publisher_bus.topology
        await delete_queues(
            RABBIT_URL,
            topology.queues_of("bench"),
            [topology.exchange, topology.dead_letter_exchange],
        )

    pace = f"{rate:.0f} msg/s in all" if rate else "flat out"
    print(f"{messages} messages, {concurrency} concurrent producers, {pace}")
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
    print(
        f"CPU per message: the relay thread's own {relay_thread_cpu_us:.0f} us, against"
        f" {publish_cpu_us:.0f} us for this process publishing straight to the broker"
        f" (x{relay_thread_cpu_us / publish_cpu_us:.1f})"
    )
    figures: dict[str, Any] = {"messages": messages, "producers": concurrency, "rate": rate}
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
    figures["cpu_us_per_message"] = {
        "publish_straight": publish_cpu_us,
        "relay_thread": relay_thread_cpu_us,
        "relay_thread_over_publish": relay_thread_cpu_us / publish_cpu_us,
    }
    print(f"written to {write_results('outbox_latency', figures)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    # Below what the consumer takes (~1,000/s here): above it, every path measures its backlog.
    parser.add_argument(
        "--rate", type=float, default=400, help="messages per second in all; 0: flat out"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.messages, arguments.concurrency, arguments.rate or None))
