"""Every path of rescheduling in the saga: a confirmed booking moves only when availability has
booked the new time and released the old, and otherwise stays as it was; a cheaper move gives
the difference back (a dearer one pays it: test_saga_move_payments)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import Booking, IllegalTransition, Status
from booking.domain.pricing import InvalidBookingRequest, PriceBreakdown, moved_price
from booking.domain.replies import Reply
from booking.domain.saga import AnswerMove, Cancel, Complete, DeadlinePassed, Reschedule, decide
from booking.domain.saga.move_rules import movable_until
from contracts.availability import (
    ConfirmSlots,
    DropMoveHold,
    HoldSlots,
    LostReason,
    MoveHoldDropped,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsUnavailable,
    UnavailableReason,
)
from contracts.booking import (
    BookingCancelled,
    BookingMoveDeclined,
    BookingMoveProposed,
    BookingRescheduled,
    CancelledBy,
)
from contracts.payments import CapturePayment, CaptureStrategy, PaymentCaptured, RefundPayment
from contracts.values import CancellationPolicy, Money, TimeRange

from .conftest import NOW, PAYMENT, RESERVATION, RULES, confirmed, reply

MOVE = uuid.UUID(int=21)
MOVE_HOLD = uuid.UUID(int=22)
DAY = timedelta(days=1)


def paid() -> Booking:
    return confirmed(CaptureStrategy.CAPTURE_IMMEDIATELY)


def reschedule(b: Booking, later: timedelta = DAY, **changes: object) -> Reschedule:
    values: dict[str, object] = {
        "move_id": MOVE,
        "room_id": b.room_id,
        "starts_at": b.starts_at + later,
        "ends_at": b.ends_at + later,
        "price": b.price,
        "requested_by": b.booker_id,
    }
    return Reschedule(**(values | changes))  # type: ignore[arg-type]


def moving(b: Booking | None = None) -> Booking:
    b = b or paid()
    return decide(b, reschedule(b), NOW, RULES).booking


def move_held(b: Booking) -> Reply:
    assert b.move is not None
    return reply(
        SlotsHeld(
            booking_id=b.id,
            reservation_id=MOVE_HOLD,
            studio_id=b.studio_id,
            room_id=b.move.room_id,
            time_range=b.move.time_range,
            expires_at=NOW + timedelta(minutes=10),
            move_id=b.move.id,
        )
    )


def move_booked(b: Booking, room_id: uuid.UUID, time_range: TimeRange) -> Reply:
    return reply(
        SlotsConfirmed(
            booking_id=b.id,
            reservation_id=MOVE_HOLD,
            studio_id=b.studio_id,
            room_id=room_id,
            time_range=time_range,
            confirmed_at=NOW,
            replaced_reservation_id=RESERVATION,
        )
    )


def holding_new_time() -> Booking:
    b = moving()
    return decide(b, move_held(b), NOW, RULES).booking


def test_a_move_holds_the_new_time_beside_the_booked_one() -> None:
    b = paid()
    decision = decide(b, reschedule(b), NOW, RULES)
    (hold,) = decision.messages
    assert isinstance(hold, HoldSlots)
    assert (hold.move_id, hold.room_id, hold.time_range.starts_at) == (
        MOVE,
        b.room_id,
        b.starts_at + DAY,
    )
    after = decision.booking
    assert (after.status, after.starts_at, after.reservation_id) == (
        Status.CONFIRMED,
        b.starts_at,
        RESERVATION,
    )
    assert after.deadline_at == NOW + RULES.reply_timeout


def test_the_held_new_time_is_booked_and_then_the_booking_has_moved() -> None:
    b = moving()
    assert b.move is not None
    held = decide(b, move_held(b), NOW, RULES)
    assert held.messages == [ConfirmSlots(booking_id=b.id, reservation_id=MOVE_HOLD)]
    assert held.booking.starts_at == b.starts_at  # not moved yet

    booked = decide(held.booking, move_booked(b, b.move.room_id, b.move.time_range), NOW, RULES)
    after = booked.booking
    assert (after.starts_at, after.ends_at, after.reservation_id, after.move) == (
        b.move.starts_at,
        b.move.ends_at,
        MOVE_HOLD,
        None,
    )
    assert (after.status, after.price, after.payment_id) == (
        Status.CONFIRMED,
        b.price,
        b.payment_id,
    )
    (event,) = booked.messages
    assert isinstance(event, BookingRescheduled)
    assert (event.previous_time_range, event.time_range) == (b.time_range, b.move.time_range)
    assert after.deadline_at == after.ends_at + timedelta(hours=24)  # auto-complete again


def test_another_room_of_the_studio_at_the_same_price() -> None:
    b = paid()
    other_room = uuid.uuid4()
    decision = decide(b, reschedule(b, room_id=other_room), NOW, RULES)
    (hold,) = decision.messages
    assert isinstance(hold, HoldSlots)
    assert hold.room_id == other_room


def priced(b: Booking, hourly: int, hours: int = 2) -> PriceBreakdown:
    starts = b.starts_at + DAY
    return moved_price(
        b.price,
        hourly_price_minor=hourly,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        minimum_hours=1,
        maximum_hours=24,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"later": timedelta(0)}, "starts_at"),
        ({"later": -timedelta(days=11)}, "starts_at"),
    ],
)
def test_a_move_that_changes_nothing_or_goes_back_in_time_is_refused(
    change: dict[str, object], field: str
) -> None:
    b = paid()
    later: timedelta = change.pop("later", DAY)  # type: ignore[assignment]
    hours: int = change.pop("hours", 2)  # type: ignore[assignment]
    hourly: int = change.pop("hourly", b.price.hourly_price_minor)  # type: ignore[assignment]
    asked = reschedule(b, later, **change)
    asked = replace(
        asked,
        ends_at=asked.starts_at + timedelta(hours=hours),
        price=priced(b, hourly, hours),
    )
    with pytest.raises(InvalidBookingRequest) as refused:
        decide(b, asked, NOW, RULES)
    assert refused.value.field == field


def test_a_cheaper_move_gives_the_difference_back_once_the_money_was_taken() -> None:
    b = paid()  # captured at once
    shorter = replace(
        reschedule(b), ends_at=b.starts_at + DAY + timedelta(hours=1), price=priced(b, 5000, 1)
    )
    moving = decide(b, shorter, NOW, RULES).booking
    held = decide(moving, move_held(moving), NOW, RULES).booking
    assert held.move is not None
    booked = decide(held, move_booked(b, held.move.room_id, held.move.time_range), NOW, RULES)

    after = booked.booking
    assert (after.price.hours, after.price.total_minor) == (1, 5500)
    assert after.payment_total.amount_minor == b.price.total_minor  # what was paid
    refund, event = booked.messages
    assert isinstance(refund, RefundPayment)
    assert refund.amount.amount_minor == b.price.total_minor - 5500
    assert isinstance(event, BookingRescheduled)
    again = decide(after, move_booked(b, held.move.room_id, held.move.time_range), NOW, RULES)
    assert again.ignored  # the refund is asked for once


def test_a_cheaper_move_of_an_authorization_captures_only_the_new_price() -> None:
    b = replace(
        confirmed(CaptureStrategy.AUTHORIZE_THEN_CAPTURE, starts_in=timedelta(days=3)),
        requested_at=NOW,
        authorization_expires_at=NOW + timedelta(days=7),
    )
    shorter = replace(
        reschedule(b), ends_at=b.starts_at + DAY + timedelta(hours=1), price=priced(b, 5000, 1)
    )
    moving = decide(b, shorter, NOW, RULES).booking
    held = decide(moving, move_held(moving), NOW, RULES).booking
    assert held.move is not None
    booked = decide(held, move_booked(b, held.move.room_id, held.move.time_range), NOW, RULES)
    assert types_of(booked.messages) == [BookingRescheduled]  # nothing taken yet to give back

    moved = booked.booking
    done = decide(moved, Complete(), moved.starts_at + timedelta(minutes=5), RULES)
    capture = next(m for m in done.messages if isinstance(m, CapturePayment))
    assert capture.amount is not None
    assert capture.amount.amount_minor == 5500
    captured = reply(
        PaymentCaptured(
            booking_id=b.id,
            payment_id=PAYMENT,
            amount=capture.amount,
            platform_fee=Money(amount_minor=500, currency="EUR"),
            captured_at=NOW,
        )
    )
    assert not decide(done.booking, captured, NOW, RULES).ignored


def test_only_a_confirmed_booking_before_its_cutoff_moves_one_move_at_a_time() -> None:
    b = paid()
    cutoff = movable_until(b)
    assert cutoff == b.starts_at - timedelta(days=5)  # moderate: full refund until 5 days before
    with pytest.raises(IllegalTransition, match="refund it in full"):
        decide(b, reschedule(b), cutoff + timedelta(seconds=1), RULES)
    with pytest.raises(IllegalTransition, match="already being moved"):
        decide(moving(b), reschedule(b), NOW, RULES)
    with pytest.raises(IllegalTransition, match="only a confirmed booking"):
        decide(replace(b, status=Status.COMPLETED), reschedule(b), NOW, RULES)
    # strict refunds in full 14 days ahead; booked 3 days ago for 10 days on: past the grace hour
    strict = replace(b, cancellation_policy=CancellationPolicy.STRICT, requested_at=NOW - DAY * 3)
    assert movable_until(strict) == strict.requested_at + timedelta(hours=1)
    with pytest.raises(IllegalTransition, match="strict"):
        decide(strict, reschedule(strict), NOW, RULES)


def test_an_authorization_is_not_stretched_past_its_life() -> None:
    b = replace(
        confirmed(CaptureStrategy.AUTHORIZE_THEN_CAPTURE, starts_in=timedelta(days=3)),
        requested_at=NOW,
        authorization_expires_at=NOW + timedelta(days=7),
    )
    # captured at the latest when auto-completed, 24 h after the end: by day 7 the new end is 6
    with pytest.raises(InvalidBookingRequest, match="authorization") as refused:
        decide(b, reschedule(b, DAY * 3), NOW, RULES)
    assert refused.value.field == "ends_at"
    assert decide(b, reschedule(b, DAY * 2), NOW, RULES).booking.move is not None
    unknown = replace(b, authorization_expires_at=None)
    with pytest.raises(InvalidBookingRequest, match="authorization"):
        decide(unknown, reschedule(unknown, DAY), NOW, RULES)  # later than it ends now
    assert decide(unknown, reschedule(unknown, -DAY), NOW, RULES).booking.move is not None
    captured = replace(b, captured_at=NOW)
    assert decide(captured, reschedule(captured, DAY * 5), NOW, RULES).booking.move is not None


def test_a_new_time_not_available_leaves_the_booking_as_it_was() -> None:
    b = moving()
    assert b.move is not None
    refused = reply(
        SlotsUnavailable(
            booking_id=b.id,
            studio_id=b.studio_id,
            room_id=b.move.room_id,
            time_range=b.move.time_range,
            reason=UnavailableReason.ALREADY_RESERVED,
            move_id=b.move.id,
        )
    )
    decision = decide(b, refused, NOW, RULES)
    after = decision.booking
    assert decision.messages == []
    assert (after.move, after.starts_at, after.reservation_id) == (None, b.starts_at, RESERVATION)
    assert after.move_failure is not None
    assert "already_reserved" in after.move_failure
    assert after.deadline_at == after.ends_at + timedelta(hours=24)


def test_a_new_time_lost_before_it_was_booked_leaves_the_booking_as_it_was() -> None:
    b = holding_new_time()
    lost = reply(SlotsLost(booking_id=b.id, reservation_id=MOVE_HOLD, reason=LostReason.TAKEN))
    after = decide(b, lost, NOW, RULES).booking
    assert (after.move, after.reservation_id, after.status) == (None, RESERVATION, Status.CONFIRMED)
    assert after.move_failure is not None
    assert "taken" in after.move_failure


def test_silence_resends_then_gives_the_move_up_and_lets_its_hold_go() -> None:
    b = holding_new_time()
    assert b.deadline_at is not None
    for sends in range(2, RULES.max_resends + 2):
        now = b.deadline_at
        assert now is not None
        decision = decide(b, DeadlinePassed(), now, RULES)
        assert decision.messages == [ConfirmSlots(booking_id=b.id, reservation_id=MOVE_HOLD)]
        b = decision.booking
        assert b.command_sends == sends
    assert b.deadline_at is not None
    gave_up = decide(b, DeadlinePassed(), b.deadline_at, RULES)
    assert gave_up.messages == [DropMoveHold(booking_id=b.id, move_id=MOVE)]
    assert (gave_up.booking.move, gave_up.booking.status) == (None, Status.CONFIRMED)


def test_a_move_booked_after_the_saga_gave_it_up_is_where_the_booking_is() -> None:
    b = holding_new_time()
    assert b.move is not None
    new_place = (b.move.room_id, b.move.time_range)
    gave_up = replace(b, move=None, move_failure="availability did not answer in time")
    decision = decide(gave_up, move_booked(b, *new_place), NOW, RULES)
    assert (decision.booking.starts_at, decision.booking.reservation_id) == (
        new_place[1].starts_at,
        MOVE_HOLD,
    )
    assert types_of(decision.messages) == [BookingRescheduled]


def test_a_hold_for_a_move_given_up_is_let_go() -> None:
    b = moving()
    late_hold = move_held(b)
    decision = decide(replace(b, move=None), late_hold, NOW, RULES)
    assert decision.messages == [DropMoveHold(booking_id=b.id, move_id=MOVE)]


def test_cancelling_during_a_move_releases_both_reservations() -> None:
    b = holding_new_time()
    decision = decide(b, Cancel(CancelledBy.BOOKER), NOW, RULES)
    assert decision.booking.status is Status.CANCELLED
    assert decision.booking.move is None
    release = next(m for m in decision.messages if isinstance(m, ReleaseSlots))
    assert release.reservation_id is None  # whatever it holds: the booked and the move's
    assert types_of(decision.messages) == [RefundPayment, ReleaseSlots, BookingCancelled]


def test_a_move_booked_after_a_cancellation_is_released() -> None:
    b = holding_new_time()
    assert b.move is not None
    cancelled = decide(b, Cancel(CancelledBy.BOOKER), NOW, RULES).booking
    decision = decide(cancelled, move_booked(b, b.move.room_id, b.move.time_range), NOW, RULES)
    assert decision.messages == [
        ReleaseSlots(booking_id=b.id, reservation_id=MOVE_HOLD, reason=decision.messages[0].reason)
    ]
    assert decision.booking.starts_at == b.starts_at


def test_replies_about_another_move_or_place_are_not_the_booking_s() -> None:
    b = moving()
    assert b.move is not None
    elsewhere = move_held(b)
    assert isinstance(elsewhere.message, SlotsHeld)
    wrong_time = elsewhere.message.model_copy(
        update={"time_range": b.time_range, "reservation_id": uuid.uuid4()}
    )
    assert decide(b, reply(wrong_time), NOW, RULES).ignored
    unasked = Reply(elsewhere.message, answers=None, caused=True)
    assert decide(b, unasked, NOW, RULES).ignored
    stale = reply(SlotsLost(booking_id=b.id, reservation_id=uuid.uuid4(), reason=LostReason.TAKEN))
    assert decide(b, stale, NOW, RULES).ignored
    dropped = reply(MoveHoldDropped(booking_id=b.id, move_id=MOVE))
    assert not decide(b, dropped, NOW, RULES).messages


def types_of(messages: list[object]) -> list[type]:
    return [type(message) for message in messages]


def proposed(b: Booking | None = None) -> Booking:
    b = b or paid()
    by_owner = replace(reschedule(b), requested_by=b.owner_id, needs_booker=True)
    return decide(b, by_owner, NOW, RULES).booking


def test_the_owner_s_proposal_holds_nothing_until_the_booker_agrees() -> None:
    b = paid()
    by_owner = replace(reschedule(b), requested_by=b.owner_id, needs_booker=True)
    decision = decide(b, by_owner, NOW, RULES)
    (asked,) = decision.messages  # nothing held: the booker is asked
    assert isinstance(asked, BookingMoveProposed)
    assert (asked.proposed_time_range, asked.answer_by) == (
        TimeRange(starts_at=b.starts_at + DAY, ends_at=b.ends_at + DAY),
        movable_until(b),
    )
    waiting = decision.booking
    assert waiting.move is not None
    assert waiting.move.answer_by == movable_until(b)
    assert waiting.deadline_at == movable_until(b)
    with pytest.raises(IllegalTransition, match="already being moved"):
        decide(waiting, reschedule(b), NOW, RULES)  # the booker's own move waits for the answer

    agreed = decide(waiting, AnswerMove(agreed=True), NOW, RULES)
    (hold,) = agreed.messages
    assert isinstance(hold, HoldSlots)
    assert hold.move_id == MOVE
    assert agreed.booking.move is not None
    assert not agreed.booking.move.awaits_booker
    assert agreed.booking.deadline_at == NOW + RULES.reply_timeout


def test_a_declined_or_unanswered_proposal_leaves_the_booking_as_it_was() -> None:
    waiting = proposed()
    declined = decide(waiting, AnswerMove(agreed=False), NOW, RULES)
    (told,) = declined.messages
    assert isinstance(told, BookingMoveDeclined)
    assert told.answered
    assert declined.booking.move is None
    assert declined.booking.move_failure == "the booker declined the proposed time"
    assert waiting.deadline_at is not None
    lapsed = decide(waiting, DeadlinePassed(), waiting.deadline_at, RULES)
    (told,) = lapsed.messages
    assert isinstance(told, BookingMoveDeclined)
    assert not told.answered
    assert (lapsed.booking.move, lapsed.booking.status) == (None, Status.CONFIRMED)
    with pytest.raises(IllegalTransition, match="no proposed time"):
        decide(paid(), AnswerMove(agreed=True), NOW, RULES)
    with pytest.raises(IllegalTransition, match="refund it in full"):
        decide(waiting, AnswerMove(agreed=True), waiting.deadline_at + DAY, RULES)
