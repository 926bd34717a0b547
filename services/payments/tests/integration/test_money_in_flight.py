"""A refund or void asked for while a Stripe call is in flight takes effect after it, even when
Stripe is slow or the replica that made the call is killed: the money at Stripe ends where
payments says it is."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from contracts.payments import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentIntentReady,
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
    intent_id,
    request_payment,
)

FAR = timedelta(days=10)  # beyond the authorization window: captured as soon as authorized


def full_refund(booking_id: uuid.UUID, amount: int = 10_000) -> RefundPayment:
    return RefundPayment(
        booking_id=booking_id,
        refund_id=uuid.uuid4(),
        amount=Money(amount_minor=amount, currency="USD"),
        reason=RefundReason.CANCELLED_BY_BOOKER,
    )


async def refunds_at_stripe(standin: StripeStandin, intent: str) -> list[int]:
    refunds = await standin.api("GET", "/refunds", payment_intent=intent)
    return sorted(refund["amount"] for refund in refunds["data"])


async def capture_under_way(payments: Payments, probe: Probe, standin: StripeStandin) -> str:
    """A booking far ahead, authorized, its capture sent to Stripe, whose answer and webhook
    are late; its PaymentIntent id."""
    command = authorize_command(session_ends_in=FAR)
    intent = intent_id(await request_payment(probe, command))
    await answer_late(standin, f"/v1/payment_intents/{intent}/capture", 3.0)
    await standin.confirm(intent, "pm_card_visa")
    await standin.pause_webhooks()  # the authorization's event is out; the capture's is lost
    await probe.wait_for(PaymentAuthorized, command.booking_id)
    await payments.call_taken(f"{command.booking_id}:capture")
    return intent


async def refund_handled(payments: Payments, refund: RefundPayment) -> None:
    async def recorded() -> bool:
        return bool(await payments.rows(db.refunds, db.refunds.c.refund_id == refund.refund_id))

    await eventually(recorded)


async def test_refund_asked_while_a_slow_capture_is_under_way_is_made_after_it(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    async with start_payments(reconcile_interval_seconds=3600) as payments:
        intent = await capture_under_way(payments, probe, stripe_standin)
        [authorized] = probe.of(PaymentAuthorized)
        refund = full_refund(authorized.booking_id)

        await probe.send(refund)
        await refund_handled(payments, refund)
        [refunded] = await probe.wait_for(PaymentRefunded, refund.booking_id, timeout=15)

        assert probe.of(PaymentCaptured, refund.booking_id) != []
        assert refunded.total_refunded.amount_minor == 10_000
        assert await refunds_at_stripe(stripe_standin, intent) == [10_000]
        row = await payments.payment_row(refund.booking_id)
        assert (row.status, row.captured_minor, row.refunded_minor) == ("refunded", 10_000, 10_000)


async def test_refund_while_the_capture_is_leased_by_a_killed_replica_is_made_after_it(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    async with start_payments(step_lease_seconds=1.0, reconcile_interval_seconds=3600) as first:
        intent = await capture_under_way(first, probe, stripe_standin)
        [authorized] = probe.of(PaymentAuthorized)
        refund = full_refund(authorized.booking_id)
        await probe.send(refund)
        await refund_handled(first, refund)
    # Killed with the capture sent: Stripe captured, the answer and the webhook never arrived.
    async with start_payments() as second:
        await probe.wait_for(PaymentRefunded, refund.booking_id, timeout=20)

        assert await refunds_at_stripe(stripe_standin, intent) == [10_000]
        row = await second.payment_row(refund.booking_id)
        assert (row.status, row.refunded_minor) == ("refunded", 10_000)


async def test_void_before_the_capture_was_sent_cancels_instead_of_capturing(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command(session_ends_in=FAR)
    async with start_payments(step_poll_seconds=3600) as payments:
        payments.ctx.calls_recorded = lambda: None  # this test runs the Stripe calls itself
        calls = StripeCalls(SqlPaymentsUnits(payments.runtime.units), payments.ctx)
        await probe.send(command)

        async def calls_run() -> bool:
            await calls.run_due()
            await calls.settled()
            return probe.of(PaymentIntentReady, command.booking_id) != []

        await eventually(calls_run)
        intent = intent_id(probe.of(PaymentIntentReady, command.booking_id)[0])
        await stripe_standin.confirm(intent, "pm_card_visa")
        await probe.wait_for(PaymentAuthorized, command.booking_id)
        await probe.send(VoidPayment(booking_id=command.booking_id, reason=VoidReason.CANCELLED))

        async def void_recorded() -> bool:
            return (await payments.payment_row(command.booking_id)).void_reason is not None

        await eventually(void_recorded)
        while await calls.run_due():
            await calls.settled()
        [voided] = await probe.wait_for(PaymentVoided, command.booking_id)

        at_stripe = await stripe_standin.api("GET", f"/payment_intents/{intent}")
        assert voided.reason is VoidReason.CANCELLED
        assert (at_stripe["status"], at_stripe["amount_received"]) == ("canceled", 0)
        assert probe.of(PaymentCaptured, command.booking_id) == []
        assert (await payments.payment_row(command.booking_id)).status == "voided"


async def test_void_while_stripe_creates_the_intent_is_answered_once_it_is_cancelled(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """Stripe answers too late for the intent made ahead of the command's transaction: the
    queued call makes it, and a void that comes meanwhile waits for it."""
    command = authorize_command()
    await answer_late(stripe_standin, "/v1/payment_intents", 1.5)
    async with start_payments(authorize_ahead_seconds=0.2) as payments:
        await probe.send(command)
        await payments.call_taken(f"{command.booking_id}:authorize")

        void = VoidPayment(booking_id=command.booking_id, reason=VoidReason.HOLD_TIMED_OUT)
        await probe.send(void)
        await probe.wait_for(PaymentVoided, command.booking_id, timeout=15)
        row = await payments.payment_row(command.booking_id)

    assert row.intent_ref is not None  # not "voided" before Stripe's PaymentIntent was known
    intent = await stripe_standin.api("GET", f"/payment_intents/{row.intent_ref}")
    assert intent["status"] == "canceled"
    assert row.status == "voided"
    assert probe.of(PaymentIntentReady, command.booking_id) == []


async def test_void_while_the_intent_is_made_ahead_cancels_it_once_made(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    """The void commits while the authorization waits for Stripe, before its transaction:
    that transaction finds the void, keeps the intent with a payment and cancels it."""
    command = authorize_command()
    await answer_late(stripe_standin, "/v1/payment_intents", 1.0)
    await probe.send(command)
    await asyncio.sleep(0.3)

    await probe.send(VoidPayment(booking_id=command.booking_id, reason=VoidReason.CANCELLED))
    await probe.wait_for(PaymentVoided, command.booking_id)

    async def cancelled() -> bool:
        row = await payments.payment_row(command.booking_id)
        return row is not None and row.status == "voided"

    await eventually(cancelled, timeout=15)
    row = await payments.payment_row(command.booking_id)
    intent = await stripe_standin.api("GET", f"/payment_intents/{row.intent_ref}")
    assert intent["status"] == "canceled"
    assert probe.of(PaymentIntentReady, command.booking_id) == []


async def test_void_after_the_creating_replica_was_killed_cancels_the_orphan_intent(
    start_payments: PaymentsFactory, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command()
    await answer_late(stripe_standin, "/v1/payment_intents", 2.0)
    async with start_payments(step_lease_seconds=1.0, authorize_ahead_seconds=0.2) as first:
        await probe.send(command)
        await first.call_taken(f"{command.booking_id}:authorize")
    # Killed with the creation sent: Stripe made the PaymentIntent, nobody heard of it.
    async with start_payments() as second:
        await probe.send(VoidPayment(booking_id=command.booking_id, reason=VoidReason.CANCELLED))
        await probe.wait_for(PaymentVoided, command.booking_id, timeout=20)
        await asyncio.sleep(0.5)

        row = await second.payment_row(command.booking_id)
        assert (row.status, row.intent_ref is not None) == ("voided", True)
        intent = await stripe_standin.api("GET", f"/payment_intents/{row.intent_ref}")
        assert intent["status"] == "canceled"
        assert probe.of(PaymentIntentReady, command.booking_id) == []
        assert len(probe.of(PaymentVoided, command.booking_id)) == 1
        calls = await second.rows(
            db.stripe_calls, db.stripe_calls.c.booking_id == command.booking_id
        )
        assert {(call.kind, call.status) for call in calls} == {
            ("authorize", "done"),
            ("cancel", "done"),
        }
