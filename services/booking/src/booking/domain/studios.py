"""The studios booking knows from catalog's events: what is bookable, at what price."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from contracts.catalog import StudioStatus
from contracts.values import CancellationPolicy


class StudioNotBookable(Exception):
    """The studio is unknown, not published, or has no such room."""


@dataclass(frozen=True)
class Room:
    room_id: uuid.UUID
    hourly_price_minor: int | None


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

    def hourly_price_of(self, room_id: uuid.UUID) -> int:
        """The bookable room's hourly price; raises when the studio or room is not bookable."""
        if self.status is not StudioStatus.PUBLISHED:
            raise StudioNotBookable(f"studio {self.studio_id} is {self.status}, not bookable")
        room = next((room for room in self.rooms if room.room_id == room_id), None)
        if room is None:
            raise StudioNotBookable(f"studio {self.studio_id} has no room {room_id}")
        if room.hourly_price_minor is None:
            return self.hourly_price_minor
        return room.hourly_price_minor
