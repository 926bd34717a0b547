"""Payments' use cases for booking's commands, each inside the unit of work of its message.

A command never calls Stripe inside its transaction: it records the payment's new state and
the Stripe call to make (`stripe_calls`, keyed by booking and step), commits, and the call runs
afterwards (`calls.py`). A crash in between leaves a pending call that is simply run again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from opentelemetry.trace import NoOpTracerProvider, TracerProvider
from sqlalchemy import event

from contracts import Message
from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    PaymentVoided,
    RefundPayment,
    SchedulePayout,
    VoidPayment,
)
from payments import db
from payments.config import PaymentsSettings
from payments.domain.money import refund_amount
from payments.domain.payments import (
    VOID_REFUND_REASON,
    IntentSnapshot,
    Outcome,
    Payment,
    PaymentStatus,
    RefundRequest,
    VoidAction,
    capture_amount,
    captured_message,
    intent_ready,
    new_payment,
    observe,
    request_void,
    settle_refund_requests,
    voided_by_refund,
    waiting_payment,
)
from payments.domain.payouts import Payout
from payments.domain.stripe_calls import (
    AuthorizeParams,
    CancelParams,
    CaptureParams,
    RefundParams,
    StripeCallParams,
)
from payments.stripe_gateway import StripeGateway
from service_runtime.tracing import current_traceparent
from service_runtime.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What the use cases need besides a unit of work."""

    settings: PaymentsSettings
    gateway: StripeGateway
    calls_recorded: Callable[[], None] = lambda: None
    """Wakes the Stripe call runner once a transaction that recorded calls has committed."""
    payouts_scheduled: Callable[[], None] = lambda: None
    events_received: Callable[[], None] = lambda: None
    """Wakes the Stripe event processor once a transaction that stored events has committed."""
    tracer_provider: TracerProvider = field(default_factory=NoOpTracerProvider)
    """The service's own, once it runs: webhook work is traced into the booking's trace."""


def now() -> datetime:
    return datetime.now(UTC)


def void_refund_id(booking_id: uuid.UUID) -> uuid.UUID:
    """The refund that stands for a void after capture: one per booking."""
    return uuid.uuid5(booking_id, "void")


async def publish_all(uow: UnitOfWork, messages: Sequence[Message], booking_id: uuid.UUID) -> None:
    for message in messages:
        await uow.publish(message, correlation_id=str(booking_id))


async def record_call(
    uow: UnitOfWork,
    ctx: Context,
    booking_id: uuid.UUID,
    params: StripeCallParams,
    idempotency_key: str,
) -> None:
    """A Stripe call to make once this transaction commits (once per idempotency key)."""
    recorded = await db.add_call(
        uow.session,
        booking_id=booking_id,
        idempotency_key=idempotency_key,
        params=params,
        traceparent=current_traceparent(),
    )
    if recorded:
        event.listen(uow.session.sync_session, "after_commit", lambda _: ctx.calls_recorded())


async def apply_snapshot(
    uow: UnitOfWork, ctx: Context, payment: Payment, snapshot: IntentSnapshot
) -> Payment:
    """Move the payment by what Stripe says, tell the others, and start what follows from it."""
    outcome = observe(payment, snapshot, now())
    await save_outcome(uow, ctx, payment, outcome)
    if outcome.capture_now:
        await _record_capture(uow, ctx, outcome.payment, outcome.payment.amount_minor)
    return outcome.payment


async def save_outcome(uow: UnitOfWork, ctx: Context, before: Payment, outcome: Outcome) -> None:
    """Store a decision about the payment and send its messages; once the capture settled,
    perform what booking asked for meanwhile (its refunds, then its void)."""
    payment = outcome.payment
    if payment != before:
        await db.save_payment(uow.session, payment)
    await publish_all(uow, outcome.messages, payment.booking_id)
    await _settle_waiting_refunds(uow, ctx, payment)
    if payment.status is PaymentStatus.CAPTURED and payment.void_reason is not None:
        await _record_void_refund(uow, ctx, payment)


async def _settle_waiting_refunds(uow: UnitOfWork, ctx: Context, payment: Payment) -> None:
    rows = await db.refunds_awaiting_capture(uow.session, payment.booking_id)
    if not rows:
        return
    requests = [RefundRequest(row.refund_id, row.requested_minor, row.currency) for row in rows]
    pending = await db.refunds_pending_minor(uow.session, payment.booking_id)
    settled = settle_refund_requests(payment, requests, pending)
    for request, amount in settled or []:
        status = "pending" if amount > 0 else "rejected"
        await db.settle_refund_request(
            uow.session, request.refund_id, amount_minor=amount, status=status
        )
        if amount > 0:
            await _record_refund_call(uow, ctx, payment.booking_id, request.refund_id, amount)
        else:
            log.warning(
                "refund %s of booking %s, asked before the capture settled: nothing refundable",
                request.refund_id,
                payment.booking_id,
            )


async def _record_refund_call(
    uow: UnitOfWork, ctx: Context, booking_id: uuid.UUID, refund_id: uuid.UUID, amount: int
) -> None:
    await record_call(
        uow,
        ctx,
        booking_id,
        RefundParams(refund_id=refund_id, amount_minor=amount),
        f"{refund_id}:refund",
    )


async def _record_capture(uow: UnitOfWork, ctx: Context, payment: Payment, amount: int) -> None:
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        CaptureParams(amount_minor=amount),
        f"{payment.booking_id}:capture",
    )


async def _record_void_refund(uow: UnitOfWork, ctx: Context, payment: Payment) -> None:
    """A void after capture: refund whatever other refunds do not already give back."""
    pending = await db.refunds_pending_minor(uow.session, payment.booking_id)
    amount = max(payment.refundable_minor - pending, 0)
    refund_id = void_refund_id(payment.booking_id)
    if not await db.add_refund(
        uow.session,
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
        await publish_all(uow, voided_by_refund(payment, now()).messages, payment.booking_id)
        return
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        RefundParams(refund_id=refund_id, amount_minor=amount),
        f"{payment.booking_id}:void-refund",
    )


async def authorize(uow: UnitOfWork, ctx: Context, command: AuthorizePayment) -> None:
    """Create the booking's payment; Stripe's PaymentIntent follows right after commit."""
    await db.lock_booking(uow.session, command.booking_id)
    if await db.voided_booking(uow.session, command.booking_id) is not None:
        # The void came first (a backlog handled out of order): this payment is not wanted.
        log.warning("payment of booking %s asked for after its void: refused", command.booking_id)
        return
    payment = new_payment(
        command,
        now=now(),
        window=timedelta(days=ctx.settings.authorization_window_days),
    )
    if await db.add_payment(uow.session, payment):
        await record_call(
            uow,
            ctx,
            payment.booking_id,
            AuthorizeParams(description=command.description),
            authorize_key(payment.booking_id),
        )
        return
    existing = await db.payment_for_booking(uow.session, command.booking_id)
    if (
        existing
        and existing.status is PaymentStatus.PENDING
        and existing.void_reason is None
        and existing.client_secret
    ):
        # Asked again (the booker retries): the same PaymentIntent takes another card.
        await uow.publish(intent_ready(existing), correlation_id=str(existing.booking_id))


def authorize_key(booking_id: uuid.UUID) -> str:
    return f"{booking_id}:authorize"


def cancel_key(booking_id: uuid.UUID) -> str:
    return f"{booking_id}:void"


async def capture(uow: UnitOfWork, ctx: Context, command: CapturePayment) -> None:
    await db.lock_booking(uow.session, command.booking_id)
    payment = await db.payment_for_booking(uow.session, command.booking_id)
    if payment is None:
        log.warning("capture for booking %s without a payment ignored", command.booking_id)
        return
    if payment.status is PaymentStatus.AUTHORIZED and payment.void_reason is None:
        await _record_capture(uow, ctx, payment, capture_amount(payment, command.amount))
    elif payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        await uow.publish(captured_message(payment), correlation_id=str(payment.booking_id))
    else:
        log.warning(
            "capture of a %s payment (booking %s, void asked: %s) ignored",
            payment.status,
            payment.booking_id,
            payment.void_reason,
        )


async def void(uow: UnitOfWork, ctx: Context, command: VoidPayment) -> None:
    """Release the booking's money: cancel, refund, or remember the void for a payment that
    has not been asked for yet, so that it is never created."""
    await db.lock_booking(uow.session, command.booking_id)
    payment = await db.payment_for_booking(uow.session, command.booking_id)
    if payment is None:
        await db.add_voided_booking(uow.session, command.booking_id, command.reason.value)
        nothing = PaymentVoided(
            booking_id=command.booking_id, reason=command.reason, voided_at=now()
        )
        await uow.publish(nothing, correlation_id=str(command.booking_id))
        return
    outcome, action = request_void(
        payment, command.reason, now(), intent_may_exist=await _intent_may_exist(uow, payment)
    )
    await save_outcome(uow, ctx, payment, outcome)
    if action is VoidAction.CANCEL:
        await record_call(
            uow, ctx, payment.booking_id, CancelParams(), cancel_key(payment.booking_id)
        )


async def _intent_may_exist(uow: UnitOfWork, payment: Payment) -> bool:
    """Whether Stripe may hold a PaymentIntent we do not know yet; if its creating call was
    never taken, it is called off here (the call is locked, so no runner takes it meanwhile)."""
    if payment.intent_ref is not None or payment.status is not PaymentStatus.PENDING:
        return payment.intent_ref is not None
    call = await db.call_by_key(uow.session, authorize_key(payment.booking_id))
    if call is None or call.status != "pending":
        return False
    if call.attempts > 0:
        return True
    await db.finish_call(uow.session, call.id, status="cancelled")
    return False


async def refund(uow: UnitOfWork, ctx: Context, command: RefundPayment) -> None:
    """Refund part or all of a captured payment, once per refund id, never beyond the capture;
    asked for before the capture settled, it waits for it."""
    await db.lock_booking(uow.session, command.booking_id)
    payment = await db.payment_for_booking(uow.session, command.booking_id)
    if waiting_payment(payment):
        if await db.add_refund(
            uow.session,
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
    assert payment is not None
    amount = 0
    if payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED) and (
        payment.currency == command.amount.currency
    ):
        pending = await db.refunds_pending_minor(uow.session, payment.booking_id)
        amount = refund_amount(
            command.amount.amount_minor, payment.captured_minor, payment.refunded_minor + pending
        )
    added = await db.add_refund(
        uow.session,
        refund_id=command.refund_id,
        booking_id=command.booking_id,
        requested_minor=command.amount.amount_minor,
        amount_minor=amount,
        reason=command.reason.value,
        status="pending" if amount > 0 else "rejected",
        currency=command.amount.currency,
    )
    if not added:
        return  # the same refund asked for again: it is done or under way
    if amount == 0:
        log.warning(
            "refund %s of booking %s: nothing refundable", command.refund_id, command.booking_id
        )
        return
    await _record_refund_call(uow, ctx, command.booking_id, command.refund_id, amount)


async def schedule_payout(uow: UnitOfWork, ctx: Context, command: SchedulePayout) -> None:
    payout = Payout(
        booking_id=command.booking_id, owner_id=command.owner_id, not_before=command.not_before
    )
    if await db.add_payout(uow.session, payout):
        event.listen(uow.session.sync_session, "after_commit", lambda _: ctx.payouts_scheduled())
