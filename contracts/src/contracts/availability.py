"""Commands the availability service executes and the events it publishes.

Availability keeps at most one live reservation per booking, so every message names
the booking; `reservation_id` is availability's own id of that reservation.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.envelope import Message
from contracts.values import TimeRange, UtcDatetime


class UnavailableReason(StrEnum):
    ALREADY_RESERVED = "already_reserved"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    BLACKED_OUT = "blacked_out"
    STUDIO_NOT_BOOKABLE = "studio_not_bookable"
    UNKNOWN_ROOM = "unknown_room"


class LostReason(StrEnum):
    TAKEN = "taken"
    RELEASED = "released"
    NOT_FOUND = "not_found"


class ReleaseReason(StrEnum):
    PAYMENT_FAILED = "payment_failed"
    HOLD_TIMED_OUT = "hold_timed_out"
    CANCELLED_BY_BOOKER = "cancelled_by_booker"
    CANCELLED_BY_OWNER = "cancelled_by_owner"
    CANCELLED_BY_ADMIN = "cancelled_by_admin"


class HoldSlots(Message):
    """Booking, when a booker requests a booking: hold the room for this time range.

    The only way a booking gets a hold. Always answered: a range longer than availability's
    AVAILABILITY_MAX_HOLD_HOURS, outside the studio's hours or policy, or for a booking
    already released gets SlotsUnavailable with a `detail` saying which.
    """

    message_type: ClassVar[str] = "availability.hold_slots"
    routing_key: ClassVar[str] = "availability.command.hold_slots"

    booking_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    time_range: TimeRange
    hold_until: UtcDatetime | None = Field(
        default=None,
        description="For a request waiting on the studio's owner: hold the room at least until "
        "then (bounded by AVAILABILITY_MAX_REQUEST_HOLD_HOURS); None holds it for availability's "
        "usual minutes.",
    )


class SlotsHeld(Message):
    """Availability, after HoldSlots: the room is held for the booking until expires_at."""

    message_type: ClassVar[str] = "availability.slots_held"
    routing_key: ClassVar[str] = "availability.slots.held"

    booking_id: uuid.UUID
    reservation_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    time_range: TimeRange
    expires_at: UtcDatetime


class SlotsUnavailable(Message):
    """Availability, after HoldSlots: the room cannot be held for that time range."""

    message_type: ClassVar[str] = "availability.slots_unavailable"
    routing_key: ClassVar[str] = "availability.slots.unavailable"

    booking_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    time_range: TimeRange
    reason: UnavailableReason
    detail: str | None = None


class ConfirmSlots(Message):
    """Booking, once the payment is authorized: turn the hold into a booked reservation."""

    message_type: ClassVar[str] = "availability.confirm_slots"
    routing_key: ClassVar[str] = "availability.command.confirm_slots"

    booking_id: uuid.UUID
    reservation_id: uuid.UUID


class SlotsConfirmed(Message):
    """Availability, after ConfirmSlots: the reservation is booked and no longer expires."""

    message_type: ClassVar[str] = "availability.slots_confirmed"
    routing_key: ClassVar[str] = "availability.slots.confirmed"

    booking_id: uuid.UUID
    reservation_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    time_range: TimeRange
    confirmed_at: UtcDatetime


class SlotsLost(Message):
    """Availability, after ConfirmSlots: the hold is gone (expired and taken, or released)."""

    message_type: ClassVar[str] = "availability.slots_lost"
    routing_key: ClassVar[str] = "availability.slots.lost"

    booking_id: uuid.UUID
    reservation_id: uuid.UUID
    reason: LostReason
    detail: str | None = None


class ReleaseSlots(Message):
    """Booking, when a booking fails, times out or is cancelled: free its reservation.

    It ends the booking's use of availability for good: afterwards a HoldSlots for the booking
    is answered SlotsUnavailable and a ConfirmSlots SlotsLost(released), whatever order the
    commands arrive in.
    """

    message_type: ClassVar[str] = "availability.release_slots"
    routing_key: ClassVar[str] = "availability.command.release_slots"

    booking_id: uuid.UUID
    reservation_id: uuid.UUID | None = Field(
        default=None,
        description="None when booking never learned it (cancelled before SlotsHeld arrived): "
        "availability releases whatever it holds for the booking.",
    )
    reason: ReleaseReason


class SlotsReleased(Message):
    """Availability, after ReleaseSlots: the time is free again (sent even if nothing was held)."""

    message_type: ClassVar[str] = "availability.slots_released"
    routing_key: ClassVar[str] = "availability.slots.released"

    booking_id: uuid.UUID
    reservation_id: uuid.UUID | None = Field(
        default=None, description="None when nothing was held for the booking."
    )
    reason: ReleaseReason
    released_at: UtcDatetime


class HoldExpired(Message):
    """Availability's sweeper, when a hold passed expires_at unconfirmed and was released."""

    message_type: ClassVar[str] = "availability.hold_expired"
    routing_key: ClassVar[str] = "availability.hold.expired"

    booking_id: uuid.UUID
    reservation_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    time_range: TimeRange
    expired_at: UtcDatetime
