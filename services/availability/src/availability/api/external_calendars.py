"""Owners' external calendars (ICS URLs) per room, whose busy times close the room."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from availability.api.deps import AvailabilityUnitsDep, SettingsDep, actor_of, invalid
from availability.domain.external_calendars import ExternalCalendar
from availability.service import external_calendars
from service_runtime.auth import OwnerUser

router = APIRouter(tags=["external calendars"])
CALENDARS = "/api/availability/studios/{studio_id}/rooms/{room_id}/external-calendars"
CALENDAR = CALENDARS + "/{calendar_id}"


class ExternalCalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2000, description="An http(s) ICS URL")]


class ExternalCalendarOut(BaseModel):
    id: uuid.UUID
    room_id: uuid.UUID
    url: str
    created_at: datetime
    fetched_at: datetime | None = Field(description="When the last good copy was fetched")
    failed_at: datetime | None
    last_error: str | None = Field(description="Why the latest fetch failed; null after a good one")
    busy_count: int = Field(description="Busy intervals kept from the last good copy")

    @classmethod
    def of(cls, calendar: ExternalCalendar) -> ExternalCalendarOut:
        return cls(
            id=calendar.id,
            room_id=calendar.room_id,
            url=calendar.url,
            created_at=calendar.created_at,
            fetched_at=calendar.fetched_at,
            failed_at=calendar.failed_at,
            last_error=calendar.last_error,
            busy_count=calendar.busy_count,
        )


@router.get(CALENDARS)
async def list_calendars(
    studio_id: uuid.UUID, room_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> list[ExternalCalendarOut]:
    """The room's external calendars with their status; 404 for anyone but the owner."""
    found = await external_calendars.calendars(units, studio_id, room_id, actor_of(owner))
    return [ExternalCalendarOut.of(calendar) for calendar in found]


@router.post(CALENDARS, status_code=status.HTTP_201_CREATED)
async def add_calendar(
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    body: ExternalCalendarIn,
    owner: OwnerUser,
    units: AvailabilityUnitsDep,
    settings: SettingsDep,
) -> ExternalCalendarOut:
    """Add an ICS URL; it is fetched by the next scheduled round. 409 past the room's limit."""
    parts = urlsplit(body.url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("body", "url", "must be an http or https address")
    calendar = await external_calendars.add_calendar(
        units,
        studio_id,
        room_id,
        actor_of(owner),
        body.url.strip(),
        limit=settings.max_external_calendars_per_room,
        now=units.clock(),
    )
    return ExternalCalendarOut.of(calendar)


@router.delete(CALENDAR, status_code=status.HTTP_204_NO_CONTENT)
async def remove_calendar(
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    calendar_id: uuid.UUID,
    owner: OwnerUser,
    units: AvailabilityUnitsDep,
) -> None:
    """Remove the calendar and the busy times it brought."""
    await external_calendars.remove_calendar(
        units, studio_id, room_id, actor_of(owner), calendar_id
    )


@router.post(f"{CALENDAR}/refresh")
async def refresh_calendar(
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    calendar_id: uuid.UUID,
    owner: OwnerUser,
    units: AvailabilityUnitsDep,
    settings: SettingsDep,
) -> ExternalCalendarOut:
    """Fetch now; the answer shows whether it worked (a failure keeps the last good copy)."""
    calendar = await external_calendars.refresh_now(
        units, studio_id, room_id, actor_of(owner), calendar_id, settings
    )
    return ExternalCalendarOut.of(calendar)
