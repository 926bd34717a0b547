"""Booking's messages: confirmed bookings guard their studio's rooms and time zone until they
end; completed ones open reviews."""

from __future__ import annotations

from catalog.domain.bookings import UpcomingBooking
from catalog.domain.reviews import CompletedBooking
from catalog.repositories import CatalogUnit
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingFailed,
    BookingNoShow,
    BookingRescheduled,
)

BookingEnded = BookingCancelled | BookingCompleted | BookingFailed | BookingNoShow


def _booked_session(
    message: BookingConfirmed | BookingRescheduled | BookingEnded,
) -> UpcomingBooking:
    return UpcomingBooking(
        booking_id=message.booking_id,
        room_id=message.room_id,
        starts_at=message.time_range.starts_at,
        ends_at=message.time_range.ends_at,
    )


async def record_confirmed_booking(unit: CatalogUnit, message: BookingConfirmed) -> None:
    """Remember a confirmed booking, which its room and the studio's time zone must outlive."""
    await unit.bookings.add_booked_session(message.studio_id, _booked_session(message))


async def record_rescheduled_booking(unit: CatalogUnit, message: BookingRescheduled) -> None:
    """The booking guards its new room and time instead of the old ones."""
    await unit.bookings.move_booked_session(message.studio_id, _booked_session(message))


async def record_ended_booking(unit: CatalogUnit, message: BookingEnded) -> None:
    """Forget a booking as one that changes of its studio could break."""
    await unit.bookings.end_booked_session(message.studio_id, _booked_session(message))


async def record_completed_booking(unit: CatalogUnit, message: BookingCompleted) -> None:
    """The booking no longer holds its room; remember who may review which studio (the
    consumer's inbox makes this run once)."""
    await record_ended_booking(unit, message)
    await unit.bookings.add_completed_booking(
        CompletedBooking(
            booking_id=message.booking_id,
            booker_id=message.booker_id,
            studio_id=message.studio_id,
            completed_at=message.completed_at,
        ),
    )
