"""The Stripe calls about the owner's payout, as the runner (`stripe_calls.py`) makes them:
the transfer of the owner's share (held back again if a dispute opened since it was scheduled)
and the reversal of part of it (a dispute or a refund after the payout). Each records what
Stripe answered on the payout, its messages and the call done in one unit of work."""

from __future__ import annotations

from dataclasses import replace

from payments.domain import payouts as payout_rules
from payments.domain.payouts import PayoutStatus
from payments.domain.stripe_calls import ReverseTransferParams, StripeCall
from payments.repositories import PaymentsUnits
from payments.service.context import Context, call_done, publish_all


async def transfer_payout(units: PaymentsUnits, ctx: Context, call: StripeCall) -> None:
    """Transfer the owner's share of a payout being transferred, unless a dispute holds it."""
    async with units.begin() as uow:
        payout = await uow.payouts.for_booking(call.booking_id)
        disputed = await uow.disputes.open_count(call.booking_id)
        account = await uow.owner_accounts.of_owner(payout.owner_id) if payout is not None else None
        payments = await uow.payments.of_booking(call.booking_id, lock=False)
        if payout is not None and payout.status is PayoutStatus.TRANSFERRING and disputed:
            # A dispute opened since it was scheduled: wait for its outcome.
            await uow.payouts.save(
                replace(payout, status=PayoutStatus.SCHEDULED),
                hold=payout_rules.Hold.DISPUTED.value,
            )
            await uow.stripe_calls.finish(call.id, status="cancelled")
            return
    if (
        payout is None
        or payout.status is not PayoutStatus.TRANSFERRING
        or not payments
        or account is None
        or payout.currency is None
    ):
        await call_done(units, call.id)
        return
    transfer = await ctx.gateway.transfer(
        booking_id=payout.booking_id,
        amount_minor=payout.amount_minor,
        currency=payout.currency,
        destination=account.account_ref,
        source_charge=payout_rules.source_charge(payments, payout.amount_minor),
        idempotency_key=call.idempotency_key,
    )
    async with units.begin() as uow:
        payout = await uow.payouts.for_booking(call.booking_id)
        assert payout is not None
        paid, messages = payout_rules.transferred(
            payout, transfer.transfer_ref, transfer.amount_minor, transfer.currency, uow.now
        )
        if paid != payout:
            await uow.payouts.save(paid)
        await publish_all(uow, messages, payout.booking_id)
        await uow.stripe_calls.finish(call.id)


async def reverse_transfer(
    units: PaymentsUnits, ctx: Context, call: StripeCall, params: ReverseTransferParams
) -> None:
    """Take back part of a paid payout's transfer."""
    async with units.begin() as uow:
        payout = await uow.payouts.for_booking(call.booking_id)
    if payout is None or payout.transfer_ref is None or payout.status is not PayoutStatus.PAID:
        await call_done(units, call.id)
        return
    transfer = await ctx.gateway.reverse_transfer(
        payout.transfer_ref,
        amount_minor=params.amount_minor,
        idempotency_key=call.idempotency_key,
    )
    async with units.begin() as uow:
        payout = await uow.payouts.for_booking(call.booking_id)
        assert payout is not None
        updated, messages = payout_rules.reversed_(
            payout, transfer.amount_reversed_minor, params.reason, uow.now
        )
        if updated != payout:
            await uow.payouts.save(updated)
        await publish_all(uow, messages, payout.booking_id)
        await uow.stripe_calls.finish(call.id)
