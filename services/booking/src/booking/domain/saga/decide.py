"""The saga's entry points: `start` a booking, and `decide` the next step for one thing that
happened, through the table of steps by what happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from booking.domain.booking import Booking
from booking.domain.replies import Reply, why_not_ours
from booking.domain.saga.actions import (
    on_accept,
    on_cancel,
    on_complete,
    on_deadline,
    on_decline,
    on_no_show,
)
from booking.domain.saga.moves import on_answer_move, on_reschedule
from booking.domain.saga.replies import (
    on_authorized,
    on_captured,
    on_dispute_closed,
    on_dispute_opened,
    on_intent_ready,
    on_payment_failed,
    on_refunded,
    on_slots_confirmed,
    on_slots_held,
    on_slots_lost,
    on_slots_unavailable,
)
from booking.domain.saga.steps import (
    DEFAULT_RULES,
    Accept,
    AnswerMove,
    Cancel,
    Complete,
    DeadlinePassed,
    Decision,
    Decline,
    Happening,
    MarkNoShow,
    Reschedule,
    SagaRules,
    authorize_payment,
    hold_slots,
    ignored,
    noted,
    sent,
    with_deadline,
)
from contracts import Message
from contracts.availability import (
    HoldExpired,
    MoveHoldDropped,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsReleased,
    SlotsUnavailable,
)
from contracts.payments import (
    DisputeClosed,
    DisputeOpened,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentIntentReady,
    PaymentRefunded,
    PaymentVoided,
    PayoutPaid,
)


def start(booking: Booking, rules: SagaRules = DEFAULT_RULES) -> Decision:
    """A new booking: hold the slots (a request's as long as its owner may take to answer,
    and the time to confirm after) and ask for the payment at the same time, so that the
    booker can pay one hop sooner (voided if the hold fails). Nothing announces the request:
    BookingRequested has no consumer left, and a publish costs every booking."""
    requested = with_deadline(sent(booking, booking.requested_at), rules)
    return Decision(
        requested,
        [hold_slots(booking, rules), authorize_payment(booking)],
        "booking requested: holding the slots and asking for the payment",
    )


def decide(
    booking: Booking, happening: Happening, now: datetime, rules: SagaRules = DEFAULT_RULES
) -> Decision:
    """The saga's next step for one thing that happened to a booking."""
    what: Any = happening
    if isinstance(happening, Reply):
        why = why_not_ours(booking, happening)
        if why is not None:
            name = type(happening.message).__name__
            return ignored(booking, f"{name} is not an answer to this booking: {why}")
        what = happening.message
    step = _STEPS.get(type(what))
    if step is None:
        return ignored(booking, f"{type(what).__name__} does not concern the saga")
    decision = step(booking, what, now, rules)
    return replace(decision, booking=with_deadline(decision.booking, rules))


_STEPS: dict[type, Callable[[Booking, Any, datetime, SagaRules], Decision]] = {
    SlotsHeld: on_slots_held,
    SlotsUnavailable: on_slots_unavailable,
    SlotsConfirmed: on_slots_confirmed,
    SlotsLost: on_slots_lost,
    SlotsReleased: noted("slots released"),
    HoldExpired: noted("availability reports the hold expired"),
    MoveHoldDropped: noted("the move's hold is let go"),
    PaymentIntentReady: on_intent_ready,
    PaymentFailed: on_payment_failed,
    PaymentAuthorized: on_authorized,
    PaymentCaptured: on_captured,
    PaymentVoided: noted("payment voided"),
    PaymentRefunded: on_refunded,
    PayoutPaid: noted("owner paid out"),
    DisputeOpened: on_dispute_opened,
    DisputeClosed: on_dispute_closed,
    DeadlinePassed: on_deadline,
    Cancel: on_cancel,
    Accept: on_accept,
    Decline: on_decline,
    Complete: on_complete,
    MarkNoShow: on_no_show,
    Reschedule: on_reschedule,
    AnswerMove: on_answer_move,
}


SAGA_REPLIES: tuple[type[Message], ...] = tuple(
    key for key in _STEPS if isinstance(key, type) and issubclass(key, Message)
)


"""The messages from other services the saga listens to."""
