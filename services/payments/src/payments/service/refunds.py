"""Refunds of a captured payment, whoever asks: booking's policy (capped at what is left) or an
admin (refused beyond it). After the owner's payout, the owner's share of the refund is taken back
with a transfer reversal, queued in the same unit of work as the refund (once per refund id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from contracts.payments import RefundReason
from contracts.values import Money
from payments.domain.payments import Payment, PaymentStatus
from payments.domain.refunds import RefundDecision, decide_refund
from payments.domain.stripe_calls import ReverseTransferParams
from payments.repositories import PaymentsUnit, PaymentsUnits
from payments.service.context import Context, record_call
from payments.service.payment_outcomes import record_refund_call


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
    payment: Payment,
    *,
    refund_id: uuid.UUID,
    requested: Money,
    reason: RefundReason,
    capped: bool,
    note: str | None = None,
) -> RefundDecision | None:
    """Decide and record one refund (the booking's lock held); None when this refund id was
    recorded before. A currency other than the payment's refunds nothing."""
    decision = RefundDecision(0, 0)
    refundable = payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
    if refundable and payment.currency == requested.currency:
        pending = await uow.refunds.pending_minor(payment.booking_id)
        decision = decide_refund(
            requested.amount_minor,
            captured_minor=payment.captured_minor,
            refunded_minor=payment.refunded_minor + pending,
            payout=await uow.payouts.for_booking(payment.booking_id),
            capped=capped,
        )
    added = await uow.refunds.add(
        refund_id=refund_id,
        booking_id=payment.booking_id,
        requested_minor=requested.amount_minor,
        amount_minor=decision.amount_minor,
        reason=reason.value,
        status="pending" if decision.amount_minor > 0 else "rejected",
        currency=requested.currency,
        note=note,
    )
    if not added:
        return None  # the same refund asked for again: it is done or under way
    if decision.amount_minor > 0:
        await record_refund_call(uow, ctx, payment.booking_id, refund_id, decision.amount_minor)
    if decision.reversal_minor > 0:
        await record_call(
            uow,
            ctx,
            payment.booking_id,
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
        payment = await uow.payments.for_booking(booking_id)
        if payment is None or payment.status not in (
            PaymentStatus.CAPTURED,
            PaymentStatus.REFUNDED,
        ):
            raise UnknownPayment(f"no captured payment for booking {booking_id}")
        existing = await uow.refunds.get(refund_id)
        if existing is None:
            await refund_captured(
                uow,
                ctx,
                payment,
                refund_id=refund_id,
                requested=payment.money(amount_minor),
                reason=RefundReason.CANCELLED_BY_ADMIN,
                capped=False,
                note=note,
            )
            existing = await uow.refunds.get(refund_id)
        assert existing is not None
        return AdminRefund(refund_id, payment.money(existing.amount_minor), existing.status)
