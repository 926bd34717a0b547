"""RabbitMQ through FastStream: the topology, persistent publishing, one queue per service."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.rabbit import (
    Channel,
    ExchangeType,
    QueueType,
    RabbitBroker,
    RabbitExchange,
    RabbitQueue,
)
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry

from service_runtime.retries import FailureMetrics, RetryingHandler, RetryPolicy
from service_runtime.topology import Topology

__all__ = ["Bus", "Topology"]

log = logging.getLogger(__name__)


class Bus:
    """A service's connection to the bus: publishes events and commands, consumes its queue.

    The queue is a quorum queue with a delivery limit, which only a crash loop spends: a
    failed handler's message goes through the retry queues (`RetryingHandler`), and a message
    the broker delivered `max_deliveries` times to consumers that died holding it goes to the
    dead-letter queue instead of blocking the queue. A consumer holds at most `prefetch`
    unacknowledged messages, all a crash hands back.
    """

    def __init__(
        self,
        url: str,
        *,
        namespace: str,
        max_deliveries: int,
        prefetch: int = 8,
        retry_delays_seconds: Sequence[float] = (1, 5, 30, 120),
        tracer_provider: TracerProvider | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.topology = Topology(namespace)
        self.broker = RabbitBroker(
            url,
            # One channel consumes and publishes; its prefetch bounds each consumer on it.
            default_channel=Channel(prefetch_count=prefetch),
            middlewares=[RabbitTelemetryMiddleware(tracer_provider=tracer_provider)],
            log_level=logging.DEBUG,
            # Handlers take the decoded body alone, without FastDepends: it resolved a context
            # parameter (the delivery) in a worker thread for every message, a thread hop that
            # cost 1-3% of each consuming service's CPU under load (py-spy). The envelope is
            # validated by the handler itself (Consumer).
            apply_types=False,
        )
        self._exchange = RabbitExchange(
            self.topology.exchange, type=ExchangeType.TOPIC, durable=True
        )
        self._dead_letter_exchange = RabbitExchange(
            self.topology.dead_letter_exchange, type=ExchangeType.DIRECT, durable=True
        )
        self._max_deliveries = max_deliveries
        self._retry_policy = RetryPolicy(tuple(retry_delays_seconds))
        self._failure_metrics = FailureMetrics(registry)
        self._bindings: list[tuple[RabbitQueue, RabbitQueue, Sequence[str], Sequence[str]]] = []

    def consume(
        self,
        service: str,
        routing_keys: Sequence[str],
        handler: Callable[[dict[str, Any]], Awaitable[None]],
        *,
        retired_routing_keys: Sequence[str] = (),
    ) -> None:
        """Deliver the messages bound by these routing keys to the handler, via the service queue.

        Call before `start()`. An exception in the handler sends the message to a later
        attempt, and after the last one to the dead letters; `UnreadableMessage` goes there
        at once. `retired_routing_keys`: keys a release before bound, unbound at start (a
        binding outlives the release that made it).
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
        self._bindings.append((queue, dead_letter_queue, routing_keys, retired_routing_keys))
        retrying = RetryingHandler(
            self.broker, self.topology, service, self._retry_policy, handler, self._failure_metrics
        )
        # NACK_ON_ERROR only for failures to republish (the broker is away): a handler's own
        # failure is acked once its retry or dead letter is confirmed.
        self.broker.subscriber(queue, ack_policy=AckPolicy.NACK_ON_ERROR)(retrying)

    async def start(self) -> None:
        """Connect, declare exchanges, queues and bindings, then start consuming."""
        await self.broker.connect()
        exchange = await self.broker.declare_exchange(self._exchange)
        dead_letter_exchange = await self.broker.declare_exchange(self._dead_letter_exchange)
        for queue, dead_letter_queue, routing_keys, retired_routing_keys in self._bindings:
            declared_dead = await self.broker.declare_queue(dead_letter_queue)
            await declared_dead.bind(dead_letter_exchange, routing_key=queue.name)
            declared = await self.broker.declare_queue(queue)
            for routing_key in routing_keys:
                await declared.bind(exchange, routing_key=routing_key)
            for routing_key in retired_routing_keys:  # unbinding a key never bound is a no-op
                await declared.unbind(exchange, routing_key=routing_key)
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
