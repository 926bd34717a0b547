"""What each layer of a service's consumer costs per message: aio-pika alone (the floor),
FastStream's subscriber, the runtime's `Bus` (its telemetry and Prometheus middlewares and the
retrying handler), and `Consumer` on top (the envelope, the inbox row, the unit of work).

Not a test. Every message a service consumes goes through all four, so their difference is
the price of each layer, paid about nine times per booking. Each case consumes a queue filled
beforehand with `--messages` envelopes, one process, under uvloop as the services run, with a
handler that does nothing; the figure is this process's CPU per message from the first message
handled to the last, and its ratio to the floor. The last case also runs a transaction per
message on a scratch database (`bench/unit_of_work.py` prices that alone). The figures also go
to bench/results/consumer_stack.json (git-ignored).

    make bench, or: PYTHONPATH=. uv run python bench/consumer_stack.py [--messages 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import uvloop
from faststream.middlewares import AckPolicy
from faststream.rabbit import Channel, RabbitBroker, RabbitQueue
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData, create_engine

from bench.measuring import forget_bus, scratch_database, sqlalchemy_url, write_results
from contracts import Envelope
from contracts.identity import UserDeleted
from service_runtime.bus import Bus
from service_runtime.consumer import Consumer, MessageHandlers
from service_runtime.db import Database
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.settings import HttpSettings
from service_runtime.telemetry import create_tracer_provider
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"
SERVICE = "bench"
PREFETCH = 8  # as the services consume
ROUNDS = 2  # each case this many times, interleaved; the median counts
FLOOR = "aio-pika alone (floor)"


class Counted:
    """Counts handled messages; this process's CPU between the first and the last."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.handled = 0
        self.first = self.last = 0.0
        self.done = asyncio.Event()

    def one(self) -> None:
        self.handled += 1
        if self.handled == 1:
            self.first = time.process_time()
        if self.handled == self.expected:
            self.last = time.process_time()
            self.done.set()

    @property
    def cpu_us_per_message(self) -> float:
        return (self.last - self.first) / (self.expected - 1) * 1e6


async def _filled_queue(namespace: str, count: int) -> str:
    """The service queue as `Bus` declares it, holding `count` envelopes; its name."""
    declaring = Bus(RABBIT_URL, namespace=namespace, max_deliveries=5)

    async def nothing(_: Any) -> None:
        pass

    declaring.consume(SERVICE, [UserDeleted.routing_key], nothing)
    await declaring.start()
    await declaring.stop()
    queue = declaring.topology.queue(SERVICE)
    connection = await aio_pika.connect(RABBIT_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        for _ in range(count):
            envelope = Envelope.wrap(UserDeleted(user_id=uuid.uuid4()), correlation_id="bench")
            body = json.dumps(envelope.model_dump(mode="json")).encode()
            message = aio_pika.Message(
                body,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(envelope.message_id),
                content_type="application/json",
            )
            await channel.default_exchange.publish(message, routing_key=queue)
    finally:
        await connection.close()
    return queue


async def _aio_pika(namespace: str, queue: str, counted: Counted, _: UnitsOfWork) -> None:
    connection = await aio_pika.connect(RABBIT_URL)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        declared = await channel.get_queue(queue, ensure=False)

        async def handle(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                json.loads(message.body)
                counted.one()

        await declared.consume(handle)
        await counted.done.wait()
    finally:
        await connection.close()


async def _faststream(namespace: str, queue: str, counted: Counted, _: UnitsOfWork) -> None:
    broker = RabbitBroker(
        RABBIT_URL,
        default_channel=Channel(prefetch_count=PREFETCH),
        apply_types=False,
        log_level=logging.DEBUG,  # per-message lines as `Bus` logs them: below the output's level
    )

    async def handle(_: Any) -> None:
        counted.one()

    broker.subscriber(RabbitQueue(queue, declare=False), ack_policy=AckPolicy.NACK_ON_ERROR)(handle)
    await broker.start()
    try:
        await counted.done.wait()
    finally:
        await broker.stop()


def _bus(namespace: str) -> Bus:
    """A service's consuming bus as `service_app` builds it."""
    bus = Bus(
        RABBIT_URL,
        namespace=namespace,
        max_deliveries=5,
        prefetch=PREFETCH,
        tracer_provider=create_tracer_provider(HttpSettings(service_name=SERVICE)),
        registry=CollectorRegistry(),
    )
    bus.broker.add_middleware(RabbitPrometheusMiddleware(registry=CollectorRegistry()))
    return bus


async def _consume_on_bus(
    namespace: str, handler: Callable[[dict[str, Any]], Awaitable[None]], counted: Counted
) -> None:
    bus = _bus(namespace)
    bus.consume(SERVICE, [UserDeleted.routing_key], handler)
    await bus.start()
    try:
        await counted.done.wait()
    finally:
        await bus.stop()


async def _runtime_bus(namespace: str, _: str, counted: Counted, __: UnitsOfWork) -> None:
    async def handle(_: dict[str, Any]) -> None:
        counted.one()

    await _consume_on_bus(namespace, handle, counted)


async def _with_consumer(namespace: str, _: str, counted: Counted, units: UnitsOfWork) -> None:
    handlers = MessageHandlers()

    @handlers.on(UserDeleted)
    async def handle(_: UnitOfWork, __: UserDeleted, ___: Envelope) -> None:
        counted.one()

    inbox = inbox_table(MetaData())
    await _consume_on_bus(namespace, Consumer(SERVICE, handlers, units, inbox), counted)


Case = Callable[[str, str, Counted, UnitsOfWork], Awaitable[None]]
CASES: dict[str, Case] = {
    FLOOR: _aio_pika,
    "FastStream's subscriber": _faststream,
    "the runtime's Bus": _runtime_bus,
    "Bus and Consumer (a transaction)": _with_consumer,
}


async def measure(url: str, count: int) -> dict[str, Any]:
    metadata = MetaData()
    inbox_table(metadata)
    outbox = outbox_table(metadata)
    engine = create_engine(sqlalchemy_url(url))
    metadata.create_all(engine)
    engine.dispose()
    database = Database(sqlalchemy_url(url))
    units = UnitsOfWork(database, outbox)
    runs: dict[str, list[float]] = {name: [] for name in CASES}
    try:
        for _ in range(ROUNDS):
            for name, case in CASES.items():
                namespace = f"bench{uuid.uuid4().hex[:8]}"
                try:
                    queue = await _filled_queue(namespace, count)
                    counted = Counted(count)
                    await case(namespace, queue, counted, units)
                    runs[name].append(counted.cpu_us_per_message)
                finally:
                    await forget_bus(RABBIT_URL, namespace, [SERVICE])
    finally:
        await database.dispose()
    floor = statistics.median(runs[FLOOR])
    return {
        "messages": count,
        "rounds": ROUNDS,
        "cases": {
            name: {
                "cpu_us_per_message": statistics.median(samples),
                "over_floor": statistics.median(samples) / floor,
            }
            for name, samples in runs.items()
        },
    }


def report(figures: dict[str, Any]) -> None:
    print(f"{figures['messages']} messages per case, median of {figures['rounds']} rounds")
    print(f"{'consumer':<36}{'CPU us/message':>16}{'x floor':>9}")
    for name, figure in figures["cases"].items():
        print(f"{name:<36}{figure['cpu_us_per_message']:>16.0f}{figure['over_floor']:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    arguments = parser.parse_args()
    with scratch_database(ADMIN_URL, "bench_consumer") as url:
        figures = uvloop.run(measure(url, arguments.messages))
    report(figures)
    print(f"(figures in {write_results('consumer_stack', figures)})")


if __name__ == "__main__":
    main()
