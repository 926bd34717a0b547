"""An owner's earnings over a month, and the payouts still waiting, summed per currency.

A month's earnings are those of the payments captured in it (in the time zone the owner
chooses), net of every refund made on them so far: per payment the split of `refunds.split`
(captured = refunded + platform fee kept + owner share; once the owner is paid, the owner share
is the transfer less its reversals), summed per currency. Amounts of
different currencies are never added together.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from payments.domain.payment_states import Payment
from payments.domain.payouts import Payout
from payments.domain.refunds import split


@dataclass(frozen=True)
class Earnings:
    """One currency's totals over a period."""

    currency: str
    payments: int
    captured_minor: int
    refunded_minor: int
    platform_fee_minor: int
    owner_share_minor: int


@dataclass(frozen=True)
class Waiting:
    """One currency's payouts not paid yet: how many, how much, and the earliest due."""

    currency: str
    payouts: int
    amount_minor: int
    earliest_not_before: datetime


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of `month` and of the month after, at midnight in `zone`."""
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    after = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(after.year, after.month, 1, tzinfo=zone)


def earnings_by_currency(
    payments: Iterable[Payment], payouts: Mapping[uuid.UUID, Payout] | None = None
) -> list[Earnings]:
    """The captured payments' split summed per currency, currencies in alphabetical order;
    `payouts` by booking (those paid count what was transferred and reversed). A booking's
    payments (its first and its dearer moves') are split together: its payout is one."""
    by_booking: dict[uuid.UUID, list[Payment]] = {}
    for payment in payments:
        by_booking.setdefault(payment.booking_id, []).append(payment)
    totals: dict[str, list[int]] = {}
    for booking_id, of_booking in by_booking.items():
        together = replace(
            of_booking[0],
            captured_minor=sum(p.captured_minor for p in of_booking),
            refunded_minor=sum(p.refunded_minor for p in of_booking),
            fee_minor=sum(p.fee_minor for p in of_booking),
        )
        shares = split(together, (payouts or {}).get(booking_id))
        sums = totals.setdefault(together.currency, [0, 0, 0, 0, 0])
        for index, amount in enumerate(
            (
                len(of_booking),
                shares.captured_minor,
                shares.refunded_minor,
                shares.fee_kept_minor,
                shares.owner_share_minor,
            )
        ):
            sums[index] += amount
    return [Earnings(currency, *sums) for currency, sums in sorted(totals.items())]


def waiting_by_currency(payouts: Iterable[tuple[int, str | None, datetime]]) -> list[Waiting]:
    """(amount, currency, not_before) of payouts still to pay, summed per currency."""
    totals: dict[str, Waiting] = {}
    for amount, currency, not_before in payouts:
        if currency is None:
            continue  # nothing is known to pay yet
        seen = totals.get(currency)
        totals[currency] = (
            Waiting(currency, 1, amount, not_before)
            if seen is None
            else Waiting(
                currency,
                seen.payouts + 1,
                seen.amount_minor + amount,
                min(seen.earliest_not_before, not_before),
            )
        )
    return [totals[currency] for currency in sorted(totals)]
