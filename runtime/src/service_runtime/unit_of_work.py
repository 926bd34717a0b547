"""A unit of work: one transaction, and the messages recorded in it; and the base of each
service's unit, which puts its repositories on that transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts import Envelope, Message
from service_runtime import outbox
from service_runtime.clock import Clock, utc_now
from service_runtime.db import Database
from service_runtime.outbox import Outgoing, Recorded


@dataclass
class UnitOfWork:
    """The session of the current transaction, and an outbox that commits with it.

    `now` is the time the unit of work began: the one clock reading its use case decides with.
    """

    session: AsyncConnection
    outbox: Table
    causation_id: uuid.UUID | None = None
    now: datetime = field(default_factory=utc_now)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    _after_rollback: list[Callable[[], None]] = field(default_factory=list)
    recorded: list[Recorded] = field(default_factory=list)
    """What this transaction recorded in the outbox, for the relay once it commits."""
    records: bool = True  # False outside a transaction (`one_statement`): nothing to commit with

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` once this transaction has committed, never if it rolls back: to wake
        a worker for what the transaction recorded, not for work that must not be lost."""
        self._after_commit.append(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Call `callback` if this transaction does not commit (an error in it, or in its
        COMMIT): to take back what was announced for a commit that did not come."""
        self._after_rollback.append(callback)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        """Record a message to be published once this transaction commits."""
        [envelope] = await self.publish_all([(message, correlation_id)])
        return envelope

    async def publish_all(self, messages: Sequence[tuple[Message, str]]) -> list[Envelope]:
        """Record many (message, correlation id) pairs at once, as `publish` does each."""
        return await self.publish_wrapped(self.wrap(messages))

    def wrap(self, messages: Sequence[tuple[Message, str]]) -> list[Outgoing]:
        """The envelopes `publish_all` would record, made now and recorded by
        `publish_wrapped`: for a statement that names the messages before they are recorded."""
        return outbox.wrap_all(messages, causation_id=self.causation_id)

    async def publish_wrapped(self, outgoing: Sequence[Outgoing]) -> list[Envelope]:
        """Record messages `wrap` put in their envelopes, in one round trip."""
        if not self.records:
            raise RuntimeError("a unit of one statement has no transaction to record messages in")
        recorded = await outbox.record_outgoing(self.session, self.outbox, outgoing)
        self.recorded.extend(recorded)
        return [row.envelope for row in recorded]


@dataclass
class UnitsOfWork:
    """Starts units of work on a service's database and outbox; `relay` is handed what each
    transaction recorded once it has committed (`OutboxRelay.send`)."""

    database: Database
    outbox: Table
    clock: Clock = utc_now
    relay: Callable[[Sequence[Recorded]], None] | None = None

    @asynccontextmanager
    async def begin(self, *, causation_id: uuid.UUID | None = None) -> AsyncIterator[UnitOfWork]:
        uow: UnitOfWork | None = None
        try:
            async with self.database.transaction() as session:
                uow = UnitOfWork(session, self.outbox, causation_id, self.clock())
                yield uow
        except BaseException:
            for callback in uow._after_rollback if uow else ():
                callback()
            raise
        if uow.recorded and self.relay is not None:
            self.relay(uow.recorded)
        for callback in uow._after_commit:
            callback()

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[UnitOfWork]:
        """A unit outside any transaction, for work one statement does atomically
        (`Database.one_statement`); it records no messages."""
        async with self.database.one_statement() as session:
            uow = UnitOfWork(session, self.outbox, now=self.clock(), records=False)
            yield uow
        for callback in uow._after_commit:  # every statement has committed by now
            callback()


class RepositoryUnit:
    """The base of a service's unit on PostgreSQL: one transaction's clock reading and outbox.
    A service's subclass puts its repositories on the transaction's session, so its use cases
    see repositories and never the session."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.now = uow.now

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)

    def wrap(self, messages: Sequence[tuple[Message, str]]) -> list[Outgoing]:
        return self._uow.wrap(messages)

    async def publish_wrapped(self, outgoing: Sequence[Outgoing]) -> list[Envelope]:
        return await self._uow.publish_wrapped(outgoing)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._uow.after_commit(callback)


U = TypeVar("U", bound=RepositoryUnit)


class RepositoryUnits(Generic[U]):
    """Starts a service's units: each one a unit of work of `units` with the service's
    repositories on it (`unit`, which the service's subclass names)."""

    def __init__(self, units: UnitsOfWork) -> None:
        self.units = units

    @property
    def clock(self) -> Clock:
        return self.units.clock

    def unit(self, uow: UnitOfWork) -> U:
        raise NotImplementedError

    @asynccontextmanager
    async def begin(self, *, causation_id: uuid.UUID | None = None) -> AsyncIterator[U]:
        async with self.units.begin(causation_id=causation_id) as uow:
            yield self.unit(uow)

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[U]:
        """A unit outside any transaction, for work one statement does atomically
        (`Database.one_statement`); it records no messages."""
        async with self.units.one_statement() as uow:
            yield self.unit(uow)
