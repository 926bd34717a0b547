"""What each Stripe event type does to payments, disputes, payouts and owner accounts, inside
the transaction that marks the event processed (`stripe_events`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace

from contracts.payments import PaymentFailureReason
from payments.domain import disputes as dispute_rules
from payments.domain import payouts as payout_rules
from payments.domain.disputes import Dispute, DisputeStatus
from payments.domain.payment_returns import refunds_total
from payments.domain.payment_states import CardFailure, Payment
from payments.domain.payments import card_failed
from payments.domain.payouts import PayoutStatus
from payments.domain.stripe_calls import ReverseTransferParams
from payments.provider import ProviderEvent
from payments.repositories import PaymentsUnit
from payments.service.context import Context, publish_all, record_call
from payments.service.payment_outcomes import apply_snapshot

log = logging.getLogger(__name__)


async def _payment(
    uow: PaymentsUnit,
    intent_ref: str | None,
    booking_id: uuid.UUID | None,
    move_id: uuid.UUID | None = None,
) -> Payment | None:
    """The payment of the PaymentIntent; by the booking and move in its metadata when our
    record of the intent was lost (a crash between Stripe's answer and our commit)."""
    payment = await uow.payments.for_intent(intent_ref) if intent_ref else None
    if payment is None and booking_id is not None:
        payment = await uow.payments.for_booking(booking_id, move_id)
    return payment


async def _intent_payment(uow: PaymentsUnit, event: ProviderEvent) -> Payment | None:
    """The payment of the PaymentIntent an event carries, when we know it."""
    intent = event.intent
    if intent is None:
        return None
    payment = await _payment(uow, intent.intent_ref, intent.booking_id, intent.move_id)
    if payment is None:
        log.info("%s for unknown PaymentIntent %s ignored", event.type, intent.intent_ref)
    return payment


async def _intent_changed(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    payment = await _intent_payment(uow, event)
    if payment is not None and event.intent is not None:
        await apply_snapshot(uow, ctx, payment, event.intent)


async def _card_failed(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    payment = await _intent_payment(uow, event)
    if payment is None or event.intent is None:
        return
    failure = event.intent.failure or CardFailure(PaymentFailureReason.CARD_DECLINED)
    outcome = card_failed(payment, failure, uow.now)
    await publish_all(uow, outcome.messages, payment.booking_id)


async def _charge_refunded(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    charge = event.charge
    payment = await _payment(uow, charge.intent_ref, None) if charge is not None else None
    if charge is not None and payment is not None:
        updated = refunds_total(payment, charge.amount_refunded_minor)
        if updated != payment:
            await uow.payments.save(updated)


async def _dispute_changed(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    snapshot = event.dispute
    if snapshot is None:
        return
    dispute = await uow.disputes.by_ref(snapshot.dispute_ref)
    if dispute is None:
        payment = await _payment(uow, snapshot.intent_ref, None)
        if payment is None:
            log.info("dispute %s on an unknown payment ignored", snapshot.dispute_ref)
            return
        dispute = Dispute(
            id=uuid.uuid4(),
            dispute_ref=snapshot.dispute_ref,
            booking_id=payment.booking_id,
            payment_id=payment.id,
            amount_minor=snapshot.amount_minor,
            currency=snapshot.currency,
            reason=snapshot.reason,
            evidence_due_by=snapshot.evidence_due_by,
        )
        await uow.disputes.add(dispute)
        await publish_all(uow, dispute_rules.opened(dispute, uow.now), dispute.booking_id)
        await _claw_back_payout(uow, ctx, dispute.booking_id)
    closed, messages = dispute_rules.decided(dispute, snapshot.status, uow.now)
    if closed != dispute:
        await uow.disputes.save(closed)
        await publish_all(uow, messages, dispute.booking_id)
        if closed.status is DisputeStatus.LOST:
            await _cancel_payout(uow, dispute.booking_id)


async def _claw_back_payout(uow: PaymentsUnit, ctx: Context, booking_id: uuid.UUID) -> None:
    """A dispute after the owner was paid: take the transfer back until it is decided."""
    payout = await uow.payouts.for_booking(booking_id)
    if payout is None or payout.status is not PayoutStatus.PAID:
        return
    await uow.payouts.save(replace(payout, reversal_reason="dispute_opened"))
    await record_call(
        uow,
        ctx,
        booking_id,
        ReverseTransferParams(reason="dispute_opened"),
        f"{booking_id}:payout-reversal",
    )


async def _cancel_payout(uow: PaymentsUnit, booking_id: uuid.UUID) -> None:
    """A lost dispute: the money went back to the card holder, there is nothing to pay out."""
    payout = await uow.payouts.for_booking(booking_id)
    if payout is not None and payout.status is PayoutStatus.SCHEDULED:
        await uow.payouts.save(replace(payout, status=PayoutStatus.CANCELLED), hold="dispute_lost")


async def _account_updated(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    snapshot = event.account
    if snapshot is None:
        return
    row = await uow.owner_accounts.by_ref(snapshot.account_ref)
    if row is None:
        if snapshot.owner_id is None:
            return
        # Created at Stripe, but our record of it was lost with a crash: adopt it.
        await uow.owner_accounts.add(snapshot.owner_id, snapshot.account_ref)
        row = await uow.owner_accounts.by_ref(snapshot.account_ref)
        assert row is not None
    if row.synced_at is not None and event.created < row.synced_at:
        return  # older news than what we applied already
    messages = payout_rules.payouts_capability_changed(
        row.owner_id,
        row.payouts_enabled,
        snapshot.payouts_enabled,
        snapshot.disabled_reason,
        uow.now,
    )
    await uow.owner_accounts.set_payouts_enabled(
        snapshot.account_ref, snapshot.payouts_enabled, event.created
    )
    await publish_all(uow, messages, row.owner_id)


async def _transfer_changed(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    """The transfer's own news: covers a crash between Stripe's answer and our record of it."""
    snapshot = event.transfer
    if snapshot is None:
        return
    payout = await uow.payouts.for_transfer(snapshot.transfer_ref)
    if payout is None and snapshot.booking_id is not None:
        payout = await uow.payouts.for_booking(snapshot.booking_id)
    if payout is None:
        return
    updated, messages = payout_rules.transferred(
        payout, snapshot.transfer_ref, snapshot.amount_minor, snapshot.currency, uow.now
    )
    if event.type == "transfer.reversed":
        updated, more = payout_rules.reversed_(
            updated, snapshot.amount_reversed_minor, updated.reversal_reason or "reversed", uow.now
        )
        messages += more
    if updated != payout:
        await uow.payouts.save(updated)
    await publish_all(uow, messages, payout.booking_id)


EventHandler = Callable[[PaymentsUnit, Context, ProviderEvent], Awaitable[None]]

EVENT_HANDLERS: dict[str, EventHandler] = {
    "payment_intent.created": _intent_changed,
    "payment_intent.processing": _intent_changed,
    "payment_intent.requires_action": _intent_changed,
    "payment_intent.partially_funded": _intent_changed,
    "payment_intent.amount_capturable_updated": _intent_changed,
    "payment_intent.succeeded": _intent_changed,
    "payment_intent.canceled": _intent_changed,
    "payment_intent.payment_failed": _card_failed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_changed,
    "charge.dispute.updated": _dispute_changed,
    "charge.dispute.closed": _dispute_changed,
    "charge.dispute.funds_withdrawn": _dispute_changed,
    "charge.dispute.funds_reinstated": _dispute_changed,
    "account.updated": _account_updated,
    "transfer.created": _transfer_changed,
    "transfer.updated": _transfer_changed,
    "transfer.reversed": _transfer_changed,
}
"""What each Stripe event type does; a type not named here is stored, and changes nothing."""


async def apply_event(uow: PaymentsUnit, ctx: Context, event: ProviderEvent) -> None:
    """Apply the event by its type; a type not in EVENT_HANDLERS changes nothing."""
    handle = EVENT_HANDLERS.get(event.type)
    if handle is None:
        log.info("Stripe event %s of type %s: nothing to do", event.id, event.type)
        return
    await handle(uow, ctx, event)
