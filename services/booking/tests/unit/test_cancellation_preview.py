"""The cancellation preview gives what the real cancel gives; the full-refund deadline is true."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.domain.booking import Status
from booking.domain.cancellation import preview_cancellation
from booking.domain.policies import RuleKind, full_refund_until, refund_percent
from booking.domain.saga import Cancel, decide
from contracts.booking import CancelledBy
from contracts.values import CancellationPolicy

from .conftest import NOW, RULES, confirmed, pending_payment, requested

SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("policy", list(CancellationPolicy))
@pytest.mark.parametrize(
    "starts_in", [timedelta(hours=3), timedelta(hours=30), timedelta(days=6), timedelta(days=20)]
)
@pytest.mark.parametrize(
    "ahead", [timedelta(minutes=30), timedelta(hours=23), timedelta(hours=25), timedelta(days=8)]
)
def test_preview_refunds_what_the_cancellation_refunds(
    policy: CancellationPolicy, starts_in: timedelta, ahead: timedelta
) -> None:
    booking = confirmed(starts_in=starts_in, policy=policy)
    # this long before the start, or (in the grace period) just after booking
    at = max(NOW + timedelta(minutes=5), booking.starts_at - ahead)

    preview = preview_cancellation(booking, CancelledBy.BOOKER, at, RULES)
    cancelled = decide(booking, Cancel(CancelledBy.BOOKER), at, RULES).booking

    assert preview.cancellable
    assert preview.refund_minor == cancelled.refund_minor
    assert preview.kept_minor == booking.price.total_minor - preview.refund_minor
    assert preview.rule is not None
    assert preview.rule.percent * booking.price.total_minor // 100 == preview.refund_minor


def test_a_booking_not_yet_paid_previews_no_charge_and_no_rule() -> None:
    preview = preview_cancellation(pending_payment(), CancelledBy.BOOKER, NOW, RULES)

    assert (preview.charged_minor, preview.refund_minor, preview.rule) == (0, 0, None)
    assert preview.cancellable


def test_an_owner_s_cancellation_refunds_everything_by_its_own_rule() -> None:
    booking = confirmed(starts_in=timedelta(hours=3), policy=CancellationPolicy.STRICT)

    preview = preview_cancellation(booking, CancelledBy.OWNER, NOW + timedelta(hours=2), RULES)

    assert preview.refund_minor == booking.price.total_minor
    assert preview.rule is not None
    assert preview.rule.kind is RuleKind.BY_OWNER_OR_ADMIN
    assert preview.full_refund_until is None  # the deadline is the booker's


def test_a_booking_that_cannot_be_cancelled_says_why() -> None:
    booking = confirmed(starts_in=timedelta(hours=3))
    over = booking.ends_at + timedelta(minutes=1)

    preview = preview_cancellation(booking, CancelledBy.BOOKER, over, RULES)
    ended = preview_cancellation(
        decide(booking, Cancel(CancelledBy.BOOKER), NOW, RULES).booking,
        CancelledBy.BOOKER,
        NOW,
        RULES,
    )

    assert not preview.cancellable
    assert "session is over" in (preview.refusal or "")
    assert not ended.cancellable
    assert Status.CANCELLED.value in (ended.refusal or "")
    assert preview.refund_minor == 0


@pytest.mark.parametrize("policy", list(CancellationPolicy))
@pytest.mark.parametrize(
    "starts_in",
    [timedelta(hours=20), timedelta(hours=26), timedelta(days=3), timedelta(days=6),
     timedelta(days=10), timedelta(days=30)],
)  # fmt: skip
def test_full_refund_until_is_the_last_second_that_refunds_in_full(
    policy: CancellationPolicy, starts_in: timedelta
) -> None:
    starts_at = NOW + starts_in

    until = full_refund_until(policy, booked_at=NOW, starts_at=starts_at)

    def percent(at: object) -> int:
        return refund_percent(
            policy,
            booked_at=NOW,
            cancelled_at=at,  # type: ignore[arg-type]
            starts_at=starts_at,
            cancelled_by=CancelledBy.BOOKER,
        )

    if until is None:
        assert percent(NOW) < 100
    else:
        assert percent(NOW) == percent(until) == 100
        assert percent(until + SECOND) < 100


def test_preview_full_refund_until_is_left_out_once_past() -> None:
    booking = confirmed(starts_in=timedelta(days=6), policy=CancellationPolicy.MODERATE)
    deadline = booking.starts_at - timedelta(days=5)

    before = preview_cancellation(booking, CancelledBy.BOOKER, deadline - SECOND, RULES)
    after = preview_cancellation(booking, CancelledBy.BOOKER, deadline + SECOND, RULES)

    assert before.full_refund_until == deadline
    assert before.refund_minor == 11000
    assert after.full_refund_until is None
    assert after.refund_minor == 5500


def test_requested_booking_preview_is_free_to_cancel() -> None:
    preview = preview_cancellation(requested(), CancelledBy.BOOKER, NOW, RULES)

    assert (preview.cancellable, preview.charged_minor, preview.refund_minor) == (True, 0, 0)
