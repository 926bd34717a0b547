"""Consumers apply a message once, and a message that keeps failing ends in the dead letters."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts import Envelope
from contracts.identity import Role, RoleChanged, UserDeleted
from service_runtime.bus import Bus
from service_runtime.consumer import Consumer, MessageHandlers
from service_runtime.db import Database
from service_runtime.dead_letters import list_dead_letters, replay_dead_letters
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork
from tests.fixtures.infra import delete_queues, eventually

from .conftest import effects, inbox, outbox

MAX_DELIVERIES = 3


class Attempts:
    role_changes = 0


@pytest.fixture
async def consuming_service(
    database: Database, rabbit_url: str, bus_namespace: str
) -> AsyncIterator[tuple[Bus, str, Attempts]]:
    """A service whose handler counts UserDeleted effects and always fails on RoleChanged."""
    handlers = MessageHandlers()
    attempts = Attempts()

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

    name = f"consumer-{uuid.uuid4().hex[:8]}"
    bus = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=MAX_DELIVERIES)
    consumer = Consumer(name, handlers, UnitsOfWork(database, outbox), inbox)
    bus.consume(name, handlers.routing_keys, consumer)
    await bus.start()
    yield bus, name, attempts
    await bus.stop()
    await delete_queues(
        rabbit_url, [bus.topology.queue(name), bus.topology.dead_letter_queue(name)]
    )


async def _effect_count(database: Database, key: str) -> int | None:
    async with database.transaction() as session:
        count = await session.scalar(select(effects.c.count).where(effects.c.key == key))
    return int(count) if count is not None else None


async def test_same_message_delivered_twice_has_one_effect(
    database: Database, consuming_service: tuple[Bus, str, Attempts]
) -> None:
    bus, _, _ = consuming_service
    user_id = uuid.uuid4()
    envelope = Envelope.wrap(UserDeleted(user_id=user_id), correlation_id=str(user_id))
    body: dict[str, Any] = envelope.model_dump(mode="json")
    other_id = uuid.uuid4()
    later = Envelope.wrap(UserDeleted(user_id=other_id), correlation_id=str(other_id))

    await bus.publish(UserDeleted.routing_key, body)
    await bus.publish(UserDeleted.routing_key, body)  # redelivery, as after a relay crash
    await bus.publish(UserDeleted.routing_key, later.model_dump(mode="json"))

    async def later_applied() -> bool:
        return await _effect_count(database, str(other_id)) == 1

    await eventually(later_applied)
    assert await _effect_count(database, str(user_id)) == 1


async def test_failing_message_is_dead_lettered_and_the_queue_keeps_flowing(
    database: Database,
    rabbit_url: str,
    consuming_service: tuple[Bus, str, Attempts],
) -> None:
    bus, name, attempts = consuming_service
    user_id = uuid.uuid4()
    poison = Envelope.wrap(
        RoleChanged(user_id=user_id, old_role=Role.BOOKER, new_role=Role.OWNER),
        correlation_id=str(user_id),
    )
    await bus.publish(RoleChanged.routing_key, poison.model_dump(mode="json"))
    healthy = Envelope.wrap(UserDeleted(user_id=user_id), correlation_id=str(user_id))
    await bus.publish(UserDeleted.routing_key, healthy.model_dump(mode="json"))

    async def healthy_applied() -> bool:
        return await _effect_count(database, str(user_id)) == 1

    await eventually(healthy_applied)

    async def dead_lettered() -> bool:
        letters = await list_dead_letters(rabbit_url, bus.topology, name, limit=10)
        return [letter.message_id for letter in letters] == [str(poison.message_id)]

    await eventually(dead_lettered)
    assert attempts.role_changes == MAX_DELIVERIES
    letters = await list_dead_letters(rabbit_url, bus.topology, name, limit=10)
    assert letters[0].message_type == RoleChanged.message_type
    assert letters[0].body["payload"]["new_role"] == "owner"

    assert await replay_dead_letters(rabbit_url, bus.topology, name, limit=10) == 1

    async def retried_and_dead_again() -> bool:
        letters = await list_dead_letters(rabbit_url, bus.topology, name, limit=10)
        return attempts.role_changes == 2 * MAX_DELIVERIES and len(letters) == 1

    await eventually(retried_and_dead_again)


async def test_unreadable_message_goes_straight_to_dead_letters(
    rabbit_url: str, consuming_service: tuple[Bus, str, Attempts]
) -> None:
    bus, name, _ = consuming_service
    await bus.publish(
        UserDeleted.routing_key,
        {"message_id": str(uuid.uuid4()), "correlation_id": "x", "message_type": "nonsense"},
    )

    async def dead_lettered() -> bool:
        letters = await list_dead_letters(rabbit_url, bus.topology, name, limit=10)
        return len(letters) == 1 and letters[0].reason == "rejected"

    await eventually(dead_lettered)
