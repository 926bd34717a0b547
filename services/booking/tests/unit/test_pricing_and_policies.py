"""Prices by the hour with the platform fee; refunds by the cancellation policy table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.domain.policies import GRACE_PERIOD, REFUND_SCHEDULES, refund_for, refund_percent
from booking.domain.pricing import InvalidBookingRequest, platform_fee_minor, price_booking
from contracts.booking import CancelledBy
from contracts.values import CancellationPolicy

START = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)


def test_price_is_hourly_price_times_hours_plus_fee() -> None:
    price = price_booking(
        hourly_price_minor=4550,
        currency="EUR",
        starts_at=START,
        ends_at=START + timedelta(hours=3),
        minimum_hours=2,
        maximum_hours=24,
        platform_fee_percent=Decimal("12.5"),
    )
    assert price.subtotal_minor == 13650
    assert price.platform_fee_minor == 1706  # 1706.25 rounded half up
    assert price.total_minor == 15356


def test_fee_rounds_half_up() -> None:
    assert platform_fee_minor(5, Decimal(10)) == 1  # 0.5 -> 1
    assert platform_fee_minor(4, Decimal(10)) == 0


@pytest.mark.parametrize(
    ("hours", "minutes"),
    [(1, 0), (2, 30), (25, 0), (976, 0)],
    ids=["below minimum", "not whole hours", "above maximum", "976 hours"],
)
def test_short_long_or_partial_hours_are_refused(hours: int, minutes: int) -> None:
    with pytest.raises(InvalidBookingRequest):
        price_booking(
            hourly_price_minor=1000,
            currency="EUR",
            starts_at=START,
            ends_at=START + timedelta(hours=hours, minutes=minutes),
            minimum_hours=2,
            maximum_hours=24,
            platform_fee_percent=Decimal(10),
        )


@pytest.mark.parametrize(
    ("policy", "notice", "percent"),
    [
        (CancellationPolicy.FLEXIBLE, timedelta(hours=24), 100),
        (CancellationPolicy.FLEXIBLE, timedelta(hours=23), 50),
        (CancellationPolicy.FLEXIBLE, timedelta(hours=-1), 0),
        (CancellationPolicy.MODERATE, timedelta(days=5), 100),
        (CancellationPolicy.MODERATE, timedelta(days=4), 50),
        (CancellationPolicy.MODERATE, timedelta(hours=23), 0),
        (CancellationPolicy.STRICT, timedelta(days=14), 100),
        (CancellationPolicy.STRICT, timedelta(days=7), 50),
        (CancellationPolicy.STRICT, timedelta(days=6), 0),
    ],
)
def test_booker_refund_by_policy_and_notice(
    policy: CancellationPolicy, notice: timedelta, percent: int
) -> None:
    booked_at = START - timedelta(days=60)
    cancelled_at = START - notice
    got = refund_percent(
        policy,
        booked_at=booked_at,
        cancelled_at=cancelled_at,
        starts_at=START,
        cancelled_by=CancelledBy.BOOKER,
    )
    assert got == percent


def test_grace_period_refunds_in_full_only_when_the_session_is_far_enough() -> None:
    def refund(notice: timedelta) -> int:
        return refund_percent(
            CancellationPolicy.STRICT,
            booked_at=START - notice - GRACE_PERIOD / 2,
            cancelled_at=START - notice,
            starts_at=START,
            cancelled_by=CancelledBy.BOOKER,
        )

    assert refund(timedelta(hours=25)) == 100
    assert refund(timedelta(hours=23)) == 0


@pytest.mark.parametrize("by", [CancelledBy.OWNER, CancelledBy.ADMIN])
def test_owner_or_admin_cancellation_refunds_everything(by: CancelledBy) -> None:
    assert (
        refund_for(
            CancellationPolicy.STRICT,
            total_minor=999,
            booked_at=START - timedelta(days=30),
            cancelled_at=START - timedelta(hours=1),
            starts_at=START,
            cancelled_by=by,
        )
        == 999
    )


def test_refund_rounds_down_to_the_minor_unit() -> None:
    assert (
        refund_for(
            CancellationPolicy.FLEXIBLE,
            total_minor=1001,
            booked_at=START - timedelta(days=30),
            cancelled_at=START - timedelta(hours=1),
            starts_at=START,
            cancelled_by=CancelledBy.BOOKER,
        )
        == 500
    )


def test_every_policy_has_a_schedule_ending_at_the_start() -> None:
    for policy in CancellationPolicy:
        steps = REFUND_SCHEDULES[policy]
        assert steps[-1].notice == timedelta(0)
        assert [s.notice for s in steps] == sorted((s.notice for s in steps), reverse=True)
