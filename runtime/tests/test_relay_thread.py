"""The outbox relay on its own thread: what commits is handed across the threads and published
by the thread (its sweep is too slow to be what publishes it), also while the process's loop is
kept busy; a relay that cannot reach the broker says so at start."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvloop
from sqlalchemy import func, select

from contracts.identity import UserDeleted
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.relay_thread import RelayThread
from service_runtime.unit_of_work import UnitsOfWork
from tests.fixtures.infra import delete_queues, eventually

from .conftest import outbox


@pytest.fixture
async def arrivals(rabbit_url: str, bus_namespace: str) -> AsyncIterator[dict[str, float]]:
    """When each identity.user.deleted message reached a fresh probe queue, by message id."""
    arrived: dict[str, float] = {}

    async def collect(body: dict[str, Any]) -> None:
        arrived[body["message_id"]] = time.perf_counter()

    probe = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    name = f"probe-{uuid.uuid4().hex[:8]}"
    probe.consume(name, [UserDeleted.routing_key], collect)
    await probe.start()
    yield arrived
    await probe.stop()
    await delete_queues(rabbit_url, probe.topology.queues_of(name))


def _relay(database: Database, rabbit_url: str, namespace: str) -> RelayThread:
    url = database.engine.url.render_as_string(hide_password=False)
    return RelayThread(
        url,
        outbox,
        lambda: Bus(rabbit_url, namespace=namespace, max_deliveries=3),
        poll_seconds=30,  # only the hand-over can publish within the test
    )


async def test_commits_are_published_by_the_thread_while_the_loop_is_busy(
    database: Database, rabbit_url: str, bus_namespace: str, arrivals: dict[str, float]
) -> None:
    relay = _relay(database, rabbit_url, bus_namespace)
    await relay.start()
    committed: dict[str, float] = {}
    units = UnitsOfWork(database, outbox, relay=relay.send)
    try:

        async def produce(count: int) -> None:
            for _ in range(count):
                async with units.begin() as uow:
                    envelope = await uow.publish(
                        UserDeleted(user_id=uuid.uuid4()), correlation_id="x"
                    )
                committed[str(envelope.message_id)] = time.perf_counter()

        def hog() -> None:  # the loop's own work, as requests and handlers would keep it
            deadline = time.perf_counter() + 0.01
            while time.perf_counter() < deadline:
                pass

        async def busy_loop() -> None:
            while len(committed) < 40:
                hog()
                await asyncio.sleep(0)

        await asyncio.gather(busy_loop(), *(produce(10) for _ in range(4)))

        async def all_arrived() -> bool:
            return committed.keys() <= arrivals.keys()

        await eventually(all_arrived)
        assert len(committed) == 40
    finally:
        await relay.stop()


async def test_a_relay_that_cannot_reach_the_broker_fails_to_start(database: Database) -> None:
    relay = _relay(database, "amqp://guest:guest@127.0.0.1:1/", "nowhere")

    with pytest.raises(Exception, match=r"(?i)connect|refused"):
        await relay.start()


async def test_what_a_stopped_relay_is_sent_is_left_to_the_sweep_without_failing_the_caller(
    database: Database, rabbit_url: str, bus_namespace: str
) -> None:
    relay = _relay(database, rabbit_url, bus_namespace)
    await relay.start()
    await relay.stop()
    units = UnitsOfWork(database, outbox, relay=relay.send)

    async with units.begin() as uow:
        await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="after-stop")

    async with database.transaction() as session:
        unpublished = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    assert unpublished == 1


async def test_under_uvloop_the_relay_runs_on_uvloop_too_and_publishes(
    database: Database, rabbit_url: str, bus_namespace: str, arrivals: dict[str, float]
) -> None:
    """Services run under uvicorn, which runs uvloop: the relay's loop is of the same kind."""
    url = database.engine.url.render_as_string(hide_password=False)

    async def in_a_uvloop_process() -> type[asyncio.AbstractEventLoop]:
        producer = Database(url, pool_size=1)
        relay = _relay(producer, rabbit_url, bus_namespace)
        await relay.start()
        try:
            async with UnitsOfWork(producer, outbox, relay=relay.send).begin() as uow:
                envelope = await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="u")
            await eventually(lambda: _arrived(arrivals, str(envelope.message_id)))
            assert relay._loop is not None
            return type(relay._loop)
        finally:
            await relay.stop()
            await producer.dispose()

    assert await asyncio.to_thread(uvloop.run, in_a_uvloop_process()) is uvloop.Loop


async def _arrived(arrivals: dict[str, float], message_id: str) -> bool:
    return message_id in arrivals
