"""Confirmed bookings still to come, which a change of their studio must not break.

Catalog learns them from booking's events. A room that goes away, or a time zone that moves
every local hour of the studio, would leave such a booking pointing at nothing, so those
changes wait until the bookings have ended or been cancelled.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from catalog.domain.studios import CatalogError, Studio


@dataclass(frozen=True)
class UpcomingBooking:
    """A confirmed booking of a studio's room that has not ended yet."""

    booking_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


class BookingsWouldBreak(CatalogError):
    def __init__(self, change: str, bookings: Sequence[UpcomingBooking]) -> None:
        self.bookings = tuple(bookings)
        super().__init__(
            f"{change} would break {len(self.bookings)} confirmed booking(s) still to come. "
            "Cancel them first, or make the change once they have ended."
        )


def check_bookings_kept(before: Studio, after: Studio, upcoming: Sequence[UpcomingBooking]) -> None:
    """Refuse a change that removes a room or moves the time zone under upcoming bookings."""
    if before.timezone != after.timezone and upcoming:
        raise BookingsWouldBreak("Changing the studio's time zone", upcoming)
    removed_rooms = {room.id for room in before.rooms} - {room.id for room in after.rooms}
    orphaned = [booking for booking in upcoming if booking.room_id in removed_rooms]
    if orphaned:
        raise BookingsWouldBreak("Removing the room", orphaned)
