"""Free times of a room, and holds people place for themselves."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from availability.api.deps import AvailabilityUnitsDep, SettingsDep, WindowDep, actor_of, invalid
from availability.api.schemas import AvailabilityOut, HoldIn, HoldOut, Slot
from availability.domain.holds import too_long
from availability.domain.intervals import Interval
from availability.service import holds, schedules
from service_runtime.auth import BookerUser

router = APIRouter(tags=["availability"])


@router.get("/api/availability")
async def free_times(
    units: AvailabilityUnitsDep,
    window: WindowDep,
    settings: SettingsDep,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    duration_minutes: Annotated[int, Query(ge=5, le=24 * 60)] = 60,
) -> AvailabilityOut:
    """Start times (UTC, with the studio's local time) a booker can hold right now."""
    duration = timedelta(minutes=duration_minutes)
    if reason := too_long(duration, settings.hold_limits):
        raise invalid("query", "duration_minutes", reason)
    found = await schedules.free_slots(
        units,
        studio_id=studio_id,
        room_id=room_id,
        window=window,
        duration=duration,
        now=units.clock(),
    )
    zone = found.studio.zone
    limit = settings.max_slots_per_query
    shown, rest = found.slots[:limit], found.slots[limit:]
    return AvailabilityOut(
        studio_id=studio_id,
        room_id=room_id,
        timezone=found.studio.timezone,
        bookable=found.studio.bookable,
        duration_minutes=duration_minutes,
        slots=[Slot.of(slot, zone) for slot in shown],
        next_from=rest[0].start if rest else None,
    )


@router.post(
    "/api/availability/hold",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "Not free"}, 429: {"description": "Too many holds"}},
)
async def hold(
    body: HoldIn, booker: BookerUser, units: AvailabilityUnitsDep, settings: SettingsDep
) -> HoldOut:
    """Hold a room for yourself for HOLD_EXPIRY_MINUTES; 409 when any of it is not free.

    The hold is the caller's alone: a booking gets its hold from the booking service.
    """
    if body.ends_at <= body.starts_at:
        raise invalid("body", "ends_at", "must be after `starts_at`")
    during = Interval(body.starts_at, body.ends_at)
    limits = settings.hold_limits
    if reason := too_long(during.duration, limits):
        raise invalid("body", "ends_at", reason)
    request = holds.HoldRequest(
        studio_id=body.studio_id, room_id=body.room_id, during=during, held_by=str(booker.user_id)
    )
    reservation = await holds.hold_for_person(
        units,
        request,
        hold_for=timedelta(minutes=settings.hold_expiry_minutes),
        limits=limits,
        now=units.clock(),
    )
    studio = await schedules.studio(units, body.studio_id)
    return HoldOut.of(reservation, studio.zone)


@router.delete("/api/availability/hold/{hold_id}", status_code=status.HTTP_204_NO_CONTENT)
async def release_hold(hold_id: uuid.UUID, booker: BookerUser, units: AvailabilityUnitsDep) -> None:
    """Let go of one's own hold before it lapses."""
    await holds.release_for_person(units, hold_id, actor_of(booker))
