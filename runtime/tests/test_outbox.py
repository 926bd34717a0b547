"""The outbox publishes what committed, once, even across a crash and with two relays."""

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
from sqlalchemy import func, select

from contracts.identity import UserDeleted
from service_runtime import outbox as outbox_module
from service_runtime.bus import Bus
from service_runtime.db import Database
from service_runtime.outbox import OutboxRelay
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


async def _unpublished(database: Database) -> int:
    async with database.transaction() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            or 0
        )


async def test_committed_message_is_published_and_marked_sent(
    database: Database, rabbit_url: str, bus_namespace: str, received: list[dict[str, Any]]
) -> None:
    bus = _bus(rabbit_url, bus_namespace)
    await bus.start()
    relay = OutboxRelay(database, outbox, bus, poll_seconds=30)
    await relay.start()
    try:
        [message_id] = await _record(database, 1)

        async def arrived() -> bool:
            return [body["message_id"] for body in received] == [message_id]

        await eventually(arrived)
        assert await _unpublished(database) == 0
    finally:
        await relay.stop()
        await bus.stop()


async def test_rolled_back_transaction_publishes_nothing(
    database: Database, rabbit_url: str, bus_namespace: str, received: list[dict[str, Any]]
) -> None:
    bus = _bus(rabbit_url, bus_namespace)
    await bus.start()
    relay = OutboxRelay(database, outbox, bus, poll_seconds=0.1)
    await relay.start()
    try:
        with pytest.raises(RuntimeError):  # noqa: PT012 - the transaction is the unit under test
            async with database.transaction() as session:
                await outbox_module.record(
                    session, outbox, UserDeleted(user_id=uuid.uuid4()), correlation_id="rolled-back"
                )
                raise RuntimeError("the state change failed")
        [committed_id] = await _record(database, 1)

        async def committed_arrived() -> bool:
            return any(body["message_id"] == committed_id for body in received)

        await eventually(committed_arrived)
        assert all(body["correlation_id"] != "rolled-back" for body in received)
        assert len(received) == 1
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
    os.kill(os.getpid(), signal.SIGKILL)  # dies after commit, before any relay published

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
    relay = OutboxRelay(database, outbox, bus, poll_seconds=30)
    await relay.start()  # the restarted process
    try:

        async def arrived() -> bool:
            return [body["message_id"] for body in received] == [message_id]

        await eventually(arrived)
    finally:
        await relay.stop()
        await bus.stop()


async def test_two_relays_publish_each_row_once(
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
        relay = OutboxRelay(replica_database, outbox, bus, poll_seconds=30, batch_size=50)
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
