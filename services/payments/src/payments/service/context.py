"""What every trigger of payments' service layer shares: its context, the clock, and how
messages and Stripe calls are recorded in a unit of work (and a call marked done)."""

from __future__ import annotations

import math
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from opentelemetry.trace import NoOpTracerProvider, TracerProvider

from contracts import Message
from payments.config import PaymentsSettings
from payments.domain.stripe_calls import StripeCallParams
from payments.provider import PaymentProvider, ProviderEvent
from payments.repositories import PaymentsUnit, PaymentsUnits
from service_runtime.tracing import current_traceparent


@dataclass
class Context:
    """What the service layer needs besides a unit of work: settings, Stripe, and the wake-ups
    of the background workers (set once they run)."""

    settings: PaymentsSettings
    gateway: PaymentProvider
    calls_recorded: Callable[[], None] = lambda: None
    """Wakes the Stripe call runner once a transaction that recorded calls has committed."""
    payouts_scheduled: Callable[[], None] = lambda: None
    """Wakes the payout scheduler once a transaction that scheduled a payout has committed."""
    events_received: Callable[[ProviderEvent], None] = lambda event: None
    """Hands an event this process stored to the Stripe event processor (`fresh_events`) and
    wakes it, once the event's insert has committed."""
    fresh_events: deque[ProviderEvent] = field(default_factory=lambda: deque(maxlen=1000))
    """Events stored by this process, not yet taken by its processor; what a burst pushes out
    the poll takes from the database."""
    events_polled_at: float = -math.inf
    """When the processor last looked for stored events in the database (monotonic)."""
    event_failed: Callable[[str], None] = lambda event_type: None
    """Counts a Stripe event given up on (by its type) on /metrics, once the service runs."""
    tracer_provider: TracerProvider = field(default_factory=NoOpTracerProvider)
    """The service's own, once it runs: webhook work is traced into the booking's trace."""


async def publish_all(
    uow: PaymentsUnit, messages: Sequence[Message], booking_id: uuid.UUID
) -> None:
    for message in messages:
        await uow.publish(message, correlation_id=str(booking_id))


async def record_call(
    uow: PaymentsUnit,
    ctx: Context,
    booking_id: uuid.UUID,
    params: StripeCallParams,
    idempotency_key: str,
) -> None:
    """A Stripe call to make once this transaction commits (once per idempotency key)."""
    recorded = await uow.stripe_calls.add(
        booking_id=booking_id,
        idempotency_key=idempotency_key,
        params=params,
        traceparent=current_traceparent(),
    )
    if recorded:
        uow.after_commit(ctx.calls_recorded)


async def call_done(units: PaymentsUnits, call_id: int) -> None:
    """A queued Stripe call with nothing (more) to ask Stripe: marked done in a unit of its own."""
    async with units.begin() as uow:
        await uow.stripe_calls.finish(call_id)
