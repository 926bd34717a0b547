"""The difference of a move to a dearer time: a payment of its own, beside the booking's first.

Once the new range is held, payments is asked for the difference (AuthorizePayment with the
move's id); the booker confirms it with the move's client secret while the hold lasts, and only
its authorization books the new range. A move that ends without happening gives that payment
back (void, or refund when it was captured at once); the booking's first payment is untouched.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from booking.domain.booking import ENDED, Booking, Move
from booking.domain.saga.steps import Decision, SagaRules, ignored, refund_id, sent
from contracts import Message
from contracts.availability import ConfirmSlots, DropMoveHold
from contracts.payments import (
    AuthorizePayment,
    CaptureStrategy,
    PaymentAuthorized,
    PaymentFailed,
    PaymentIntentReady,
    RefundPayment,
    RefundReason,
    VoidPayment,
    VoidReason,
)


def authorize_difference(b: Booking, move: Move) -> AuthorizePayment:
    extra = move.price.total_minor - b.price.total_minor
    fee = max(move.price.platform_fee_minor - b.price.platform_fee_minor, 0)
    return AuthorizePayment(
        booking_id=b.id,
        move_id=move.id,
        booker_id=b.booker_id,
        owner_id=b.owner_id,
        studio_id=b.studio_id,
        amount=b.money(extra),
        platform_fee=b.money(min(fee, extra)),
        session_starts_at=move.starts_at,
        session_ends_at=move.ends_at,
        description=f"Studio booking {b.id}: moved to a dearer time ({move.price.hours} h)",
    )


def awaits_difference(move: Move) -> bool:
    """Whether the move waits for the booker's card (the new range held meanwhile)."""
    return move.payment_asked and move.authorized_at is None


def difference_back(b: Booking, move: Move, reason: VoidReason) -> list[Message]:
    """The move's payment given back: refunded when it was taken, else voided (voiding one
    that never came to be changes nothing)."""
    if not move.payment_asked:
        return []
    if move.payment_captured:
        return [
            RefundPayment(
                booking_id=b.id,
                refund_id=refund_id(b, f"move {move.id}"),
                amount=b.money(move.price.total_minor - b.price.total_minor),
                reason=RefundReason.SLOTS_LOST,
            )
        ]
    return [VoidPayment(booking_id=b.id, move_id=move.id, reason=reason)]


def on_move_intent_ready(
    b: Booking, m: PaymentIntentReady, now: datetime, _: SagaRules
) -> Decision:
    assert m.move_id is not None
    move = b.move
    if m.payment_id in b.move_payment_ids:
        return ignored(b, "the move was made with this payment")
    if move is None or move.id != m.move_id:
        void = VoidPayment(booking_id=b.id, move_id=m.move_id, reason=VoidReason.CANCELLED)
        return Decision(b, [void], "payment for a move no longer wanted: voiding it")
    if (move.payment_id, move.client_secret) == (m.payment_id, m.client_secret):
        return ignored(b, "the move's payment intent is already known")
    ready = replace(move, payment_id=m.payment_id, client_secret=m.client_secret)
    return Decision(replace(b, move=ready), note="the booker can pay the move's difference")


def on_move_payment_failed(b: Booking, m: PaymentFailed, now: datetime, _: SagaRules) -> Decision:
    move = b.move
    if move is None or move.id != m.move_id or not awaits_difference(move):
        return ignored(b, "no move waits for that payment")
    error = m.decline_code or str(m.reason)
    if m.retryable:
        failed_once = replace(move, payment_error=error)
        return Decision(
            replace(b, move=failed_once),
            note=f"the move's payment failed ({error}): the booker may retry",
        )
    why = f"the payment of the difference failed ({error})"
    drop = DropMoveHold(booking_id=b.id, move_id=move.id)
    void = VoidPayment(booking_id=b.id, move_id=move.id, reason=VoidReason.CANCELLED)
    return move_ended(b, why, [drop, void])


def on_move_authorized(b: Booking, m: PaymentAuthorized, now: datetime, _: SagaRules) -> Decision:
    move = b.move
    captured = m.capture_strategy is CaptureStrategy.CAPTURE_IMMEDIATELY
    if m.payment_id in b.move_payment_ids:  # told again, after the move was made with it
        return ignored(b, "the move was made with this payment")
    if move is None or move.id != m.move_id or b.status in ENDED:
        assert m.move_id is not None
        back: Message = VoidPayment(booking_id=b.id, move_id=m.move_id, reason=VoidReason.CANCELLED)
        if captured:
            back = RefundPayment(
                booking_id=b.id,
                refund_id=refund_id(b, f"move {m.move_id}"),
                amount=m.amount,
                reason=RefundReason.SLOTS_LOST,
            )
        return Decision(b, [back], "payment for a move no longer wanted: giving it back")
    if move.authorized_at is not None:
        return ignored(b, "the move's payment is already authorized")
    assert move.reservation_id is not None
    paid = replace(
        move,
        payment_id=m.payment_id,
        authorized_at=m.authorized_at,
        payment_captured=captured,
        payment_error=None,
    )
    confirm = ConfirmSlots(booking_id=b.id, reservation_id=move.reservation_id)
    return Decision(
        replace(sent(b, now), move=paid), [confirm], "difference authorized: booking the new time"
    )


def on_difference_deadline(b: Booking, move: Move, now: datetime, rules: SagaRules) -> Decision:
    """The booker did not pay the difference while the new range was held: the move ends."""
    assert move.hold_expires_at is not None
    if now < move.hold_expires_at + rules.hold_grace:
        return ignored(b, "deadline not due")
    drop = DropMoveHold(booking_id=b.id, move_id=move.id)
    void = VoidPayment(booking_id=b.id, move_id=move.id, reason=VoidReason.HOLD_TIMED_OUT)
    return move_ended(b, "the difference was not paid while the new time was held", [drop, void])


def move_ended(b: Booking, why: str, messages: list[Message] | None = None) -> Decision:
    stays = replace(b, move=None, move_failure=why, command_sends=0, command_sent_at=None)
    return Decision(stays, messages or [], f"move not made, the booking stays as it was: {why}")
