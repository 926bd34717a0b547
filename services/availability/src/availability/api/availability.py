"""Free times of a room, and holds placed by bookers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from availability import service
from availability.api.deps import SettingsDep, UnitsDep, WindowDep, actor_of
from availability.api.schemas import AvailabilityOut, HoldIn, HoldOut, Slot
from availability.domain.intervals import Interval
from service_runtime.auth import BookerUser

router = APIRouter(tags=["availability"])


@router.get("/api/availability")
async def free_times(
    units: UnitsDep,
    window: WindowDep,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    duration_minutes: Annotated[int, Query(ge=5, le=24 * 60)] = 60,
) -> AvailabilityOut:
    """Start times (UTC, with the studio's local time) a booker can hold right now."""
    found = await service.free_slots(
        units,
        studio_id=studio_id,
        room_id=room_id,
        window=window,
        duration=timedelta(minutes=duration_minutes),
        now=service.now_utc(),
    )
    zone = found.studio.zone
    return AvailabilityOut(
        studio_id=studio_id,
        room_id=room_id,
        timezone=found.studio.timezone,
        bookable=found.studio.bookable,
        duration_minutes=duration_minutes,
        slots=[Slot.of(slot, zone) for slot in found.slots],
    )


@router.post("/api/availability/hold", status_code=status.HTTP_201_CREATED)
async def hold(body: HoldIn, booker: BookerUser, units: UnitsDep, settings: SettingsDep) -> HoldOut:
    """Hold a room for a range for HOLD_EXPIRY_MINUTES; 409 when any of it is not free."""
    if body.ends_at <= body.starts_at:
        raise HTTPException(422, "`ends_at` must be after `starts_at`.")
    request = service.HoldRequest(
        studio_id=body.studio_id,
        room_id=body.room_id,
        during=Interval(body.starts_at, body.ends_at),
        booking_id=body.booking_id,
        held_by=booker.user_id,
    )
    reservation = await service.hold_for_booker(
        units,
        request,
        hold_for=timedelta(minutes=settings.hold_expiry_minutes),
        now=service.now_utc(),
    )
    studio = await service.studio(units, body.studio_id)
    return HoldOut.of(reservation, studio.zone)


@router.delete("/api/availability/hold/{hold_id}", status_code=status.HTTP_204_NO_CONTENT)
async def release_hold(hold_id: uuid.UUID, booker: BookerUser, units: UnitsDep) -> None:
    """Let go of one's own hold before it lapses."""
    await service.release_for_booker(units, hold_id, actor_of(booker))
