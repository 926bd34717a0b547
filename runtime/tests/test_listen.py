"""The LISTEN helper hands over each notify, and after its connection is killed it listens
again and says so, so its owner can catch up on what was notified meanwhile."""

from __future__ import annotations

from sqlalchemy import text

from service_runtime.db import Database
from service_runtime.listen import Listener
from tests.fixtures.infra import eventually
from tests.fixtures.listening import cut_listeners

CHANNEL = "listen_test"


async def _notify(database: Database, payload: str) -> None:
    async with database.transaction() as session:
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
        )


async def test_notifies_reach_the_callback_and_a_killed_connection_comes_back(
    database: Database, database_url: str
) -> None:
    payloads: list[str] = []
    reconnects: list[int] = []
    listener = Listener(
        "test-listener",
        database_url,
        CHANNEL,
        payloads.append,
        on_reconnect=lambda: reconnects.append(len(payloads)),
        retry_seconds=0.05,
    )
    listener.start()
    try:

        async def listening(times: int) -> bool:
            return len(reconnects) == times

        await eventually(lambda: listening(1))
        await _notify(database, "first")

        async def received(count: int) -> bool:
            return len(payloads) == count

        await eventually(lambda: received(1))

        assert await cut_listeners(database, CHANNEL) == 1
        await eventually(lambda: listening(2))
        await _notify(database, "second")
        await eventually(lambda: received(2))
    finally:
        await listener.stop()
    assert payloads == ["first", "second"]
    assert reconnects == [0, 1]
