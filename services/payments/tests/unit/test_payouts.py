"""When a payout is due, and paying or reversing it announced once."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from contracts.payments import CaptureStrategy, OwnerPayoutsDisabled, OwnerPayoutsEnabled
from payments.domain.payment_states import Payment, PaymentStatus
from payments.domain.payouts import (
    Hold,
    Payout,
    PayoutStatus,
    earliest_payment_at,
    expected_amount,
    payout_hold,
    payouts_capability_changed,
    reversed_,
    start_transfer,
    transferred,
)

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
WINDOW = timedelta(hours=72)


def captured() -> Payment:
    return Payment(
        id=uuid.uuid4(),
        booking_id=uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        currency="USD",
        amount_minor=10_000,
        quoted_fee_minor=1_500,
        capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
        session_ends_at=NOW - timedelta(hours=80),
        status=PaymentStatus.CAPTURED,
        captured_minor=10_000,
        fee_minor=1_500,
        refunded_minor=1_000,
    )


def scheduled(payment: Payment) -> Payout:
    return Payout(booking_id=payment.booking_id, owner_id=payment.owner_id, not_before=NOW - WINDOW)


def hold(
    payout: Payout, payment: Payment | None, disputes: int = 0, enabled: bool = True
) -> Hold | None:
    return payout_hold(
        payout,
        [payment] if payment is not None else [],
        open_disputes=disputes,
        owner_payouts_enabled=enabled,
        dispute_window=WINDOW,
        now=NOW,
    )


def test_due_payout_pays_the_owner_share() -> None:
    payment = captured()
    payout = scheduled(payment)

    assert hold(payout, payment) is None
    assert start_transfer(payout, [payment]).amount_minor == 7_500


def test_reasons_to_wait() -> None:
    payment = captured()
    payout = scheduled(payment)

    assert hold(replace(payout, not_before=NOW + timedelta(seconds=1)), payment) is Hold.NOT_YET
    assert hold(payout, replace(payment, status=PaymentStatus.AUTHORIZED)) is Hold.NOT_CAPTURED
    assert hold(payout, None) is Hold.NOT_CAPTURED
    assert hold(payout, payment, disputes=1) is Hold.DISPUTED
    assert hold(payout, payment, enabled=False) is Hold.OWNER_CANNOT_RECEIVE
    assert hold(payout, replace(payment, refunded_minor=10_000)) is Hold.NOTHING_TO_PAY


def test_payout_waits_the_dispute_window_after_it_was_earned() -> None:
    payment = captured()
    earned = scheduled(payment)

    assert hold(replace(earned, not_before=NOW - WINDOW + timedelta(seconds=1)), payment) is (
        Hold.NOT_YET
    )
    assert hold(replace(earned, not_before=NOW - WINDOW), payment) is None


def test_transfer_is_announced_once() -> None:
    payout = start_transfer(scheduled(captured()), [captured()])

    paid, messages = transferred(payout, "tr_1", 7_500, "USD", NOW)
    again, more = transferred(paid, "tr_1", 7_500, "USD", NOW)

    assert paid.status is PayoutStatus.PAID
    assert len(messages) == 1
    assert (again, more) == (paid, [])


def test_reversal_is_announced_per_increase_only() -> None:
    paid, _ = transferred(scheduled(captured()), "tr_1", 7_500, "USD", NOW)

    reversed_once, first = reversed_(paid, 7_500, "dispute_opened", NOW)
    same, repeated = reversed_(reversed_once, 7_500, "dispute_opened", NOW)

    assert reversed_once.status is PayoutStatus.REVERSED
    assert [m.amount.amount_minor for m in first] == [7_500]  # type: ignore[attr-defined]
    assert repeated == []
    assert same == reversed_once


def test_payout_capability_changes() -> None:
    owner = uuid.uuid4()

    assert [type(m) for m in payouts_capability_changed(owner, False, True, None, NOW)] == [
        OwnerPayoutsEnabled
    ]
    assert [type(m) for m in payouts_capability_changed(owner, True, False, "x", NOW)] == [
        OwnerPayoutsDisabled
    ]
    assert payouts_capability_changed(owner, True, True, None, NOW) == []


def test_a_payout_shows_what_it_will_pay_and_the_earliest_it_can() -> None:
    payment = captured()
    payout = scheduled(payment)
    uncaptured = replace(payment, status=PaymentStatus.AUTHORIZED, captured_minor=0, fee_minor=0)
    started = start_transfer(payout, [payment])

    assert expected_amount(payout, [payment]) == (7_500, "USD")  # 10 000 - 1 000 refund - 1 500
    assert expected_amount(payout, [uncaptured]) == (8_500, "USD")  # the price less the fee
    assert expected_amount(started, [replace(payment, refunded_minor=0)]) == (7_500, "USD")
    assert earliest_payment_at(payout, WINDOW) == NOW
