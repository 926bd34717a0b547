"""What follows from a decision about a payment, whichever trigger made it: store it, send its
messages, and record the Stripe calls it asks for (a capture, the refunds and the void that
waited for the capture to settle).

A trigger never calls Stripe inside its transaction: it records the call to make
(`stripe_calls`, keyed by booking and step), commits, and the call runs afterwards
(`stripe_calls.py`). A crash in between leaves a pending call that is simply run again.
"""

from __future__ import annotations

import logging
import uuid

from payments.domain.payment_returns import (
    VOID_REFUND_REASON,
    RefundRequest,
    settle_refund_requests,
    voided_by_refund,
    waiting_payment,
)
from payments.domain.payments import IntentSnapshot, Outcome, Payment, PaymentStatus, observe
from payments.domain.stripe_calls import CaptureParams, RefundParams
from payments.repositories import PaymentsUnit
from payments.service.context import Context, publish_all, record_call

log = logging.getLogger(__name__)


def void_refund_id(booking_id: uuid.UUID) -> uuid.UUID:
    """The refund that stands for a void after capture: one per booking."""
    return uuid.uuid5(booking_id, "void")


async def apply_snapshot(
    uow: PaymentsUnit, ctx: Context, payment: Payment, snapshot: IntentSnapshot
) -> Payment:
    """Move the payment by what Stripe says, tell the others, and start what follows from it."""
    outcome = observe(payment, snapshot, uow.now)
    await save_outcome(uow, ctx, payment, outcome)
    if outcome.capture_now:
        await record_capture(uow, ctx, outcome.payment, outcome.payment.amount_minor)
    return outcome.payment


async def save_outcome(uow: PaymentsUnit, ctx: Context, before: Payment, outcome: Outcome) -> None:
    """Store a decision about the payment and send its messages; once the capture settled,
    perform what booking asked for meanwhile (its refunds, then its void)."""
    payment = outcome.payment
    if payment != before:
        await uow.payments.save(payment)
    await publish_all(uow, outcome.messages, payment.booking_id)
    await _settle_waiting_refunds(uow, ctx, payment)
    if payment.status is PaymentStatus.CAPTURED and payment.void_reason is not None:
        await _record_void_refund(uow, ctx, payment)


async def _settle_waiting_refunds(uow: PaymentsUnit, ctx: Context, payment: Payment) -> None:
    if waiting_payment(payment):
        return  # the refunds asked for meanwhile wait on (not read: nothing to settle yet)
    rows = await uow.refunds.awaiting_capture(payment.booking_id)
    if not rows:
        return
    requests = [RefundRequest(row.refund_id, row.requested_minor, row.currency) for row in rows]
    pending = await uow.refunds.pending_minor(payment.booking_id)
    settled = settle_refund_requests(payment, requests, pending)
    for request, amount in settled or []:
        status = "pending" if amount > 0 else "rejected"
        await uow.refunds.settle_request(request.refund_id, amount_minor=amount, status=status)
        if amount > 0:
            await record_refund_call(uow, ctx, payment.booking_id, request.refund_id, amount)
        else:
            log.warning(
                "refund %s of booking %s, asked before the capture settled: nothing refundable",
                request.refund_id,
                payment.booking_id,
            )


async def record_refund_call(
    uow: PaymentsUnit, ctx: Context, booking_id: uuid.UUID, refund_id: uuid.UUID, amount: int
) -> None:
    await record_call(
        uow,
        ctx,
        booking_id,
        RefundParams(refund_id=refund_id, amount_minor=amount),
        f"{refund_id}:refund",
    )


async def record_capture(uow: PaymentsUnit, ctx: Context, payment: Payment, amount: int) -> None:
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        CaptureParams(amount_minor=amount),
        f"{payment.booking_id}:capture",
    )


async def _record_void_refund(uow: PaymentsUnit, ctx: Context, payment: Payment) -> None:
    """A void after capture: refund whatever other refunds do not already give back."""
    pending = await uow.refunds.pending_minor(payment.booking_id)
    amount = max(payment.refundable_minor - pending, 0)
    refund_id = void_refund_id(payment.booking_id)
    if not await uow.refunds.add(
        refund_id=refund_id,
        booking_id=payment.booking_id,
        requested_minor=amount,
        amount_minor=amount,
        reason=VOID_REFUND_REASON,
        status="pending" if amount > 0 else "rejected",
        currency=payment.currency,
    ):
        return  # recorded before: under way or done
    if amount == 0:
        # The refunds under way give everything back: that is the void booking asked for.
        await publish_all(uow, voided_by_refund(payment, uow.now).messages, payment.booking_id)
        return
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        RefundParams(refund_id=refund_id, amount_minor=amount),
        f"{payment.booking_id}:void-refund",
    )


def authorize_key(booking_id: uuid.UUID) -> str:
    return f"{booking_id}:authorize"


def cancel_key(booking_id: uuid.UUID) -> str:
    return f"{booking_id}:void"
