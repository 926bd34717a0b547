"""Every state that waits has a deadline: re-send the command a bounded number of times,
then compensate and fail with a reason the booker sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from booking.domain.booking import Booking, Status
from booking.domain.saga import DeadlinePassed, Decision, decide, next_deadline
from contracts.availability import ConfirmSlots, HoldSlots, ReleaseReason, ReleaseSlots
from contracts.booking import BookingFailed, FailureReason
from contracts.payments import (
    AuthorizePayment,
    CaptureStrategy,
    RefundPayment,
    RefundReason,
    VoidPayment,
    VoidReason,
)

from .conftest import NOW, RESERVATION, RULES, confirming, pending_payment, requested


def fire_until_it_gives_up(b: Booking) -> tuple[list[Decision], Decision]:
    """Fire each deadline as it falls due: the resends, then the decision that ends the wait."""
    resends = []
    while True:
        assert b.deadline_at is not None
        decision = decide(b, DeadlinePassed(), b.deadline_at, RULES)
        if decision.booking.status is not b.status:
            return resends, decision
        resends.append(decision)
        b = decision.booking
        assert len(resends) <= RULES.max_resends, "resends must be bounded"


def test_an_unanswered_hold_is_sent_again_then_fails_the_booking_and_releases() -> None:
    b = requested()
    resends, last = fire_until_it_gives_up(b)

    assert len(resends) == RULES.max_resends
    for decision in resends:
        [hold] = decision.messages
        assert isinstance(hold, HoldSlots)
        assert (hold.room_id, hold.time_range) == (b.room_id, b.time_range)
    assert last.booking.status is Status.FAILED
    assert last.booking.failure_reason is FailureReason.SLOTS_UNAVAILABLE
    assert "did not answer" in (last.booking.failure_detail or "")
    assert last.messages[:2] == [  # the payment asked for with the hold goes back too
        VoidPayment(booking_id=b.id, reason=VoidReason.HOLD_TIMED_OUT),
        ReleaseSlots(booking_id=b.id, reason=ReleaseReason.HOLD_TIMED_OUT),
    ]
    assert isinstance(last.messages[2], BookingFailed)
    assert last.booking.deadline_at is None


def test_each_resend_waits_the_reply_timeout_again() -> None:
    b = requested()
    due = b.deadline_at
    assert due is not None
    again = decide(b, DeadlinePassed(), due, RULES).booking
    assert again.command_sends == 2
    assert again.deadline_at == due + RULES.reply_timeout


def test_an_unanswered_confirmation_is_sent_again_then_voids_releases_and_fails() -> None:
    b = confirming()
    resends, last = fire_until_it_gives_up(b)

    assert len(resends) == RULES.max_resends
    assert all(
        d.messages == [ConfirmSlots(booking_id=b.id, reservation_id=RESERVATION)] for d in resends
    )
    assert last.booking.status is Status.FAILED
    assert last.booking.failure_reason is FailureReason.SLOTS_LOST
    assert last.booking.refund_minor == 0
    assert last.messages[:2] == [
        VoidPayment(booking_id=b.id, reason=VoidReason.SLOTS_LOST),
        ReleaseSlots(
            booking_id=b.id, reservation_id=RESERVATION, reason=ReleaseReason.HOLD_TIMED_OUT
        ),
    ]
    assert isinstance(last.messages[2], BookingFailed)
    assert last.booking.deadline_at is None


def test_an_unanswered_confirmation_after_an_immediate_capture_refunds_in_full() -> None:
    b = replace(confirming(), capture_strategy=CaptureStrategy.CAPTURE_IMMEDIATELY)
    _, last = fire_until_it_gives_up(b)
    refund = last.messages[0]
    assert isinstance(refund, RefundPayment)
    assert refund.amount == b.total
    assert refund.reason is RefundReason.SLOTS_LOST
    assert last.booking.refund_minor == b.total.amount_minor


def test_a_payment_intent_that_never_comes_is_asked_for_again_until_the_hold_ends() -> None:
    b = replace(pending_payment(), client_secret=None, payment_id=None, command_sends=1)
    b = replace(b, command_sent_at=NOW, deadline_at=next_deadline(b, RULES))
    resends = []
    while b.status is Status.PENDING_PAYMENT:
        assert b.deadline_at is not None
        decision = decide(b, DeadlinePassed(), b.deadline_at, RULES)
        resends.extend(m for m in decision.messages if isinstance(m, AuthorizePayment))
        b = decision.booking
    assert len(resends) == RULES.max_resends
    assert all(m.amount == b.total for m in resends)
    assert b.status is Status.CANCELLED
    assert b.cancellation_reason == "hold_expired"


def test_a_payment_intent_in_hand_waits_only_for_the_hold() -> None:
    b = pending_payment()
    assert b.hold_expires_at is not None
    assert next_deadline(b, RULES) == b.hold_expires_at + RULES.hold_grace


def test_a_deadline_is_never_left_in_the_past() -> None:
    """After any deadline fires, the next one is later (or none): the scheduler never spins."""
    for b in (requested(), confirming(), pending_payment()):
        while b.deadline_at is not None:
            now: datetime = b.deadline_at
            b = decide(b, DeadlinePassed(), now, RULES).booking
            assert b.deadline_at is None or b.deadline_at > now
