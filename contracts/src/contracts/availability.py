"""Commands the availability service executes and the events it publishes.

Availability keeps one live reservation per booking, and while the booking is being moved to
another time or room a second one, its move hold (`move_id`); every message names the booking,
and `reservation_id` is availability's own id of a reservation.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.envelope import Message
from contracts.values import TimeRange, UtcDatetime

MINUTES_IN_DAY = 24 * 60


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
    move_id: uuid.UUID | None = Field(
        default=None,
        description="Moving a booked booking: hold this range beside its booked reservation "
        "(they may overlap). One move at a time; ConfirmSlots of the move hold books it and "
        "releases the old reservation in one step, DropMoveHold lets it go.",
    )
    booker_id: uuid.UUID | None = Field(
        default=None,
        description="Who asked for the booking: availability names them, by first name, in the "
        "owner's calendar feed. None from a booking service of the release before, which told "
        "availability in BookingRequested instead.",
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
    move_id: uuid.UUID | None = Field(default=None, description="The HoldSlots' move, if any.")


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
    move_id: uuid.UUID | None = Field(default=None, description="The HoldSlots' move, if any.")


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
    replaced_reservation_id: uuid.UUID | None = Field(
        default=None,
        description="For a move hold: the booking's earlier reservation, released in the "
        "same step.",
    )


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


class DropMoveHold(Message):
    """Booking, when a move of a booked booking is given up: let its move hold go; the booked
    reservation stays. Answered with MoveHoldDropped whatever there was."""

    message_type: ClassVar[str] = "availability.drop_move_hold"
    routing_key: ClassVar[str] = "availability.command.drop_move_hold"

    booking_id: uuid.UUID
    move_id: uuid.UUID


class MoveHoldDropped(Message):
    """Availability, after DropMoveHold: the move's hold is released (or never was)."""

    message_type: ClassVar[str] = "availability.move_hold_dropped"
    routing_key: ClassVar[str] = "availability.move_hold.dropped"

    booking_id: uuid.UUID
    move_id: uuid.UUID
    reservation_id: uuid.UUID | None = Field(
        default=None, description="The move hold released; None when there was none."
    )


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


class FreeSpan(BaseModel):
    """Free from `start_minute` to `end_minute` (minutes after local midnight, end excluded)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    start_minute: Annotated[int, Field(ge=0, lt=MINUTES_IN_DAY)]
    end_minute: Annotated[int, Field(gt=0, le=MINUTES_IN_DAY)]

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end_minute <= self.start_minute:
            raise ValueError("a free span ends after it starts")
        return self


class RoomWeekday(BaseModel):
    """A room's free time on a weekday (0 = Monday) with nothing booked or closed: its hours."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    room_id: uuid.UUID
    weekday: Annotated[int, Field(ge=0, le=6)]
    spans: list[FreeSpan]


class RoomDay(BaseModel):
    """A room's free time on one local date that differs from its weekday's (reservations,
    blackouts, extra hours or busy times of an external calendar touch it)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    room_id: uuid.UUID
    day: date
    spans: list[FreeSpan]


class FreeTimeChanged(Message):
    """Availability, after anything that changes when a studio's rooms are free: the whole
    picture, for search.

    A snapshot, not a change: the newest `computed_at` replaces everything before it. A room
    is free on a local date by that date's `days` entry when there is one, else by its
    weekday's `weekly` entry, and only up to `max_advance_days` after today. An unbookable
    studio has neither.
    """

    message_type: ClassVar[str] = "availability.free_time_changed"
    routing_key: ClassVar[str] = "availability.free_time.changed"

    studio_id: uuid.UUID
    computed_at: UtcDatetime
    max_advance_days: Annotated[int, Field(ge=1)]
    weekly: list[RoomWeekday]
    days: list[RoomDay]
