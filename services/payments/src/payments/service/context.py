"""What every trigger of payments' service layer shares: its context, the clock, and how
messages and Stripe calls are recorded in a unit of work (and a call marked done)."""

from __future__ import annotations

import math
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from opentelemetry.trace import NoOpTracerProvider, TracerProvider

from contracts import Message
from payments.config import PaymentsSettings
from payments.domain.payment_states import Payment
from payments.domain.stripe_calls import StripeCall, StripeCallParams
from payments.provider import PaymentProvider, ProviderEvent
from payments.repositories import PaymentsUnit, PaymentsUnits
from payments.service.authorization_reads import AuthorizationReads
from payments.stripe_queue_repositories import ClaimedCall
from service_runtime.tracing import current_traceparent


@dataclass
class Context:
    """What the service layer needs besides a unit of work: settings, Stripe, and the wake-ups
    of the background workers (set once they run)."""

    settings: PaymentsSettings
    gateway: PaymentProvider
    calls_recorded: Callable[[], None] = lambda: None
    """Wakes the Stripe call runner once a transaction that recorded calls has committed."""
    taken_calls: deque[ClaimedCall] = field(default_factory=lambda: deque(maxlen=1000))
    """Calls this process took as it recorded them, committed, for its runner to run without
    claiming them; what a burst pushes out is claimed once its lease runs out."""
    calls_to_claim: bool = False
    """Whether a call was recorded and not taken since the runner last claimed."""
    calls_claimed_at: float = -math.inf
    """When the runner last looked for due calls in the database (monotonic)."""
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
    authorizations: AuthorizationReads = field(default_factory=AuthorizationReads)
    """The authorizations' deadlines this process knows or is reading at Stripe: a webhook and
    the booker's page do not both read one."""


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
    *,
    run_here_on: Payment | None = None,
) -> None:
    """A Stripe call to make once this transaction commits (once per idempotency key).

    `run_here_on`: the payment the call is about, as this transaction saves it. The call is
    then taken as it is recorded (leased) and this process's runner makes it right after
    commit, deciding on that payment, without the statement that would claim it; unless an
    earlier call of the booking is pending, which goes first."""
    traceparent = current_traceparent()
    lease = ctx.settings.step_lease_seconds if run_here_on is not None else None
    recorded = await uow.stripe_calls.add(
        booking_id=booking_id,
        idempotency_key=idempotency_key,
        params=params,
        traceparent=traceparent,
        lease_seconds=lease,
    )
    if recorded is None:
        return
    if recorded.attempts:  # taken
        call = StripeCall(
            recorded.id, booking_id, params, idempotency_key, recorded.attempts, traceparent
        )
        uow.after_commit(partial(_taken, ctx, ClaimedCall(call, run_here_on, more_due=False)))
    else:
        uow.after_commit(partial(_to_claim, ctx))


def _taken(ctx: Context, taken: ClaimedCall) -> None:
    ctx.taken_calls.append(taken)
    ctx.calls_recorded()


def _to_claim(ctx: Context) -> None:
    ctx.calls_to_claim = True
    ctx.calls_recorded()


async def call_done(units: PaymentsUnits, call_id: int) -> None:
    """A queued Stripe call with nothing (more) to ask Stripe: marked done in a unit of its own."""
    async with units.begin() as uow:
        await uow.stripe_calls.finish(call_id)
