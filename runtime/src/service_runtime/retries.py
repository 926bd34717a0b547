"""A failed delivery is acknowledged and tried again later, or dead-lettered with its reason.

A handler's failure never goes back to the broker (no nack): the message is republished to a
retry queue of the service, where it waits (per-message expiration) and is then dead-lettered
back into the service's queue, carrying its attempt count and last error. So the broker's
delivery count, and its delivery limit, only ever count deliveries to consumers that died
holding the message (a crash loop), and an operator sees which of the two it was.
"""

# No `from __future__ import annotations`: FastStream reads the handler's signature at runtime.
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from faststream.rabbit import QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from opentelemetry import trace
from prometheus_client import CollectorRegistry, Counter

from service_runtime.topology import Topology

log = logging.getLogger(__name__)

# Our own headers (the broker's start with "x-" and are never carried over).
RETRY_ATTEMPT = "retry-attempt"  # attempts made so far
LAST_ERROR = "last-error"  # "<exception class>: <message>" of the last attempt
DEAD_LETTER_REASON = "dead-letter-reason"  # handler_error | unreadable, set by us
OUR_HEADERS = frozenset({RETRY_ATTEMPT, LAST_ERROR, DEAD_LETTER_REASON})
MAX_ERROR_CHARS = 1000


class UnreadableMessage(Exception):
    """No attempt can ever apply this message (not an envelope, or no handler for its type)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long a failed message waits before each new attempt; then the dead letters."""

    delays_seconds: Sequence[float]

    @property
    def attempts(self) -> int:
        return len(self.delays_seconds) + 1

    def delay_after(self, attempt: int) -> float | None:
        """The wait after failed attempt number `attempt` (1-based); None when none are left."""
        return self.delays_seconds[attempt - 1] if attempt < self.attempts else None


class FailureMetrics:
    """Handler failures as operators count them: retries scheduled, dead letters by reason."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        registry = registry or CollectorRegistry()  # tests: a registry of their own
        self.retries = Counter(
            "bus_message_retries",
            "Failed handler attempts sent to a later retry",
            ["queue"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "bus_dead_letters",
            "Messages this consumer dead-lettered",
            ["queue", "reason"],
            registry=registry,
        )


def carried_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """The headers a republished message keeps: the publisher's, not the broker's nor ours."""
    return {
        key: value
        for key, value in headers.items()
        if not key.startswith("x-") and key not in OUR_HEADERS
    }


def retry_queue(topology: Topology, service: str, attempt: int) -> RabbitQueue:
    """Messages wait here for their own expiration, then go back to the service's queue.

    Declared when first needed, so a service that never fails never has one.
    """
    return RabbitQueue(
        topology.retry_queue(service, attempt),
        queue_type=QueueType.QUORUM,
        arguments={
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": topology.queue(service),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]


@dataclass(eq=False)  # hashable: FastStream caches handlers by identity
class RetryingHandler:
    """What the bus calls per delivery: the handler, and where its message goes when it fails."""

    broker: RabbitBroker
    topology: Topology
    service: str
    policy: RetryPolicy
    handler: Callable[[Any], Awaitable[None]]
    metrics: FailureMetrics

    async def __call__(self, body: Any) -> None:
        # The delivery from the consumption's context, not from an injected parameter: FastStream
        # resolves those in a worker thread, a thread hop per message (see `Bus`).
        message: RabbitMessage = self.broker.context.get_local("message")
        raw = message.raw_message
        headers = dict(raw.headers or {})
        attempt = int(str(headers.get(RETRY_ATTEMPT, 0))) + 1
        if raw.redelivered:
            # Only a consumer that stopped holding it makes the broker redeliver a message.
            log.warning(
                "message %s redelivered by the broker (delivery %s): a consumer stopped",
                raw.message_id,
                headers.get("x-delivery-count", "?"),
            )
        try:
            await self.handler(body)
        except UnreadableMessage as error:
            log.error("unreadable message %s dead-lettered: %s", raw.message_id, error)
            await self._dead_letter(message, "unreadable", _error_text(error), attempt)
        except Exception as error:
            span = trace.get_current_span()
            span.record_exception(error)
            delay = self.policy.delay_after(attempt)
            if delay is None:
                log.exception("message %s failed %d times, dead-lettered", raw.message_id, attempt)
                await self._dead_letter(message, "handler_error", _error_text(error), attempt)
            else:
                log.warning(
                    "attempt %d of message %s failed, retrying in %gs: %s",
                    attempt,
                    raw.message_id,
                    delay,
                    _error_text(error),
                )
                await self._retry(message, _error_text(error), attempt, delay)

    async def _retry(
        self, message: RabbitMessage, error: str, attempt: int, delay_seconds: float
    ) -> None:
        await self.broker.declare_queue(retry_queue(self.topology, self.service, attempt))
        await self._republish(
            message,
            exchange=RabbitExchange(""),
            routing_key=self.topology.retry_queue(self.service, attempt),
            headers={RETRY_ATTEMPT: attempt, LAST_ERROR: error},
            expiration=delay_seconds,
        )
        self.metrics.retries.labels(self.topology.queue(self.service)).inc()

    async def _dead_letter(
        self, message: RabbitMessage, reason: str, error: str, attempt: int
    ) -> None:
        await self._republish(
            message,
            exchange=RabbitExchange(self.topology.dead_letter_exchange),
            routing_key=self.topology.queue(self.service),
            headers={DEAD_LETTER_REASON: reason, RETRY_ATTEMPT: attempt, LAST_ERROR: error},
            expiration=None,
        )
        self.metrics.dead_letters.labels(self.topology.queue(self.service), reason).inc()

    async def _republish(
        self,
        message: RabbitMessage,
        *,
        exchange: RabbitExchange,
        routing_key: str,
        headers: dict[str, Any],
        expiration: float | None,
    ) -> None:
        """Publish a copy and wait for the broker's confirm; the original is acked after."""
        raw = message.raw_message
        await self.broker.publish(
            raw.body,
            exchange=exchange,
            routing_key=routing_key,
            persist=True,
            mandatory=False,
            headers=carried_headers(raw.headers or {}) | headers,
            expiration=expiration,
            message_id=raw.message_id,
            correlation_id=raw.correlation_id,
            message_type=raw.type,
            content_type=raw.content_type,
        )
