"""Async SQLAlchemy engine and unit of work over psycopg 3."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import ColumnElement, Engine, String, event, func, literal_column, select, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from service_runtime.telemetry import statement_span


class Database:
    """One engine per service process; `transaction()` is the unit of work."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 4,
        max_overflow: int = 0,
        pool_timeout_seconds: float = 10,
        ping_idle_seconds: float = 0.5,
        direct_url: str | None = None,
        prepared_statements: bool = True,
    ) -> None:
        """`url` may lead through a transaction pooler (PgBouncer); `direct_url` leads to the
        database itself, for the session advisory locks of `exclusive` (default: `url`)."""
        # psycopg's default: prepare a statement at its fifth run; None never prepares.
        prepare: dict[str, Any] = {} if prepared_statements else {"prepare_threshold": None}
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout_seconds,
            connect_args=prepare,
        )
        ping_when_idle(self.engine.sync_engine, ping_idle_seconds)
        # Rarely used (a periodic job's lock): no pool kept open for it.
        self._direct = (
            create_async_engine(direct_url, poolclass=NullPool, connect_args=prepare)
            if direct_url is not None and direct_url != url
            else self.engine
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one transaction: committed on success, rolled back on error.

        A Core connection, not an ORM session: the repositories run Core statements only, and a
        session's own bookkeeping cost ~10% of a short transaction's CPU (measured)."""
        async with self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection outside any transaction: each statement commits on its own. For work one
        statement does atomically (a read, a claim), it saves the BEGIN and COMMIT round trips
        of `transaction()`."""
        async with self.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def exclusive(self, lock_key: int) -> AsyncIterator[bool]:
        """Whether this process holds the advisory lock `lock_key` (one replica at a time) for the
        block; False at once when another holds it. The lock lives on a connection with no
        transaction open, so the block may call other systems without holding a transaction."""
        async with self._direct.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            if not await connection.scalar(select(func.pg_try_advisory_lock(lock_key))):
                yield False
                return
            try:
                yield True
            finally:
                await connection.scalar(select(func.pg_advisory_unlock(lock_key)))

    async def ping(self) -> bool:
        """True when the database answers."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self._direct.dispose()


async def driver_of(connection: AsyncConnection) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under a SQLAlchemy one, in the same transaction.

    For the statements every consumed and published message runs (the inbox row, the outbox
    rows): on the driver they cost a third of what SQLAlchemy's async execution does around
    them (`bench/unit_of_work.py`). They are not seen by `trace_statements`.
    """
    sync = connection.sync_connection
    if sync is not None and not (sync.invalidated or sync.closed):
        # Connected: an attribute read, where `get_raw_connection` spawns a greenlet for it
        # (~8 us, at every statement on the driver).
        pooled = sync.connection
    else:  # raises as SQLAlchemy does for a connection lost or closed
        pooled = await connection.get_raw_connection()
    return cast(psycopg.AsyncConnection[Any], pooled.driver_connection)


class DriverStatement:
    """A Core statement compiled once for psycopg and run on the connection under a SQLAlchemy
    one (`driver_of`), in its transaction; its rows are named tuples of what psycopg reads (a
    column by attribute, as on SQLAlchemy's rows).

    For the statements every saga step runs: SQLAlchemy's execution around one costs more CPU
    than its round trip, most of all around a wide row (`bench/unit_of_work.py`).
    - The parameters, and the values the statement holds, still go through their types' bind
      processors (JSON, arrays, ranges). The columns get no result processing: a JSONB column
      is what psycopg loads, an array a list, a range psycopg's `Range`.
    - A failure is raised as SQLAlchemy's (an `OperationalError` is a 503 at the API); a
      connection the server cut fails the transaction's rollback too, and the pool replaces it.
    - Traced as the engine's own statements are, when they are (`statement_span`).
    - An expanding parameter (`in_()` of a list) needs SQLAlchemy's execution: write
      `= any_(...)` with an array instead.
    """

    _DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]

    def __init__(self, statement: ClauseElement) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=self._DIALECT))
        self.sql = str(compiled)
        self._processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            if bind.expanding:
                raise ValueError(f"{name}: an expanding parameter needs SQLAlchemy's execution")
            processor = bind.type.dialect_impl(self._DIALECT).bind_processor(self._DIALECT)
            if processor is not None:
                self._processors[name] = processor
        # The values the statement holds itself (literals), processed once.
        self._literals = self._processed(
            {
                name: value
                for name, value in compiled.params.items()
                if not compiled.binds[name].required
            }
        )

    def _processed(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: value
            if value is None or name not in self._processors
            else self._processors[name](value)
            for name, value in parameters.items()
        }

    async def rows(self, connection: AsyncConnection, parameters: Mapping[str, Any]) -> list[Any]:
        values = self._literals | self._processed(parameters)
        async with self._cursor(connection, values) as cursor:
            await cursor.execute(self.sql, values)
            return await cursor.fetchall() if _returned_rows(cursor) else []

    async def many(
        self, connection: AsyncConnection, parameters: Sequence[Mapping[str, Any]]
    ) -> None:
        """The statement once for each set of parameters, in one round trip (psycopg's
        executemany)."""
        values = [self._literals | self._processed(each) for each in parameters]
        async with self._cursor(connection, values) as cursor:
            await cursor.executemany(self.sql, values)

    @asynccontextmanager
    async def _cursor(
        self, connection: AsyncConnection, values: Any
    ) -> AsyncIterator[psycopg.AsyncCursor[Any]]:
        driver = await driver_of(connection)
        try:
            with statement_span(connection.sync_engine, self.sql):
                async with driver.cursor(row_factory=namedtuple_row) as cursor:
                    yield cursor
        except psycopg.Error as error:
            raise DBAPIError.instance(
                self.sql, values, error, psycopg.Error, connection_invalidated=driver.closed
            ) from error

    async def first(self, connection: AsyncConnection, parameters: Mapping[str, Any]) -> Any | None:
        rows = await self.rows(connection, parameters)
        return rows[0] if rows else None


def _returned_rows(cursor: psycopg.AsyncCursor[Any]) -> bool:
    """What `cursor.description` tells, without the `Column` it builds for each column at
    every call (70 for a booking's row, ~1 us each)."""
    result = cursor.pgresult
    return result is not None and result.status == psycopg.pq.ExecStatus.TUPLES_OK


_IDLE_SINCE = "idle_since"


def written(value: str) -> ColumnElement[str]:
    """A string written into the statement rather than bound, for the value a partial index's
    predicate names (`status = 'pending'`). A statement psycopg prepared (the fifth run on a
    connection) may get PostgreSQL's generic plan, made for any value of its parameters: one
    that binds the value cannot use such an index, and reads the whole table instead."""
    return literal_column("'" + value.replace("'", "''") + "'", String)


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it has been idle for `idle_seconds`.

    `pool_pre_ping` pings at every checkout: a round trip, and a transaction in PostgreSQL's
    counters, for each of ours (half the commits under load, bench/booking_throughput.py). A
    connection used moments ago was alive then; if the server cut it since, its statement fails,
    SQLAlchemy invalidates the whole pool, and the caller retries (a 503, a redelivery).
    """

    @event.listens_for(engine, "checkin")
    def _idle_from_now(_: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)  # none yet: connected just now
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("pooled connection is gone") from error  # pool reconnects
