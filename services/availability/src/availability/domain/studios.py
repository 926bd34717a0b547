"""What availability knows of a studio (from catalog's events) and its booking policy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from contracts.catalog import StudioStatus


class AvailabilityError(Exception):
    """Base of availability's domain errors."""


class StudioNotFound(AvailabilityError):
    def __init__(self, studio_id: object) -> None:
        super().__init__(f"No studio {studio_id} is known to availability.")


class NotStudioOwner(AvailabilityError):
    def __init__(self, studio_id: object) -> None:
        super().__init__(f"Only the owner of studio {studio_id} or an admin may change it.")


class InvalidPolicy(AvailabilityError):
    """A booking policy outside sensible bounds."""


@dataclass(frozen=True)
class Studio:
    """The read model of a catalog studio: who owns it, its time zone, rooms and status."""

    id: uuid.UUID
    owner_id: uuid.UUID
    timezone: str
    room_ids: frozenset[uuid.UUID]
    status: StudioStatus
    revision: int

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def bookable(self) -> bool:
        """Only published studios take new holds; unlisted and suspended ones do not."""
        return self.status is StudioStatus.PUBLISHED

    def has_room(self, room_id: uuid.UUID) -> bool:
        return room_id in self.room_ids

    def check_may_change(self, user_id: uuid.UUID, *, is_admin: bool) -> None:
        """Owners change only their own studios' hours; admins change any."""
        if not is_admin and user_id != self.owner_id:
            raise NotStudioOwner(self.id)


# Inclusive bounds of each policy field.
SLOT_MINUTES = (5, 24 * 60)
MIN_NOTICE_MINUTES = (0, 60 * 24 * 60)
MAX_ADVANCE_DAYS = (1, 3 * 366)
BUFFER_MINUTES = (0, 24 * 60)


@dataclass(frozen=True)
class BookingPolicy:
    """A studio's slot grid, how early and how far ahead it can be booked, and the time kept
    free after each reservation (`buffer_minutes`: packing down) and before it
    (`buffer_before_minutes`: setting up)."""

    slot_minutes: int = 30
    min_notice_minutes: int = 60
    max_advance_days: int = 180
    buffer_minutes: int = 0
    buffer_before_minutes: int = 0

    def __post_init__(self) -> None:
        for name, (low, high) in (
            ("slot_minutes", SLOT_MINUTES),
            ("min_notice_minutes", MIN_NOTICE_MINUTES),
            ("max_advance_days", MAX_ADVANCE_DAYS),
            ("buffer_minutes", BUFFER_MINUTES),
            ("buffer_before_minutes", BUFFER_MINUTES),
        ):
            if not low <= getattr(self, name) <= high:
                raise InvalidPolicy(f"{name} must be between {low} and {high}")
