"""Owner payouts: when one is due, and what paying or reversing it tells the others.

A payout is due once `not_before` (booking's dispute window) and our own hold (the session's
end plus DISPUTE_WINDOW_HOURS, which matters for payments captured weeks ahead) have passed,
the money was captured, no dispute is open and the owner can receive payouts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from contracts import Message
from contracts.payments import OwnerPayoutsDisabled, OwnerPayoutsEnabled, PayoutPaid, PayoutReversed
from contracts.values import Money
from payments.domain.booking_payments import OPEN, TAKEN, booking_money
from payments.domain.payment_states import Payment


class PayoutStatus(StrEnum):
    SCHEDULED = "scheduled"
    TRANSFERRING = "transferring"
    PAID = "paid"
    REVERSED = "reversed"
    CANCELLED = "cancelled"
    """Nothing to pay: everything was refunded, or a dispute was lost."""


@dataclass(frozen=True)
class Payout:
    booking_id: uuid.UUID
    owner_id: uuid.UUID
    not_before: datetime
    status: PayoutStatus = PayoutStatus.SCHEDULED
    currency: str | None = None
    amount_minor: int = 0
    transfer_ref: str | None = None
    paid_at: datetime | None = None
    reversed_minor: int = 0
    reversal_reason: str | None = None


class Hold(StrEnum):
    """Why a scheduled payout is not paid yet."""

    NOT_YET = "not_yet"
    NOT_CAPTURED = "not_captured"
    DISPUTED = "disputed"
    OWNER_CANNOT_RECEIVE = "owner_cannot_receive"
    NOTHING_TO_PAY = "nothing_to_pay"


def payout_hold(
    payout: Payout,
    payments: Sequence[Payment],
    *,
    open_disputes: int,
    owner_payouts_enabled: bool,
    dispute_window: timedelta,
    now: datetime,
) -> Hold | None:
    """Why this scheduled payout must wait, or None when it is due now.

    The dispute window runs from `not_before`: when booking said the owner earned the money
    (the session completed, or a cancellation kept part of the price). The booking's payments
    are paid out together, once: while one of them may still take money, it waits.
    """
    if now < earliest_payment_at(payout, dispute_window):
        return Hold.NOT_YET
    taken = [payment for payment in payments if payment.status in TAKEN]
    if not taken or any(payment.status in OPEN for payment in payments):
        return Hold.NOT_CAPTURED
    if open_disputes:
        return Hold.DISPUTED
    if owner_share(payments) <= 0:
        return Hold.NOTHING_TO_PAY
    if not owner_payouts_enabled:
        return Hold.OWNER_CANNOT_RECEIVE
    return None


def earliest_payment_at(payout: Payout, dispute_window: timedelta) -> datetime:
    """The earliest the payout can be paid: the dispute window after the owner earned it."""
    return payout.not_before + dispute_window


def expected_amount(payout: Payout, payments: Sequence[Payment]) -> tuple[int, str | None]:
    """What the payout pays (or paid), in which currency: fixed once the transfer started;
    before, the owner's share of what was captured, plus that of the price of each payment
    not captured yet."""
    if not payments:
        return payout.amount_minor, payout.currency
    currency = payments[0].currency
    if payout.status is not PayoutStatus.SCHEDULED:
        return payout.amount_minor, payout.currency or currency
    waiting = sum(p.amount_minor - p.quoted_fee_minor for p in payments if p.status in OPEN)
    return owner_share(payments) + waiting, currency


def owner_share(payments: Sequence[Payment]) -> int:
    """What the owner gets of the booking: per captured payment, captured - refunds - fee."""
    money = booking_money(payments)
    return money.owner_share_minor if money is not None else 0


def start_transfer(payout: Payout, payments: Sequence[Payment]) -> Payout:
    """Fix the amount before calling Stripe, so a retried call sends the very same request."""
    return replace(
        payout,
        status=PayoutStatus.TRANSFERRING,
        currency=payments[0].currency,
        amount_minor=owner_share(payments),
    )


def source_charge(payments: Sequence[Payment], amount_minor: int) -> str | None:
    """The charge a transfer of `amount_minor` can be taken from (Stripe's source_transaction
    must hold the whole transfer): the oldest one that does; None takes it from the balance."""
    for payment in payments:
        if payment.status in TAKEN and payment.refundable_minor >= amount_minor:
            return payment.charge_ref
    return None


def transferred(
    payout: Payout, transfer_ref: str, amount_minor: int, currency: str, now: datetime
) -> tuple[Payout, list[Message]]:
    """The transfer exists at Stripe: the payout is paid, announced once."""
    if payout.status not in (PayoutStatus.SCHEDULED, PayoutStatus.TRANSFERRING):
        return payout, []
    paid = replace(
        payout,
        status=PayoutStatus.PAID,
        transfer_ref=transfer_ref,
        amount_minor=amount_minor,
        currency=currency,
        paid_at=now,
    )
    message = PayoutPaid(
        booking_id=payout.booking_id,
        owner_id=payout.owner_id,
        amount=Money(amount_minor=amount_minor, currency=currency),
        transfer_id=transfer_ref,
        paid_at=now,
    )
    return paid, [message]


def reversed_(
    payout: Payout, reversed_total_minor: int, reason: str, now: datetime
) -> tuple[Payout, list[Message]]:
    """Money was taken back from the owner's account; announced per increase."""
    if payout.status not in (PayoutStatus.PAID, PayoutStatus.REVERSED):
        return payout, []
    taken = reversed_total_minor - payout.reversed_minor
    if taken <= 0 or payout.transfer_ref is None or payout.currency is None:
        return payout, []
    status = PayoutStatus.REVERSED if reversed_total_minor >= payout.amount_minor else payout.status
    updated = replace(
        payout,
        status=status,
        reversed_minor=reversed_total_minor,
        reversal_reason=payout.reversal_reason or reason,
    )
    message = PayoutReversed(
        booking_id=payout.booking_id,
        owner_id=payout.owner_id,
        amount=Money(amount_minor=taken, currency=payout.currency),
        transfer_id=payout.transfer_ref,
        reason=updated.reversal_reason or reason,
        reversed_at=now,
    )
    return updated, [message]


def payouts_capability_changed(
    owner_id: uuid.UUID, was_enabled: bool, is_enabled: bool, reason: str | None, now: datetime
) -> list[Message]:
    """An owner's connected account started or stopped being able to receive payouts."""
    if is_enabled and not was_enabled:
        return [OwnerPayoutsEnabled(owner_id=owner_id, enabled_at=now)]
    if was_enabled and not is_enabled:
        return [
            OwnerPayoutsDisabled(
                owner_id=owner_id, reason=reason or "requirements_due", disabled_at=now
            )
        ]
    return []
