"""The pool pings a connection only after it has been idle: one cut while idle is replaced
unseen, one cut moments after use fails one statement and the pool recovers."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from service_runtime.db import Database


async def _backend_pid(database: Database) -> int:
    async with database.transaction() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _cut(database: Database, pid: int) -> None:
    """Terminate a backend from another connection, as a failover or an operator does."""
    other = Database(str(database.engine.url.render_as_string(hide_password=False)))
    try:
        async with other.transaction() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_a_connection_cut_while_idle_is_replaced_before_use(database_url: str) -> None:
    database = Database(database_url, pool_size=1, max_overflow=0, ping_idle_seconds=0.2)
    try:
        cut_pid = await _backend_pid(database)
        await _cut(database, cut_pid)
        await asyncio.sleep(0.3)  # idle past the threshold: pinged, found dead, reconnected

        assert await _backend_pid(database) != cut_pid
    finally:
        await database.dispose()


async def test_a_connection_used_moments_ago_is_trusted_and_one_statement_pays(
    database_url: str,
) -> None:
    database = Database(database_url, pool_size=1, max_overflow=0, ping_idle_seconds=60)
    try:
        cut_pid = await _backend_pid(database)
        await _cut(database, cut_pid)

        with pytest.raises(OperationalError):  # not pinged: the cut shows on the statement
            await _backend_pid(database)
        assert await _backend_pid(database) != cut_pid  # the pool replaced it
    finally:
        await database.dispose()


@pytest.mark.parametrize(("idle_seconds", "pings"), [(60, 0), (0, 5)])
async def test_only_an_idle_connection_is_pinged(
    database_url: str, monkeypatch: pytest.MonkeyPatch, idle_seconds: float, pings: int
) -> None:
    """The point of it: back-to-back transactions send only their own statements (a ping is a
    round trip, and a transaction in PostgreSQL's counters); 0 pings at every checkout."""
    database = Database(database_url, pool_size=1, max_overflow=0, ping_idle_seconds=idle_seconds)
    dialect = database.engine.dialect
    pinged: list[object] = []

    def counted_ping(dbapi_connection: object) -> bool:
        pinged.append(dbapi_connection)
        return type(dialect).do_ping(dialect, dbapi_connection)

    try:
        await _backend_pid(database)  # connected
        monkeypatch.setattr(dialect, "do_ping", counted_ping)
        for _ in range(5):
            await _backend_pid(database)
    finally:
        await database.dispose()

    assert len(pinged) == pings
