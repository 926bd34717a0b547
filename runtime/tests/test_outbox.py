"""The outbox publishes what committed, once: handed over by the unit of work at once, or
swept up after a crash; with two relays too."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from contracts.identity import UserDeleted
from service_runtime import outbox as outbox_module
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.outbox import OutboxRelay
from service_runtime.unit_of_work import UnitsOfWork
from tests.fixtures.infra import delete_queues, eventually

from .conftest import outbox


@pytest.fixture
async def received(rabbit_url: str, bus_namespace: str) -> AsyncIterator[list[dict[str, Any]]]:
    """Bodies of every identity.user.deleted message a fresh probe queue receives."""
    bodies: list[dict[str, Any]] = []

    async def collect(body: dict[str, Any]) -> None:
        bodies.append(body)

    probe = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    name = f"probe-{uuid.uuid4().hex[:8]}"
    probe.consume(name, [UserDeleted.routing_key], collect)
    await probe.start()
    yield bodies
    await probe.stop()
    await delete_queues(rabbit_url, probe.topology.queues_of(name))


def _bus(rabbit_url: str, namespace: str) -> Bus:
    return Bus(rabbit_url, namespace=namespace, max_deliveries=3)


async def _record(database: Database, count: int) -> list[str]:
    ids = []
    async with database.transaction() as session:
        for _ in range(count):
            user_id = uuid.uuid4()
            envelope = await outbox_module.record(
                session, outbox, UserDeleted(user_id=user_id), correlation_id=str(user_id)
            )
            ids.append(str(envelope.message_id))
    return ids


async def _handed_over(units: UnitsOfWork, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        async with units.begin() as uow:
            user_id = uuid.uuid4()
            envelope = await uow.publish(UserDeleted(user_id=user_id), correlation_id=str(user_id))
        ids.append(str(envelope.message_id))
    return ids


async def _unpublished(database: Database) -> int:
    async with database.transaction() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            or 0
        )


async def _arrived_and_marked(
    database: Database, received: list[dict[str, Any]], message_id: str
) -> None:
    """Until the message, and only it, has arrived and its row is marked published."""

    async def arrived_and_marked() -> bool:
        arrived = [body["message_id"] for body in received] == [message_id]
        return arrived and await _unpublished(database) == 0

    await eventually(arrived_and_marked)


async def test_committed_message_is_published_at_once_and_marked_sent(
    database: Database, rabbit_url: str, bus_namespace: str, received: list[dict[str, Any]]
) -> None:
    bus = _bus(rabbit_url, bus_namespace)
    await bus.start()
    relay = OutboxRelay(database, outbox, bus, poll_seconds=30)  # no sweep within the test
    await relay.start()
    try:
        [message_id] = await _handed_over(UnitsOfWork(database, outbox, relay=relay.send), 1)

        await _arrived_and_marked(database, received, message_id)
    finally:
        await relay.stop()
        await bus.stop()


async def test_an_idle_relay_sleeps_until_its_next_sweep(
    database: Database, rabbit_url: str, bus_namespace: str
) -> None:
    """Nothing handed over and nothing published to mark: the relay's one round is its first
    sweep, until the next (each wake of a process costs CPU, ~0.15 ms here)."""
    registry = CollectorRegistry()
    bus = _bus(rabbit_url, bus_namespace)
    await bus.start()
    relay = OutboxRelay(database, outbox, bus, poll_seconds=30, registry=registry)

    def rounds() -> float | None:
        return registry.get_sample_value(
            "background_loop_rounds_total", {"loop": "outbox-relay", "outcome": "ok"}
        )

    async def first_round_done() -> bool:
        return rounds() is not None

    await relay.start()
    try:
        await eventually(first_round_done)
        await asyncio.sleep(0.6)  # past the wait for a batch's mark (0.5 s)
    finally:
        await relay.stop()
        await bus.stop()
    assert rounds() == 1


async def test_rolled_back_transaction_publishes_nothing(
    database: Database, rabbit_url: str, bus_namespace: str, received: list[dict[str, Any]]
) -> None:
    bus = _bus(rabbit_url, bus_namespace)
    await bus.start()
    relay = OutboxRelay(database, outbox, bus, poll_seconds=0.1)
    await relay.start()
    units = UnitsOfWork(database, outbox, relay=relay.send)
    try:
        with pytest.raises(RuntimeError):  # noqa: PT012 - the transaction is the unit under test
            async with units.begin() as uow:
                await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="rolled-back")
                raise RuntimeError("the state change failed")
        [committed_id] = await _handed_over(units, 1)

        async def committed_arrived() -> bool:
            return any(body["message_id"] == committed_id for body in received)

        await eventually(committed_arrived)
        await asyncio.sleep(0.3)  # sweeps came and went
        assert all(body["correlation_id"] != "rolled-back" for body in received)
        assert len(received) == 1
    finally:
        await relay.stop()
        await bus.stop()


async def test_what_one_replica_publishes_another_does_not_sweep_up(
    database: Database,
    database_url: str,
    rabbit_url: str,
    bus_namespace: str,
    received: list[dict[str, Any]],
) -> None:
    """The sweep leaves young rows to the process that recorded them, which marks them in
    batches: each message arrives once, however often the other replica sweeps."""
    buses = [_bus(rabbit_url, bus_namespace) for _ in range(2)]
    sweeper_database = Database(database_url)
    publisher = OutboxRelay(database, outbox, buses[0], poll_seconds=30)
    sweeper = OutboxRelay(
        sweeper_database, outbox, buses[1], poll_seconds=0.05, sweep_after_seconds=2
    )
    for bus in buses:
        await bus.start()
    await publisher.start()
    await sweeper.start()
    try:
        units = UnitsOfWork(database, outbox, relay=publisher.send)
        expected = [message_id for _ in range(10) for message_id in await _handed_over(units, 3)]

        async def all_arrived_and_marked() -> bool:
            return len(received) >= len(expected) and await _unpublished(database) == 0

        await eventually(all_arrived_and_marked)
        await asyncio.sleep(0.3)  # a duplicate would arrive right behind
        counts = Counter(body["message_id"] for body in received)
        assert sorted(counts) == sorted(expected)
        assert set(counts.values()) == {1}
    finally:
        await sweeper.stop()
        await publisher.stop()
        for bus in buses:
            await bus.stop()
        await sweeper_database.dispose()


class _BrokerAwayOnce(Bus):
    """A bus whose first publish fails, as when the broker is away for a moment."""

    failed = False

    async def publish(self, routing_key: str, envelope: dict[str, Any]) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("the broker is away")
        await super().publish(routing_key, envelope)


async def test_what_the_broker_refused_when_handed_over_is_swept_up_once_it_is_back(
    database: Database, rabbit_url: str, bus_namespace: str, received: list[dict[str, Any]]
) -> None:
    bus = _BrokerAwayOnce(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    await bus.start()
    relay = OutboxRelay(database, outbox, bus, poll_seconds=0.1, sweep_after_seconds=0.5)
    await relay.start()
    try:
        [message_id] = await _handed_over(UnitsOfWork(database, outbox, relay=relay.send), 1)

        await _arrived_and_marked(database, received, message_id)
        assert bus.failed
        await asyncio.sleep(0.3)  # nothing more comes
        assert [body["message_id"] for body in received] == [message_id]
    finally:
        await relay.stop()
        await bus.stop()


CRASH_AFTER_COMMIT = """
import asyncio, os, signal, sys, uuid
from contracts.identity import UserDeleted
from service_runtime import outbox
from service_runtime.db import Database
from runtime_tests_schema import outbox as table

async def main() -> None:
    database = Database(sys.argv[1])
    async with database.transaction() as session:
        envelope = await outbox.record(
            session, table, UserDeleted(user_id=uuid.uuid4()), correlation_id="crash"
        )
    print(envelope.message_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # dies after commit, before handing it to a relay

asyncio.run(main())
"""


async def test_message_survives_process_killed_between_commit_and_publish(
    database: Database,
    database_url: str,
    rabbit_url: str,
    bus_namespace: str,
    received: list[dict[str, Any]],
    tmp_path: Any,
) -> None:
    (tmp_path / "runtime_tests_schema.py").write_text(
        "from service_runtime.messaging_tables import outbox_table\n"
        "from sqlalchemy import MetaData\n"
        "outbox = outbox_table(MetaData())\n"
    )
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_AFTER_COMMIT, database_url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    message_id = crashed.stdout.strip()
    assert await _unpublished(database) == 1

    bus = _bus(rabbit_url, bus_namespace)
    await bus.start()
    # The restarted process: its first sweep finds the row (old enough at once, here).
    relay = OutboxRelay(database, outbox, bus, poll_seconds=30, sweep_after_seconds=0)
    await relay.start()
    try:

        async def arrived() -> bool:
            return [body["message_id"] for body in received] == [message_id]

        await eventually(arrived)
    finally:
        await relay.stop()
        await bus.stop()


async def test_two_relays_sweep_each_row_once(
    database: Database,
    database_url: str,
    rabbit_url: str,
    bus_namespace: str,
    received: list[dict[str, Any]],
) -> None:
    expected = await _record(database, 600)
    replicas = []
    for _ in range(2):
        replica_database = Database(database_url)
        bus = _bus(rabbit_url, bus_namespace)
        await bus.start()
        relay = OutboxRelay(
            replica_database, outbox, bus, poll_seconds=30, sweep_after_seconds=0, batch_size=50
        )
        replicas.append((replica_database, bus, relay))
    await asyncio.gather(*(relay.start() for _, _, relay in replicas))
    try:

        async def all_arrived() -> bool:
            return len(received) >= len(expected) and await _unpublished(database) == 0

        await eventually(all_arrived, timeout=30)
        await asyncio.sleep(0.3)  # a duplicate would arrive right behind
        counts = Counter(body["message_id"] for body in received)
        assert sorted(counts) == sorted(expected)
        assert set(counts.values()) == {1}
    finally:
        for replica_database, bus, relay in replicas:
            await relay.stop()
            await bus.stop()
            await replica_database.dispose()
