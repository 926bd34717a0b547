"""Capturing, voiding and refunding, as booking's commands ask; each command takes effect once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from contracts.payments import (
    CapturePayment,
    PaymentCaptured,
    PaymentRefunded,
    PaymentVoided,
    RefundPayment,
    RefundReason,
    VoidPayment,
    VoidReason,
)
from contracts.values import Money
from payments import db
from payments.db.unit import SqlPaymentsUnits
from payments.service.stripe_calls import StripeCalls
from tests.fixtures.infra import eventually
from tests.fixtures.stripe import StripeStandin

from ..conftest import (
    Payments,
    PaymentsFactory,
    Probe,
    answer_late,
    authorize_command,
    authorized_payment,
    request_payment,
)


def usd(amount: int) -> Money:
    return Money(amount_minor=amount, currency="USD")


async def test_full_capture(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command(amount=10_000)
    intent, _ = await authorized_payment(probe, stripe_standin, command)

    await probe.send(CapturePayment(booking_id=command.booking_id))
    [captured] = await probe.wait_for(PaymentCaptured, command.booking_id)

    assert captured.amount == usd(10_000)
    assert captured.platform_fee == usd(1_500)
    assert (await stripe_standin.api("GET", f"/payment_intents/{intent}"))["status"] == "succeeded"
    row = await payments.payment_row(command.booking_id)
    assert (row.status, row.captured_minor, row.fee_minor) == ("captured", 10_000, 1_500)


async def test_partial_capture_takes_the_fee_on_what_was_captured(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command(amount=10_000)
    intent, _ = await authorized_payment(probe, stripe_standin, command)

    capture = await probe.send(CapturePayment(booking_id=command.booking_id, amount=usd(6_003)))
    await probe.resend(capture, CapturePayment(booking_id=command.booking_id))
    [captured] = await probe.wait_for(PaymentCaptured, command.booking_id)
    await asyncio.sleep(0.5)

    assert captured.amount == usd(6_003)
    assert captured.platform_fee == usd(900)  # 15 % of 6 003 = 900.45, rounded half up
    assert len(probe.of(PaymentCaptured, command.booking_id)) == 1
    intent_now = await stripe_standin.api("GET", f"/payment_intents/{intent}")
    assert intent_now["amount_received"] == 6_003


async def test_void_releases_an_uncaptured_authorization(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command()
    intent, _ = await authorized_payment(probe, stripe_standin, command)

    await probe.send(VoidPayment(booking_id=command.booking_id, reason=VoidReason.SLOTS_LOST))
    [voided] = await probe.wait_for(PaymentVoided, command.booking_id)
    await asyncio.sleep(0.5)

    assert voided.reason is VoidReason.SLOTS_LOST
    assert len(probe.of(PaymentVoided, command.booking_id)) == 1
    assert (await stripe_standin.api("GET", f"/payment_intents/{intent}"))["status"] == "canceled"
    assert (await payments.payment_row(command.booking_id)).status == "voided"


async def test_void_before_the_card_was_confirmed_and_of_an_unknown_booking(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command()
    ready = await request_payment(probe, command)
    unknown = uuid.uuid4()

    await probe.send(VoidPayment(booking_id=command.booking_id, reason=VoidReason.HOLD_TIMED_OUT))
    await probe.send(VoidPayment(booking_id=unknown, reason=VoidReason.HOLD_TIMED_OUT))
    [voided] = await probe.wait_for(PaymentVoided, command.booking_id)
    [nothing] = await probe.wait_for(PaymentVoided, unknown)

    assert voided.payment_id == ready.payment_id
    assert nothing.payment_id is None
    intent = await stripe_standin.api(
        "GET", f"/payment_intents/{ready.client_secret.split('_secret_')[0]}"
    )
    assert intent["status"] == "canceled"


async def test_void_after_capture_refunds_in_full(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command(amount=8_000)
    intent, _ = await authorized_payment(probe, stripe_standin, command)
    await probe.send(CapturePayment(booking_id=command.booking_id))
    await probe.wait_for(PaymentCaptured, command.booking_id)

    await probe.send(VoidPayment(booking_id=command.booking_id, reason=VoidReason.CANCELLED))
    [voided] = await probe.wait_for(PaymentVoided, command.booking_id)

    assert voided.reason is VoidReason.CANCELLED
    refunds = await stripe_standin.api("GET", "/refunds", payment_intent=intent)
    assert [refund["amount"] for refund in refunds["data"]] == [8_000]
    row = await payments.payment_row(command.booking_id)
    assert (row.status, row.refunded_minor) == ("refunded", 8_000)


async def test_void_after_an_immediate_capture_announces_the_refund(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """A booking far out is captured when authorized; its void becomes a full refund, and
    booking hears of that refund, not only of the void, so its record matches Stripe's."""
    command = authorize_command(amount=12_000, session_ends_in=timedelta(days=10))
    await authorized_payment(probe, stripe_standin, command)
    [captured] = await probe.wait_for(PaymentCaptured, command.booking_id)

    # Booking voids on the cancellation and again on the authorization it hears afterwards.
    for _ in range(2):
        await probe.send(
            VoidPayment(booking_id=command.booking_id, reason=VoidReason.HOLD_TIMED_OUT)
        )
    [refunded] = await probe.wait_for(PaymentRefunded, command.booking_id)
    voided, *_ = await probe.wait_for(PaymentVoided, command.booking_id)
    await asyncio.sleep(0.5)

    assert (refunded.payment_id, voided.payment_id) == (captured.payment_id,) * 2
    assert refunded.refund_id == uuid.uuid5(command.booking_id, "void")  # as documented
    assert (refunded.amount, refunded.total_refunded) == (usd(12_000), usd(12_000))
    assert len(probe.of(PaymentRefunded, command.booking_id)) == 1
    row = await payments.payment_row(command.booking_id)
    assert (row.status, row.refunded_minor) == ("refunded", 12_000)


async def test_refunds_partial_then_full_never_beyond_what_was_captured(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command(amount=10_000)
    intent, _ = await authorized_payment(probe, stripe_standin, command)
    await probe.send(CapturePayment(booking_id=command.booking_id))
    await probe.wait_for(PaymentCaptured, command.booking_id)
    booking = command.booking_id
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    partial = RefundPayment(
        booking_id=booking,
        refund_id=first,
        amount=usd(3_000),
        reason=RefundReason.CANCELLED_BY_BOOKER,
    )
    envelope = await probe.send(partial)
    await probe.resend(envelope, partial)  # redelivered
    await probe.send(partial)  # the same refund asked for again in a new message
    [refunded] = await probe.wait_for(PaymentRefunded, booking)
    await probe.send(
        RefundPayment(
            booking_id=booking,
            refund_id=second,
            amount=usd(9_000),
            reason=RefundReason.CANCELLED_BY_OWNER,
        )
    )
    await probe.wait_for(PaymentRefunded, booking, count=2)
    await probe.send(
        RefundPayment(
            booking_id=booking,
            refund_id=third,
            amount=usd(1),
            reason=RefundReason.CANCELLED_BY_ADMIN,
        )
    )
    await asyncio.sleep(1.0)

    refunds = probe.of(PaymentRefunded, booking)
    assert [
        (r.refund_id, r.amount.amount_minor, r.total_refunded.amount_minor) for r in refunds
    ] == [
        (first, 3_000, 3_000),
        (second, 7_000, 10_000),
    ]
    assert refunded.reason is RefundReason.CANCELLED_BY_BOOKER
    at_stripe = await stripe_standin.api("GET", "/refunds", payment_intent=intent)
    assert sorted(refund["amount"] for refund in at_stripe["data"]) == [3_000, 7_000]
    rows = await payments.rows(db.refunds, db.refunds.c.booking_id == booking)
    assert {(row.refund_id, row.status) for row in rows} == {
        (first, "succeeded"),
        (second, "succeeded"),
        (third, "rejected"),
    }
    row = await payments.payment_row(booking)
    assert (row.status, row.refunded_minor) == ("refunded", 10_000)


async def test_a_slow_stripe_has_several_bookings_captures_in_flight_at_once(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """Stripe answers each capture late; the runner takes the next booking's meanwhile."""
    commands = [authorize_command() for _ in range(3)]
    async with start_payments(step_poll_seconds=3600) as payments:
        payments.ctx.calls_recorded = lambda: None  # this test runs the Stripe calls itself
        calls = StripeCalls(SqlPaymentsUnits(payments.runtime.units), payments.ctx)
        for command in commands:
            await authorized_payment(probe, stripe_standin, command)
        await answer_late(stripe_standin, "/v1/payment_intents/", 2.0)
        for command in commands:
            await probe.send(CapturePayment(booking_id=command.booking_id))

        async def captures(attempts: int) -> bool:
            pending = await payments.rows(
                db.stripe_calls,
                db.stripe_calls.c.kind == "capture",
                db.stripe_calls.c.status == "pending",
                db.stripe_calls.c.attempts == attempts,
            )
            return len(pending) == len(commands)

        async def run_calls() -> int:
            taken = await calls.run_due()
            await calls.settled()
            return taken

        await eventually(lambda: captures(attempts=0))  # recorded, none taken
        runner = asyncio.create_task(run_calls())
        await eventually(lambda: captures(attempts=1))  # all leased: at Stripe together
        assert await runner == len(commands)

        for command in commands:
            [captured] = await probe.wait_for(PaymentCaptured, command.booking_id)
            assert captured.amount == usd(10_000)
