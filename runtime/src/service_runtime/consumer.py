"""Dispatches the messages on a service's queue to its handlers, each message once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Table

from contracts import Envelope, Message
from service_runtime.inbox import first_delivery
from service_runtime.retries import UnreadableMessage
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)
P = TypeVar("P")
Handler = Callable[..., Awaitable[None]]
"""`(uow, message, envelope)`, and what the message's `prepare` returned if it has one."""
Prepare = Callable[[Any, Envelope], Awaitable[Any]]


@dataclass
class MessageHandlers:
    """Which handler serves which message type on one service's queue."""

    by_type: dict[str, tuple[type[Message], Handler]] = field(default_factory=dict)
    preparing: dict[str, Prepare] = field(default_factory=dict)
    retired: set[type[Message]] = field(default_factory=set)

    def on(
        self, message_class: type[M]
    ) -> Callable[[Callable[[UnitOfWork, M, Envelope], Awaitable[None]]], Handler]:
        """Decorator: handle messages of this class (inside a unit of work, once per message id)."""

        def register(handler: Callable[[UnitOfWork, M, Envelope], Awaitable[None]]) -> Handler:
            self.by_type[message_class.message_type] = (message_class, handler)
            self.preparing.pop(message_class.message_type, None)
            return handler

        return register

    def on_prepared(
        self, message_class: type[M], prepare: Callable[[M, Envelope], Awaitable[P]]
    ) -> Callable[
        [Callable[[UnitOfWork, M, Envelope, P], Awaitable[None]]],
        Callable[[UnitOfWork, M, Envelope, P], Awaitable[None]],
    ]:
        """Decorator: as `on`, with `prepare` run first, before the unit of work opens, and its
        result handed to the handler: for a call to another system, which must not hold a
        transaction open. It runs on every delivery, a duplicate's included, so it must be
        safe to repeat (an idempotent request)."""

        def register(
            handler: Callable[[UnitOfWork, M, Envelope, P], Awaitable[None]],
        ) -> Callable[[UnitOfWork, M, Envelope, P], Awaitable[None]]:
            self.by_type[message_class.message_type] = (message_class, handler)
            self.preparing[message_class.message_type] = prepare
            return handler

        return register

    def retire(self, message_class: type[Message]) -> None:
        """No longer consume this class: its routing key is unbound from the queue at start,
        where a release before bound it (a message with no handler is dead-lettered). One
        queued before that is acknowledged and dropped: this release means not to handle it."""
        self.retired.add(message_class)

    def is_retired(self, message_type: str) -> bool:
        return message_type not in self.by_type and any(
            retired.message_type == message_type for retired in self.retired
        )

    @property
    def routing_keys(self) -> list[str]:
        return sorted({message_class.routing_key for message_class, _ in self.by_type.values()})

    @property
    def retired_routing_keys(self) -> list[str]:
        return sorted(
            {retired.routing_key for retired in self.retired}.difference(self.routing_keys)
        )


@dataclass(eq=False)  # hashable: FastStream caches handlers by identity
class Consumer:
    """The callable the bus invokes per delivery: parse, dedup via the inbox, handle, commit."""

    name: str
    handlers: MessageHandlers
    units: UnitsOfWork
    inbox: Table

    async def __call__(self, body: dict[str, Any]) -> None:
        try:
            envelope = Envelope.model_validate(body)
            if self.handlers.is_retired(envelope.message_type):
                log.info("retired %s %s dropped", envelope.message_type, envelope.message_id)
                return
            message_class, handler = self.handlers.by_type[envelope.message_type]
            message = envelope.open(message_class)
        except (ValidationError, KeyError) as error:
            # Redelivery cannot fix a malformed message: straight to the dead letters.
            raise UnreadableMessage(str(error)) from error
        prepare = self.handlers.preparing.get(envelope.message_type)
        prepared = () if prepare is None else (await prepare(message, envelope),)
        async with self.units.begin(causation_id=envelope.message_id) as uow:
            if not await first_delivery(
                uow.session,
                self.inbox,
                message_id=envelope.message_id,
                message_type=envelope.message_type,
                consumer=self.name,
            ):
                log.info("duplicate %s %s skipped", envelope.message_type, envelope.message_id)
                return
            await handler(uow, message, envelope, *prepared)
