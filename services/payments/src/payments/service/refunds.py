"""Refunds of a booking's captured payments (in parts, newest payment first), whoever asks:
booking's policy (capped at what is left) or an admin (refused beyond it). After the owner's
payout, the owner's share of the refund is taken back with a transfer reversal, queued in the
same unit of work as the refund (once per refund id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.payments import RefundReason
from contracts.values import Money
from payments.domain.booking_payments import (
    TAKEN,
    booking_money,
    refundable_minor,
    spread_refund,
)
from payments.domain.payment_states import Payment
from payments.domain.refunds import RefundDecision, decide_refund
from payments.domain.stripe_calls import ReverseTransferParams
from payments.repositories import PaymentsUnit, PaymentsUnits
from payments.service.context import Context, record_call
from payments.service.payment_outcomes import record_refund_parts


class UnknownPayment(LookupError):
    """No captured payment for this booking."""


@dataclass(frozen=True)
class AdminRefund:
    refund_id: uuid.UUID
    amount: Money
    status: str
    """pending (Stripe is being asked), succeeded, or rejected."""


async def refund_captured(
    uow: PaymentsUnit,
    ctx: Context,
    payments: Sequence[Payment],
    *,
    refund_id: uuid.UUID,
    requested: Money,
    reason: RefundReason,
    capped: bool,
    note: str | None = None,
) -> RefundDecision | None:
    """Decide and record one refund of the booking's captured payments (the booking's lock
    held), in parts from the newest payment first; None when this refund id was recorded
    before. A currency other than the booking's refunds nothing."""
    booking_id = payments[0].booking_id
    decision, parts = RefundDecision(0, 0), []
    money = booking_money(payments)
    if money is not None and money.captured_minor > 0 and money.currency == requested.currency:
        pending = await uow.refunds.pending_by_payment(booking_id)
        decision = decide_refund(
            requested.amount_minor,
            captured_minor=money.captured_minor,
            refunded_minor=money.captured_minor - refundable_minor(payments, pending),
            payout=await uow.payouts.for_booking(booking_id),
            capped=capped,
        )
        parts = spread_refund(payments, decision.amount_minor, pending)
    added = await uow.refunds.add(
        refund_id=refund_id,
        booking_id=booking_id,
        requested_minor=requested.amount_minor,
        amount_minor=decision.amount_minor,
        reason=reason.value,
        status="pending" if decision.amount_minor > 0 else "rejected",
        currency=requested.currency,
        note=note,
    )
    if not added:
        return None  # the same refund asked for again: it is done or under way
    await record_refund_parts(uow, ctx, refund_id, parts)
    if decision.reversal_minor > 0:
        await record_call(
            uow,
            ctx,
            booking_id,
            ReverseTransferParams(reason="refunded", amount_minor=decision.reversal_minor),
            f"{refund_id}:payout-reversal",
        )
    return decision


async def admin_refund(
    units: PaymentsUnits,
    ctx: Context,
    booking_id: uuid.UUID,
    *,
    amount_minor: int,
    note: str,
    idempotency_key: str | None,
) -> AdminRefund:
    """An admin's refund of up to what is captured and not refunded; `RefundTooLarge` beyond,
    `UnknownPayment` without a captured payment. The same Idempotency-Key refunds once."""
    refund_id = (
        uuid.uuid5(booking_id, f"admin-refund:{idempotency_key}")
        if idempotency_key
        else uuid.uuid4()
    )
    async with units.begin() as uow:
        await uow.bookings.lock(booking_id)
        payments = await uow.payments.of_booking(booking_id)
        money = booking_money(payments)
        if money is None or not any(p.status in TAKEN for p in payments):
            raise UnknownPayment(f"no captured payment for booking {booking_id}")
        currency = money.currency
        existing = await uow.refunds.get(refund_id)
        if existing is None:
            await refund_captured(
                uow,
                ctx,
                payments,
                refund_id=refund_id,
                requested=Money(amount_minor=amount_minor, currency=currency),
                reason=RefundReason.CANCELLED_BY_ADMIN,
                capped=False,
                note=note,
            )
            existing = await uow.refunds.get(refund_id)
        assert existing is not None
        amount = Money(amount_minor=existing.amount_minor, currency=currency)
        return AdminRefund(refund_id, amount, existing.status)
