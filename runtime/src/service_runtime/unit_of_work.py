"""A unit of work: one transaction, and the messages recorded in it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope, Message
from service_runtime import outbox
from service_runtime.db import Database


@dataclass
class UnitOfWork:
    """The session of the current transaction, and an outbox that commits with it."""

    session: AsyncSession
    outbox: Table
    causation_id: uuid.UUID | None = None

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        """Record a message to be published once this transaction commits."""
        return await outbox.record(
            self.session,
            self.outbox,
            message,
            correlation_id=correlation_id,
            causation_id=self.causation_id,
        )


@dataclass
class UnitsOfWork:
    """Starts units of work on a service's database and outbox."""

    database: Database
    outbox: Table

    @asynccontextmanager
    async def begin(self, *, causation_id: uuid.UUID | None = None) -> AsyncIterator[UnitOfWork]:
        async with self.database.transaction() as session:
            yield UnitOfWork(session, self.outbox, causation_id)
