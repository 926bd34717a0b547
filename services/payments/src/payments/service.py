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
from typing import Any

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
    IntentSnapshot,
    Payment,
    PaymentStatus,
    VoidAction,
    capture_amount,
    captured_message,
    intent_ready,
    new_payment,
    observe,
    request_void,
)
from payments.domain.payouts import Payout
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
    kind: str,
    idempotency_key: str,
    params: dict[str, Any] | None = None,
) -> None:
    """A Stripe call to make once this transaction commits (once per idempotency key)."""
    recorded = await db.add_call(
        uow.session,
        booking_id=booking_id,
        kind=kind,
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
    updated = outcome.payment
    if updated != payment:
        await db.save_payment(uow.session, updated)
    await publish_all(uow, outcome.messages, updated.booking_id)
    if outcome.capture_now:
        await _record_capture(uow, ctx, updated, updated.amount_minor)
    if updated.status is PaymentStatus.CAPTURED and updated.void_reason is not None:
        await _record_void_refund(uow, ctx, updated)
    return updated


async def _record_capture(uow: UnitOfWork, ctx: Context, payment: Payment, amount: int) -> None:
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        "capture",
        f"{payment.booking_id}:capture",
        {"amount_minor": amount},
    )


async def _record_void_refund(uow: UnitOfWork, ctx: Context, payment: Payment) -> None:
    pending = await db.refunds_pending_minor(uow.session, payment.booking_id)
    amount = payment.refundable_minor - pending
    refund_id = void_refund_id(payment.booking_id)
    if amount <= 0 or not await db.add_refund(
        uow.session,
        refund_id=refund_id,
        booking_id=payment.booking_id,
        requested_minor=amount,
        amount_minor=amount,
        reason="void",
        status="pending",
    ):
        return
    await record_call(
        uow,
        ctx,
        payment.booking_id,
        "refund",
        f"{payment.booking_id}:void-refund",
        {"refund_id": str(refund_id), "amount_minor": amount, "void": True},
    )


async def authorize(uow: UnitOfWork, ctx: Context, command: AuthorizePayment) -> None:
    """Create the booking's payment; Stripe's PaymentIntent follows right after commit."""
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
            "authorize",
            f"{payment.booking_id}:authorize",
            {"description": command.description},
        )
        return
    existing = await db.payment_for_booking(uow.session, command.booking_id)
    if existing and existing.status is PaymentStatus.PENDING and existing.client_secret:
        # Asked again (the booker retries): the same PaymentIntent takes another card.
        await uow.publish(intent_ready(existing), correlation_id=str(existing.booking_id))


async def capture(uow: UnitOfWork, ctx: Context, command: CapturePayment) -> None:
    payment = await db.payment_for_booking(uow.session, command.booking_id)
    if payment is None:
        log.warning("capture for booking %s without a payment ignored", command.booking_id)
        return
    if payment.status is PaymentStatus.AUTHORIZED:
        await _record_capture(uow, ctx, payment, capture_amount(payment, command.amount))
    elif payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        await uow.publish(captured_message(payment), correlation_id=str(payment.booking_id))
    else:
        log.warning(
            "capture of a %s payment (booking %s) ignored", payment.status, payment.booking_id
        )


async def void(uow: UnitOfWork, ctx: Context, command: VoidPayment) -> None:
    payment = await db.payment_for_booking(uow.session, command.booking_id)
    if payment is None:
        nothing = PaymentVoided(
            booking_id=command.booking_id, reason=command.reason, voided_at=now()
        )
        await uow.publish(nothing, correlation_id=str(command.booking_id))
        return
    outcome, action = request_void(payment, command.reason, now())
    await db.save_payment(uow.session, outcome.payment)
    await publish_all(uow, outcome.messages, payment.booking_id)
    if action is VoidAction.CANCEL:
        await record_call(uow, ctx, payment.booking_id, "cancel", f"{payment.booking_id}:void")
    elif action is VoidAction.REFUND:
        await _record_void_refund(uow, ctx, outcome.payment)


async def refund(uow: UnitOfWork, ctx: Context, command: RefundPayment) -> None:
    """Refund part or all of a captured payment, once per refund id, never beyond the capture."""
    payment = await db.payment_for_booking(uow.session, command.booking_id)
    refundable_now = (
        payment is not None
        and payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
        and payment.currency == command.amount.currency
    )
    amount = 0
    if payment is not None and refundable_now:
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
    )
    if not added:
        return  # the same refund asked for again: it is done or under way
    if amount == 0:
        log.warning(
            "refund %s of booking %s: nothing refundable", command.refund_id, command.booking_id
        )
        return
    await record_call(
        uow,
        ctx,
        command.booking_id,
        "refund",
        f"{command.refund_id}:refund",
        {"refund_id": str(command.refund_id), "amount_minor": amount},
    )


async def schedule_payout(uow: UnitOfWork, ctx: Context, command: SchedulePayout) -> None:
    payout = Payout(
        booking_id=command.booking_id, owner_id=command.owner_id, not_before=command.not_before
    )
    if await db.add_payout(uow.session, payout):
        event.listen(uow.session.sync_session, "after_commit", lambda _: ctx.payouts_scheduled())
