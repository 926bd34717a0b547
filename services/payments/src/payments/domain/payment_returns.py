"""Giving a payment's money back: voiding an authorization (or refunding what was captured
instead), refunds that went through, and the refund requests that wait for a payment to settle."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from contracts import Message
from contracts.payments import (
    PaymentRefunded,
    RefundReason,
    VoidReason,
)
from payments.domain.booking_payments import OPEN, spread_refund
from payments.domain.payment_states import Outcome, Payment, PaymentStatus
from payments.domain.payments import voided_message


class VoidAction(StrEnum):
    CANCEL = "cancel"
    """Cancel the uncaptured PaymentIntent at Stripe."""
    REFUND = "refund"
    """Already captured: give everything left back."""
    AWAIT_INTENT = "await_intent"
    """Stripe may be creating the PaymentIntent right now: cancel it once it is known."""
    NONE = "none"
    """Nothing left to release: answer at once."""


def request_void(
    payment: Payment, reason: VoidReason, now: datetime, *, intent_may_exist: bool
) -> tuple[Outcome, VoidAction]:
    """Booking wants the money released, whatever state the payment is in.

    Voided is said only once no PaymentIntent can take money: while its creation may be under
    way (`intent_may_exist`, the creating call was sent at least once) the void waits for it.
    """
    marked = replace(payment, void_reason=payment.void_reason or reason)
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED):
        if payment.intent_ref is not None:
            return Outcome(marked), VoidAction.CANCEL
        if intent_may_exist:
            return Outcome(marked), VoidAction.AWAIT_INTENT
        voided = replace(marked, status=PaymentStatus.VOIDED)
        return Outcome(voided, [voided_message(voided, now)]), VoidAction.NONE
    if payment.status is PaymentStatus.CAPTURED and payment.refundable_minor > 0:
        return Outcome(marked), VoidAction.REFUND
    return Outcome(marked, [voided_message(marked, now)]), VoidAction.NONE


def voided_by_refund(payment: Payment, now: datetime) -> Outcome:
    """The captured money was refunded in full because booking asked for a void."""
    return Outcome(payment, [voided_message(payment, now)])


VOID_REFUND_REASON = "void"


"""The recorded reason of the refund that stands for booking's void of a captured payment."""


_REFUND_REASON_OF_VOID = {
    # The contract has no refund reason for a void, and widening its enum would break the
    # committed schema; booking's saga records the amount whatever the reason says.
    VoidReason.SLOTS_LOST: RefundReason.SLOTS_LOST,
    VoidReason.CANCELLED: RefundReason.CANCELLED_BY_BOOKER,
    VoidReason.HOLD_TIMED_OUT: RefundReason.CANCELLED_BY_ADMIN,
}


def refund_went_through(
    payment: Payment,
    refund_id: uuid.UUID,
    amount_minor: int,
    reason: str,
    now: datetime,
    *,
    booking_refunded_minor: int,
) -> Outcome:
    """Stripe refunded `amount_minor` of the payment (already counted in `refunded_minor`):
    booking hears what came back from this payment and from all of the booking's
    (`booking_refunded_minor`), and a refund that stands for its void answers that void too, so
    booking's record of the money matches Stripe's whichever it asked for."""
    voiding = reason == VOID_REFUND_REASON
    refunded = PaymentRefunded(
        booking_id=payment.booking_id,
        move_id=payment.move_id,
        payment_id=payment.id,
        refund_id=refund_id,
        amount=payment.money(amount_minor),
        total_refunded=payment.money(booking_refunded_minor),
        reason=_REFUND_REASON_OF_VOID[payment.void_reason or VoidReason.CANCELLED]
        if voiding
        else RefundReason(reason),
        refunded_at=now,
    )
    messages: list[Message] = [refunded]
    if voiding:
        messages += voided_by_refund(payment, now).messages
    return Outcome(payment, messages)


def refunds_total(payment: Payment, refunded_minor: int) -> Payment:
    """Record what the provider has refunded in total; refunds only ever grow."""
    total = min(max(payment.refunded_minor, refunded_minor), payment.captured_minor)
    status = payment.status
    if status is PaymentStatus.CAPTURED and payment.captured_minor > 0:
        status = PaymentStatus.REFUNDED if total >= payment.captured_minor else status
    return replace(payment, refunded_minor=total, status=status)


@dataclass(frozen=True)
class RefundRequest:
    """A refund booking asked for before the payment's capture had settled."""

    refund_id: uuid.UUID
    requested_minor: int
    currency: str | None


def waiting_payments(payments: Sequence[Payment]) -> bool:
    """Whether money may still be captured on the booking (no payment yet, or one of them may
    still take money): a refund asked for now must wait for the captures."""
    return not payments or any(payment.status in OPEN for payment in payments)


def settle_refund_requests(
    payments: Sequence[Payment],
    requests: list[RefundRequest],
    pending: Mapping[uuid.UUID, int],
) -> list[tuple[RefundRequest, list[tuple[Payment, int]]]] | None:
    """What each waiting refund gives from which payment now that the booking's captures
    settled, in the order they were asked for, never beyond what is refundable (no part: it is
    rejected); None while a capture may still come. `pending`: refunds under way, by payment."""
    if waiting_payments(payments):
        return None
    taken = dict(pending)
    settled = []
    for request in requests:
        parts: list[tuple[Payment, int]] = []
        if request.currency in (None, payments[0].currency):
            parts = spread_refund(payments, request.requested_minor, taken)
        for payment, part in parts:
            taken[payment.id] = taken.get(payment.id, 0) + part
        settled.append((request, parts))
    return settled
