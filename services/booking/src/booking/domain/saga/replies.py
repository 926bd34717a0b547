"""The saga's steps for availability's and payments' replies, each once it is known to answer
a command this booking sent (`decide` checks that first)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from booking.domain.booking import ENDED, Booking, Status
from booking.domain.saga.move_payments import (
    on_move_authorized,
    on_move_intent_ready,
    on_move_payment_failed,
)
from booking.domain.saga.moves import (
    on_move_confirmed,
    on_move_held,
    on_move_lost,
    on_move_unavailable,
)
from booking.domain.saga.steps import (
    Decision,
    SagaRules,
    about,
    as_failed,
    ignored,
    payment_back,
    release_reason,
    sent,
)
from contracts import Message
from contracts.availability import (
    ConfirmSlots,
    ReleaseReason,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsUnavailable,
)
from contracts.booking import (
    BookingAwaitingOwner,
    BookingConfirmed,
    BookingFailed,
    BookingPaymentFailed,
    CancellationReason,
    FailureReason,
)
from contracts.payments import (
    DisputeClosed,
    DisputeOpened,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentIntentReady,
    PaymentRefunded,
    VoidPayment,
    VoidReason,
)


def on_slots_held(b: Booking, m: SlotsHeld, now: datetime, rules: SagaRules) -> Decision:
    if m.move_id is not None:
        return on_move_held(b, m, now, rules)
    if b.status is Status.REQUESTED:
        pay_by = m.expires_at
        if b.respond_by is not None:  # the hold outlasts the owner's answer; payment may not
            pay_by = min(pay_by, b.requested_at + rules.request_payment_window)
        held = replace(
            b,
            status=Status.PENDING_PAYMENT,
            reservation_id=m.reservation_id,
            hold_expires_at=pay_by,
        )
        if held.client_secret is not None:
            return Decision(held, note="slots held: the booker can pay")
        # The payment was asked for with the hold: from now its answer is what the saga waits on.
        return Decision(sent(held, now), note="slots held: waiting for the payment intent")
    if b.status in ENDED:
        release = ReleaseSlots(
            booking_id=b.id, reservation_id=m.reservation_id, reason=release_reason(b)
        )
        return Decision(b, [release], "hold arrived after the booking ended: releasing it")
    return ignored(b, f"slots already held (booking is {b.status})")


def on_slots_unavailable(b: Booking, m: SlotsUnavailable, now: datetime, r: SagaRules) -> Decision:
    if m.move_id is not None:
        return on_move_unavailable(b, m, now, r)
    if b.status is not Status.REQUESTED:
        return ignored(b, f"booking is {b.status}")
    detail = f"the slots are not available ({m.reason})"
    failed = as_failed(b, FailureReason.SLOTS_UNAVAILABLE, detail, now)
    void = VoidPayment(booking_id=b.id, reason=VoidReason.SLOTS_LOST)  # asked for with the hold
    event = BookingFailed(**about(b), reason=FailureReason.SLOTS_UNAVAILABLE, failed_at=now)
    return Decision(failed, [void, event], f"slots unavailable ({m.reason}): booking failed")


def on_slots_confirmed(b: Booking, m: SlotsConfirmed, now: datetime, r: SagaRules) -> Decision:
    if m.replaced_reservation_id is not None or _of_move(b, m.reservation_id):
        return on_move_confirmed(b, m, now, r)
    if b.status is Status.CONFIRMING:
        confirmed = replace(b, status=Status.CONFIRMED, confirmed_at=m.confirmed_at)
        event = BookingConfirmed(**about(b), price=b.total, confirmed_at=m.confirmed_at)
        return Decision(confirmed, [event], "slots confirmed: booking confirmed")
    if b.status in ENDED:
        release = ReleaseSlots(
            booking_id=b.id, reservation_id=m.reservation_id, reason=release_reason(b)
        )
        return Decision(b, [release], "slots confirmed after the booking ended: releasing them")
    return ignored(b, f"booking is {b.status}")


def on_slots_lost(b: Booking, m: SlotsLost, now: datetime, r: SagaRules) -> Decision:
    if _of_move(b, m.reservation_id):
        return on_move_lost(b, m, now, r)
    if b.status is not Status.CONFIRMING:
        return ignored(b, f"booking is {b.status}")
    detail = f"the held slots were lost ({m.reason})"
    failed = as_failed(b, FailureReason.SLOTS_LOST, detail, now)
    give_back = payment_back(b, VoidReason.SLOTS_LOST, "slots-lost")
    event = BookingFailed(**about(b), reason=FailureReason.SLOTS_LOST, failed_at=now)
    return Decision(failed, [give_back, event], f"{detail}: payment given back")


def _of_move(b: Booking, reservation_id: uuid.UUID) -> bool:
    return b.move is not None and b.move.reservation_id == reservation_id


def on_intent_ready(b: Booking, m: PaymentIntentReady, now: datetime, r: SagaRules) -> Decision:
    if m.move_id is not None:
        return on_move_intent_ready(b, m, now, r)
    if (b.payment_id, b.client_secret, b.capture_strategy) == (
        m.payment_id,
        m.client_secret,
        m.capture_strategy,
    ):
        return ignored(b, "payment intent already known")
    ready = replace(
        b,
        payment_id=m.payment_id,
        client_secret=m.client_secret,
        capture_strategy=m.capture_strategy,
    )
    if b.status is Status.REQUESTED:
        return Decision(ready, note="payment intent ready: waiting for the hold")
    return Decision(ready, note="payment intent ready: the booker can pay")


def on_payment_failed(b: Booking, m: PaymentFailed, now: datetime, r: SagaRules) -> Decision:
    if m.move_id is not None:
        return on_move_payment_failed(b, m, now, r)
    if b.status not in (Status.REQUESTED, Status.PENDING_PAYMENT):
        return ignored(b, f"booking is {b.status}")
    error = m.decline_code or str(m.reason)
    # Names the booking, so that whoever tells the booker (notifications) needs no more.
    told = BookingPaymentFailed(
        **about(b), reason=m.reason, retryable=m.retryable, failed_at=m.failed_at
    )
    if m.retryable:
        return Decision(
            replace(b, payment_error=error),
            [told],
            f"payment failed ({error}): the booker may retry",
        )
    failed = replace(
        as_failed(b, FailureReason.PAYMENT_FAILED, f"the payment failed ({error})", now),
        payment_error=error,
    )
    messages: list[Message] = [
        VoidPayment(booking_id=b.id, reason=VoidReason.CANCELLED),
        ReleaseSlots(
            booking_id=b.id, reservation_id=b.reservation_id, reason=ReleaseReason.PAYMENT_FAILED
        ),
        told,
        BookingFailed(**about(b), reason=FailureReason.PAYMENT_FAILED, failed_at=now),
    ]
    return Decision(failed, messages, f"payment failed for good ({error}): booking failed")


def on_authorized(b: Booking, m: PaymentAuthorized, now: datetime, r: SagaRules) -> Decision:
    if m.move_id is not None:
        return on_move_authorized(b, m, now, r)
    paid = replace(
        b,
        payment_id=m.payment_id,
        capture_strategy=m.capture_strategy,
        authorized_at=b.authorized_at or m.authorized_at,
        authorization_expires_at=m.authorization_expires_at or b.authorization_expires_at,
    )
    if b.status is Status.PENDING_PAYMENT and b.reservation_id is not None and b.respond_by:
        waiting = replace(paid, status=Status.AWAITING_OWNER, payment_error=None)
        event = BookingAwaitingOwner(**about(b), price=b.total, respond_by=b.respond_by)
        return Decision(waiting, [event], "payment authorized: the request waits for the owner")
    if b.status is Status.PENDING_PAYMENT and b.reservation_id is not None:
        confirm = ConfirmSlots(booking_id=b.id, reservation_id=b.reservation_id)
        late = b.hold_expires_at is not None and now > b.hold_expires_at
        note = "payment authorized" + (" after the hold expired" if late else "")
        return Decision(
            replace(sent(paid, now), status=Status.CONFIRMING, payment_error=None),
            [confirm],
            f"{note}: confirming the slots",
        )
    if b.status in ENDED and b.authorized_at is None:
        reason = (
            VoidReason.HOLD_TIMED_OUT
            if b.cancellation_reason is CancellationReason.HOLD_EXPIRED
            else VoidReason.SLOTS_LOST
            if b.failure_reason is FailureReason.SLOTS_LOST
            else VoidReason.CANCELLED
        )
        void = VoidPayment(booking_id=b.id, reason=reason)
        return Decision(paid, [void], "payment authorized after the booking ended: voiding it")
    return ignored(b, f"booking is {b.status}")


def on_captured(b: Booking, m: PaymentCaptured, now: datetime, _: SagaRules) -> Decision:
    if m.move_id is not None:
        return Decision(b, note="the payment of a move's difference captured")
    if b.captured_at is not None:
        return ignored(b, "capture already known")
    return Decision(replace(b, captured_at=m.captured_at), note="payment captured")


def on_refunded(b: Booking, m: PaymentRefunded, now: datetime, _: SagaRules) -> Decision:
    if m.total_refunded.amount_minor <= b.refunded_minor:
        return ignored(b, "refund already known")
    refunded = replace(b, refunded_minor=m.total_refunded.amount_minor)
    return Decision(refunded, note=f"refunded {m.amount.amount_minor} {m.amount.currency}")


def on_dispute_opened(b: Booking, m: DisputeOpened, now: datetime, _: SagaRules) -> Decision:
    if b.status is Status.DISPUTED:
        return ignored(b, "dispute already open")
    disputed = replace(b, status=Status.DISPUTED, status_before_dispute=b.status)
    return Decision(disputed, note=f"dispute opened ({m.reason})")


def on_dispute_closed(b: Booking, m: DisputeClosed, now: datetime, _: SagaRules) -> Decision:
    if b.status is not Status.DISPUTED or b.status_before_dispute is None:
        return ignored(b, "no open dispute")
    closed = replace(
        b, status=b.status_before_dispute, status_before_dispute=None, dispute_outcome=m.outcome
    )
    return Decision(closed, note=f"dispute closed: {m.outcome}")
