"""The Stripe calls about a booker's PaymentIntent, as the runner (`stripe_calls.py`) makes
them: create it (the authorization), capture or cancel it, and refund one part of a refund from
it. Each is decided on the payment as the call was taken, asks Stripe with the call's
idempotency key, and records what Stripe answered on the payment read again, locked, with the
call done, in one unit of work."""

from __future__ import annotations

import logging
import uuid

from contracts.payments import PaymentFailureReason
from payments.domain.payment_returns import refund_went_through, refunds_total
from payments.domain.payment_states import Payment, PaymentStatus
from payments.domain.payments import creation_failed, intent_created, needs_cancel
from payments.domain.stripe_calls import (
    AuthorizeParams,
    CancelParams,
    CaptureParams,
    RefundParams,
    StripeCall,
)
from payments.provider import ProviderRejected
from payments.repositories import PaymentsUnit, PaymentsUnits
from payments.service.context import Context, call_done, publish_all
from payments.service.payment_outcomes import apply_snapshot, record_cancel, save_outcome

log = logging.getLogger(__name__)


async def authorize(
    units: PaymentsUnits,
    ctx: Context,
    call: StripeCall,
    params: AuthorizeParams,
    payment: Payment | None,
) -> None:
    """Create the payment's PaymentIntent, unless it has one or is no longer pending."""
    if payment is None or payment.status is not PaymentStatus.PENDING or payment.intent_ref:
        await call_done(units, call.id)
        return
    try:
        snapshot = await ctx.gateway.create_intent(
            booking_id=payment.booking_id,
            move_id=payment.move_id,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            description=params.description or "",
            idempotency_key=call.idempotency_key,
        )
    except ProviderRejected:
        async with units.begin() as uow:
            payment = await uow.payments.get(payment.id)
            assert payment is not None
            outcome = creation_failed(payment, PaymentFailureReason.INVALID_REQUEST, uow.now)
            await save_outcome(uow, ctx, payment, outcome)
            await uow.stripe_calls.finish(call.id, status="failed")
        return
    async with units.begin() as uow:
        payment = await uow.payments.get(payment.id)
        assert payment is not None
        outcome = intent_created(payment, snapshot)
        await save_outcome(uow, ctx, payment, outcome)
        if needs_cancel(outcome.payment):
            # Voided while Stripe was creating it: cancel it before anyone can pay.
            await record_cancel(uow, ctx, outcome.payment)
        await uow.stripe_calls.finish(call.id)


async def authorization_impossible(uow: PaymentsUnit, ctx: Context, call: StripeCall) -> None:
    """Stripe stayed out of reach: booking must not wait for a payment that never comes."""
    payment = await _payment_of(uow, call)
    if payment is not None:
        outcome = creation_failed(payment, PaymentFailureReason.PROCESSING_ERROR, uow.now)
        await save_outcome(uow, ctx, payment, outcome)


async def change_intent(
    units: PaymentsUnits,
    ctx: Context,
    call: StripeCall,
    params: CaptureParams | CancelParams,
    payment: Payment | None,
) -> None:
    """Capture or cancel the payment's PaymentIntent while it can still move."""
    movable = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)
    if payment is None or payment.intent_ref is None or payment.status not in movable:
        await call_done(units, call.id)
        return
    capture = isinstance(params, CaptureParams)
    if capture and payment.void_reason is not None:
        # The void came before this capture went through: the cancel queued behind it
        # releases the money instead (and if an earlier attempt did capture, the cancel
        # learns so from Stripe and refunds it).
        log.info("capture of booking %s called off by its void", payment.booking_id)
        await call_done(units, call.id)
        return
    gateway = ctx.gateway
    try:
        if isinstance(params, CaptureParams):
            snapshot = await gateway.capture(
                payment.intent_ref,
                amount_minor=params.amount_minor,
                idempotency_key=call.idempotency_key,
            )
        else:
            snapshot = await gateway.cancel(
                payment.intent_ref, idempotency_key=call.idempotency_key
            )
    except ProviderRejected as error:
        # Usually the intent moved on (captured, canceled, lapsed): learn where it is.
        log.info("%s of %s refused (%s); re-reading it", call.kind, payment.intent_ref, error.code)
        snapshot = await gateway.retrieve_intent(payment.intent_ref)
    async with units.begin() as uow:
        payment = await uow.payments.get(payment.id)
        assert payment is not None
        await apply_snapshot(uow, ctx, payment, snapshot)
        await uow.stripe_calls.finish(call.id)


async def refund(
    units: PaymentsUnits,
    ctx: Context,
    call: StripeCall,
    params: RefundParams,
    payment: Payment | None,
) -> None:
    """One part of a refund: its own Stripe refund of the part's payment."""
    refund_id = params.refund_id
    part = None
    if payment is not None:
        async with units.begin() as uow:
            part = await uow.refunds.part(refund_id, payment.id)
    if payment is None or payment.intent_ref is None or part is None or part.status != "pending":
        await call_done(units, call.id)
        return
    try:
        result = await ctx.gateway.refund(
            payment.intent_ref,
            amount_minor=part.amount_minor,
            refund_id=refund_id,
            idempotency_key=call.idempotency_key,
        )
    except ProviderRejected as error:
        log.warning("refund %s of %s refused by Stripe: %s", refund_id, payment.id, error)
        async with units.begin() as uow:
            await uow.refunds.finish_part(refund_id, payment.id, "rejected", None)
            await _finish_refund(uow, refund_id)
            await uow.stripe_calls.finish(call.id, status="failed")
        return
    async with units.begin() as uow:
        await _refunded(uow, payment.id, refund_id, result.refund_ref, result.amount_minor)
        await uow.stripe_calls.finish(call.id)


async def _refunded(
    uow: PaymentsUnit,
    payment_id: uuid.UUID,
    refund_id: uuid.UUID,
    refund_ref: str,
    amount_minor: int,
) -> None:
    """Record a part that went through, once, and tell booking what came back."""
    payment = await uow.payments.get(payment_id)
    part = await uow.refunds.part(refund_id, payment_id)
    row = await uow.refunds.get(refund_id)
    assert payment is not None
    assert part is not None
    assert row is not None
    if part.status != "pending":
        return
    await uow.refunds.finish_part(refund_id, payment_id, "succeeded", refund_ref)
    await _finish_refund(uow, refund_id)
    of_payment = await uow.refunds.succeeded_minor(payment.booking_id, payment.id)
    payment = refunds_total(payment, of_payment)
    await uow.payments.save(payment)
    outcome = refund_went_through(
        payment,
        refund_id,
        amount_minor,
        row.reason,
        uow.now,
        booking_refunded_minor=await uow.refunds.succeeded_minor(payment.booking_id),
    )
    await publish_all(uow, outcome.messages, payment.booking_id)


async def _payment_of(uow: PaymentsUnit, call: StripeCall) -> Payment | None:
    """The payment a call is about, locked: the one it names, or the booking's first."""
    payment_id = getattr(call.params, "payment_id", None)
    if payment_id is not None:
        return await uow.payments.get(payment_id)
    return await uow.payments.for_booking(call.booking_id)


async def _finish_refund(uow: PaymentsUnit, refund_id: uuid.UUID) -> None:
    """A refund is over once none of its parts is pending: succeeded if one went through."""
    statuses = {part.status for part in await uow.refunds.parts(refund_id)}
    if "pending" not in statuses:
        await uow.refunds.finish(refund_id, "succeeded" if "succeeded" in statuses else "rejected")
