"""RabbitMQ through FastStream: the topology, persistent publishing, one queue per service."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from opentelemetry.trace import TracerProvider

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Topology:
    """Names of the exchanges and queues; the namespace keeps test runs apart."""

    namespace: str

    @property
    def exchange(self) -> str:
        return self.namespace

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}.dead-letter"

    def queue(self, service: str) -> str:
        return f"{self.namespace}.{service}"

    def dead_letter_queue(self, service: str) -> str:
        return f"{self.namespace}.{service}.dead-letter"


class Bus:
    """A service's connection to the bus: publishes events and commands, consumes its queue.

    The queue is a quorum queue with a delivery limit: a message nacked that many times is
    dead-lettered to the service's dead-letter queue instead of blocking the queue.
    """

    def __init__(
        self,
        url: str,
        *,
        namespace: str,
        max_deliveries: int,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.topology = Topology(namespace)
        self.broker = RabbitBroker(
            url,
            middlewares=[RabbitTelemetryMiddleware(tracer_provider=tracer_provider)],
            log_level=logging.DEBUG,
        )
        self._exchange = RabbitExchange(
            self.topology.exchange, type=ExchangeType.TOPIC, durable=True
        )
        self._dead_letter_exchange = RabbitExchange(
            self.topology.dead_letter_exchange, type=ExchangeType.DIRECT, durable=True
        )
        self._max_deliveries = max_deliveries
        self._bindings: list[tuple[RabbitQueue, RabbitQueue, Sequence[str]]] = []

    def consume(
        self,
        service: str,
        routing_keys: Sequence[str],
        handler: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        """Deliver the messages bound by these routing keys to the handler, via the service queue.

        Call before `start()`. An exception in the handler nacks the message for redelivery.
        """
        dead_letter_queue = RabbitQueue(
            self.topology.dead_letter_queue(service),
            queue_type=QueueType.QUORUM,
            routing_key=self.topology.queue(service),
        )
        queue = RabbitQueue(
            self.topology.queue(service),
            queue_type=QueueType.QUORUM,
            arguments={
                "x-dead-letter-exchange": self.topology.dead_letter_exchange,
                "x-dead-letter-routing-key": self.topology.queue(service),
                "x-delivery-limit": self._max_deliveries - 1,
            },
        )
        self._bindings.append((queue, dead_letter_queue, routing_keys))
        self.broker.subscriber(queue, ack_policy=AckPolicy.NACK_ON_ERROR)(handler)

    async def start(self) -> None:
        """Connect, declare exchanges, queues and bindings, then start consuming."""
        await self.broker.connect()
        exchange = await self.broker.declare_exchange(self._exchange)
        dead_letter_exchange = await self.broker.declare_exchange(self._dead_letter_exchange)
        for queue, dead_letter_queue, routing_keys in self._bindings:
            declared_dead = await self.broker.declare_queue(dead_letter_queue)
            await declared_dead.bind(dead_letter_exchange, routing_key=queue.name)
            declared = await self.broker.declare_queue(queue)
            for routing_key in routing_keys:
                await declared.bind(exchange, routing_key=routing_key)
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()

    async def ping(self) -> bool:
        return await self.broker.ping(timeout=2.0)

    async def publish(self, routing_key: str, envelope: dict[str, Any]) -> None:
        """Publish persistently and wait for the broker's confirm."""
        await self.broker.publish(
            envelope,
            exchange=self._exchange,
            routing_key=routing_key,
            persist=True,
            mandatory=False,
            message_id=str(envelope["message_id"]),
            correlation_id=str(envelope["correlation_id"]),
            message_type=str(envelope["message_type"]),
            content_type="application/json",
        )
