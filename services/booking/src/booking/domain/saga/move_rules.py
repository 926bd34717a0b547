"""What a move must meet: a confirmed booking before its cut-off (while cancelling would
refund in full), a new time ahead, in the booking's currency, and within the life of a card
authorization not captured yet."""

from __future__ import annotations

from datetime import datetime, timedelta

from booking.domain.booking import Booking, IllegalTransition, Status
from booking.domain.policies import full_refund_until
from booking.domain.pricing import InvalidBookingRequest
from booking.domain.saga.steps import Reschedule, SagaRules
from contracts.payments import CaptureStrategy


def movable_until(b: Booking) -> datetime | None:
    """Until when a confirmed booking may be moved: while cancelling it would refund in full
    (a move is cancelling and booking again, without the cost); None when it never may."""
    if b.status is not Status.CONFIRMED:
        return None
    return full_refund_until(b.cancellation_policy, booked_at=b.requested_at, starts_at=b.starts_at)


def refuse_move(b: Booking, action: Reschedule, now: datetime, rules: SagaRules) -> None:
    """Why the booking cannot move as asked: IllegalTransition (or InvalidBookingRequest
    naming the field) when it cannot; nothing when it can."""
    refuse_now(b, action.starts_at, action.ends_at, now, rules)
    if (action.room_id, action.starts_at, action.ends_at) == (b.room_id, b.starts_at, b.ends_at):
        raise InvalidBookingRequest(
            "the booking is already at that room and time", field="starts_at"
        )
    if action.price.currency != b.price.currency:
        raise InvalidBookingRequest("that room is priced in another currency", field="room_id")


def refuse_now(
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
