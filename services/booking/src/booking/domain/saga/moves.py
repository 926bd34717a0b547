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
from datetime import datetime

from booking.domain.booking import ENDED, Booking, IllegalTransition, Move
from booking.domain.saga.move_payments import (
    authorize_difference,
    awaits_difference,
    difference_back,
    move_ended,
    on_difference_deadline,
)
from booking.domain.saga.move_rules import movable_until, refuse_move, refuse_now
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
from contracts.payments import CapturePayment, RefundPayment, VoidReason


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
    refuse_now(b, move.starts_at, move.ends_at, now, rules)
    agreed = replace(move, answer_by=None)
    moving = replace(sent(b, now), move=agreed)
    return Decision(moving, [hold_move(b, agreed)], "the booker agreed: holding the new time")


def _money(amount_minor: int, b: Booking) -> str:
    return f"{amount_minor / 100:.2f} {b.price.currency}"


def hold_move(b: Booking, move: Move) -> HoldSlots:
    return HoldSlots(
        booking_id=b.id,
        studio_id=b.studio_id,
        room_id=move.room_id,
        time_range=move.time_range,
        move_id=move.id,
        booker_id=b.booker_id,
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
