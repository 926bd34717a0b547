"""What follows from a decision about a payment, whichever trigger made it: store it, send its
messages, and record the Stripe calls it asks for (a capture, the refunds and the void that
waited for the capture to settle).

A trigger never calls Stripe inside its transaction: it records the call to make
(`stripe_calls`, keyed by payment and step), commits, and the call runs afterwards
(`stripe_calls.py`). A crash in between leaves a pending call that is simply run again.
"""

from __future__ import annotations

import logging
import uuid

from payments.domain.booking_payments import OPEN
from payments.domain.payment_returns import (
    VOID_REFUND_REASON,
    RefundRequest,
    settle_refund_requests,
    voided_by_refund,
)
from payments.domain.payment_states import IntentSnapshot, Outcome, Payment, PaymentStatus
from payments.domain.payments import observe
from payments.domain.stripe_calls import CancelParams, CaptureParams, RefundParams
from payments.repositories import PaymentsUnit
from payments.service.context import Context, publish_all, record_call

log = logging.getLogger(__name__)


def void_refund_id(payment: Payment) -> uuid.UUID:
    """The refund that stands for a void after capture: one per payment."""
    if payment.move_id is None:
        return uuid.uuid5(payment.booking_id, "void")
    return uuid.uuid5(payment.booking_id, f"void:{payment.move_id}")


def payment_key(payment: Payment, step: str) -> str:
    """The idempotency key of a step of one payment (Stripe's and our call queue's)."""
    return step_key(payment.booking_id, payment.move_id, step)


def step_key(booking_id: uuid.UUID, move_id: uuid.UUID | None, step: str) -> str:
    """The booking's first payment keeps the keys it always had, a move's adds the move's id."""
    if move_id is None:
        return f"{booking_id}:{step}"
    return f"{booking_id}:{move_id}:{step}"


def named_payment(payment: Payment) -> uuid.UUID | None:
    """How a queued call names its payment: the booking's first goes unnamed, so its calls are
    the very ones it always queued."""
    return payment.id if payment.move_id is not None else None


def refund_part_key(refund_id: uuid.UUID, payment: Payment) -> str:
    """A refund's part from one payment: its own Stripe refund, once per refund and payment."""
    if payment.move_id is None:
        return f"{refund_id}:refund"
    return f"{refund_id}:{payment.move_id}:refund"


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
    if payment.status in OPEN:
        return  # the refunds asked for meanwhile wait on (not read: nothing to settle yet)
    rows = await uow.refunds.awaiting_capture(payment.booking_id)
    if not rows:
        return
    requests = [RefundRequest(row.refund_id, row.requested_minor, row.currency) for row in rows]
    payments = await uow.payments.of_booking(payment.booking_id)
    pending = await uow.refunds.pending_by_payment(payment.booking_id)
    for request, parts in settle_refund_requests(payments, requests, pending) or []:
        amount = sum(part for _, part in parts)
        status = "pending" if amount > 0 else "rejected"
        await uow.refunds.settle_request(request.refund_id, amount_minor=amount, status=status)
        await record_refund_parts(uow, ctx, request.refund_id, parts)
        if amount == 0:
            log.warning(
                "refund %s of booking %s, asked before the capture settled: nothing refundable",
                request.refund_id,
                payment.booking_id,
            )


async def record_refund_parts(
    uow: PaymentsUnit, ctx: Context, refund_id: uuid.UUID, parts: list[tuple[Payment, int]]
) -> None:
    """Each part of a refund recorded, with the Stripe refund that gives it back."""
    for payment, amount in parts:
        await uow.refunds.add_part(refund_id, payment.id, amount)
        await record_call(
            uow,
            ctx,
            payment.booking_id,
            RefundParams(
                refund_id=refund_id, amount_minor=amount, payment_id=named_payment(payment)
            ),
            refund_part_key(refund_id, payment),
        )


async def record_capture(uow: PaymentsUnit, ctx: Context, payment: Payment, amount: int) -> None:
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        CaptureParams(amount_minor=amount, payment_id=named_payment(payment)),
        payment_key(payment, "capture"),
    )


async def _record_void_refund(uow: PaymentsUnit, ctx: Context, payment: Payment) -> None:
    """A void after capture: refund whatever other refunds do not already give back."""
    pending = await uow.refunds.pending_by_payment(payment.booking_id)
    amount = max(payment.refundable_minor - pending.get(payment.id, 0), 0)
    refund_id = void_refund_id(payment)
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
    await uow.refunds.add_part(refund_id, payment.id, amount)
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        RefundParams(refund_id=refund_id, amount_minor=amount, payment_id=named_payment(payment)),
        payment_key(payment, "void-refund"),
    )


async def record_cancel(uow: PaymentsUnit, ctx: Context, payment: Payment) -> None:
    """Release the payment's authorization at Stripe once this transaction commits."""
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        CancelParams(payment_id=named_payment(payment)),
        payment_key(payment, "void"),
    )
