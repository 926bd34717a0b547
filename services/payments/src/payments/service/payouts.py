"""The payout scheduler: turns due payouts into transfer calls, each payout exactly once.

Due payouts are taken with FOR UPDATE SKIP LOCKED, so two replicas never take the same one; the
transfer call is unique per booking (`{booking_id}:payout`), and its Stripe idempotency key is
that same key, so even a repeated transfer request moves the money once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from payments.domain.payouts import Hold, PayoutStatus, payout_hold, start_transfer
from payments.domain.stripe_calls import TransferParams
from payments.repositories import PaymentsUnits
from payments.service.context import Context, record_call


async def schedule_due_payouts(units: PaymentsUnits, ctx: Context) -> int:
    """Start the transfers of payouts that are due; how many were started."""
    window = timedelta(hours=ctx.settings.dispute_window_hours)
    started = 0
    async with units.begin() as uow:
        for payout in await uow.payouts.scheduled_due(uow.now):
            payments = await uow.payments.of_booking(payout.booking_id, lock=False)
            account = await uow.owner_accounts.of_owner(payout.owner_id)
            hold = payout_hold(
                payout,
                payments,
                open_disputes=await uow.disputes.open_count(payout.booking_id),
                owner_payouts_enabled=bool(account and account.payouts_enabled),
                dispute_window=window,
                now=uow.now,
            )
            if hold is Hold.NOTHING_TO_PAY:
                cancelled = replace(payout, status=PayoutStatus.CANCELLED)
                await uow.payouts.save(cancelled, hold=hold.value)
            elif hold is not None:
                await uow.payouts.save(payout, hold=hold.value)
            else:
                await uow.payouts.save(start_transfer(payout, payments))
                await record_call(
                    uow, ctx, payout.booking_id, TransferParams(), f"{payout.booking_id}:payout"
                )
                started += 1
    return started
