"""Consumers apply a message once; failures wait and retry; dead letters say why they are there."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import aio_pika
import psycopg
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope
from contracts.identity import Role, RoleChanged, UserDeleted
from service_runtime.bus import Bus
from service_runtime.consumer import Consumer, MessageHandlers
from service_runtime.db import Database
from service_runtime.dead_letters import DeadLetter, list_dead_letters, replay_dead_letters
from service_runtime.retries import UnreadableMessage
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork
from tests.fixtures.infra import delete_queues, eventually

from .conftest import effects, inbox, outbox

MAX_DELIVERIES = 3
QUICK_RETRIES = (0.1, 0.2)  # three attempts, a fraction of a second apart
PATIENT_RETRIES = (0.5, 1, 2, 4)  # five attempts over 7.5 s: longer than the outage below
OUTAGE_SECONDS = 2


class Attempts:
    """What the handlers and the bus's metrics saw."""

    def __init__(self) -> None:
        self.role_changes = 0
        self.registry = CollectorRegistry()


def _handlers(attempts: Attempts) -> MessageHandlers:
    """UserDeleted counts an effect per user; RoleChanged always fails (a poison message)."""
    handlers = MessageHandlers()

    @handlers.on(UserDeleted)
    async def count_deletion(uow: UnitOfWork, message: UserDeleted, _: Envelope) -> None:
        await uow.session.execute(
            insert(effects)
            .values(key=str(message.user_id), count=1)
            .on_conflict_do_update(index_elements=["key"], set_={"count": effects.c.count + 1})
        )

    @handlers.on(RoleChanged)
    async def always_fail(uow: UnitOfWork, message: RoleChanged, _: Envelope) -> None:
        attempts.role_changes += 1
        raise RuntimeError("this handler has a bug")

    return handlers


ServiceStarter = Callable[..., contextlib.AbstractAsyncContextManager[Bus]]


@pytest.fixture
async def service(
    database: Database, rabbit_url: str, bus_namespace: str
) -> AsyncIterator[tuple[str, Attempts, ServiceStarter]]:
    """A service name, its handlers' attempt counter, and a way to run its consumer."""
    name = f"consumer-{uuid.uuid4().hex[:8]}"
    attempts = Attempts()

    @contextlib.asynccontextmanager
    async def running(retry_delays: Sequence[float] = QUICK_RETRIES) -> AsyncIterator[Bus]:
        bus = _bus(rabbit_url, bus_namespace, retry_delays, attempts.registry)
        consumer = Consumer(name, _handlers(attempts), UnitsOfWork(database, outbox), inbox)
        bus.consume(name, consumer.handlers.routing_keys, consumer)
        await bus.start()
        try:
            yield bus
        finally:
            await bus.stop()

    yield name, attempts, running
    await delete_queues(rabbit_url, _bus(rabbit_url, bus_namespace).topology.queues_of(name))


def _bus(
    rabbit_url: str,
    namespace: str,
    retry_delays: Sequence[float] = QUICK_RETRIES,
    registry: CollectorRegistry | None = None,
) -> Bus:
    return Bus(
        rabbit_url,
        namespace=namespace,
        max_deliveries=MAX_DELIVERIES,
        prefetch=4,
        retry_delays_seconds=retry_delays,
        registry=registry,
    )


def _deletion() -> tuple[str, dict[str, Any]]:
    user_id = uuid.uuid4()
    envelope = Envelope.wrap(UserDeleted(user_id=user_id), correlation_id=str(user_id))
    return str(user_id), envelope.model_dump(mode="json")


async def _effect_count(database: Database, key: str) -> int | None:
    async with database.transaction() as session:
        count = await session.scalar(select(effects.c.count).where(effects.c.key == key))
    return int(count) if count is not None else None


async def _effects_applied_once(database: Database, keys: Sequence[str]) -> bool:
    async with database.transaction() as session:
        rows = await session.execute(
            select(func.count(), func.max(effects.c.count)).where(effects.c.key.in_(keys))
        )
    applied, most = rows.one()
    return bool(applied == len(keys) and most == 1)


async def _letters(rabbit_url: str, bus: Bus, name: str) -> list[DeadLetter]:
    return await list_dead_letters(rabbit_url, bus.topology, name, limit=50)


async def test_same_message_delivered_twice_has_one_effect(
    database: Database, service: tuple[str, Attempts, ServiceStarter]
) -> None:
    _, _, running = service
    key, body = _deletion()
    later_key, later = _deletion()

    async with running() as bus:
        await bus.publish(UserDeleted.routing_key, body)
        await bus.publish(UserDeleted.routing_key, body)  # redelivery, as after a relay crash
        await bus.publish(UserDeleted.routing_key, later)

        async def later_applied() -> bool:
            return await _effect_count(database, later_key) == 1

        await eventually(later_applied)
    assert await _effect_count(database, key) == 1


async def test_poison_message_is_dead_lettered_after_bounded_retries_and_replays(
    database: Database, rabbit_url: str, service: tuple[str, Attempts, ServiceStarter]
) -> None:
    name, attempts, running = service
    user_id = uuid.uuid4()
    poison = Envelope.wrap(
        RoleChanged(user_id=user_id, old_role=Role.BOOKER, new_role=Role.OWNER),
        correlation_id=str(user_id),
    )
    healthy_key, healthy = _deletion()

    async with running() as bus:
        await bus.publish(RoleChanged.routing_key, poison.model_dump(mode="json"))
        await bus.publish(UserDeleted.routing_key, healthy)

        async def healthy_applied() -> bool:
            return await _effect_count(database, healthy_key) == 1

        await eventually(healthy_applied)

        async def dead_lettered() -> bool:
            return len(await _letters(rabbit_url, bus, name)) == 1

        await eventually(dead_lettered)
        [letter] = await _letters(rabbit_url, bus, name)
        assert attempts.role_changes == len(QUICK_RETRIES) + 1
        assert letter.message_id == str(poison.message_id)
        assert letter.message_type == RoleChanged.message_type
        assert letter.reason == "handler_error"
        assert letter.error == "RuntimeError: this handler has a bug"
        assert letter.attempts == len(QUICK_RETRIES) + 1
        assert letter.body["payload"]["new_role"] == "owner"
        queue = {"queue": bus.topology.queue(name)}
        retried = attempts.registry.get_sample_value("bus_message_retries_total", queue)
        assert retried == len(QUICK_RETRIES)
        dead = queue | {"reason": "handler_error"}
        assert attempts.registry.get_sample_value("bus_dead_letters_total", dead) == 1

        assert await replay_dead_letters(rabbit_url, bus.topology, name, limit=10) == 1

        async def retried_in_full_and_dead_again() -> bool:
            letters = await _letters(rabbit_url, bus, name)
            return len(letters) == 1 and letters[0].attempts == len(QUICK_RETRIES) + 1

        await eventually(retried_in_full_and_dead_again)
        assert attempts.role_changes == 2 * (len(QUICK_RETRIES) + 1)


async def test_unreadable_message_goes_straight_to_dead_letters(
    rabbit_url: str, service: tuple[str, Attempts, ServiceStarter]
) -> None:
    name, _, running = service

    async with running() as bus:
        await bus.publish(
            UserDeleted.routing_key,
            {"message_id": str(uuid.uuid4()), "correlation_id": "x", "message_type": "nonsense"},
        )

        async def dead_lettered() -> bool:
            return len(await _letters(rabbit_url, bus, name)) == 1

        await eventually(dead_lettered)
        [letter] = await _letters(rabbit_url, bus, name)
    assert letter.reason == "unreadable"
    assert letter.error is not None
    assert letter.error.startswith("UnreadableMessage:")
    assert letter.attempts == 1


async def test_a_message_type_no_longer_handled_is_unbound_from_the_queue_at_start(
    rabbit_url: str, bus_namespace: str
) -> None:
    """A binding outlives the release that made it: without the unbinding, the retired type
    would still reach the queue, and with no handler be dead-lettered as unreadable."""
    name = f"consumer-{uuid.uuid4().hex[:8]}"

    async def never_called(_: dict[str, Any]) -> None:
        raise AssertionError("nothing is consumed here")

    release_before = _bus(rabbit_url, bus_namespace)
    release_before.consume(name, [UserDeleted.routing_key, RoleChanged.routing_key], never_called)
    handlers = MessageHandlers()
    handlers.on(UserDeleted)(never_called)  # type: ignore[arg-type]
    handlers.retire(RoleChanged)
    this_release = _bus(rabbit_url, bus_namespace)
    this_release.consume(
        name,
        handlers.routing_keys,
        never_called,
        retired_routing_keys=handlers.retired_routing_keys,
    )
    try:
        for bus in (release_before, this_release):
            await bus.start()
            await bus.stop()
        publisher = _bus(rabbit_url, bus_namespace)
        await publisher.start()
        try:
            role_change = RoleChanged(
                user_id=uuid.uuid4(), old_role=Role.BOOKER, new_role=Role.OWNER
            )
            await publisher.publish(
                RoleChanged.routing_key,
                Envelope.wrap(role_change, correlation_id="x").model_dump(mode="json"),
            )
            await publisher.publish(UserDeleted.routing_key, _deletion()[1])
        finally:
            await publisher.stop()
        connection = await aio_pika.connect(rabbit_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(this_release.topology.queue(name), passive=True)
            assert queue.declaration_result.message_count == 1  # the deletion alone
    finally:
        await delete_queues(rabbit_url, _bus(rabbit_url, bus_namespace).topology.queues_of(name))


async def test_a_retired_type_queued_before_its_unbinding_is_dropped_not_dead_lettered(
    database: Database,
) -> None:
    """Queued while the release before still bound it: acknowledged with a log line, as this
    release means. A type that no release handles stays unreadable (dead-lettered)."""
    handlers = MessageHandlers()
    handlers.retire(RoleChanged)
    consumer = Consumer("consumer-retired", handlers, UnitsOfWork(database, outbox), inbox)
    role_change = RoleChanged(user_id=uuid.uuid4(), old_role=Role.BOOKER, new_role=Role.OWNER)

    await consumer(Envelope.wrap(role_change, correlation_id="x").model_dump(mode="json"))
    with pytest.raises(UnreadableMessage):
        await consumer(_deletion()[1])


@contextlib.contextmanager
def _database_refusing_connections(postgres_url: str, database_url: str) -> Any:
    """A real outage of one database: open connections cut, new ones refused."""
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


async def test_a_short_database_outage_loses_nothing_and_dead_letters_nothing(
    database: Database,
    database_url: str,
    postgres_url: str,
    rabbit_url: str,
    service: tuple[str, Attempts, ServiceStarter],
    caplog: pytest.LogCaptureFixture,
) -> None:
    name, _, running = service
    deletions = [_deletion() for _ in range(20)]

    async with running(PATIENT_RETRIES) as bus:
        with (
            caplog.at_level(logging.WARNING),
            _database_refusing_connections(postgres_url, database_url),
        ):
            for _, body in deletions:
                await bus.publish(UserDeleted.routing_key, body)
            await asyncio.sleep(OUTAGE_SECONDS)

        keys = [key for key, _ in deletions]

        async def all_applied() -> bool:
            return await _effects_applied_once(database, keys)

        await eventually(all_applied, timeout=30)
        assert await _letters(rabbit_url, bus, name) == []
    retried = [record for record in caplog.records if "retrying in" in record.getMessage()]
    assert retried, "the outage never made a handler fail: the test proved nothing"


DYING_CONSUMER = """
import asyncio, sys
from service_runtime.bus import Bus

async def main() -> None:
    url, namespace, name, max_deliveries, prefetch = sys.argv[1:]
    bus = Bus(url, namespace=namespace, max_deliveries=int(max_deliveries), prefetch=int(prefetch))

    async def hold(body: dict) -> None:  # a handler that never finishes: the process dies first
        print(body["message_id"], flush=True)
        await asyncio.Event().wait()

    bus.consume(name, ["identity.user.deleted"], hold)
    await bus.start()
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
PREFETCH = 4


async def _run_until_holding_then_kill(argv: list[str], publish: Callable[[], Any]) -> set[str]:
    """One life of a crash loop: start, take messages, die (SIGKILL) with them unacknowledged."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DYING_CONSUMER, *argv, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    held: set[str] = set()
    try:
        assert (await asyncio.wait_for(process.stdout.readline(), 60)).strip() == b"ready"
        await publish()
        while len(held) < PREFETCH:
            held.add((await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip())
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    return held


async def test_a_crash_loop_dead_letters_only_what_it_held_as_delivery_limit_and_replays(
    database: Database,
    rabbit_url: str,
    bus_namespace: str,
    service: tuple[str, Attempts, ServiceStarter],
) -> None:
    name, attempts, running = service
    deletions = [_deletion() for _ in range(3 * PREFETCH)]
    publisher = _bus(rabbit_url, bus_namespace)
    await publisher.start()

    async def publish_all() -> None:
        for _, body in deletions:
            await publisher.publish(UserDeleted.routing_key, body)

    async def nothing() -> None:
        return None

    argv = [rabbit_url, bus_namespace, name, str(MAX_DELIVERIES), str(PREFETCH)]
    held_each_life = [await _run_until_holding_then_kill(argv, publish_all)]
    for _ in range(MAX_DELIVERIES - 1):
        held_each_life.append(await _run_until_holding_then_kill(argv, nothing))
    await publisher.stop()

    # Only a message held in every life has spent all its deliveries: at most a prefetch.
    held_every_life = set.intersection(*held_each_life)
    assert 1 <= len(held_every_life) <= PREFETCH
    async with running() as bus:
        survivors = [key for key, body in deletions if body["message_id"] not in held_every_life]

        async def the_rest_applied() -> bool:
            return await _effects_applied_once(database, survivors)

        await eventually(the_rest_applied)
        letters = await _letters(rabbit_url, bus, name)
        assert {letter.message_id for letter in letters} == held_every_life
        assert {letter.reason for letter in letters} == {"delivery_limit"}
        assert {letter.attempts for letter in letters} == {0}  # no handler ever failed on them
        assert {letter.error for letter in letters} == {None}

        replayed = await replay_dead_letters(rabbit_url, bus.topology, name, limit=50)
        assert replayed == len(held_every_life)

        async def all_applied() -> bool:
            return await _effects_applied_once(database, [key for key, _ in deletions])

        await eventually(all_applied)
        assert await _letters(rabbit_url, bus, name) == []
    assert attempts.role_changes == 0


async def test_a_prepared_handler_gets_what_was_prepared_before_its_unit_of_work_opened(
    database: Database,
) -> None:
    """`prepare` (a call to another system) holds no connection; a duplicate prepares again,
    and is not handled again."""
    handlers = MessageHandlers()
    held: list[int] = []

    async def prepare(message: UserDeleted, _: Envelope) -> str:
        held.append(database.engine.sync_engine.pool.checkedout())
        return f"prepared for {message.user_id}"

    @handlers.on_prepared(UserDeleted, prepare)
    async def record(uow: UnitOfWork, message: UserDeleted, _: Envelope, prepared: str) -> None:
        await uow.session.execute(insert(effects).values(key=prepared, count=1))

    consumer = Consumer("prepared-test", handlers, UnitsOfWork(database, outbox), inbox)
    key, body = _deletion()

    await consumer(body)
    await consumer(body)

    assert held == [0, 0]
    assert await _effect_count(database, f"prepared for {key}") == 1
