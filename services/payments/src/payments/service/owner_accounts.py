"""Owners' side: a Connect Express account to be paid into, and the history of their payouts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from payments.domain.earnings import (
    Earnings,
    Waiting,
    earnings_by_currency,
    month_bounds,
    waiting_by_currency,
)
from payments.domain.payouts import PayoutStatus, earliest_payment_at, expected_amount
from payments.repositories import PaymentsUnits
from payments.service.context import Context


@dataclass(frozen=True)
class Onboarding:
    account_ref: str
    onboarding_url: str
    payouts_enabled: bool


@dataclass(frozen=True)
class PayoutLine:
    booking_id: uuid.UUID
    status: str
    amount_minor: int
    currency: str | None
    not_before: datetime
    paid_at: datetime | None
    reversed_minor: int
    hold: str | None


async def start_onboarding(units: PaymentsUnits, ctx: Context, owner_id: uuid.UUID) -> Onboarding:
    """The owner's connected account (created once) and a fresh link to finish onboarding.

    The account is created with an idempotency key per owner, outside any transaction, and
    recorded with ON CONFLICT DO NOTHING: concurrent or repeated requests end with one account.
    """
    async with units.begin() as uow:
        row = await uow.owner_accounts.of_owner(owner_id)
    if row is None:
        account = await ctx.gateway.create_account(
            owner_id=owner_id, idempotency_key=f"{owner_id}:connect-account"
        )
        async with units.begin() as uow:
            await uow.owner_accounts.add(owner_id, account.account_ref)
            row = await uow.owner_accounts.of_owner(owner_id)
    assert row is not None
    url = await ctx.gateway.onboarding_link(
        row.account_ref, idempotency_key=f"{owner_id}:onboarding-link:{uuid.uuid4()}"
    )
    return Onboarding(
        account_ref=row.account_ref, onboarding_url=url, payouts_enabled=row.payouts_enabled
    )


WAITING = (PayoutStatus.SCHEDULED, PayoutStatus.TRANSFERRING)
"""Payouts not paid (nor cancelled) yet."""


async def payouts_of(
    units: PaymentsUnits,
    ctx: Context,
    owner_id: uuid.UUID,
    *,
    statuses: Iterable[PayoutStatus] = (),
    limit: int | None = None,
    offset: int = 0,
) -> list[PayoutLine]:
    """The owner's payouts as they will be paid: amount, currency, and the earliest time."""
    window = timedelta(hours=ctx.settings.dispute_window_hours)
    async with units.begin() as uow:
        found = await uow.payouts.of_owner(owner_id, statuses=statuses, limit=limit, offset=offset)
    lines = []
    for payout, hold, booking_payments in found:
        amount_minor, currency = expected_amount(payout, booking_payments)
        lines.append(
            PayoutLine(
                booking_id=payout.booking_id,
                status=payout.status.value,
                amount_minor=amount_minor,
                currency=currency,
                not_before=earliest_payment_at(payout, window),
                paid_at=payout.paid_at,
                reversed_minor=payout.reversed_minor,
                hold=hold,
            )
        )
    return lines


@dataclass(frozen=True)
class OwnerSummary:
    month: date
    timezone: str
    period_starts_at: datetime
    period_ends_at: datetime
    earnings: list[Earnings]
    payouts_waiting: list[Waiting]


async def summary_of(
    units: PaymentsUnits, ctx: Context, owner_id: uuid.UUID, *, month: date, timezone: str
) -> OwnerSummary:
    """The owner's earnings in `month` (in `timezone`) and the payouts still to be paid."""
    since, until = month_bounds(month, ZoneInfo(timezone))
    async with units.begin() as uow:
        captured = await uow.payments.captured_for_owner(owner_id, since, until)
        paid = await uow.payouts.of_bookings([p.booking_id for p in captured])
    waiting = await payouts_of(units, ctx, owner_id, statuses=WAITING)
    return OwnerSummary(
        month=month,
        timezone=timezone,
        period_starts_at=since,
        period_ends_at=until,
        earnings=earnings_by_currency(captured, paid),
        payouts_waiting=waiting_by_currency(
            (line.amount_minor, line.currency, line.not_before) for line in waiting
        ),
    )
