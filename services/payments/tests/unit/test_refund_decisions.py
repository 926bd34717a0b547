"""An admin's or booking's refund: how much goes back, and what comes back from the owner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from payments.domain.money import RefundTooLarge
from payments.domain.payouts import Payout, PayoutStatus
from payments.domain.refunds import RefundDecision, decide_refund

CAPTURED = 10_000
FEE = 1_500


def _payout(status: PayoutStatus, reversed_minor: int = 0) -> Payout:
    return Payout(
        booking_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        not_before=datetime(2026, 12, 1, tzinfo=UTC),
        status=status,
        currency="EUR",
        amount_minor=CAPTURED - FEE,
        transfer_ref="tr_1" if status is not PayoutStatus.SCHEDULED else None,
        reversed_minor=reversed_minor,
    )


def _ledger_balances(decision: RefundDecision, payout: Payout) -> bool:
    fee_kept = CAPTURED - decision.amount_minor - payout.amount_minor + decision.reversal_minor
    return 0 <= fee_kept <= FEE


def test_before_the_payout_no_reversal() -> None:
    decision = decide_refund(
        4_000,
        captured_minor=CAPTURED,
        refunded_minor=0,
        payout=_payout(PayoutStatus.SCHEDULED),
        capped=False,
    )
    assert decision == RefundDecision(amount_minor=4_000, reversal_minor=0)


def test_after_the_payout_the_owners_share_of_the_refund_is_reversed() -> None:
    payout = _payout(PayoutStatus.PAID)
    decision = decide_refund(
        CAPTURED, captured_minor=CAPTURED, refunded_minor=0, payout=payout, capped=False
    )
    assert decision == RefundDecision(amount_minor=CAPTURED, reversal_minor=8_500)
    assert _ledger_balances(decision, payout)


def test_a_partial_refund_after_the_payout_reverses_its_share_rounded_half_up() -> None:
    payout = _payout(PayoutStatus.PAID)
    decision = decide_refund(
        1_001, captured_minor=CAPTURED, refunded_minor=0, payout=payout, capped=False
    )
    # 1 001 * 8 500 / 10 000 = 850.85
    assert decision == RefundDecision(amount_minor=1_001, reversal_minor=851)
    assert _ledger_balances(decision, payout)


def test_reversal_never_exceeds_what_is_left_of_the_transfer() -> None:
    payout = _payout(PayoutStatus.PAID, reversed_minor=8_000)
    decision = decide_refund(
        5_000, captured_minor=CAPTURED, refunded_minor=0, payout=payout, capped=False
    )
    assert decision.reversal_minor == 500


def test_an_admin_refund_beyond_what_is_left_is_refused() -> None:
    with pytest.raises(RefundTooLarge):
        decide_refund(
            3_001,
            captured_minor=CAPTURED,
            refunded_minor=7_000,
            payout=_payout(PayoutStatus.PAID),
            capped=False,
        )


def test_a_policy_refund_beyond_what_is_left_is_capped() -> None:
    decision = decide_refund(
        5_000,
        captured_minor=CAPTURED,
        refunded_minor=7_000,
        payout=_payout(PayoutStatus.PAID),
        capped=True,
    )
    assert decision == RefundDecision(amount_minor=3_000, reversal_minor=2_550)


def test_asked_again_once_all_is_refunded_nothing_more_is_given_or_reversed() -> None:
    payout = _payout(PayoutStatus.PAID)
    decision = decide_refund(
        CAPTURED, captured_minor=CAPTURED, refunded_minor=CAPTURED, payout=payout, capped=True
    )
    assert decision == RefundDecision(amount_minor=0, reversal_minor=0)
