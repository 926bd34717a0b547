"""Payouts on in-memory units: scheduled once, paid once the dispute window is over, the owner
able to receive money and nothing disputed, for the owner's share of the capture."""

from __future__ import annotations

from datetime import timedelta

from contracts.payments import SchedulePayout
from payments.domain.payouts import PayoutStatus
from payments.domain.stripe_calls import TransferParams
from payments.repositories import OwnerAccount
from payments.service.context import Context
from payments.service.payouts import schedule_due_payouts

from .fakes import FakePaymentsUnits
from .service_world import NOW, OWNER, StoppedClock, authorize_command, captured, send


async def paid_booking(
    units: FakePaymentsUnits, ctx: Context, *, payouts_enabled: bool = True
) -> SchedulePayout:
    command = authorize_command(amount_minor=10_000, fee_minor=1_500)
    await captured(units, ctx, command)
    units.tables.owner_accounts[OWNER] = OwnerAccount(OWNER, "acct_1", payouts_enabled, None)
    schedule = SchedulePayout(booking_id=command.booking_id, owner_id=OWNER, not_before=NOW)
    await send(units, ctx, schedule)
    return schedule


def after_the_window(clock: StoppedClock, ctx: Context) -> None:
    clock.now = NOW + timedelta(days=2, hours=ctx.settings.dispute_window_hours + 1)


async def test_a_due_payout_transfers_the_owners_share_once(
    units: FakePaymentsUnits, ctx: Context, clock: StoppedClock
) -> None:
    schedule = await paid_booking(units, ctx)
    after_the_window(clock, ctx)

    assert await schedule_due_payouts(units, ctx) == 1
    assert await schedule_due_payouts(units, ctx) == 0

    payout = units.tables.payouts[schedule.booking_id]
    assert (payout.status, payout.amount_minor, payout.currency) == (
        PayoutStatus.TRANSFERRING,
        8_500,
        "EUR",
    )
    transfers = [c for c in units.tables.calls if isinstance(c.params, TransferParams)]
    assert [c.idempotency_key for c in transfers] == [f"{schedule.booking_id}:payout"]


async def test_a_payout_scheduled_twice_is_one_payout(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    schedule = await paid_booking(units, ctx)

    await send(units, ctx, schedule.model_copy(update={"not_before": NOW + timedelta(days=9)}))

    assert units.tables.payouts[schedule.booking_id].not_before == NOW


async def test_a_payout_waits_for_the_session_and_the_dispute_window(
    units: FakePaymentsUnits, ctx: Context
) -> None:
    schedule = await paid_booking(units, ctx)

    assert await schedule_due_payouts(units, ctx) == 0

    assert units.tables.payouts[schedule.booking_id].status is PayoutStatus.SCHEDULED
    assert units.tables.payout_holds[schedule.booking_id] == "not_yet"
    assert not any(isinstance(c.params, TransferParams) for c in units.tables.calls)


async def test_a_payout_waits_while_the_owner_cannot_receive_money(
    units: FakePaymentsUnits, ctx: Context, clock: StoppedClock
) -> None:
    schedule = await paid_booking(units, ctx, payouts_enabled=False)
    after_the_window(clock, ctx)

    assert await schedule_due_payouts(units, ctx) == 0

    assert units.tables.payouts[schedule.booking_id].status is PayoutStatus.SCHEDULED
    assert units.tables.payout_holds[schedule.booking_id] == "owner_cannot_receive"
