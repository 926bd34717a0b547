"""A booking's second payment, for a dearer move, against the Stripe stand-in: a PaymentIntent
of its own, captured with the first, and refunded from first when a refund spans both."""

from __future__ import annotations

import asyncio
import uuid

from contracts.payments import (
    CapturePayment,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentIntentReady,
    PaymentRefunded,
    RefundPayment,
    RefundReason,
)
from contracts.values import Money
from tests.fixtures.stripe import StripeStandin

from ..conftest import Payments, Probe, authorize_command, authorized_payment, intent_id

MOVE = uuid.UUID("00000000-0000-0000-0000-0000000000aa")


async def test_a_moves_payment_is_authorized_captured_and_refunded_beside_the_first(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    first = authorize_command(amount=10_000)
    booking = first.booking_id
    first_intent, _ = await authorized_payment(probe, stripe_standin, first)
    move = first.model_copy(
        update={
            "move_id": MOVE,
            "amount": Money(amount_minor=4_000, currency="USD"),
            "platform_fee": Money(amount_minor=600, currency="USD"),
        }
    )

    await probe.send(move)
    readies = await probe.wait_for(PaymentIntentReady, booking, count=2)
    [move_ready] = [ready for ready in readies if ready.move_id == MOVE]
    move_intent = intent_id(move_ready)
    await stripe_standin.confirm(move_intent, "pm_card_visa")
    authorized = await probe.wait_for(PaymentAuthorized, booking, count=2)

    assert move_intent != first_intent
    assert (await stripe_standin.api("GET", f"/payment_intents/{move_intent}"))["amount"] == 4_000
    assert [(a.move_id, a.amount.amount_minor) for a in authorized] == [
        (None, 10_000),
        (MOVE, 4_000),
    ]
    assert authorized[1].payment_id == move_ready.payment_id

    await probe.send(CapturePayment(booking_id=booking))
    captured = await probe.wait_for(PaymentCaptured, booking, count=2)

    assert sorted((str(c.move_id), c.amount.amount_minor) for c in captured) == sorted(
        [(str(None), 10_000), (str(MOVE), 4_000)]
    )
    for intent in (first_intent, move_intent):
        assert (await stripe_standin.api("GET", f"/payment_intents/{intent}"))[
            "status"
        ] == "succeeded"

    refund = RefundPayment(
        booking_id=booking,
        refund_id=uuid.uuid4(),
        amount=Money(amount_minor=6_000, currency="USD"),
        reason=RefundReason.CANCELLED_BY_BOOKER,
    )
    envelope = await probe.send(refund)
    refunded = await probe.wait_for(PaymentRefunded, booking, count=2)
    await probe.resend(envelope, refund)  # redelivered
    await asyncio.sleep(1.0)

    at_stripe = (await stripe_standin.api("GET", "/refunds"))["data"]  # newest first
    assert [(r["payment_intent"], r["amount"]) for r in at_stripe] == [
        (first_intent, 2_000),
        (move_intent, 4_000),
    ]
    assert {r["metadata"]["refund_id"] for r in at_stripe} == {str(refund.refund_id)}
    assert [
        (r.move_id, r.amount.amount_minor, r.total_refunded.amount_minor) for r in refunded
    ] == [
        (MOVE, 4_000, 4_000),
        (None, 2_000, 6_000),
    ]
    assert len(probe.of(PaymentRefunded, booking)) == 2
    for key in (f"{refund.refund_id}:{MOVE}:refund", f"{refund.refund_id}:refund"):
        assert (await payments.call_row(key)).status == "done"
