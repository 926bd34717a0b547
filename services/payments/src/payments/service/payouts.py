"""The payout scheduler: turns due payouts into transfer calls, each payout exactly once.

Due payouts are taken with FOR UPDATE SKIP LOCKED, so two replicas never take the same one; the
transfer call is unique per booking (`{booking_id}:payout`), and its Stripe idempotency key is
that same key, so even a repeated transfer request moves the money once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from payments import db
from payments.domain.payouts import Hold, PayoutStatus, payout_hold, start_transfer
from payments.domain.stripe_calls import TransferParams
from payments.service.context import Context, record_call
from service_runtime.unit_of_work import UnitsOfWork


async def schedule_due_payouts(units: UnitsOfWork, ctx: Context) -> int:
    """Start the transfers of payouts that are due; how many were started."""
    window = timedelta(hours=ctx.settings.dispute_window_hours)
    started = 0
    async with units.begin() as uow:
        for payout in await db.scheduled_payouts_due(uow.session, uow.now):
            payment = await db.payment_for_booking(uow.session, payout.booking_id, lock=False)
            account = await db.owner_account(uow.session, payout.owner_id)
            hold = payout_hold(
                payout,
                payment,
                open_disputes=await db.open_disputes(uow.session, payout.booking_id),
                owner_payouts_enabled=bool(account and account.payouts_enabled),
                dispute_window=window,
                now=uow.now,
            )
            if hold is Hold.NOTHING_TO_PAY:
                cancelled = replace(payout, status=PayoutStatus.CANCELLED)
                await db.save_payout(uow.session, cancelled, hold=hold.value)
            elif hold is not None:
                await db.save_payout(uow.session, payout, hold=hold.value)
            else:
                assert payment is not None
                await db.save_payout(uow.session, start_transfer(payout, payment))
                await record_call(
                    uow, ctx, payout.booking_id, TransferParams(), f"{payout.booking_id}:payout"
                )
                started += 1
    return started
