"""The studios booking knows from catalog's events: what is bookable, at what price."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.domain.pricing import InvalidBookingRequest
from contracts.catalog import AddOnPricing, BookingMode, StudioStatus
from contracts.values import CancellationPolicy


class StudioNotBookable(Exception):
    """The studio is unknown, not published, or has no such room."""


class StudioUnknown(StudioNotBookable):
    """Booking has not heard of this studio (or not yet: catalog's event may be on its way)."""


class RoomUnknown(StudioNotBookable):
    """The studio has no such room."""


class StudioNotPublished(StudioNotBookable):
    """The studio exists but takes no bookings now: a draft, unlisted or suspended."""


class OwnStudio(Exception):
    """An owner asked to book their own studio."""


@dataclass(frozen=True)
class Room:
    room_id: uuid.UUID
    hourly_price_minor: int | None
    name: str | None = None
    """None for rooms stored before booking kept their names, until catalog's next event."""
    capacity: int | None = None
    """How many people the room holds; None for rooms stored before booking kept it."""


@dataclass(frozen=True)
class AddOn:
    """An extra the studio sells with a booking, as catalog last announced it."""

    add_on_id: uuid.UUID
    name: str
    pricing: AddOnPricing
    price_minor: int
    max_quantity: int = 1
    required: bool = False


@dataclass(frozen=True)
class Studio:
    """The latest revision of a studio that catalog published."""

    studio_id: uuid.UUID
    revision: int
    owner_id: uuid.UUID
    name: str
    timezone: str
    currency: str
    hourly_price_minor: int
    minimum_hours: int
    cancellation_policy: CancellationPolicy
    status: StudioStatus
    rooms: tuple[Room, ...]
    add_ons: tuple[AddOn, ...] = ()
    booking_mode: BookingMode = BookingMode.INSTANT
    request_window_hours: int = 24

    def respond_by(self, requested_at: datetime, starts_at: datetime) -> datetime | None:
        """When the owner must answer a request made now: within the studio's window, and
        before the session starts; None when the studio books instantly."""
        if self.booking_mode is BookingMode.INSTANT:
            return None
        return min(requested_at + timedelta(hours=self.request_window_hours), starts_at)

    def room(self, room_id: uuid.UUID) -> Room | None:
        return next((room for room in self.rooms if room.room_id == room_id), None)

    def hourly_price_of(self, room_id: uuid.UUID) -> int:
        """The bookable room's hourly price; raises when the studio or room is not bookable."""
        if self.status is not StudioStatus.PUBLISHED:
            raise StudioNotPublished(f"studio {self.studio_id} is {self.status}, not bookable")
        room = self.room(room_id)
        if room is None:
            raise RoomUnknown(f"studio {self.studio_id} has no room {room_id}")
        if room.hourly_price_minor is None:
            return self.hourly_price_minor
        return room.hourly_price_minor


def refuse_over_capacity(studio: Studio, room_id: uuid.UUID, attendees: int) -> None:
    """More people than the room holds is refused before anything is priced or held."""
    room = studio.room(room_id)
    if room is not None and room.capacity is not None and attendees > room.capacity:
        raise InvalidBookingRequest(
            f"this room holds at most {room.capacity} people: attendees is {attendees}",
            field="attendees",
        )


def refuse_own_studio(studio: Studio, booker_id: uuid.UUID) -> None:
    """Owners do not book (nor, later, review) their own studios."""
    if booker_id == studio.owner_id:
        raise OwnStudio("you own this studio: owners cannot book their own studios")
