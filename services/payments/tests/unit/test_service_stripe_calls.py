"""The runner of queued Stripe calls on in-memory units and a fake Stripe: each call is made
with its queued parameters and idempotency key, its outcome recorded and announced to booking."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.payments import (
    CapturePayment,
    PaymentCaptured,
    PaymentIntentReady,
    PaymentRefunded,
    PaymentVoided,
    PayoutPaid,
    RefundReason,
    SchedulePayout,
    VoidPayment,
    VoidReason,
)
from contracts.values import Money
from payments.domain.disputes import Dispute
from payments.domain.payment_states import IntentSnapshot, PaymentStatus
from payments.domain.payouts import PayoutStatus
from payments.provider import ProviderRejected
from payments.repositories import OwnerAccount
from payments.service.context import Context
from payments.service.payouts import schedule_due_payouts

from .fake_stripe import FakeStripe, intent_ref_of
from .fakes import FakePaymentsUnits
from .service_world import (
    NOW,
    OWNER,
    StoppedClock,
    authorize_command,
    authorized_by_stripe,
    captured_by_stripe,
    refund_command,
    run_calls,
    send,
)


async def test_an_authorization_creates_the_intent_with_its_key_and_offers_it_to_the_booker(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    command = authorize_command(amount_minor=12_000, fee_minor=1_800)
    await send(units, ctx, command, ahead=False)

    assert await run_calls(units, ctx) == 1

    assert stripe.made("create_intent") == [
        {
            "booking_id": command.booking_id,
            "amount_minor": 12_000,
            "currency": "EUR",
            "description": "Studio A, two hours",
            "idempotency_key": f"{command.booking_id}:authorize",
        }
    ]
    [ready] = units.outbox.messages(PaymentIntentReady)
    assert (ready.booking_id, ready.amount.amount_minor) == (command.booking_id, 12_000)
    assert ready.client_secret == f"{intent_ref_of(command.booking_id)}_secret"
    [call] = units.tables.calls_of(command.booking_id)
    assert (call.status, call.attempts) == ("done", 1)


async def test_a_capture_is_made_for_the_asked_amount_and_announced_with_the_fee(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    command = await authorized_by_stripe(units, ctx)
    part = Money(amount_minor=6_000, currency="EUR")

    await send(units, ctx, CapturePayment(booking_id=command.booking_id, amount=part))
    await run_calls(units, ctx)

    assert stripe.made("capture") == [
        {
            "intent_ref": intent_ref_of(command.booking_id),
            "amount_minor": 6_000,
            "idempotency_key": f"{command.booking_id}:capture",
        }
    ]
    [captured] = units.outbox.messages(PaymentCaptured)
    assert (captured.booking_id, captured.amount.amount_minor) == (command.booking_id, 6_000)
    assert (captured.platform_fee.amount_minor, captured.captured_at) == (900, NOW)
    assert units.tables.payments[command.booking_id].status is PaymentStatus.CAPTURED


async def test_a_refused_capture_applies_what_stripe_says_the_intent_became(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    command = await authorized_by_stripe(units, ctx)
    intent_ref = intent_ref_of(command.booking_id)
    stripe.fail("capture", ProviderRejected("already captured", code="intent_unexpected_state"))
    stripe.intents[intent_ref] = IntentSnapshot(
        intent_ref, PaymentStatus.CAPTURED, amount_received_minor=10_000, charge_ref="ch_1"
    )

    await send(units, ctx, CapturePayment(booking_id=command.booking_id))
    await run_calls(units, ctx)

    [captured] = units.outbox.messages(PaymentCaptured)
    assert captured.amount.amount_minor == 10_000
    [capture] = units.tables.calls_of(command.booking_id)
    assert capture.status == "done"


async def test_a_void_cancels_the_intent_and_is_announced_with_its_reason(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    command = await authorized_by_stripe(units, ctx)

    await send(units, ctx, VoidPayment(booking_id=command.booking_id, reason=VoidReason.CANCELLED))
    await run_calls(units, ctx)

    assert stripe.made("cancel") == [
        {
            "intent_ref": intent_ref_of(command.booking_id),
            "idempotency_key": f"{command.booking_id}:void",
        }
    ]
    [voided] = units.outbox.messages(PaymentVoided)
    assert (voided.booking_id, voided.reason, voided.voided_at) == (
        command.booking_id,
        VoidReason.CANCELLED,
        NOW,
    )
    assert units.tables.payments[command.booking_id].status is PaymentStatus.VOIDED


async def test_a_refund_is_made_once_and_announced_with_the_total_refunded(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    command = await captured_by_stripe(units, ctx)
    refund = refund_command(command.booking_id, 4_000)

    await send(units, ctx, refund)
    await run_calls(units, ctx)
    await send(units, ctx, refund)
    await run_calls(units, ctx)

    assert stripe.made("refund") == [
        {
            "intent_ref": intent_ref_of(command.booking_id),
            "amount_minor": 4_000,
            "refund_id": refund.refund_id,
            "idempotency_key": f"{refund.refund_id}:refund",
        }
    ]
    [refunded] = units.outbox.messages(PaymentRefunded)
    assert (refunded.refund_id, refunded.amount.amount_minor) == (refund.refund_id, 4_000)
    assert (refunded.total_refunded.amount_minor, refunded.reason) == (
        4_000,
        RefundReason.CANCELLED_BY_BOOKER,
    )
    assert units.tables.refunds[refund.refund_id].status == "succeeded"
    assert units.tables.payments[command.booking_id].refunded_minor == 4_000


async def test_a_refund_stripe_refuses_is_recorded_rejected_and_not_announced(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe
) -> None:
    command = await captured_by_stripe(units, ctx)
    refund = refund_command(command.booking_id, 4_000)
    stripe.fail("refund", ProviderRejected("charge disputed", code="charge_disputed"))

    await send(units, ctx, refund)
    await run_calls(units, ctx)

    assert units.outbox.messages(PaymentRefunded) == []
    assert units.tables.refunds[refund.refund_id].status == "rejected"
    assert units.tables.calls[-1].status == "failed"


async def paid_out(units: FakePaymentsUnits, ctx: Context, clock: StoppedClock) -> SchedulePayout:
    command = await captured_by_stripe(units, ctx)
    units.tables.owner_accounts[OWNER] = OwnerAccount(OWNER, "acct_1", True, None)
    schedule = SchedulePayout(booking_id=command.booking_id, owner_id=OWNER, not_before=NOW)
    await send(units, ctx, schedule)
    clock.now = NOW + timedelta(days=2, hours=ctx.settings.dispute_window_hours + 1)
    await schedule_due_payouts(units, ctx)
    return schedule


async def test_a_payout_transfers_the_owners_share_to_their_account_and_is_announced(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    schedule = await paid_out(units, ctx, clock)

    await run_calls(units, ctx)

    assert stripe.made("transfer") == [
        {
            "booking_id": schedule.booking_id,
            "amount_minor": 8_500,
            "currency": "EUR",
            "destination": "acct_1",
            "source_charge": f"ch_{intent_ref_of(schedule.booking_id)}",
            "idempotency_key": f"{schedule.booking_id}:payout",
        }
    ]
    [paid] = units.outbox.messages(PayoutPaid)
    assert (paid.booking_id, paid.owner_id, paid.amount.amount_minor) == (
        schedule.booking_id,
        OWNER,
        8_500,
    )
    assert (paid.transfer_id, paid.paid_at) == (f"tr_{schedule.booking_id.hex[:12]}", clock.now)
    assert units.tables.payouts[schedule.booking_id].status is PayoutStatus.PAID


async def test_a_dispute_opened_before_the_transfer_ran_holds_the_payout_instead(
    units: FakePaymentsUnits, ctx: Context, stripe: FakeStripe, clock: StoppedClock
) -> None:
    schedule = await paid_out(units, ctx, clock)
    payment = units.tables.payments[schedule.booking_id]
    dispute = Dispute(uuid.uuid4(), "dp_1", schedule.booking_id, payment.id, 10_000, "EUR", "fraud")
    units.tables.disputes[dispute.id] = dispute

    await run_calls(units, ctx)

    assert stripe.made("transfer") == []
    assert units.outbox.messages(PayoutPaid) == []
    assert units.tables.payouts[schedule.booking_id].status is PayoutStatus.SCHEDULED
    assert units.tables.payout_holds[schedule.booking_id] == "disputed"
    assert units.tables.calls[-1].status == "cancelled"
