"""Owners' weekly rules, blackouts, booking policy and calendar; admins may act for them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from availability.api.deps import AvailabilityUnitsDep, SettingsDep, WindowDep, actor_of
from availability.api.schemas import (
    BlackoutIn,
    BlackoutOut,
    CalendarEntry,
    CalendarOut,
    ExtraHoursIn,
    ExtraHoursOut,
    Policy,
    Rule,
    Rules,
    Slot,
)
from availability.service import schedules
from service_runtime.auth import CurrentUser, OwnerUser

router = APIRouter(tags=["owners"])
STUDIO = "/api/availability/studios/{studio_id}"


@router.get(f"{STUDIO}/rules")
async def weekly_rules(
    studio_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> Rules:
    rules = await schedules.weekly_rules(units, studio_id, actor_of(owner))
    return Rules(rules=[Rule.of(rule) for rule in rules])


@router.put(f"{STUDIO}/rules")
async def replace_weekly_rules(
    studio_id: uuid.UUID, body: Rules, owner: OwnerUser, units: AvailabilityUnitsDep
) -> Rules:
    """Replace the studio's weekly schedule; times are the studio's local wall-clock times."""
    rules = await schedules.replace_weekly_rules(
        units, studio_id, actor_of(owner), [rule.to_domain() for rule in body.rules]
    )
    return Rules(rules=[Rule.of(rule) for rule in rules])


@router.get(f"{STUDIO}/blackouts")
async def blackouts(
    studio_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> list[BlackoutOut]:
    found = await schedules.blackouts(units, studio_id, actor_of(owner))
    return [BlackoutOut.of(blackout) for blackout in found]


@router.post(f"{STUDIO}/blackouts", status_code=status.HTTP_201_CREATED)
async def add_blackout(
    studio_id: uuid.UUID,
    body: BlackoutIn,
    owner: OwnerUser,
    units: AvailabilityUnitsDep,
    settings: SettingsDep,
) -> BlackoutOut:
    """Close the studio or a room; 409 once the studio has AVAILABILITY_MAX_BLACKOUTS_PER_STUDIO."""
    blackout = await schedules.add_blackout(
        units,
        studio_id,
        actor_of(owner),
        body.to_domain(),
        limit=settings.max_blackouts_per_studio,
    )
    return BlackoutOut.of(blackout)


@router.delete(f"{STUDIO}/blackouts/{{blackout_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_blackout(
    studio_id: uuid.UUID, blackout_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> None:
    await schedules.remove_blackout(units, studio_id, actor_of(owner), blackout_id)


@router.get(f"{STUDIO}/extra-hours")
async def extra_hours(
    studio_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> list[ExtraHoursOut]:
    found = await schedules.extra_hours(units, studio_id, actor_of(owner))
    return [ExtraHoursOut.of(extra) for extra in found]


@router.post(f"{STUDIO}/extra-hours", status_code=status.HTTP_201_CREATED)
async def add_extra_hours(
    studio_id: uuid.UUID,
    body: ExtraHoursIn,
    owner: OwnerUser,
    units: AvailabilityUnitsDep,
    settings: SettingsDep,
) -> ExtraHoursOut:
    """Open on a date beyond the weekly rules; 409 once the studio has
    AVAILABILITY_MAX_EXTRA_HOURS_PER_STUDIO."""
    extra = await schedules.add_extra_hours(
        units,
        studio_id,
        actor_of(owner),
        body.to_domain(),
        limit=settings.max_extra_hours_per_studio,
    )
    return ExtraHoursOut.of(extra)


@router.delete(f"{STUDIO}/extra-hours/{{extra_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_extra_hours(
    studio_id: uuid.UUID, extra_id: uuid.UUID, owner: OwnerUser, units: AvailabilityUnitsDep
) -> None:
    await schedules.remove_extra_hours(units, studio_id, actor_of(owner), extra_id)


@router.get(f"{STUDIO}/settings")
async def booking_policy(
    studio_id: uuid.UUID, _: CurrentUser, units: AvailabilityUnitsDep
) -> Policy:
    return Policy.of(await schedules.booking_policy(units, studio_id))


@router.put(f"{STUDIO}/settings")
async def set_booking_policy(
    studio_id: uuid.UUID, body: Policy, owner: OwnerUser, units: AvailabilityUnitsDep
) -> Policy:
    """Slot granularity, minimum notice, maximum advance window and buffer between bookings."""
    policy = await schedules.set_booking_policy(units, studio_id, actor_of(owner), body.to_domain())
    return Policy.of(policy)


@router.get("/api/owner/studios/{studio_id}/calendar")
async def calendar(
    # The caller before the window: FastAPI solves dependencies in this order and the first to
    # raise answers, so an anonymous caller gets 401 whatever the query says.
    studio_id: uuid.UUID,
    owner: OwnerUser,
    window: WindowDep,
    units: AvailabilityUnitsDep,
) -> CalendarOut:
    """The studio's held and booked reservations in a window, with their booking ids."""
    studio, reservations = await schedules.calendar(
        units, studio_id, actor_of(owner), window, units.clock()
    )
    zone = studio.zone
    return CalendarOut(
        studio_id=studio.id,
        timezone=studio.timezone,
        reservations=[
            CalendarEntry(
                reservation_id=reservation.id,
                booking_id=reservation.booking_id,
                room_id=reservation.room_id,
                status=reservation.status.value,
                expires_at=reservation.expires_at,
                time=Slot.of(reservation.during, zone),
            )
            for reservation in reservations
        ],
    )
