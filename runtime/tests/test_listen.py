"""The LISTEN helper hands over each notify, and after its connection is killed it listens
again and says so, so its owner can catch up on what was notified meanwhile. Listening with
nothing to hear, it leaves its process asleep."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
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


async def test_an_idle_listener_does_not_poll_its_socket(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg wakes a waiting connection every 0.1 s unless told otherwise, to look at a socket
    it is already watching: ten wakes a second of every service, forever."""
    reconnects: list[int] = []
    listener = Listener(
        "idle-listener",
        database_url,
        CHANNEL,
        on_reconnect=lambda: reconnects.append(1),
        retry_seconds=0.05,
    )
    listener.start()
    watched: Counter[int] = Counter()
    try:

        async def listening() -> bool:
            return bool(reconnects)

        await eventually(listening)
        loop = asyncio.get_running_loop()
        add_reader = loop.add_reader

        def counting(fd: int, callback: Callable[..., Any], *args: Any) -> None:
            watched[fd] += 1
            add_reader(fd, callback, *args)

        monkeypatch.setattr(loop, "add_reader", counting)
        await asyncio.sleep(0.55)  # five of psycopg's wakes
        monkeypatch.undo()
    finally:
        await listener.stop()
    # The wait that was starting as LISTEN came back may add the socket once; a poll re-adds it.
    assert max(watched.values(), default=0) <= 1, watched
