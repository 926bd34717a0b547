"""What payments' fast service tests share: a stopped clock, booking's commands as booking
sends them, and Stripe's news about a payment as the event processor applies it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts import Message
from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    RefundPayment,
    RefundReason,
    SchedulePayout,
    VoidPayment,
)
from contracts.values import Money
from payments.domain.payments import IntentSnapshot, PaymentStatus
from payments.provider import ProviderEvent
from payments.service import booking_commands, stripe_events
from payments.service.context import Context

from .fakes import FakePaymentsUnits

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
OWNER = uuid.UUID("00000000-0000-0000-0000-00000000000a")


@dataclass
class StoppedClock:
    """Time as a test sets it: it moves only when told to."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def authorize_command(
    *, amount_minor: int = 10_000, fee_minor: int = 1_500, ends_in: timedelta = timedelta(days=2)
) -> AuthorizePayment:
    return AuthorizePayment(
        booking_id=uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=OWNER,
        studio_id=uuid.uuid4(),
        amount=Money(amount_minor=amount_minor, currency="EUR"),
        platform_fee=Money(amount_minor=fee_minor, currency="EUR"),
        session_starts_at=NOW + ends_in - timedelta(hours=2),
        session_ends_at=NOW + ends_in,
        description="Studio A, two hours",
    )


def refund_command(
    booking_id: uuid.UUID, amount_minor: int, refund_id: uuid.UUID | None = None
) -> RefundPayment:
    return RefundPayment(
        booking_id=booking_id,
        refund_id=refund_id or uuid.uuid4(),
        amount=Money(amount_minor=amount_minor, currency="EUR"),
        reason=RefundReason.CANCELLED_BY_BOOKER,
    )


async def send(units: FakePaymentsUnits, ctx: Context, command: Message) -> None:
    """Deliver one of booking's commands, in its own unit of work, as the handlers do."""
    async with units.begin() as uow:
        match command:
            case AuthorizePayment():
                await booking_commands.authorize(uow, ctx, command)
            case CapturePayment():
                await booking_commands.capture(uow, ctx, command)
            case VoidPayment():
                await booking_commands.void(uow, ctx, command)
            case RefundPayment():
                await booking_commands.refund(uow, ctx, command)
            case SchedulePayout():
                await booking_commands.schedule_payout(uow, ctx, command)


async def stripe_says(
    units: FakePaymentsUnits,
    ctx: Context,
    booking_id: uuid.UUID,
    status: PaymentStatus,
    *,
    received_minor: int = 0,
    event_type: str = "payment_intent.succeeded",
) -> None:
    """A webhook about the booking's PaymentIntent, stored and then processed."""
    intent = IntentSnapshot(
        intent_ref=f"pi_{booking_id.hex[:12]}",
        status=status,
        amount_received_minor=received_minor,
        capture_before=NOW + timedelta(days=7),
        booking_id=booking_id,
    )
    await deliver(
        units,
        ctx,
        ProviderEvent(id=f"evt_{uuid.uuid4().hex}", type=event_type, created=NOW, intent=intent),
    )


async def deliver(units: FakePaymentsUnits, ctx: Context, event: ProviderEvent) -> None:
    await stripe_events.receive_event(units, ctx, event, source="webhook")
    await stripe_events.process_stored_events(units, ctx)


async def captured(units: FakePaymentsUnits, ctx: Context, command: AuthorizePayment) -> None:
    """The booking's payment authorized and captured in full."""
    await send(units, ctx, command)
    await stripe_says(
        units,
        ctx,
        command.booking_id,
        PaymentStatus.AUTHORIZED,
        event_type="payment_intent.amount_capturable_updated",
    )
    await stripe_says(
        units,
        ctx,
        command.booking_id,
        PaymentStatus.CAPTURED,
        received_minor=command.amount.amount_minor,
    )
