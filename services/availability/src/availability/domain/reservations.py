"""Reservations of a room: holds that expire, bookings, and what a confirmation does to them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, StrEnum

from availability.domain.intervals import Interval
from availability.domain.studios import AvailabilityError
from contracts.availability import UnavailableReason


class ReservationStatus(StrEnum):
    HELD = "held"
    BOOKED = "booked"
    RELEASED = "released"
    EXPIRED = "expired"


LIVE_STATUSES = (ReservationStatus.HELD, ReservationStatus.BOOKED)


class SlotUnavailable(AvailabilityError):
    """The room cannot be held for that range; `reason` says why."""

    def __init__(self, reason: UnavailableReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class RoomTaken(Exception):
    """A live reservation of another booking overlaps in the room: storage refused the change
    (on PostgreSQL, the exclusion constraint on the room's blocked ranges)."""


class ReservationNotFound(AvailabilityError):
    def __init__(self, reservation_id: object) -> None:
        super().__init__(f"No reservation {reservation_id}.")


@dataclass(frozen=True)
class Reservation:
    """A room taken for `during` (plus `buffer` after it and `buffer_before` before it), held
    until `expires_at` or booked."""

    id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    booking_id: uuid.UUID | None
    during: Interval
    buffer: timedelta
    status: ReservationStatus
    expires_at: datetime | None
    version: int = 1
    held_by: str | None = None
    confirmed_at: datetime | None = None
    created_at: datetime | None = None
    buffer_before: timedelta = timedelta(0)
    move_id: uuid.UUID | None = None
    """Set on a hold that moves its booking to another time or room (HoldSlots' move_id)."""

    @property
    def blocks(self) -> Interval:
        """What no other live reservation of the room may overlap: the time and its buffers."""
        return Interval(self.during.start - self.buffer_before, self.during.end + self.buffer)

    def is_live(self, now: datetime) -> bool:
        """Booked, or held and not yet expired."""
        if self.status is ReservationStatus.BOOKED:
            return True
        return self.status is ReservationStatus.HELD and not self.hold_expired(now)

    def hold_expired(self, now: datetime) -> bool:
        return (
            self.status is ReservationStatus.HELD
            and self.expires_at is not None
            and self.expires_at <= now
        )


def new_hold(
    *,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    booking_id: uuid.UUID | None,
    during: Interval,
    buffer: timedelta,
    now: datetime,
    hold_for: timedelta,
    held_by: str | None = None,
    buffer_before: timedelta = timedelta(0),
    move_id: uuid.UUID | None = None,
) -> Reservation:
    """A hold that lapses `hold_for` after now unless confirmed."""
    return Reservation(
        id=uuid.uuid4(),
        studio_id=studio_id,
        room_id=room_id,
        booking_id=booking_id,
        during=during,
        buffer=buffer,
        buffer_before=buffer_before,
        status=ReservationStatus.HELD,
        expires_at=now + hold_for,
        held_by=held_by,
        created_at=now,
        move_id=move_id,
    )


class Confirmation(Enum):
    """What ConfirmSlots does to a reservation."""

    BOOK = "book"  # held (expired or not, the time is still ours): book it
    REBOOK_IF_FREE = "rebook_if_free"  # expired and swept: book again unless someone took it
    ALREADY_BOOKED = "already_booked"  # a redelivered or repeated confirmation
    RELEASED = "released"  # the booking gave it up: nothing to confirm
    NOT_FOUND = "not_found"


def confirmation_for(reservation: Reservation | None, booking_id: uuid.UUID) -> Confirmation:
    """Decide a confirmation; a held reservation past expiry is still ours while unswept.

    No other hold can overlap it while it is HELD: a new hold first expires overlapping
    lapsed holds in its own transaction, which turns this one EXPIRED.
    """
    if reservation is None or reservation.booking_id != booking_id:
        return Confirmation.NOT_FOUND
    match reservation.status:
        case ReservationStatus.HELD:
            return Confirmation.BOOK
        case ReservationStatus.BOOKED:
            return Confirmation.ALREADY_BOOKED
        case ReservationStatus.EXPIRED:
            return Confirmation.REBOOK_IF_FREE
        case ReservationStatus.RELEASED:
            return Confirmation.RELEASED
