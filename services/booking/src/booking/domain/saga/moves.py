"""Rescheduling: a confirmed booking moves to another room or time of its studio, asked by
its booker, or proposed by its owner and agreed by the booker.

The booking stays confirmed where it is while the move runs. HoldSlots with the move's id
holds the new range beside the booked one; ConfirmSlots of that hold books it and releases the
old reservation in one step of availability's, and only its SlotsConfirmed moves the booking.
A refused or lost hold, or availability's silence, ends the move with the booking as it was
(DropMoveHold lets a hold go). A move may cost less (the difference goes back to the booker,
or is never captured) or more: then the difference is a payment of its own, authorized before
the new range is booked (move_payments).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from booking.domain.booking import ENDED, Booking, IllegalTransition, Move, Status
from booking.domain.policies import full_refund_until
from booking.domain.pricing import InvalidBookingRequest
from booking.domain.saga.move_payments import (
    authorize_difference,
    awaits_difference,
    difference_back,
    move_ended,
    on_difference_deadline,
)
from booking.domain.saga.steps import (
    AnswerMove,
    Decision,
    Reschedule,
    SagaRules,
    about,
    ignored,
    refund_id,
    refund_reason,
    release_reason,
    resend,
    sent,
)
from contracts import Message
from contracts.availability import (
    ConfirmSlots,
    DropMoveHold,
    HoldSlots,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsUnavailable,
)
from contracts.booking import (
    BookingMoveDeclined,
    BookingMoveProposed,
    BookingRescheduled,
    CancelledBy,
)
from contracts.payments import CapturePayment, CaptureStrategy, RefundPayment, VoidReason


def on_reschedule(b: Booking, action: Reschedule, now: datetime, rules: SagaRules) -> Decision:
    if b.move is not None:
        raise IllegalTransition(
            "the booking is already being moved, or a proposed time waits for the booker's "
            "answer: wait for that to end"
        )
    refuse_move(b, action, now, rules)
    move = Move(
        id=action.move_id,
        room_id=action.room_id,
        starts_at=action.starts_at,
        ends_at=action.ends_at,
        requested_by=action.requested_by,
        requested_at=now,
        price=action.price,
        answer_by=movable_until(b) if action.needs_booker else None,
    )
    if move.answer_by is not None:
        proposed = replace(b, move=move, move_failure=None)
        event = BookingMoveProposed(
            **about(b),
            proposed_room_id=move.room_id,
            proposed_time_range=move.time_range,
            answer_by=move.answer_by,
            proposed_by=move.requested_by,
        )
        return Decision(proposed, [event], "the studio proposes another time: asking the booker")
    moving = replace(sent(b, now), move=move, move_failure=None)
    return Decision(moving, [hold_move(b, move)], "move asked for: holding the new time")


def on_answer_move(b: Booking, action: AnswerMove, now: datetime, rules: SagaRules) -> Decision:
    """The booker's answer to the owner's proposal: agreed, the move starts as if they had
    asked for it; refused, the booking stays as it is."""
    move = b.move
    if move is None or not move.awaits_booker:
        raise IllegalTransition("no proposed time waits for the booker's answer")
    if not action.agreed:
        declined = _declined(b, move, answered=True, now=now)
        return move_ended(b, "the booker declined the proposed time", [declined])
    _refuse_now(b, move.starts_at, move.ends_at, now, rules)
    agreed = replace(move, answer_by=None)
    moving = replace(sent(b, now), move=agreed)
    return Decision(moving, [hold_move(b, agreed)], "the booker agreed: holding the new time")


def movable_until(b: Booking) -> datetime | None:
    """Until when a confirmed booking may be moved: while cancelling it would refund in full
    (a move is cancelling and booking again, without the cost); None when it never may."""
    if b.status is not Status.CONFIRMED:
        return None
    return full_refund_until(b.cancellation_policy, booked_at=b.requested_at, starts_at=b.starts_at)


def refuse_move(b: Booking, action: Reschedule, now: datetime, rules: SagaRules) -> None:
    """Why the booking cannot move as asked: IllegalTransition (or InvalidBookingRequest
    naming the field) when it cannot; nothing when it can."""
    _refuse_now(b, action.starts_at, action.ends_at, now, rules)
    if (action.room_id, action.starts_at, action.ends_at) == (b.room_id, b.starts_at, b.ends_at):
        raise InvalidBookingRequest(
            "the booking is already at that room and time", field="starts_at"
        )
    if action.price.currency != b.price.currency:
        raise InvalidBookingRequest("that room is priced in another currency", field="room_id")


def _money(amount_minor: int, b: Booking) -> str:
    return f"{amount_minor / 100:.2f} {b.price.currency}"


def _refuse_now(
    b: Booking, starts_at: datetime, ends_at: datetime, now: datetime, rules: SagaRules
) -> None:
    """What a move must meet when it starts: the booking confirmed and before its cut-off,
    the new time ahead, and within the card authorization's life."""
    if b.status is not Status.CONFIRMED:
        raise IllegalTransition(f"only a confirmed booking can be moved: it is {b.status}")
    cutoff = movable_until(b)
    if cutoff is None or now > cutoff:
        raise IllegalTransition(
            f"under its {b.cancellation_policy} policy this booking could be moved only while "
            "cancelling it would refund it in full"
            + ("" if cutoff is None else f", until {cutoff.isoformat()}")
        )
    if starts_at <= now:
        raise InvalidBookingRequest("the new time must start in the future", field="starts_at")
    latest = _latest_end(b, rules)
    if latest is not None and ends_at > latest:
        raise InvalidBookingRequest(
            "the card's authorization covers a session ending by "
            f"{latest.isoformat()}: choose a time that ends by then",
            field="ends_at",
        )


def _latest_end(b: Booking, rules: SagaRules) -> datetime | None:
    """How late a booking paid by an authorization (captured when its session is over) may end:
    its capture, as late as the auto-completion, must come before the authorization lapses.
    Not knowing when it lapses, not later than now. None: captured already, no limit."""
    if b.capture_strategy is not CaptureStrategy.AUTHORIZE_THEN_CAPTURE or b.money_taken:
        return None
    if b.authorization_expires_at is None:
        return b.ends_at
    return b.authorization_expires_at - (rules.auto_complete_after or timedelta(0))


def hold_move(b: Booking, move: Move) -> HoldSlots:
    return HoldSlots(
        booking_id=b.id,
        studio_id=b.studio_id,
        room_id=move.room_id,
        time_range=move.time_range,
        move_id=move.id,
    )


def on_move_held(b: Booking, m: SlotsHeld, now: datetime, _: SagaRules) -> Decision:
    move = b.move
    if move is None or move.id != m.move_id:
        assert m.move_id is not None
        drop = DropMoveHold(booking_id=b.id, move_id=m.move_id)
        return Decision(b, [drop], "hold for a move no longer wanted: letting it go")
    if move.reservation_id is not None:
        return ignored(b, "the move's hold is already known")
    held = replace(move, reservation_id=m.reservation_id)
    if b.move_extra_minor > 0:
        asking = replace(held, hold_expires_at=m.expires_at)
        return Decision(
            replace(sent(b, now), move=asking),
            [authorize_difference(b, asking)],
            f"new time held: the booker pays the difference of {_money(b.move_extra_minor, b)}",
        )
    confirm = ConfirmSlots(booking_id=b.id, reservation_id=m.reservation_id)
    return Decision(replace(sent(b, now), move=held), [confirm], "new time held: booking it")


def on_move_unavailable(b: Booking, m: SlotsUnavailable, now: datetime, _: SagaRules) -> Decision:
    if b.move is None or b.move.id != m.move_id or b.move.reservation_id is not None:
        return ignored(b, "no move waits for that hold")
    return move_ended(b, f"the new time is not available ({m.detail or m.reason})")


def on_move_lost(b: Booking, m: SlotsLost, now: datetime, _: SagaRules) -> Decision:
    if b.move is None or b.move.reservation_id != m.reservation_id:
        return ignored(b, f"booking is {b.status}")
    back = difference_back(b, b.move, VoidReason.SLOTS_LOST)
    return move_ended(b, f"the new time was lost before it was booked ({m.reason})", back)


def on_move_confirmed(b: Booking, m: SlotsConfirmed, now: datetime, _: SagaRules) -> Decision:
    """Availability booked the new range and released the old: that is where the booking is
    now, even when the saga had given the move up meanwhile."""
    if b.status in ENDED:
        release = ReleaseSlots(
            booking_id=b.id, reservation_id=m.reservation_id, reason=release_reason(b)
        )
        return Decision(b, [release], "move booked after the booking ended: releasing it")
    if m.reservation_id == b.reservation_id:
        return ignored(b, "the move is already made")
    move = b.move if b.move is not None and b.move.reservation_id == m.reservation_id else None
    # A move given up that availability booked anyway keeps the price paid: it is not known
    # here any more, and keeping more than is due is fixed by a person, not lost. A dearer
    # move is booked only once its difference is authorized.
    dearer = move is not None and move.price.total_minor > b.price.total_minor
    price = b.price if move is None or (dearer and move.authorized_at is None) else move.price
    extra = max(price.total_minor - b.price.total_minor, 0)
    paid = b.payment_total.amount_minor + extra
    difference_id = None if move is None or extra == 0 else move.payment_id
    moved = replace(
        b,
        room_id=m.room_id,
        starts_at=m.time_range.starts_at,
        ends_at=m.time_range.ends_at,
        reservation_id=m.reservation_id,
        price=price,
        payment_minor=None if paid == price.total_minor else paid,
        move_payment_ids=b.move_payment_ids + ((difference_id,) if difference_id else ()),
        move=None,
        move_failure=None,
        command_sends=0,
        command_sent_at=None,
    )
    requested_by = move.requested_by if move is not None else b.booker_id
    messages: list[Message] = [
        BookingRescheduled(
            **about(moved),
            previous_room_id=b.room_id,
            previous_time_range=b.time_range,
            requested_by=requested_by,
            rescheduled_at=m.confirmed_at,
        )
    ]
    cheaper = b.price.total_minor - price.total_minor
    if cheaper > 0 and b.money_taken:
        # Captured already: the difference goes back now. Else the capture takes less.
        by = CancelledBy.BOOKER if requested_by == b.booker_id else CancelledBy.OWNER
        refund = RefundPayment(
            booking_id=b.id,
            refund_id=refund_id(b, f"move {move.id if move else m.reservation_id}"),
            amount=b.money(cheaper),
            reason=refund_reason(by),
        )
        messages.insert(0, refund)
    if extra > 0 and b.money_taken and move is not None and not move.payment_captured:
        # The rest was taken at confirmation: the difference is taken now too.
        messages.insert(0, CapturePayment(booking_id=b.id))
    note = "moved to the new time; the old one is released"
    if cheaper > 0:
        note += f" (cheaper by {_money(cheaper, b)}, which goes back to the booker)"
    if extra > 0:
        note += f" (dearer by {_money(extra, b)}, paid on its own)"
    return Decision(moved, messages, note)


def on_move_deadline(b: Booking, now: datetime, rules: SagaRules) -> Decision:
    move = b.move
    assert move is not None
    if move.awaits_booker:
        lapsed = _declined(b, move, answered=False, now=now)
        why = "the booker did not answer the proposed time before the cut-off"
        return move_ended(b, why, [lapsed])
    if awaits_difference(move):
        assert move.hold_expires_at is not None
        if move.client_secret is None and now < move.hold_expires_at:
            again = resend(b, authorize_difference(b, move), now, rules)
            return again or ignored(b, "payments did not answer: waiting for the hold's end")
        return on_difference_deadline(b, move, now, rules)
    command: Message = (
        hold_move(b, move)
        if move.reservation_id is None
        else ConfirmSlots(booking_id=b.id, reservation_id=move.reservation_id)
    )
    drop = DropMoveHold(booking_id=b.id, move_id=move.id)
    back = difference_back(b, move, VoidReason.SLOTS_LOST)
    gave_up = move_ended(b, "availability did not answer in time", [drop, *back])
    return resend(b, command, now, rules) or gave_up


def _declined(b: Booking, move: Move, *, answered: bool, now: datetime) -> BookingMoveDeclined:
    return BookingMoveDeclined(
        **about(b),
        proposed_room_id=move.room_id,
        proposed_time_range=move.time_range,
        answered=answered,
        declined_at=now,
    )
