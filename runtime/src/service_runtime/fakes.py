"""In-memory units of work for fast tests of a service layer: no PostgreSQL, no RabbitMQ.

`FakeUnitsOfWork(state)` gives each unit of work a deep copy of `state` (a service's in-memory
tables) and keeps it, with the messages recorded, only when the unit's block ends without an
exception: a failed use case leaves nothing behind, as a rolled-back transaction does. A
service's fake repositories read and write `uow.state`. Units run one after another (a unit
begun inside another is refused: the outer one's commit would silently undo the inner one's).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from contracts import Envelope, Message
from service_runtime.clock import Clock, utc_now
from service_runtime.outbox import Outgoing, wrap_all

State = TypeVar("State")
M = TypeVar("M", bound=Message)


@dataclass
class FakeUnitOfWork(Generic[State]):
    """One transaction's working copy of the state, its clock reading and its outbox."""

    state: State
    now: datetime
    causation_id: uuid.UUID | None = None
    recorded: list[tuple[Message, Envelope]] = field(default_factory=list)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        [envelope] = await self.publish_all([(message, correlation_id)])
        return envelope

    async def publish_all(self, messages: Sequence[tuple[Message, str]]) -> list[Envelope]:
        return await self.publish_wrapped(self.wrap(messages))

    def wrap(self, messages: Sequence[tuple[Message, str]]) -> list[Outgoing]:
        return wrap_all(messages, causation_id=self.causation_id)

    async def publish_wrapped(self, outgoing: Sequence[Outgoing]) -> list[Envelope]:
        self.recorded.extend((each.message, each.envelope) for each in outgoing)
        return [each.envelope for each in outgoing]


class FakeUnitsOfWork(Generic[State]):
    """Starts fake units of work over `state`; `published` holds what committed units recorded."""

    def __init__(self, state: State, *, clock: Clock = utc_now) -> None:
        self.state = state
        self.clock = clock
        self.published: list[tuple[Message, Envelope]] = []
        self.commits = 0
        self._open = False

    @asynccontextmanager
    async def begin(
        self, *, causation_id: uuid.UUID | None = None
    ) -> AsyncIterator[FakeUnitOfWork[State]]:
        if self._open:
            raise RuntimeError("a fake unit of work was begun inside another")
        uow = FakeUnitOfWork(copy.deepcopy(self.state), self.clock(), causation_id)
        self._open = True
        try:
            yield uow
        finally:
            self._open = False
        self.state = uow.state
        self.published.extend(uow.recorded)
        self.commits += 1
        for callback in uow._after_commit:
            callback()

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[FakeUnitOfWork[State]]:
        """As `begin`: in memory, a read sees committed state either way."""
        async with self.begin() as uow:
            yield uow

    def messages(self, kind: type[M]) -> list[M]:
        """The messages of `kind` that committed units published, oldest first."""
        return [message for message, _ in self.published if isinstance(message, kind)]
