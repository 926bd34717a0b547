"""A catalog on in-memory fakes at a fixed time: owners, admins, their studios, and booking's
messages about them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.domain.reviews import CompletedBooking
from catalog.domain.studios import Actor, Photo, Room, Studio
from catalog.repositories import CatalogUnit
from catalog.service import bookings, studio_changes
from contracts import Message
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingRescheduled,
)
from contracts.values import Money, TimeRange

from .fakes import FakeCatalogUnits

NOW = datetime(2030, 5, 1, 12, tzinfo=UTC)
DETAILS: dict[str, Any] = dict(
    name="Echo Room", description="A live room with a grand piano.", address="Torstrasse 1",
    city="Berlin", country="DE", latitude=52.53, longitude=13.40, timezone="Europe/Berlin",
    currency="EUR", hourly_price_minor=4500, minimum_hours=1, capacity=8,
    photos=(Photo("https://example.com/1.jpg", "The live room"),),
)  # fmt: skip


def owner() -> Actor:
    return Actor(uuid.uuid4())


def admin() -> Actor:
    return Actor(uuid.uuid4(), is_admin=True)


async def draft(units: FakeCatalogUnits, by: Actor, **details: Any) -> Studio:
    rooms = [Room(uuid.uuid4(), "Live Room", 8), Room(uuid.uuid4(), "Booth", 2)]
    return await studio_changes.create_studio(units, by, {**DETAILS, **details}, rooms)


async def published(units: FakeCatalogUnits, by: Actor, **details: Any) -> Studio:
    made = await draft(units, by, **details)
    return await studio_changes.publish(units, by, made.id, expected_version=made.version)


def completed(units: FakeCatalogUnits, studio_id: uuid.UUID, booker: uuid.UUID) -> uuid.UUID:
    """A booking of the studio's that booking announced completed, as catalog keeps it."""
    booking_id = uuid.uuid4()
    units.tables.completed[booking_id] = CompletedBooking(booking_id, booker, studio_id, NOW)
    return booking_id


def confirmed(
    studio: Studio, room_id: uuid.UUID, *, starts_in: timedelta = timedelta(days=2)
) -> BookingConfirmed:
    """Booking's confirmation of a three-hour session of the room."""
    starts_at = NOW + starts_in
    return BookingConfirmed(
        booking_id=uuid.uuid4(), booker_id=uuid.uuid4(), owner_id=studio.owner_id,
        studio_id=studio.id, room_id=room_id,
        time_range=TimeRange(starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)),
        price=Money(amount_minor=13500, currency=studio.currency), confirmed_at=NOW,
    )  # fmt: skip


_RECORDERS: dict[type[Message], Callable[[CatalogUnit, Any], Awaitable[None]]] = {
    BookingConfirmed: bookings.record_confirmed_booking,
    BookingRescheduled: bookings.record_rescheduled_booking,
    BookingCancelled: bookings.record_ended_booking,
    BookingCompleted: bookings.record_completed_booking,
}


async def record(units: FakeCatalogUnits, *messages: Message) -> None:
    """Hand booking's messages to catalog's service layer, each in its unit as handlers do."""
    for message in messages:
        async with units.begin() as unit:
            await _RECORDERS[type(message)](unit, message)
