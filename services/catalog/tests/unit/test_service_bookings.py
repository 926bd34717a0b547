"""Booking's messages on in-memory fakes: confirmed bookings guard their studio until they end,
whatever order their messages arrive in; completed ones let their booker review."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from catalog.domain.bookings import BookingsWouldBreak, UpcomingBooking
from catalog.domain.reviews import CompletedBooking
from catalog.service import reviews, studio_changes
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingRescheduled,
    CancellationReason,
    CancelledBy,
)
from contracts.values import TimeRange

from .fakes import FakeCatalogUnits
from .service_world import NOW, confirmed, owner, published, record


def _about(message: BookingConfirmed) -> dict[str, Any]:
    return message.model_dump(
        include={"booking_id", "booker_id", "owner_id", "studio_id", "room_id", "time_range"}
    )


def cancelled(message: BookingConfirmed) -> BookingCancelled:
    return BookingCancelled(
        **_about(message), cancelled_by=CancelledBy.BOOKER, reason=CancellationReason.REQUESTED,
        refund=message.price, cancelled_at=NOW,
    )  # fmt: skip


def completed(message: BookingConfirmed) -> BookingCompleted:
    return BookingCompleted(**_about(message), completed_at=message.time_range.ends_at)


def rescheduled(message: BookingConfirmed, room_id: uuid.UUID, days: int) -> BookingRescheduled:
    moved = {
        "starts_at": NOW + timedelta(days=days),
        "ends_at": NOW + timedelta(days=days, hours=2),
    }
    return BookingRescheduled(
        **{**_about(message), "room_id": room_id, "time_range": TimeRange(**moved)},
        previous_room_id=message.room_id, previous_time_range=message.time_range,
        requested_by=message.booker_id, rescheduled_at=NOW,
    )  # fmt: skip


async def upcoming(units: FakeCatalogUnits, studio_id: uuid.UUID) -> list[UpcomingBooking]:
    async with units.begin() as unit:
        found = await unit.bookings.upcoming_bookings(studio_id, now=unit.now)
    return found


async def test_a_confirmed_booking_is_upcoming_once_however_often_it_arrives(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())
    later = confirmed(studio, studio.rooms[0].id, starts_in=timedelta(days=5))
    sooner = confirmed(studio, studio.rooms[1].id, starts_in=timedelta(days=1))

    await record(units, later, sooner, later)

    assert [b.booking_id for b in await upcoming(units, studio.id)] == [
        sooner.booking_id,
        later.booking_id,
    ]


async def test_a_cancelled_booking_no_longer_keeps_its_room(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await published(units, me)
    booking = confirmed(studio, studio.rooms[0].id)
    await record(units, booking, cancelled(booking))

    changed = await studio_changes.remove_room(
        units, me, studio.id, studio.rooms[0].id, expected_version=None
    )

    assert [room.id for room in changed.rooms] == [studio.rooms[1].id]
    assert await upcoming(units, studio.id) == []


async def test_a_late_confirmation_or_move_does_not_bring_an_ended_booking_back(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())
    confirmed_late = confirmed(studio, studio.rooms[0].id)
    moved_late = confirmed(studio, studio.rooms[0].id)

    await record(units, cancelled(confirmed_late), confirmed_late)
    await record(
        units, moved_late, cancelled(moved_late), rescheduled(moved_late, studio.rooms[1].id, 4)
    )

    assert await upcoming(units, studio.id) == []


async def test_a_rescheduled_booking_keeps_its_new_room_and_frees_the_old_one(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    studio = await published(units, me)
    old_room, new_room = studio.rooms[0].id, studio.rooms[1].id
    booking = confirmed(studio, old_room)
    await record(units, booking, rescheduled(booking, new_room, days=4))

    with pytest.raises(BookingsWouldBreak) as refused:
        await studio_changes.remove_room(units, me, studio.id, new_room, expected_version=None)
    kept = await studio_changes.remove_room(units, me, studio.id, old_room, expected_version=None)

    [moved] = refused.value.bookings
    assert (moved.room_id, moved.starts_at) == (new_room, NOW + timedelta(days=4))
    assert [room.id for room in kept.rooms] == [new_room]


async def test_a_completed_booking_ends_its_session_and_opens_a_review_for_its_booker(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())
    booking = confirmed(studio, studio.rooms[0].id)
    await record(units, booking, completed(booking))

    review = await reviews.add_review(
        units, booker_id=booking.booker_id, studio_id=studio.id, booking_id=booking.booking_id,
        rating=5, text="Great piano",
    )  # fmt: skip

    assert await upcoming(units, studio.id) == []
    assert units.tables.completed[booking.booking_id] == CompletedBooking(
        booking.booking_id, booking.booker_id, studio.id, booking.time_range.ends_at
    )
    assert (review.booking_id, review.rating) == (booking.booking_id, 5)


async def test_a_completion_replayed_keeps_the_first_one(units: FakeCatalogUnits) -> None:
    studio = await published(units, owner())
    booking = confirmed(studio, studio.rooms[0].id)
    first = completed(booking)
    replay = first.model_copy(update={"completed_at": NOW + timedelta(days=9)})

    await record(units, first, replay)

    assert units.tables.completed[booking.booking_id].completed_at == first.completed_at
