"""Async SQLAlchemy engine and unit of work over psycopg 3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class Database:
    """One engine per service process; `transaction()` is the unit of work."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 3,
        max_overflow: int = 2,
        pool_timeout_seconds: float = 10,
    ) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout_seconds,
            pool_pre_ping=True,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def exclusive(self, lock_key: int) -> AsyncIterator[bool]:
        """Whether this process holds the advisory lock `lock_key` (one replica at a time) for the
        block; False at once when another holds it. The lock lives on a connection with no
        transaction open, so the block may call other systems without holding a transaction."""
        async with self.engine.connect() as connection:
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
