"""Booking's commands on in-memory units: the payment kept, the Stripe calls queued, and the
messages booking hears."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from contracts.payments import (
    CapturePayment,
    CaptureStrategy,
    PaymentCaptured,
    PaymentIntentReady,
    PaymentVoided,
    VoidPayment,
    VoidReason,
)
from contracts.values import Money
from payments.config import PaymentsSettings
from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.domain.stripe_calls import AuthorizeParams, CancelParams, CaptureParams
from payments.provider import ProviderUnavailable
from payments.service.context import Context

from .fake_stripe import FakeStripe, intent_ref_of
from .fakes import FakePaymentsUnits
from .service_world import NOW, authorize_command, run_calls, send, stripe_says


class SlowStripe(FakeStripe):
    """Takes `seconds` to create an intent."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def create_intent(self, **arguments: Any) -> IntentSnapshot:
        await asyncio.sleep(self.seconds)
        return await super().create_intent(**arguments)


async def test_authorize_creates_the_intent_ahead_and_offers_it_with_the_payment(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """Stripe is asked before the command's unit of work, which then keeps the payment with its
    intent and offers it to the booker: one transaction, no call queued."""
    command = authorize_command(amount_minor=12_000, fee_minor=1_800)
    commits = units.outbox.commits

    await send(units, ctx, command)

    assert units.outbox.commits == commits + 1
    [made] = stripe.made("create_intent")
    assert made["idempotency_key"] == f"{command.booking_id}:authorize"
    payment = units.tables.payments[command.booking_id]
    assert (payment.status, payment.intent_ref) == (
        PaymentStatus.PENDING,
        intent_ref_of(command.booking_id),
    )
    [ready] = units.outbox.messages(PaymentIntentReady)
    assert (ready.payment_id, ready.client_secret) == (payment.id, payment.client_secret)
    assert units.tables.calls == []
    assert await run_calls(units, ctx) == 0


async def test_an_intent_stripe_does_not_make_ahead_is_left_to_the_call_queue(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """Refused or unreachable: the payment is kept without it, and the queued call asks again
    with the same idempotency key (Stripe answers it with any intent it made meanwhile)."""
    command = authorize_command()
    stripe.fail("create_intent", ProviderUnavailable("stripe: 503"))

    await send(units, ctx, command)

    assert units.tables.payments[command.booking_id].intent_ref is None
    assert units.outbox.messages(PaymentIntentReady) == []
    assert await run_calls(units, ctx) == 1
    keys = [made["idempotency_key"] for made in stripe.made("create_intent")]
    assert keys == [f"{command.booking_id}:authorize"] * 2
    [ready] = units.outbox.messages(PaymentIntentReady)
    assert ready.client_secret == f"{intent_ref_of(command.booking_id)}_secret"


async def test_an_intent_ahead_slower_than_its_bound_is_left_to_the_call_queue(
    units: FakePaymentsUnits,
) -> None:
    settings = PaymentsSettings(stripe_api_base="http://127.0.0.1:9", authorize_ahead_seconds=0.01)
    ctx = Context(settings, SlowStripe(seconds=5))
    command = authorize_command()

    await send(units, ctx, command)

    assert units.tables.payments[command.booking_id].intent_ref is None
    [call] = units.tables.calls_of(command.booking_id)
    assert call.idempotency_key == f"{command.booking_id}:authorize"


async def test_an_intent_made_ahead_after_the_void_is_cancelled_and_never_offered(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """The void committed while Stripe was creating the intent: the intent is kept with a
    payment and cancelled, so that no one can pay it."""
    command = authorize_command()
    void = VoidPayment(booking_id=command.booking_id, reason=VoidReason.HOLD_TIMED_OUT)
    await send(units, ctx, void)

    await send(units, ctx, command)
    await run_calls(units, ctx)

    assert [made["intent_ref"] for made in stripe.made("cancel")] == [
        intent_ref_of(command.booking_id)
    ]
    payment = units.tables.payments[command.booking_id]
    assert (payment.status, payment.void_reason) == (
        PaymentStatus.VOIDED,
        VoidReason.HOLD_TIMED_OUT,
    )
    assert units.outbox.messages(PaymentIntentReady) == []


async def test_authorize_without_the_intent_ahead_keeps_a_pending_payment_and_queues_it(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=12_000, fee_minor=1_800)

    await send(units, ctx, command, ahead=False)

    payment = units.tables.payments[command.booking_id]
    assert (payment.status, payment.amount_minor, payment.quoted_fee_minor) == (
        PaymentStatus.PENDING,
        12_000,
        1_800,
    )
    assert payment.capture_strategy is CaptureStrategy.AUTHORIZE_THEN_CAPTURE
    [call] = units.tables.calls_of(command.booking_id)
    assert call.params == AuthorizeParams(description="Studio A, two hours")
    assert call.idempotency_key == f"{command.booking_id}:authorize"


async def test_a_session_beyond_the_authorization_window_is_captured_at_once(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(ends_in=timedelta(days=ctx.settings.authorization_window_days + 1))

    await send(units, ctx, command)

    payment = units.tables.payments[command.booking_id]
    assert payment.capture_strategy is CaptureStrategy.CAPTURE_IMMEDIATELY


async def test_the_same_authorize_twice_ahead_offers_the_one_payment_twice(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """A redelivery asks Stripe again with the same key, and offers the intent it already has."""
    command = authorize_command()

    await send(units, ctx, command)
    await send(units, ctx, command)

    assert list(units.tables.payments) == [command.booking_id]
    keys = {made["idempotency_key"] for made in stripe.made("create_intent")}
    assert keys == {f"{command.booking_id}:authorize"}
    secrets = {ready.client_secret for ready in units.outbox.messages(PaymentIntentReady)}
    assert secrets == {units.tables.payments[command.booking_id].client_secret}
    assert units.tables.calls == []


async def test_the_same_authorize_twice_makes_one_payment_and_one_call(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command()

    await send(units, ctx, command, ahead=False)
    await send(units, ctx, command, ahead=False)

    assert list(units.tables.payments) == [command.booking_id]
    assert len(units.tables.calls) == 1
    assert units.outbox.messages(PaymentIntentReady) == []  # no client secret yet to hand over


async def test_authorize_after_the_void_is_refused(units: FakePaymentsUnits, ctx: Context) -> None:
    command = authorize_command()
    await send(
        units, ctx, VoidPayment(booking_id=command.booking_id, reason=VoidReason.HOLD_TIMED_OUT)
    )

    await send(units, ctx, command, ahead=False)

    assert units.tables.payments == {}
    assert units.tables.calls == []
    [voided] = units.outbox.messages(PaymentVoided)
    assert (voided.booking_id, voided.payment_id, voided.reason) == (
        command.booking_id,
        None,
        VoidReason.HOLD_TIMED_OUT,
    )
    assert voided.voided_at == NOW


async def test_void_before_the_intent_call_ran_cancels_the_intent_once_it_is_created(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """The process that recorded the call took it, and may be calling Stripe already: the void
    waits for the intent and cancels it before anyone can pay."""
    command = authorize_command()
    await send(units, ctx, command, ahead=False)

    await send(units, ctx, VoidPayment(booking_id=command.booking_id, reason=VoidReason.SLOTS_LOST))

    assert units.tables.payments[command.booking_id].status is PaymentStatus.PENDING
    assert units.outbox.messages(PaymentVoided) == []
    await run_calls(units, ctx)
    assert [made["intent_ref"] for made in stripe.made("cancel")] == [
        intent_ref_of(command.booking_id)
    ]
    assert units.tables.payments[command.booking_id].status is PaymentStatus.VOIDED
    [voided] = units.outbox.messages(PaymentVoided)
    assert voided.payment_id == units.tables.payments[command.booking_id].id


async def test_void_before_an_intent_call_nobody_took_calls_it_off(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    """A call recorded and not taken (by a process of the release before, say) is called off
    in the void's transaction: no intent is ever created."""
    command = authorize_command()
    await send(units, ctx, command, ahead=False)
    ctx.taken_calls.clear()
    [recorded] = units.tables.calls_of(command.booking_id)
    recorded.attempts, recorded.run_after = 0, NOW

    await send(units, ctx, VoidPayment(booking_id=command.booking_id, reason=VoidReason.SLOTS_LOST))

    [authorize] = units.tables.calls_of(command.booking_id)
    assert authorize.status == "cancelled"
    assert units.tables.payments[command.booking_id].status is PaymentStatus.VOIDED
    [voided] = units.outbox.messages(PaymentVoided)
    assert voided.payment_id == units.tables.payments[command.booking_id].id
    assert await run_calls(units, ctx) == 0
    assert stripe.made("create_intent") == []


async def test_void_of_an_authorized_payment_queues_the_cancel(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command()
    await send(units, ctx, command)
    await stripe_says(units, ctx, command.booking_id, PaymentStatus.AUTHORIZED)

    await send(units, ctx, VoidPayment(booking_id=command.booking_id, reason=VoidReason.CANCELLED))

    cancel = units.tables.calls_of(command.booking_id)[-1]
    assert (cancel.params, cancel.idempotency_key) == (CancelParams(), f"{command.booking_id}:void")
    assert units.tables.payments[command.booking_id].void_reason is VoidReason.CANCELLED
    assert units.outbox.messages(PaymentVoided) == []  # not before Stripe cancelled it


async def test_capture_of_part_queues_that_amount(units: FakePaymentsUnits, ctx: Context) -> None:
    command = authorize_command(amount_minor=10_000)
    await send(units, ctx, command)
    await stripe_says(units, ctx, command.booking_id, PaymentStatus.AUTHORIZED)

    part = Money(amount_minor=6_000, currency="EUR")
    await send(units, ctx, CapturePayment(booking_id=command.booking_id, amount=part))

    capture = units.tables.calls_of(command.booking_id)[-1]
    assert capture.params == CaptureParams(amount_minor=6_000)
    assert capture.idempotency_key == f"{command.booking_id}:capture"


async def test_capture_twice_queues_one_capture(units: FakePaymentsUnits, ctx: Context) -> None:
    command = authorize_command()
    await send(units, ctx, command)
    await stripe_says(units, ctx, command.booking_id, PaymentStatus.AUTHORIZED)

    await send(units, ctx, CapturePayment(booking_id=command.booking_id))
    await send(units, ctx, CapturePayment(booking_id=command.booking_id))

    captures = [c for c in units.tables.calls if isinstance(c.params, CaptureParams)]
    assert [c.params.amount_minor for c in captures] == [command.amount.amount_minor]


async def test_capture_of_a_captured_payment_repeats_the_news(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    command = authorize_command(amount_minor=10_000, fee_minor=1_500)
    await send(units, ctx, command)
    await stripe_says(units, ctx, command.booking_id, PaymentStatus.CAPTURED, received_minor=10_000)

    await send(units, ctx, CapturePayment(booking_id=command.booking_id))

    first, again = units.outbox.messages(PaymentCaptured)
    assert first == again
    assert again.amount == Money(amount_minor=10_000, currency="EUR")
    assert again.platform_fee == Money(amount_minor=1_500, currency="EUR")
    assert not any(isinstance(c.params, CaptureParams) for c in units.tables.calls)


async def test_capture_without_a_payment_changes_nothing(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    await send(units, ctx, CapturePayment(booking_id=authorize_command().booking_id))

    assert (units.tables.calls, units.outbox.published) == ([], [])
