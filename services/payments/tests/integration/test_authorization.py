"""Authorizing a booking's payment: the card confirmed at Stripe becomes PaymentAuthorized."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts.payments import (
    CaptureStrategy,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentFailureReason,
)
from payments import db
from tests.fixtures.stripe import StripeStandin

from ..conftest import Payments, Probe, authorize_command, intent_id, request_payment


async def test_confirmed_card_authorizes_the_payment(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command(amount=12_345)

    ready = await request_payment(probe, command)
    await stripe_standin.confirm(intent_id(ready), "pm_card_visa")
    [authorized] = await probe.wait_for(PaymentAuthorized, command.booking_id)

    assert ready.capture_strategy is CaptureStrategy.AUTHORIZE_THEN_CAPTURE
    assert ready.amount == command.amount
    assert authorized.payment_id == ready.payment_id
    assert authorized.amount.amount_minor == 12_345
    assert authorized.authorization_expires_at is not None
    lives = authorized.authorization_expires_at - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < lives <= timedelta(days=7)
    intent = await stripe_standin.api("GET", f"/payment_intents/{intent_id(ready)}")
    assert intent["capture_method"] == "manual"
    assert intent["metadata"] == {"booking_id": str(command.booking_id)}
    assert intent["transfer_group"] == str(command.booking_id)
    row = await payments.payment_row(command.booking_id)
    assert row.status == "authorized"


async def test_the_intent_is_made_ahead_and_offered_with_the_payment_in_one_transaction(
    payments: Payments, probe: Probe
) -> None:
    """Stripe is asked before the command's transaction, which keeps the payment with its
    intent and offers it: no call is queued for a runner to make after commit."""
    command = authorize_command()

    ready = await request_payment(probe, command)

    row = await payments.payment_row(command.booking_id)
    assert (row.id, row.intent_ref, row.status) == (ready.payment_id, intent_id(ready), "pending")
    booking_calls = db.stripe_calls.c.booking_id == command.booking_id
    assert await payments.rows(db.stripe_calls, booking_calls) == []


async def test_declined_card_fails_retryably_then_another_card_authorizes(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command()
    ready = await request_payment(probe, command)

    declined = await stripe_standin.confirm(intent_id(ready), "pm_card_chargeDeclined")
    [failed] = await probe.wait_for(PaymentFailed, command.booking_id)
    await stripe_standin.confirm(intent_id(ready), "pm_card_visa")
    [authorized] = await probe.wait_for(PaymentAuthorized, command.booking_id)

    assert declined["error"]["code"] == "card_declined"
    assert failed.retryable is True
    assert failed.reason is PaymentFailureReason.CARD_DECLINED
    assert failed.decline_code == "generic_decline"
    assert failed.payment_id == ready.payment_id
    assert authorized.payment_id == ready.payment_id


async def test_session_beyond_the_authorization_window_is_captured_at_once(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    far = authorize_command(session_ends_in=timedelta(days=10))
    near = authorize_command(session_ends_in=timedelta(days=1))

    far_ready = await request_payment(probe, far)
    near_ready = await request_payment(probe, near)
    await stripe_standin.confirm(intent_id(far_ready), "pm_card_visa")
    await stripe_standin.confirm(intent_id(near_ready), "pm_card_visa")
    [captured] = await probe.wait_for(PaymentCaptured, far.booking_id)
    await probe.wait_for(PaymentAuthorized, near.booking_id)

    assert far_ready.capture_strategy is CaptureStrategy.CAPTURE_IMMEDIATELY
    assert near_ready.capture_strategy is CaptureStrategy.AUTHORIZE_THEN_CAPTURE
    assert len(probe.of(PaymentAuthorized, far.booking_id)) == 1
    assert (captured.amount.amount_minor, captured.platform_fee.amount_minor) == (10_000, 1_500)
    assert probe.of(PaymentCaptured, near.booking_id) == []
    far_intent = await stripe_standin.api("GET", f"/payment_intents/{intent_id(far_ready)}")
    near_intent = await stripe_standin.api("GET", f"/payment_intents/{intent_id(near_ready)}")
    assert (far_intent["status"], near_intent["status"]) == ("succeeded", "requires_capture")


async def test_lapsed_authorization_fails_the_payment_for_good(
    payments: Payments, probe: Probe, stripe_standin: StripeStandin
) -> None:
    command = authorize_command()
    ready = await request_payment(probe, command)
    await stripe_standin.confirm(intent_id(ready), "pm_card_visa")
    await probe.wait_for(PaymentAuthorized, command.booking_id)

    await stripe_standin.expire_authorization(intent_id(ready))
    [failed] = await probe.wait_for(PaymentFailed, command.booking_id)

    assert failed.retryable is False
    assert failed.decline_code == "authorization_expired"
    assert (await payments.payment_row(command.booking_id)).status == "expired"
