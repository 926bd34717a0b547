"""A month's earnings and the waiting payouts, summed per currency."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.payments import CaptureStrategy
from payments.domain.earnings import (
    Earnings,
    earnings_by_currency,
    month_bounds,
    waiting_by_currency,
)
from payments.domain.payment_states import Payment, PaymentStatus
from payments.domain.payouts import Payout, PayoutStatus

T = datetime(2030, 3, 10, tzinfo=UTC)


def captured(amount: int, fee: int, refunded: int = 0, currency: str = "EUR") -> Payment:
    payment = Payment(
        id=uuid.uuid4(),
        booking_id=uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        currency=currency,
        amount_minor=amount,
        quoted_fee_minor=fee,
        capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
        session_ends_at=T,
    )
    return replace(
        payment,
        status=PaymentStatus.CAPTURED,
        captured_minor=amount,
        fee_minor=fee,
        refunded_minor=refunded,
        captured_at=T,
    )


def test_a_month_runs_from_local_midnight_to_the_next_month_s_even_in_december() -> None:
    berlin = ZoneInfo("Europe/Berlin")

    start, end = month_bounds(date(2030, 12, 1), berlin)

    assert (start.isoformat(), end.isoformat()) == (
        "2030-12-01T00:00:00+01:00",
        "2031-01-01T00:00:00+01:00",
    )


def test_earnings_are_net_of_refunds_and_fee_and_never_mix_currencies() -> None:
    payments = [
        captured(10_000, 1_000),
        captured(10_000, 1_000, refunded=9_500),  # refunds eat into the fee: 0 to the owner
        captured(5_000, 500, currency="USD"),
    ]

    assert earnings_by_currency(payments) == [
        Earnings("EUR", 2, 20_000, 9_500, 1_500, 9_000),
        Earnings("USD", 1, 5_000, 0, 500, 4_500),
    ]


def test_waiting_payouts_sum_per_currency_with_the_earliest_due() -> None:
    later = T + timedelta(days=1)

    waiting = waiting_by_currency([(100, "EUR", later), (250, "EUR", T), (7, None, T)])

    assert [(w.currency, w.payouts, w.amount_minor, w.earliest_not_before) for w in waiting] == [
        ("EUR", 2, 350, T)
    ]


def test_a_refund_after_the_payout_counts_what_was_transferred_less_what_was_reversed() -> None:
    payment = captured(10_000, 1_500, refunded=3_001)
    payout = Payout(
        booking_id=payment.booking_id,
        owner_id=payment.owner_id,
        not_before=T,
        status=PayoutStatus.PAID,
        currency="EUR",
        amount_minor=8_500,
        transfer_ref="tr_1",
        reversed_minor=2_551,
    )

    [earnings] = earnings_by_currency([payment], {payment.booking_id: payout})

    assert (earnings.owner_share_minor, earnings.platform_fee_minor) == (5_949, 1_050)
    assert earnings.captured_minor == (
        earnings.refunded_minor + earnings.platform_fee_minor + earnings.owner_share_minor
    )


def test_a_booking_s_payments_share_its_one_payout() -> None:
    first = captured(11_000, 1_000)
    difference = replace(
        captured(5_500, 500), booking_id=first.booking_id, move_id=uuid.uuid4()
    )  # a dearer move's
    payout = Payout(
        booking_id=first.booking_id,
        owner_id=first.owner_id,
        not_before=T,
        status=PayoutStatus.PAID,
        currency="EUR",
        amount_minor=15_000,
        transfer_ref="tr_1",
    )

    [earnings] = earnings_by_currency([first, difference], {first.booking_id: payout})

    assert earnings == Earnings("EUR", 2, 16_500, 0, 1_500, 15_000)
