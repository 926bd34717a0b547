"""Upcoming confirmed bookings keep their room and their studio's time zone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from catalog.domain.bookings import BookingsWouldBreak, UpcomingBooking, check_bookings_kept
from catalog.domain.changes import edited, with_room, without_room
from catalog.domain.studios import Room

from .test_studios import draft

LIVE_ROOM = Room(id=uuid.uuid4(), name="Live Room", capacity=6)
BOOTH = Room(id=uuid.uuid4(), name="Booth", capacity=2)
STUDIO = draft(rooms=(LIVE_ROOM, BOOTH))


def booked(room: Room) -> UpcomingBooking:
    starts = datetime(2027, 5, 1, 10, tzinfo=UTC)
    return UpcomingBooking(uuid.uuid4(), room.id, starts, starts + timedelta(hours=2))


def test_removing_a_room_with_upcoming_bookings_names_those_bookings() -> None:
    in_the_booth, in_the_live_room = booked(BOOTH), booked(LIVE_ROOM)

    with pytest.raises(BookingsWouldBreak) as refused:
        check_bookings_kept(
            STUDIO, without_room(STUDIO, BOOTH.id), [in_the_live_room, in_the_booth]
        )

    assert refused.value.bookings == (in_the_booth,)


def test_a_room_without_upcoming_bookings_may_go() -> None:
    check_bookings_kept(STUDIO, without_room(STUDIO, BOOTH.id), [booked(LIVE_ROOM)])


def test_the_time_zone_stays_while_any_booking_is_to_come() -> None:
    upcoming = [booked(LIVE_ROOM), booked(BOOTH)]

    with pytest.raises(BookingsWouldBreak, match="time zone") as refused:
        check_bookings_kept(STUDIO, edited(STUDIO, {"timezone": "Europe/Lisbon"}), upcoming)

    assert refused.value.bookings == tuple(upcoming)
    check_bookings_kept(STUDIO, edited(STUDIO, {"timezone": "Europe/Lisbon"}), [])


def test_other_changes_leave_upcoming_bookings_alone() -> None:
    upcoming = [booked(LIVE_ROOM), booked(BOOTH)]
    cheaper_booth = replace(BOOTH, hourly_price_minor=1000)

    check_bookings_kept(STUDIO, edited(STUDIO, {"name": "New Name", "capacity": 9}), upcoming)
    check_bookings_kept(STUDIO, with_room(STUDIO, cheaper_booth), upcoming)
