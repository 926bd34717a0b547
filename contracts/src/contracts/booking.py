"""Events published by the booking service as a booking moves through its lifecycle.

The commands booking sends live with the services that execute them
(contracts.availability, contracts.payments).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from contracts.envelope import Message
from contracts.payments import PaymentFailureReason
from contracts.values import Money, TimeRange, UtcDatetime


class CancelledBy(StrEnum):
    BOOKER = "booker"
    OWNER = "owner"
    ADMIN = "admin"
    SYSTEM = "system"


class CancellationReason(StrEnum):
    REQUESTED = "requested"
    HOLD_EXPIRED = "hold_expired"
    STUDIO_UNAVAILABLE = "studio_unavailable"


class FailureReason(StrEnum):
    SLOTS_UNAVAILABLE = "slots_unavailable"
    PAYMENT_FAILED = "payment_failed"
    SLOTS_LOST = "slots_lost"


class _BookingEvent(Message):
    """Who and what a booking is about, identical in every booking event."""

    booking_id: uuid.UUID
    booker_id: uuid.UUID
    owner_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    time_range: TimeRange


class BookingRequested(_BookingEvent):
    """Booking, when a booker asked for a booking, until December 2026. No longer published:
    its consumers took what they needed from it elsewhere (availability the booker from
    HoldSlots, notifications a declined card from BookingPaymentFailed). Kept so that their
    queues, bound to it by an earlier release, unbind it (`MessageHandlers.retire`)."""

    message_type: ClassVar[str] = "booking.booking_requested"
    routing_key: ClassVar[str] = "booking.booking.requested"

    price: Money
    requested_at: UtcDatetime


class BookingAwaitingOwner(_BookingEvent):
    """Booking, when a request to book is paid (the card authorized, the room held): it waits
    for the studio's owner to accept or decline until respond_by; unanswered by then, it is
    cancelled and everything goes back."""

    message_type: ClassVar[str] = "booking.booking_awaiting_owner"
    routing_key: ClassVar[str] = "booking.booking.awaiting_owner"

    price: Money
    respond_by: UtcDatetime


class BookingConfirmed(_BookingEvent):
    """Booking, once the slots are confirmed after the payment was authorized."""

    message_type: ClassVar[str] = "booking.booking_confirmed"
    routing_key: ClassVar[str] = "booking.booking.confirmed"

    price: Money
    confirmed_at: UtcDatetime


class BookingCancelled(_BookingEvent):
    """Booking, when a booker, owner or admin cancels, or the hold ran out before payment."""

    message_type: ClassVar[str] = "booking.booking_cancelled"
    routing_key: ClassVar[str] = "booking.booking.cancelled"

    cancelled_by: CancelledBy
    reason: CancellationReason
    refund: Money
    cancelled_at: UtcDatetime


class BookingCompleted(_BookingEvent):
    """Booking, when the session has ended; catalog lets the booker review the studio."""

    message_type: ClassVar[str] = "booking.booking_completed"
    routing_key: ClassVar[str] = "booking.booking.completed"

    completed_at: UtcDatetime


class BookingFailed(_BookingEvent):
    """Booking, when the saga could not get the slots or the payment; nothing is kept: a
    payment authorized (or, for a booking paid at once, captured) is given back."""

    message_type: ClassVar[str] = "booking.booking_failed"
    routing_key: ClassVar[str] = "booking.booking.failed"

    reason: FailureReason
    failed_at: UtcDatetime


class BookingPaymentFailed(_BookingEvent):
    """Booking, when the booker's payment fails before the booking is paid: the booker may pay
    again while the hold lasts (`retryable`), or the booking has failed (BookingFailed too).
    Whoever tells the booker needs nothing else: it names the booking, as every booking event."""

    message_type: ClassVar[str] = "booking.booking_payment_failed"
    routing_key: ClassVar[str] = "booking.booking.payment_failed"

    reason: PaymentFailureReason
    retryable: bool
    failed_at: UtcDatetime


class BookingNoShow(_BookingEvent):
    """Booking, when the owner reports that the booker did not turn up for the session."""

    message_type: ClassVar[str] = "booking.booking_no_show"
    routing_key: ClassVar[str] = "booking.booking.no_show"

    reported_by: uuid.UUID
    reported_at: UtcDatetime


class BookingRescheduled(_BookingEvent):
    """Booking, when a confirmed booking has moved to another time or room of its studio: the
    new room and time are booked and the earlier ones released (availability did both in one
    step). The booking keeps its id, price and payment; `room_id` and `time_range` are the new
    ones."""

    message_type: ClassVar[str] = "booking.booking_rescheduled"
    routing_key: ClassVar[str] = "booking.booking.rescheduled"

    previous_room_id: uuid.UUID
    previous_time_range: TimeRange
    requested_by: uuid.UUID = Field(description="The person who asked for the move.")
    rescheduled_at: UtcDatetime


class BookingMoveProposed(_BookingEvent):
    """Booking, when the studio's owner proposes another time or room for a confirmed booking:
    nothing moves unless its booker accepts by answer_by (BookingRescheduled then follows)."""

    message_type: ClassVar[str] = "booking.booking_move_proposed"
    routing_key: ClassVar[str] = "booking.booking.move_proposed"

    proposed_room_id: uuid.UUID
    proposed_time_range: TimeRange
    answer_by: UtcDatetime
    proposed_by: uuid.UUID


class BookingMoveDeclined(_BookingEvent):
    """Booking, when the time the studio's owner proposed will not be taken: the booker declined
    it (`answered`) or let it lapse; the booking stays at its room and time."""

    message_type: ClassVar[str] = "booking.booking_move_declined"
    routing_key: ClassVar[str] = "booking.booking.move_declined"

    proposed_room_id: uuid.UUID
    proposed_time_range: TimeRange
    answered: bool
    declined_at: UtcDatetime


MESSAGE_EXCERPT_LENGTH = 500


class MessagePosted(Message):
    """Booking, when the booker or the owner writes in a booking's conversation."""

    message_type: ClassVar[str] = "booking.message_posted"
    routing_key: ClassVar[str] = "booking.message.posted"

    booking_id: uuid.UUID
    chat_message_id: uuid.UUID = Field(description="The message's id in the conversation.")
    author_id: uuid.UUID
    excerpt: Annotated[str, Field(max_length=MESSAGE_EXCERPT_LENGTH)] = Field(
        description="The start of the message, for a notice; the whole of it stays in booking."
    )
    posted_at: UtcDatetime
