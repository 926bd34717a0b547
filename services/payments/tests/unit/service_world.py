"""What payments' fast service tests share: a stopped clock, booking's commands as booking
sends them, Stripe's news about a payment as the event processor applies it, and the runner of
queued Stripe calls (against the fake Stripe of `fake_stripe.py`)."""

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
from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.provider import ProviderEvent
from payments.service import booking_commands, stripe_events
from payments.service.context import Context
from payments.service.stripe_calls import StripeCalls

from .fake_stripe import intent_ref_of
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


async def send(
    units: FakePaymentsUnits, ctx: Context, command: Message, *, ahead: bool = True
) -> None:
    """Deliver one of booking's commands, in its own unit of work, as the handlers do: an
    authorization with its PaymentIntent asked of Stripe ahead, unless not `ahead` (as when
    Stripe did not answer in time: the call queue makes the intent)."""
    intent = None
    if isinstance(command, AuthorizePayment) and ahead:
        intent = await booking_commands.intent_ahead(ctx, command)
    async with units.begin() as uow:
        match command:
            case AuthorizePayment():
                await booking_commands.authorize(uow, ctx, command, intent)
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
    move_id: uuid.UUID | None = None,
) -> None:
    """A webhook about the PaymentIntent of the booking's payment (of that move, if named),
    stored and then processed."""
    intent = IntentSnapshot(
        intent_ref=intent_ref_of(move_id or booking_id),
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
    """As Stripe's webhook delivers it, then what a failure there leaves processed."""
    await stripe_events.receive_webhook_event(units, ctx, event)
    await stripe_events.process_stored_events(units, ctx)


async def card_authorized(
    units: FakePaymentsUnits,
    ctx: Context,
    booking_id: uuid.UUID,
    move_id: uuid.UUID | None = None,
) -> None:
    """Stripe reports the booker's card authorized (for that move's payment, if named)."""
    await stripe_says(
        units,
        ctx,
        booking_id,
        PaymentStatus.AUTHORIZED,
        event_type="payment_intent.amount_capturable_updated",
        move_id=move_id,
    )


async def captured(units: FakePaymentsUnits, ctx: Context, command: AuthorizePayment) -> None:
    """The booking's payment authorized and captured in full."""
    await send(units, ctx, command)
    await card_authorized(units, ctx, command.booking_id)
    await stripe_says(
        units,
        ctx,
        command.booking_id,
        PaymentStatus.CAPTURED,
        received_minor=command.amount.amount_minor,
    )


async def run_calls(units: FakePaymentsUnits, ctx: Context) -> int:
    """Run the queued calls that are due until none is left; how many runs were made."""
    runner, runs = StripeCalls(units, ctx), 0
    while taken := await runner.run_due():
        await runner.settled()
        runs += taken
    return runs


async def authorized_by_stripe(units: FakePaymentsUnits, ctx: Context) -> AuthorizePayment:
    """A booking's payment of 10 000 (fee 1 500), its intent created by the runner, then
    authorized by the booker's card."""
    command = authorize_command(amount_minor=10_000, fee_minor=1_500)
    await send(units, ctx, command)
    await run_calls(units, ctx)
    await card_authorized(units, ctx, command.booking_id)
    return command


async def captured_by_stripe(units: FakePaymentsUnits, ctx: Context) -> AuthorizePayment:
    """As above, then captured in full by the runner (charge `ch_1`)."""
    command = await authorized_by_stripe(units, ctx)
    await send(units, ctx, CapturePayment(booking_id=command.booking_id))
    await run_calls(units, ctx)
    return command
