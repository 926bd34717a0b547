"""What notifications keeps of other services' events: people, studios, bookings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from notifications.domain.notices import BookingStatus


@dataclass(frozen=True)
class Person:
    """Someone we may write to, as identity last announced them."""

    id: uuid.UUID
    email: str
    name: str


@dataclass(frozen=True)
class Studio:
    """A studio as catalog last announced it (the highest revision seen)."""

    id: uuid.UUID
    revision: int
    owner_id: uuid.UUID
    name: str
    timezone: str
    address: str | None = None
    city: str | None = None
    country: str | None = None
    rooms: dict[uuid.UUID, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def location(self) -> str:
        """Where to go, as far as catalog told us; the studio's name when it told us nothing."""
        parts = [part for part in (self.address, self.city, self.country) if part]
        return ", ".join([self.name, *parts])


@dataclass(frozen=True)
class Booking:
    """A booking we told someone about."""

    id: uuid.UUID
    booker_id: uuid.UUID
    owner_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: BookingStatus
