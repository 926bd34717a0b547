"""The read models kept from other services' events: people, studios, bookings."""

from __future__ import annotations

import uuid

from contracts.booking import (
    BookingAwaitingOwner,
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingPaymentFailed,
    BookingRescheduled,
)
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from notifications.domain.notices import BookingStatus
from notifications.domain.read_models import Booking, Person, Studio
from notifications.repositories import NotificationsUnit

StudioEvent = StudioPublished | StudioUpdated | StudioUnlisted | StudioSuspended


async def save_person(unit: NotificationsUnit, person: Person) -> None:
    await unit.read_model.save_person(person)


async def forget_person(unit: NotificationsUnit, person_id: uuid.UUID) -> None:
    await unit.read_model.forget_person(person_id)


async def save_studio(unit: NotificationsUnit, event: StudioEvent) -> None:
    studio = Studio(
        id=event.studio_id,
        revision=event.revision,
        owner_id=event.owner_id,
        name=event.name,
        timezone=event.timezone,
        address=event.address,
        city=event.city,
        country=event.country,
        rooms={room.room_id: room.name for room in event.rooms},
    )
    await unit.read_model.save_studio(studio)


def booking_of(
    event: BookingPaymentFailed
    | BookingAwaitingOwner
    | BookingConfirmed
    | BookingRescheduled
    | BookingCancelled
    | BookingFailed,
    status: BookingStatus,
) -> Booking:
    return Booking(
        id=event.booking_id,
        booker_id=event.booker_id,
        owner_id=event.owner_id,
        studio_id=event.studio_id,
        room_id=event.room_id,
        starts_at=event.time_range.starts_at,
        ends_at=event.time_range.ends_at,
        status=status,
    )
