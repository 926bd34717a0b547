"""Booking's commands, each inside the unit of work of its message: load, ask the domain,
save with its messages and the Stripe calls to make after commit."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    PaymentVoided,
    RefundPayment,
    SchedulePayout,
    VoidPayment,
    VoidReason,
)
from payments.domain.booking_payments import OPEN, CaptureStep, plan_capture
from payments.domain.payment_returns import VoidAction, request_void, waiting_payments
from payments.domain.payment_states import IntentSnapshot, Payment, PaymentStatus
from payments.domain.payments import captured_message, intent_created, intent_ready, new_payment
from payments.domain.payouts import Payout
from payments.domain.stripe_calls import AuthorizeParams
from payments.provider import ProviderRejected, ProviderUnavailable
from payments.repositories import PaymentsUnit
from payments.service.context import Context, publish_all, record_call
from payments.service.payment_outcomes import (
    named_payment,
    payment_key,
    record_cancel,
    record_capture,
    save_outcome,
    step_key,
)
from payments.service.refunds import refund_captured

log = logging.getLogger(__name__)


async def intent_ahead(ctx: Context, command: AuthorizePayment) -> IntentSnapshot | None:
    """The booking's first PaymentIntent, asked of Stripe before the command's unit of work
    opens, so that the payment is saved with it in that one transaction; None when it is not
    made here, and the call queue makes it after commit as before:
    - a move's payment, whose creation queues behind the booking's earlier calls;
    - Stripe refused, failed or took longer than `authorize_ahead_seconds`. The queued call
      has the same idempotency key, so Stripe answers it with any intent made meanwhile.

    A redelivered command asks again with that key, and Stripe answers with the same intent."""
    if command.move_id is not None:
        return None
    try:
        async with asyncio.timeout(ctx.settings.authorize_ahead_seconds):
            return await ctx.gateway.create_intent(
                booking_id=command.booking_id,
                amount_minor=command.amount.amount_minor,
                currency=command.amount.currency,
                description=command.description or "",
                idempotency_key=step_key(command.booking_id, None, "authorize"),
            )
    except (ProviderRejected, ProviderUnavailable, TimeoutError) as error:
        log.warning("intent of booking %s left to the call queue: %r", command.booking_id, error)
    except Exception:
        log.exception("intent of booking %s left to the call queue", command.booking_id)
    return None


async def authorize(
    uow: PaymentsUnit,
    ctx: Context,
    command: AuthorizePayment,
    intent: IntentSnapshot | None = None,
) -> None:
    """Create the payment (the booking's first, or a move's difference) with its `intent`
    made ahead (`intent_ahead`); without one, Stripe's PaymentIntent follows right after
    commit, made by this process."""
    await uow.bookings.lock(command.booking_id)
    payment = new_payment(
        command,
        now=uow.now,
        window=timedelta(days=ctx.settings.authorization_window_days),
    )
    void_reason = await uow.bookings.voided(command.booking_id, command.move_id)
    if void_reason is not None:
        # The void came first (a backlog handled out of order): this payment is not wanted.
        log.warning(
            "payment of booking %s (move %s) asked for after its void: refused",
            command.booking_id,
            command.move_id,
        )
        if intent is not None:
            # Made ahead while the void was on its way: kept, then cancelled, never offered.
            payment = intent_created(payment, intent).payment
            if await uow.payments.add(payment):
                await _void_one(uow, ctx, payment, VoidReason(void_reason))
        return
    if intent is not None:
        created = intent_created(payment, intent)
        if await uow.payments.add(created.payment):
            await publish_all(uow, created.messages, payment.booking_id)
            return
    elif await uow.payments.add(payment):
        await record_call(
            uow,
            ctx,
            payment.booking_id,
            AuthorizeParams(description=command.description, payment_id=named_payment(payment)),
            payment_key(payment, "authorize"),
            run_here_on=payment,
        )
        return
    existing = await uow.payments.for_booking(command.booking_id, command.move_id)
    if (
        existing
        and existing.status is PaymentStatus.PENDING
        and existing.void_reason is None
        and existing.client_secret
    ):
        # Asked again (the booker retries): the same PaymentIntent takes another card.
        await uow.publish(intent_ready(existing), correlation_id=str(existing.booking_id))


async def capture(uow: PaymentsUnit, ctx: Context, command: CapturePayment) -> None:
    """Capture the booking's payments, oldest first, up to the amount asked for (all without
    one); an authorization the amount does not reach is released."""
    await uow.bookings.lock(command.booking_id)
    payments = await uow.payments.of_booking(command.booking_id)
    if not payments:
        log.warning("capture for booking %s without a payment ignored", command.booking_id)
    for planned in plan_capture(payments, command.amount):
        payment = planned.payment
        if planned.step is CaptureStep.CAPTURE:
            await record_capture(uow, ctx, payment, planned.amount_minor)
        elif planned.step is CaptureStep.RELEASE:
            await _void_one(uow, ctx, payment, VoidReason.CANCELLED)
        elif planned.step is CaptureStep.ANNOUNCE:
            await uow.publish(captured_message(payment), correlation_id=str(payment.booking_id))
        else:
            log.warning(
                "capture of a %s payment %s (booking %s, void asked: %s) ignored",
                payment.status,
                payment.id,
                payment.booking_id,
                payment.void_reason,
            )


async def void(uow: PaymentsUnit, ctx: Context, command: VoidPayment) -> None:
    """Release the money of that move's payment, or of every payment of the booking not
    captured (all of them, as ever, when each is captured); remember the void of a payment not
    asked for yet, so that it is never offered."""
    await uow.bookings.lock(command.booking_id)
    payments = await uow.payments.of_booking(command.booking_id)
    if command.move_id is not None:
        payments = [p for p in payments if p.move_id == command.move_id]
    elif any(p.status in OPEN for p in payments):
        payments = [p for p in payments if p.status in OPEN]
    if not payments:
        await uow.bookings.add_voided(command.booking_id, command.move_id, command.reason.value)
        nothing = PaymentVoided(
            booking_id=command.booking_id,
            move_id=command.move_id,
            reason=command.reason,
            voided_at=uow.now,
        )
        await uow.publish(nothing, correlation_id=str(command.booking_id))
        return
    for payment in payments:
        await _void_one(uow, ctx, payment, command.reason)


async def _void_one(uow: PaymentsUnit, ctx: Context, payment: Payment, reason: VoidReason) -> None:
    outcome, action = request_void(
        payment, reason, uow.now, intent_may_exist=await _intent_may_exist(uow, payment)
    )
    await save_outcome(uow, ctx, payment, outcome)
    if action is VoidAction.CANCEL:
        await record_cancel(uow, ctx, outcome.payment)


async def _intent_may_exist(uow: PaymentsUnit, payment: Payment) -> bool:
    """Whether Stripe may hold a PaymentIntent we do not know yet; if its creating call was
    never taken, it is called off here (the call is locked, so no runner takes it meanwhile)."""
    if payment.intent_ref is not None or payment.status is not PaymentStatus.PENDING:
        return payment.intent_ref is not None
    call = await uow.stripe_calls.by_key(payment_key(payment, "authorize"))
    if call is None or call.status != "pending":
        return False
    if call.attempts > 0:
        return True
    await uow.stripe_calls.finish(call.id, status="cancelled")
    return False


async def refund(uow: PaymentsUnit, ctx: Context, command: RefundPayment) -> None:
    """Refund part or all of the booking's captured money, newest payment first, once per
    refund id, never beyond the captures; asked for before the captures settled, it waits."""
    await uow.bookings.lock(command.booking_id)
    payments = await uow.payments.of_booking(command.booking_id)
    if waiting_payments(payments):
        if await uow.refunds.add(
            refund_id=command.refund_id,
            booking_id=command.booking_id,
            requested_minor=command.amount.amount_minor,
            amount_minor=0,
            reason=command.reason.value,
            status="awaiting_capture",
            currency=command.amount.currency,
        ):
            log.info("refund %s waits for the capture", command.refund_id)
        return
    decision = await refund_captured(
        uow,
        ctx,
        payments,
        refund_id=command.refund_id,
        requested=command.amount,
        reason=command.reason,
        capped=True,
    )
    if decision is not None and decision.amount_minor == 0:
        log.warning(
            "refund %s of booking %s: nothing refundable", command.refund_id, command.booking_id
        )


async def schedule_payout(uow: PaymentsUnit, ctx: Context, command: SchedulePayout) -> None:
    payout = Payout(
        booking_id=command.booking_id, owner_id=command.owner_id, not_before=command.not_before
    )
    if await uow.payouts.add(payout):
        uow.after_commit(ctx.payouts_scheduled)
