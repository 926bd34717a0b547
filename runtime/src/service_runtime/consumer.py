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
Handler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]


@dataclass
class MessageHandlers:
    """Which handler serves which message type on one service's queue."""

    by_type: dict[str, tuple[type[Message], Handler]] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)

    def on(
        self, message_class: type[M]
    ) -> Callable[[Callable[[UnitOfWork, M, Envelope], Awaitable[None]]], Handler]:
        """Decorator: handle messages of this class (inside a unit of work, once per message id)."""

        def register(handler: Callable[[UnitOfWork, M, Envelope], Awaitable[None]]) -> Handler:
            self.by_type[message_class.message_type] = (message_class, handler)
            return handler

        return register

    def retire(self, message_class: type[Message]) -> None:
        """No longer consume this class: its routing key is unbound from the queue at start,
        where a release before bound it (a message with no handler is dead-lettered)."""
        self.retired.add(message_class.routing_key)

    @property
    def routing_keys(self) -> list[str]:
        return sorted({message_class.routing_key for message_class, _ in self.by_type.values()})

    @property
    def retired_routing_keys(self) -> list[str]:
        return sorted(self.retired.difference(self.routing_keys))


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
            message_class, handler = self.handlers.by_type[envelope.message_type]
            message = envelope.open(message_class)
        except (ValidationError, KeyError) as error:
            # Redelivery cannot fix a malformed message: straight to the dead letters.
            raise UnreadableMessage(str(error)) from error
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
            await handler(uow, message, envelope)
