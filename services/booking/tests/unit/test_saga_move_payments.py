"""A move to a dearer time in the saga: the difference is a payment of its own, asked for once
the new time is held and paid by the booker while it is; the new time is booked only once it
is authorized, and every way the move can end without happening gives that payment back."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import Booking, Status
from booking.domain.saga import Cancel, Complete, DeadlinePassed, decide
from contracts.availability import ConfirmSlots, DropMoveHold, LostReason, SlotsLost
from contracts.booking import BookingCancelled, BookingRescheduled, CancelledBy
from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    CaptureStrategy,
    DisputeOpened,
    PaymentAuthorized,
    PaymentFailed,
    PaymentFailureReason,
    PaymentIntentReady,
    RefundPayment,
    VoidPayment,
    VoidReason,
)
from contracts.values import Money

from .conftest import NOW, PAYMENT, RULES, confirmed, reply
from .test_saga_moves import (
    DAY,
    MOVE,
    MOVE_HOLD,
    move_booked,
    move_held,
    paid,
    priced,
    reschedule,
    types_of,
)

MOVE_PAYMENT = uuid.UUID(int=31)
HOLD_ENDS = NOW + timedelta(minutes=10)


def authorization_only() -> Booking:
    return replace(
        confirmed(CaptureStrategy.AUTHORIZE_THEN_CAPTURE, starts_in=timedelta(days=3)),
        requested_at=NOW,
        authorization_expires_at=NOW + timedelta(days=7),
    )


def longer(b: Booking) -> Booking:
    """`b` asked to move a day later for three hours instead of two: 5,500 EUR cents more."""
    asked = replace(
        reschedule(b), ends_at=b.starts_at + DAY + timedelta(hours=3), price=priced(b, 5000, 3)
    )
    return decide(b, asked, NOW, RULES).booking


def paying(b: Booking | None = None) -> Booking:
    """A dearer move whose new time is held: the booker pays the difference now."""
    moving = longer(b or paid())
    return decide(moving, move_held(moving), NOW, RULES).booking


def intent(b: Booking, amount: int = 5500) -> PaymentIntentReady:
    return PaymentIntentReady(
        booking_id=b.id,
        move_id=MOVE,
        payment_id=MOVE_PAYMENT,
        client_secret="pi_move_secret",
        amount=Money(amount_minor=amount, currency="EUR"),
        capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
    )


def authorized(
    b: Booking, strategy: CaptureStrategy = CaptureStrategy.AUTHORIZE_THEN_CAPTURE
) -> PaymentAuthorized:
    return PaymentAuthorized(
        booking_id=b.id,
        move_id=MOVE,
        payment_id=MOVE_PAYMENT,
        amount=Money(amount_minor=5500, currency="EUR"),
        capture_strategy=strategy,
        authorized_at=NOW + timedelta(minutes=1),
        authorization_expires_at=NOW + timedelta(days=7),
    )


def paid_difference(
    b: Booking | None = None, strategy: CaptureStrategy = CaptureStrategy.AUTHORIZE_THEN_CAPTURE
) -> Booking:
    waiting = decide(paying(b), reply(intent(paying(b))), NOW, RULES).booking
    return decide(waiting, reply(authorized(waiting, strategy)), NOW, RULES).booking


def test_a_dearer_move_asks_for_the_difference_once_the_new_time_is_held() -> None:
    b = longer(paid())
    decision = decide(b, move_held(b), NOW, RULES)

    (authorize,) = decision.messages
    assert isinstance(authorize, AuthorizePayment)
    assert (authorize.move_id, authorize.amount.amount_minor) == (MOVE, 5500)
    assert authorize.platform_fee.amount_minor == 500  # the fee on the 5,000 more
    assert authorize.session_starts_at == b.starts_at + DAY
    after = decision.booking
    assert after.starts_at == b.starts_at
    assert after.price == b.price
    assert after.move is not None
    assert after.move.reservation_id == MOVE_HOLD
    assert after.deadline_at == NOW + RULES.reply_timeout  # payments' answer, then the hold


def test_the_booker_pays_with_the_move_s_secret_and_only_then_is_the_new_time_booked() -> None:
    b = paying()
    ready = decide(b, reply(intent(b)), NOW, RULES).booking
    assert ready.move is not None
    assert ready.move.client_secret == "pi_move_secret"
    assert ready.client_secret == b.client_secret  # the first payment's is untouched
    assert ready.deadline_at == HOLD_ENDS + RULES.hold_grace

    confirm = decide(ready, reply(authorized(ready)), NOW, RULES)
    assert confirm.messages == [ConfirmSlots(booking_id=b.id, reservation_id=MOVE_HOLD)]
    assert confirm.booking.starts_at == b.starts_at
    again = decide(confirm.booking, reply(authorized(ready)), NOW, RULES)
    assert again.ignored


def test_once_booked_the_booking_costs_the_new_price_and_knows_both_payments() -> None:
    b = authorization_only()
    held = paid_difference(b)
    assert held.move is not None
    booked = decide(held, move_booked(b, held.move.room_id, held.move.time_range), NOW, RULES)

    after = booked.booking
    assert (after.price.total_minor, after.payment_total.amount_minor) == (16500, 16500)
    assert after.payment_minor is None
    assert (after.payment_id, after.move_payment_ids) == (PAYMENT, (MOVE_PAYMENT,))
    assert types_of(booked.messages) == [BookingRescheduled]  # both captured on completion
    done = decide(after, Complete(), after.starts_at + timedelta(minutes=5), RULES)
    capture = next(m for m in done.messages if isinstance(m, CapturePayment))
    assert capture.amount is None  # every payment of the booking, in full

    dispute = DisputeOpened(
        booking_id=b.id,
        payment_id=MOVE_PAYMENT,
        dispute_id=uuid.uuid4(),
        amount=Money(amount_minor=5500, currency="EUR"),
        reason="fraudulent",
        opened_at=NOW,
    )
    assert not decide(done.booking, reply(dispute), NOW, RULES).ignored


def test_when_the_rest_was_taken_the_difference_is_taken_at_the_move() -> None:
    held = paid_difference(paid())  # the first payment was captured at confirmation
    assert held.move is not None
    booked = decide(held, move_booked(held, held.move.room_id, held.move.time_range), NOW, RULES)
    assert types_of(booked.messages) == [CapturePayment, BookingRescheduled]

    taken_at_once = paid_difference(paid(), CaptureStrategy.CAPTURE_IMMEDIATELY)
    assert taken_at_once.move is not None
    move = taken_at_once.move
    booked = decide(taken_at_once, move_booked(held, move.room_id, move.time_range), NOW, RULES)
    assert types_of(booked.messages) == [BookingRescheduled]


def failed(b: Booking, *, retryable: bool) -> PaymentFailed:
    return PaymentFailed(
        booking_id=b.id,
        move_id=MOVE,
        payment_id=MOVE_PAYMENT,
        reason=PaymentFailureReason.CARD_DECLINED,
        decline_code="insufficient_funds",
        retryable=retryable,
        failed_at=NOW,
    )


def test_a_declined_card_may_try_again_and_a_refused_payment_ends_the_move() -> None:
    b = decide(paying(), reply(intent(paying())), NOW, RULES).booking
    retry = decide(b, reply(failed(b, retryable=True)), NOW, RULES)
    assert retry.messages == []
    assert retry.booking.move is not None
    assert retry.booking.move.payment_error == "insufficient_funds"

    refused = decide(b, reply(failed(b, retryable=False)), NOW, RULES)
    assert refused.messages == [
        DropMoveHold(booking_id=b.id, move_id=MOVE),
        VoidPayment(booking_id=b.id, move_id=MOVE, reason=VoidReason.CANCELLED),
    ]
    stays = refused.booking
    assert (stays.move, stays.starts_at, stays.price) == (None, b.starts_at, b.price)
    assert stays.move_failure is not None
    assert "insufficient_funds" in stays.move_failure


def test_the_difference_not_paid_while_the_new_time_is_held_ends_the_move() -> None:
    b = decide(paying(), reply(intent(paying())), NOW, RULES).booking
    assert decide(b, DeadlinePassed(), HOLD_ENDS, RULES).ignored  # the grace runs first

    lapsed = decide(b, DeadlinePassed(), HOLD_ENDS + RULES.hold_grace, RULES)
    assert lapsed.messages == [
        DropMoveHold(booking_id=b.id, move_id=MOVE),
        VoidPayment(booking_id=b.id, move_id=MOVE, reason=VoidReason.HOLD_TIMED_OUT),
    ]
    assert lapsed.booking.move is None
    assert lapsed.booking.status is Status.CONFIRMED


def test_silent_payments_is_asked_again_within_the_hold() -> None:
    b = paying()
    later = NOW + RULES.reply_timeout
    again = decide(b, DeadlinePassed(), later, RULES)
    (authorize,) = again.messages
    assert isinstance(authorize, AuthorizePayment)
    assert authorize.move_id == MOVE
    assert again.booking.command_sends == 2


@pytest.mark.parametrize(
    ("strategy", "back"),
    [
        (CaptureStrategy.AUTHORIZE_THEN_CAPTURE, VoidPayment),
        (CaptureStrategy.CAPTURE_IMMEDIATELY, RefundPayment),
    ],
)
def test_a_new_time_lost_after_the_difference_was_paid_gives_it_back(
    strategy: CaptureStrategy, back: type
) -> None:
    b = paid_difference(paid(), strategy)
    lost = SlotsLost(booking_id=b.id, reservation_id=MOVE_HOLD, reason=LostReason.TAKEN)
    decision = decide(b, reply(lost), NOW, RULES)
    (give_back,) = decision.messages
    assert isinstance(give_back, back)
    if isinstance(give_back, RefundPayment):
        assert give_back.amount.amount_minor == 5500
    else:
        assert give_back.move_id == MOVE
    assert decision.booking.move is None
    assert decision.booking.price == paid().price


def test_cancelling_while_the_difference_is_due_voids_it_beside_the_refund() -> None:
    b = decide(paying(), reply(intent(paying())), NOW, RULES).booking
    decision = decide(b, Cancel(CancelledBy.BOOKER), NOW, RULES)
    assert types_of(decision.messages)[:2] == [VoidPayment, RefundPayment]
    void, refund = decision.messages[:2]
    assert isinstance(void, VoidPayment)
    assert void.move_id == MOVE
    assert isinstance(refund, RefundPayment)
    assert refund.amount.amount_minor == 11000
    assert types_of(decision.messages)[-1] is BookingCancelled


def test_a_payment_for_a_move_no_longer_wanted_is_given_back() -> None:
    b = paid()
    late = decide(b, reply(authorized(b)), NOW, RULES)
    assert late.messages == [
        VoidPayment(booking_id=b.id, move_id=MOVE, reason=VoidReason.CANCELLED)
    ]
    taken = decide(b, reply(authorized(b, CaptureStrategy.CAPTURE_IMMEDIATELY)), NOW, RULES)
    (refund,) = taken.messages
    assert isinstance(refund, RefundPayment)
    assert refund.amount.amount_minor == 5500


def test_a_move_payment_for_another_amount_or_payment_is_not_the_booking_s() -> None:
    b = paying()
    assert decide(b, reply(intent(b, amount=100)), NOW, RULES).ignored
    ready = decide(b, reply(intent(b)), NOW, RULES).booking
    other = authorized(ready).model_copy(update={"payment_id": uuid.UUID(int=99)})
    assert decide(ready, reply(other), NOW, RULES).ignored


def test_news_of_a_move_s_payment_after_the_move_was_made_gives_nothing_back() -> None:
    held = paid_difference(authorization_only())
    assert held.move is not None
    made = decide(held, move_booked(held, held.move.room_id, held.move.time_range), NOW, RULES)

    late_intent = decide(made.booking, reply(intent(held)), NOW, RULES)
    late_authorization = decide(made.booking, reply(authorized(held)), NOW, RULES)

    assert late_intent.ignored
    assert late_intent.messages == []
    assert late_authorization.ignored
    assert late_authorization.messages == []
