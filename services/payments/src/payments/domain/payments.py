"""The decisions about one payment: what each command or piece of Stripe's news does to it.

A booking has one payment, plus one for each move to a dearer time (`Payment.move_id`); each is
decided on alone here (`domain/booking_payments.py` spreads a booking's capture and refunds
over them). Every observation goes through `observe`, which moves a payment only as
`payment_states.can_move` allows, so the same facts in any order give one outcome.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from contracts import Message
from contracts.payments import (
    AuthorizePayment,
    CaptureStrategy,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentFailureReason,
    PaymentIntentReady,
    PaymentVoided,
    VoidReason,
)
from payments.domain.money import platform_fee
from payments.domain.payment_states import (
    CardFailure,
    IntentSnapshot,
    Outcome,
    Payment,
    PaymentStatus,
    can_move,
)


def capture_strategy_for(
    session_ends_at: datetime, now: datetime, authorization_window: timedelta
) -> CaptureStrategy:
    """Authorize now and capture after the session, unless the session ends after the
    authorization could lapse: then capture at once and hold the owner's payout instead."""
    if session_ends_at > now + authorization_window:
        return CaptureStrategy.CAPTURE_IMMEDIATELY
    return CaptureStrategy.AUTHORIZE_THEN_CAPTURE


def new_payment(command: AuthorizePayment, *, now: datetime, window: timedelta) -> Payment:
    """The payment a booking asks for, before Stripe has heard of it."""
    return Payment(
        id=uuid.uuid4(),
        booking_id=command.booking_id,
        booker_id=command.booker_id,
        owner_id=command.owner_id,
        currency=command.amount.currency,
        amount_minor=command.amount.amount_minor,
        quoted_fee_minor=command.platform_fee.amount_minor,
        capture_strategy=capture_strategy_for(command.session_ends_at, now, window),
        session_ends_at=command.session_ends_at,
        move_id=command.move_id,
    )


def intent_ready(payment: Payment) -> PaymentIntentReady:
    """What the booker's client needs to confirm the card."""
    assert payment.client_secret is not None
    return PaymentIntentReady(
        booking_id=payment.booking_id,
        move_id=payment.move_id,
        payment_id=payment.id,
        client_secret=payment.client_secret,
        amount=payment.money(payment.amount_minor),
        capture_strategy=payment.capture_strategy,
    )


def intent_created(payment: Payment, snapshot: IntentSnapshot) -> Outcome:
    """Stripe created the PaymentIntent: hand the client secret to the booker (once more on
    a repeated request, which is harmless); a payment already over, or asked to be voided
    while Stripe was creating it, is not offered to the booker."""
    updated = replace(
        payment,
        intent_ref=payment.intent_ref or snapshot.intent_ref,
        client_secret=payment.client_secret or snapshot.client_secret,
    )
    if updated.status is not PaymentStatus.PENDING or updated.void_reason is not None:
        return Outcome(updated)
    return Outcome(updated, [intent_ready(updated)])


def needs_cancel(payment: Payment) -> bool:
    """Booking asked for a void and the PaymentIntent at Stripe may still take or hold money."""
    return (
        payment.void_reason is not None
        and payment.intent_ref is not None
        and payment.status in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)
    )


def creation_failed(payment: Payment, reason: PaymentFailureReason, now: datetime) -> Outcome:
    """Stripe refused to create the PaymentIntent at all: booking must give up on it (or,
    if it asked for a void meanwhile, hears that there is nothing left to void)."""
    if payment.status is not PaymentStatus.PENDING or payment.intent_ref is not None:
        return Outcome(payment)
    if payment.void_reason is not None:
        voided = replace(payment, status=PaymentStatus.VOIDED)
        return Outcome(voided, [voided_message(voided, now)])
    failed = replace(payment, status=PaymentStatus.FAILED)
    return Outcome(
        failed,
        [
            PaymentFailed(
                booking_id=payment.booking_id,
                move_id=payment.move_id,
                payment_id=payment.id,
                reason=reason,
                retryable=False,
                failed_at=now,
            )
        ],
    )


def card_failed(payment: Payment, failure: CardFailure, now: datetime) -> Outcome:
    """The booker's card was declined: they may try another one on the same payment."""
    if payment.status is not PaymentStatus.PENDING:
        return Outcome(payment)  # a stale failure: another card already went through
    return Outcome(
        payment,
        [
            PaymentFailed(
                booking_id=payment.booking_id,
                move_id=payment.move_id,
                payment_id=payment.id,
                reason=failure.reason,
                decline_code=failure.decline_code,
                retryable=True,
                failed_at=now,
            )
        ],
    )


def observe(payment: Payment, snapshot: IntentSnapshot, now: datetime) -> Outcome:
    """Apply what the provider says about the payment; stale or repeated news changes nothing."""
    target = snapshot.status
    if target is payment.status or not can_move(payment.status, target):
        return Outcome(_fill_in(payment, snapshot))
    payment = replace(
        payment,
        intent_ref=payment.intent_ref or snapshot.intent_ref,
        charge_ref=snapshot.charge_ref or payment.charge_ref,
    )
    if target is PaymentStatus.AUTHORIZED:
        return _authorized(payment, snapshot, now)
    if target is PaymentStatus.CAPTURED:
        return _captured(payment, snapshot, now)
    if target is PaymentStatus.VOIDED:
        return Outcome(replace(payment, status=target), [voided_message(payment, now)])
    if target is PaymentStatus.EXPIRED:
        return _expired(payment, now)
    return Outcome(payment)


def _fill_in(payment: Payment, snapshot: IntentSnapshot) -> Payment:
    if payment.status is PaymentStatus.AUTHORIZED and payment.authorization_expires_at is None:
        return replace(payment, authorization_expires_at=snapshot.capture_before)
    return payment


def _authorized(payment: Payment, snapshot: IntentSnapshot, now: datetime) -> Outcome:
    authorized = replace(
        payment,
        status=PaymentStatus.AUTHORIZED,
        authorized_at=now,
        authorization_expires_at=snapshot.capture_before,
    )
    capture_now = payment.capture_strategy is CaptureStrategy.CAPTURE_IMMEDIATELY
    return Outcome(
        authorized,
        [_authorized_message(authorized, snapshot.capture_before)],
        capture_now=capture_now and payment.void_reason is None,
    )


def _authorized_message(payment: Payment, expires_at: datetime | None) -> PaymentAuthorized:
    assert payment.authorized_at is not None
    return PaymentAuthorized(
        booking_id=payment.booking_id,
        move_id=payment.move_id,
        payment_id=payment.id,
        amount=payment.money(payment.amount_minor),
        capture_strategy=payment.capture_strategy,
        authorized_at=payment.authorized_at,
        authorization_expires_at=expires_at,
    )


def _captured(payment: Payment, snapshot: IntentSnapshot, now: datetime) -> Outcome:
    messages: list[Message] = []
    if payment.status is PaymentStatus.PENDING:
        # The authorization's own news never came (or comes later and will be stale):
        # the saga still hears that the card went through, before the capture.
        payment = replace(payment, authorized_at=now)
        messages.append(_authorized_message(payment, None))
    captured_minor = snapshot.amount_received_minor
    fee = platform_fee(captured_minor, payment.quoted_fee_minor, payment.amount_minor)
    captured = replace(
        payment,
        status=PaymentStatus.CAPTURED,
        captured_minor=captured_minor,
        fee_minor=fee,
        captured_at=now,
        authorization_expires_at=None,
    )
    messages.append(captured_message(captured))
    return Outcome(captured, messages)


def captured_message(payment: Payment) -> PaymentCaptured:
    assert payment.captured_at is not None
    return PaymentCaptured(
        booking_id=payment.booking_id,
        move_id=payment.move_id,
        payment_id=payment.id,
        amount=payment.money(payment.captured_minor),
        platform_fee=payment.money(payment.fee_minor),
        captured_at=payment.captured_at,
    )


def voided_message(payment: Payment, now: datetime) -> PaymentVoided:
    return PaymentVoided(
        booking_id=payment.booking_id,
        move_id=payment.move_id,
        payment_id=payment.id,
        reason=payment.void_reason or VoidReason.CANCELLED,
        voided_at=now,
    )


def _expired(payment: Payment, now: datetime) -> Outcome:
    """A lapsed authorization: a void if booking asked for one, else a final failure."""
    expired = replace(payment, status=PaymentStatus.EXPIRED, authorization_expires_at=None)
    if payment.void_reason is not None:
        return Outcome(expired, [voided_message(payment, now)])
    failure = PaymentFailed(
        booking_id=payment.booking_id,
        move_id=payment.move_id,
        payment_id=payment.id,
        reason=PaymentFailureReason.PROCESSING_ERROR,
        decline_code="authorization_expired",
        retryable=False,
        failed_at=now,
    )
    return Outcome(expired, [failure])
