"""Bounds on holds: their length, a person's live holds and their rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from availability.domain.holds import (
    HoldLimitReached,
    HoldLimits,
    PersonsHolds,
    check_person_may_hold,
    length_refusal,
    too_long,
)
from availability.domain.intervals import Interval
from contracts.availability import UnavailableReason

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
LIMITS = HoldLimits(max_length=timedelta(hours=24), live_per_person=5, per_person_per_window=20)


def lasting(length: timedelta) -> Interval:
    return Interval(NOW + timedelta(days=1), NOW + timedelta(days=1) + length)


def holds(
    live: int = 0,
    recent: int = 0,
    first_to_lapse: datetime | None = None,
    first_recent: datetime | None = None,
) -> PersonsHolds:
    return PersonsHolds(
        live=live, first_to_lapse=first_to_lapse, recent=recent, first_recent=first_recent
    )


def test_a_hold_of_the_longest_length_is_allowed() -> None:
    assert too_long(timedelta(hours=24), LIMITS) is None
    assert length_refusal(lasting(timedelta(hours=24)), LIMITS) is None


def test_a_forty_day_hold_is_refused_with_the_limit_named() -> None:
    refused = length_refusal(lasting(timedelta(days=40)), LIMITS)

    assert refused is not None
    assert refused.reason is UnavailableReason.OUTSIDE_OPENING_HOURS
    assert refused.detail == "A hold lasts at most 24 hours."


def test_a_person_below_their_limits_may_hold() -> None:
    check_person_may_hold(holds(live=4, recent=19), LIMITS, NOW)


def test_a_person_with_the_most_live_holds_waits_until_the_first_lapses() -> None:
    with pytest.raises(HoldLimitReached) as refused:
        check_person_may_hold(
            holds(live=5, recent=5, first_to_lapse=NOW + timedelta(minutes=3, seconds=0.2)),
            LIMITS,
            NOW,
        )

    assert refused.value.retry_after_seconds == 181
    assert "release one" in refused.value.detail


def test_a_person_past_the_rate_waits_until_the_oldest_recent_hold_ages_out() -> None:
    with pytest.raises(HoldLimitReached) as refused:
        check_person_may_hold(
            holds(live=0, recent=20, first_recent=NOW - timedelta(seconds=45)), LIMITS, NOW
        )

    assert refused.value.retry_after_seconds == 15
    assert "20 holds a minute" in refused.value.detail


def test_retry_after_is_never_less_than_a_second() -> None:
    with pytest.raises(HoldLimitReached) as refused:
        check_person_may_hold(holds(live=5, first_to_lapse=NOW), LIMITS, NOW)

    assert refused.value.retry_after_seconds == 1
