"""The money rules: fee rounding, refunds capped at the capture, the owner's share."""

from __future__ import annotations

import pytest

from payments.domain.money import RefundTooLarge, platform_fee, refund_amount, settle


@pytest.mark.parametrize(
    ("captured", "quoted_fee", "amount", "fee"),
    [
        (11_000, 1_000, 11_000, 1_000),  # a full capture keeps the quoted fee exactly
        (1_005, 1_500, 10_000, 151),  # 150.75 rounds up
        (1_003, 1_500, 10_000, 150),  # 150.45 rounds down
        (10, 500, 10_000, 1),  # 0.5 rounds half up
        (5_500, 1_000, 11_000, 500),  # half captured, half the fee
        (0, 1_500, 10_000, 0),
        (10_000, 0, 10_000, 0),
    ],
)
def test_platform_fee_is_the_quoted_fee_pro_rata_rounded_half_up(
    captured: int, quoted_fee: int, amount: int, fee: int
) -> None:
    assert platform_fee(captured, quoted_fee, amount) == fee


def test_fee_beyond_the_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="quoted fee"):
        platform_fee(100, 10_001, 10_000)


def test_refund_is_capped_at_what_is_left() -> None:
    assert refund_amount(3_000, captured_minor=10_000, refunded_minor=0) == 3_000
    assert refund_amount(9_000, captured_minor=10_000, refunded_minor=3_000) == 7_000
    assert refund_amount(1, captured_minor=10_000, refunded_minor=10_000) == 0


def test_owner_share_is_total_minus_fee_minus_refunds() -> None:
    settlement = settle(captured_minor=10_000, refunded_minor=2_001, fee_minor=1_500)

    assert settlement.owner_share_minor == 6_499
    assert settlement.fee_kept_minor == 1_500


def test_refunds_beyond_the_owner_share_come_out_of_the_fee() -> None:
    settlement = settle(captured_minor=10_000, refunded_minor=9_000, fee_minor=1_500)

    assert settlement.owner_share_minor == 0
    assert settlement.fee_kept_minor == 1_000


@pytest.mark.parametrize("refunded", [0, 1, 2_500, 8_499, 8_500, 8_501, 9_999, 10_000])
def test_captured_always_equals_refunds_plus_fee_plus_owner_share(refunded: int) -> None:
    s = settle(captured_minor=10_000, refunded_minor=refunded, fee_minor=1_500)

    assert s.captured_minor == s.refunded_minor + s.fee_kept_minor + s.owner_share_minor
    assert s.owner_share_minor >= 0
    assert s.fee_kept_minor >= 0


def test_refunds_beyond_the_capture_are_impossible() -> None:
    with pytest.raises(RefundTooLarge):
        settle(captured_minor=100, refunded_minor=101, fee_minor=15)
