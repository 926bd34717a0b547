"""A booking's payments taken together: its first payment and one per dearer move (the
difference, `Payment.move_id`). Booking asks for a capture or a refund of the booking; these
rules spread it over the payments: captures oldest first, refunds newest first, each payment
never asked for more than it holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from contracts.values import Money
from payments.domain.money import settle
from payments.domain.payment_states import Payment, PaymentStatus

TAKEN = (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
"""The money of such a payment was captured (and may since have been refunded)."""

OPEN = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)
"""Such a payment may still take money."""


class CaptureStep(StrEnum):
    CAPTURE = "capture"
    """Capture `amount_minor` of the authorization; Stripe releases the rest."""
    RELEASE = "release"
    """The amount asked for is covered by older payments: cancel this authorization."""
    ANNOUNCE = "announce"
    """Captured before: say so again (booking may have missed it)."""
    IGNORE = "ignore"
    """Nothing can be captured now (not authorized yet, or being voided)."""


@dataclass(frozen=True)
class PlannedCapture:
    payment: Payment
    step: CaptureStep
    amount_minor: int = 0


def plan_capture(payments: Sequence[Payment], requested: Money | None) -> list[PlannedCapture]:
    """What a CapturePayment does to each of the booking's payments (oldest first): all that is
    authorized, or the `requested` amount taken oldest first, where money captured before counts
    toward it; an authorization that gets nothing is released. A payment not authorized yet is
    left as it is (a capture is never queued for money that is not there)."""
    remaining = None if requested is None else requested.amount_minor
    plan = []
    for payment in payments:
        if requested is not None and requested.currency != payment.currency:
            plan.append(PlannedCapture(payment, CaptureStep.IGNORE))
        elif payment.status in TAKEN:
            plan.append(PlannedCapture(payment, CaptureStep.ANNOUNCE))
            remaining = None if remaining is None else remaining - payment.captured_minor
        elif payment.status is PaymentStatus.AUTHORIZED and payment.void_reason is None:
            amount = payment.amount_minor
            if remaining is not None:
                amount = min(amount, max(remaining, 0))
                remaining -= amount
            step = CaptureStep.CAPTURE if amount > 0 else CaptureStep.RELEASE
            plan.append(PlannedCapture(payment, step, amount))
        else:
            plan.append(PlannedCapture(payment, CaptureStep.IGNORE))
    return plan


def refundable_minor(payments: Sequence[Payment], pending: Mapping[uuid.UUID, int]) -> int:
    """What the booking can still give back: captured, less refunded or being refunded."""
    return sum(_left_on(payment, pending) for payment in payments)


def spread_refund(
    payments: Sequence[Payment], amount_minor: int, pending: Mapping[uuid.UUID, int]
) -> list[tuple[Payment, int]]:
    """The parts of a refund of `amount_minor`: from the newest captured payment first, each
    limited to what is still refundable on it (`pending`: refunds under way, by payment id)."""
    parts = []
    for payment in reversed(payments):
        part = min(amount_minor, _left_on(payment, pending))
        if part > 0:
            parts.append((payment, part))
            amount_minor -= part
    return parts


def _left_on(payment: Payment, pending: Mapping[uuid.UUID, int]) -> int:
    if payment.status not in TAKEN:
        return 0
    return max(payment.refundable_minor - pending.get(payment.id, 0), 0)


@dataclass(frozen=True)
class BookingMoney:
    """A booking's money summed over its payments, in the currency of its first."""

    currency: str
    captured_minor: int
    refunded_minor: int
    owner_share_minor: int


def booking_money(payments: Sequence[Payment]) -> BookingMoney | None:
    """The sums over the booking's captured payments; None when it has no payment. The owner's
    share is each payment's (`money.settle`), so `captured = refunds + fee kept + share`."""
    if not payments:
        return None
    taken = [payment for payment in payments if payment.status in TAKEN]
    return BookingMoney(
        currency=payments[0].currency,
        captured_minor=sum(p.captured_minor for p in taken),
        refunded_minor=sum(p.refunded_minor for p in taken),
        owner_share_minor=sum(
            settle(p.captured_minor, p.refunded_minor, p.fee_minor).owner_share_minor for p in taken
        ),
    )
