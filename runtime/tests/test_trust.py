"""Trust follows changes at once: a demoted or deleted user's old token is refused on the next
request, fed by identity's events in whatever order they arrive."""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import event

from contracts import Envelope
from contracts.identity import Role, RoleChanged, UserDeleted
from service_runtime.consumer import Consumer, MessageHandlers
from service_runtime.db import Database
from service_runtime.listen import Listener
from service_runtime.trust import UserAccess, follow_access_changes
from service_runtime.unit_of_work import UnitsOfWork

from .conftest import inbox, outbox, user_access
from .signing import Keys, bearer, guarded_app

ADMIN_ID = uuid.uuid4()


@pytest.fixture
async def client(keys: Keys, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with guarded_app(keys, UserAccess(database, user_access)) as client:
        yield client


@pytest.fixture
def consumer(database: Database) -> Consumer:
    """The service's consumer with only the runtime's handlers of identity's events."""
    handlers = follow_access_changes(MessageHandlers(), user_access)
    return Consumer("trust-test", handlers, UnitsOfWork(database, outbox), inbox)


async def deliver(consumer: Consumer, event: RoleChanged | UserDeleted) -> None:
    await consumer(Envelope.wrap(event).model_dump(mode="json"))


async def until(condition: Callable[[], object], seconds: float = 5) -> None:
    """Wait until `condition()` (or its awaited result) holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        held = condition()
        if inspect.isawaitable(held):
            held = await held
        if held:
            return
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.02)


def token(keys: Keys, role: str, *, issued: datetime, subject: object = ADMIN_ID) -> str:
    return keys.token("key-1", sub=str(subject), role=role, iat=int(issued.timestamp()))


def demoted(at: datetime, to: Role = Role.BOOKER, **fields: object) -> RoleChanged:
    return RoleChanged(user_id=ADMIN_ID, old_role=Role.ADMIN, new_role=to, changed_at=at, **fields)


async def test_demoted_admins_old_token_is_refused_on_the_next_request(
    client: httpx.AsyncClient, keys: Keys, consumer: Consumer
) -> None:
    now = datetime.now(UTC)
    old_admin_token = token(keys, "admin", issued=now - timedelta(minutes=1))
    assert (await client.get("/admin", headers=bearer(old_admin_token))).status_code == 200

    await deliver(consumer, demoted(now))
    refused = await client.get("/admin", headers=bearer(old_admin_token))
    anywhere = await client.get("/me", headers=bearer(old_admin_token))
    on_public_route = await client.get("/public", headers=bearer(old_admin_token))
    fresh = await client.get("/me", headers=bearer(token(keys, "booker", issued=now)))
    fresh_as_admin = await client.get("/admin", headers=bearer(token(keys, "booker", issued=now)))

    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert "role changed" in refused.json()["detail"]
    assert anywhere.status_code == 401
    assert on_public_route.status_code == 401
    assert fresh.status_code == 200
    assert fresh_as_admin.status_code == 403


async def test_token_issued_before_the_change_is_refused_even_with_the_current_role(
    client: httpx.AsyncClient, keys: Keys, consumer: Consumer
) -> None:
    """Demoted and promoted again: the admin token from before both changes stays refused."""
    now = datetime.now(UTC)
    before = token(keys, "admin", issued=now - timedelta(minutes=5))
    await deliver(consumer, demoted(now - timedelta(minutes=2)))
    await deliver(
        consumer,
        RoleChanged(user_id=ADMIN_ID, old_role=Role.BOOKER, new_role=Role.ADMIN, changed_at=now),
    )

    response = await client.get("/admin", headers=bearer(before))

    assert response.status_code == 401
    assert "issued before" in response.json()["detail"]
    assert (
        await client.get("/admin", headers=bearer(token(keys, "admin", issued=now)))
    ).status_code == 200


async def test_deleted_users_tokens_are_refused_whatever_they_carry(
    client: httpx.AsyncClient, keys: Keys, consumer: Consumer
) -> None:
    now = datetime.now(UTC)
    await deliver(consumer, UserDeleted(user_id=ADMIN_ID, deleted_at=now - timedelta(minutes=1)))

    response = await client.get("/me", headers=bearer(token(keys, "booker", issued=now)))

    assert response.status_code == 401
    assert "deleted" in response.json()["detail"]


async def test_events_out_of_order_leave_the_newest_role_and_deletion_sticks(
    client: httpx.AsyncClient, keys: Keys, consumer: Consumer
) -> None:
    now = datetime.now(UTC)
    await deliver(consumer, demoted(now - timedelta(seconds=10), to=Role.OWNER))
    await deliver(consumer, demoted(now - timedelta(seconds=20), to=Role.BOOKER))  # older, late
    owner = await client.get("/me", headers=bearer(token(keys, "owner", issued=now)))
    booker = await client.get("/me", headers=bearer(token(keys, "booker", issued=now)))
    await deliver(consumer, UserDeleted(user_id=ADMIN_ID, deleted_at=now - timedelta(seconds=5)))
    await deliver(consumer, demoted(now, to=Role.OWNER))  # a change after the deletion
    after_deletion = await client.get("/me", headers=bearer(token(keys, "owner", issued=now)))

    assert owner.status_code == 200
    assert booker.status_code == 401
    assert after_deletion.status_code == 401


async def test_clerk_tokens_of_a_changed_user_are_refused_too(
    database: Database, keys: Keys, consumer: Consumer
) -> None:
    now = datetime.now(UTC)
    clerk_token = keys.token(
        "key-1", sub="user_2clerk", uid=str(ADMIN_ID), role="admin", iat=int(now.timestamp()) - 60
    )
    await deliver(consumer, demoted(now, clerk_user_id="user_2clerk"))

    access = UserAccess(database, user_access)
    async with guarded_app(keys, access, user_id_claim="uid") as client:
        response = await client.get("/admin", headers=bearer(clerk_token))

    assert response.status_code == 401


async def test_users_who_never_changed_and_anonymous_callers_pass(
    client: httpx.AsyncClient, keys: Keys, consumer: Consumer
) -> None:
    await deliver(consumer, demoted(datetime.now(UTC)))
    other = keys.token("key-1", sub=str(uuid.uuid4()), role="admin", iat=int(time.time()) - 60)

    assert (await client.get("/admin", headers=bearer(other))).status_code == 200
    assert (await client.get("/public")).json() == {"user_id": None}


async def test_a_listening_process_reads_each_user_once_and_forgets_them_when_they_change(
    database: Database, keys: Keys, consumer: Consumer
) -> None:
    """Another replica records the change (here: the consumer's own transaction); the NOTIFY it
    commits makes this process drop its copy, so the old token is refused from then on."""
    statements: list[str] = []
    event.listen(
        database.engine.sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_: statements.append(statement),
    )
    listener = Listener("test-listen", database.engine.url, retry_seconds=0.1)
    access = UserAccess(database, user_access, listener)
    listener.start()
    now = datetime.now(UTC)
    old_admin_token = token(keys, "admin", issued=now - timedelta(minutes=1))
    try:
        await until(lambda: listener.listening)
        async with guarded_app(keys, access) as client:
            for _ in range(3):
                assert (
                    await client.get("/admin", headers=bearer(old_admin_token))
                ).status_code == 200
            reads = sum("user_access_changes" in statement for statement in statements)

            await deliver(consumer, demoted(now))

            async def refused() -> bool:
                answer = await client.get("/admin", headers=bearer(old_admin_token))
                return answer.status_code == 401

            await until(refused)
    finally:
        await listener.stop()

    assert reads == 1
