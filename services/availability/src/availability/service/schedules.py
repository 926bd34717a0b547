"""Schedules of studios: catalog's studio events kept, the owner's weekly hours, blackouts
and booking policy, and the free slots and calendar people see."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from availability.domain.intervals import Interval, merge
from availability.domain.reservations import (
    Reservation,
)
from availability.domain.schedule import (
    Blackout,
    ExtraHours,
    WeeklyRule,
    check_room_for,
    for_room,
    opening,
    rules_for_room,
)
from availability.domain.slots import free_starts
from availability.domain.studios import BookingPolicy, Studio, StudioNotFound
from availability.repositories import AvailabilityUnit, AvailabilityUnits
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated

StudioEvent = StudioPublished | StudioUpdated | StudioUnlisted | StudioSuspended


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: our user id, and whether they are an admin."""

    user_id: uuid.UUID
    is_admin: bool = False


async def apply_studio_event(uow: AvailabilityUnit, event: StudioEvent) -> bool:
    """Keep the studio (and the names its calendar feeds show) as of the highest revision seen;
    False when the event was older."""
    studio = Studio(
        id=event.studio_id,
        owner_id=event.owner_id,
        timezone=event.timezone,
        room_ids=frozenset(room.room_id for room in event.rooms),
        status=event.status,
        revision=event.revision,
    )
    rooms = {room.room_id: room.name for room in event.rooms}
    await uow.calendar_feeds.save_studio_names(event.studio_id, event.name, rooms, event.revision)
    return await uow.studios.upsert_studio(studio)


async def known_studio(uow: AvailabilityUnit, studio_id: uuid.UUID) -> Studio:
    studio = await uow.studios.studio_by_id(studio_id)
    if studio is None:
        raise StudioNotFound(studio_id)
    return studio


async def owned_studio(uow: AvailabilityUnit, studio_id: uuid.UUID, actor: Actor) -> Studio:
    studio = await known_studio(uow, studio_id)
    studio.check_may_change(actor.user_id, is_admin=actor.is_admin)
    return studio


async def weekly_rules(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor
) -> list[WeeklyRule]:
    async with units.begin() as uow:
        await owned_studio(uow, studio_id, actor)
        return await uow.studios.rules_of(studio_id)


async def replace_weekly_rules(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, rules: Sequence[WeeklyRule]
) -> list[WeeklyRule]:
    """Replace all the studio's rules (studio-wide and per room) in one go."""
    async with units.begin() as uow:
        studio = await owned_studio(uow, studio_id, actor)
        for rule in rules:
            if rule.room_id is not None and not studio.has_room(rule.room_id):
                raise StudioNotFound(f"{studio_id} with a room {rule.room_id}")
        await uow.studios.replace_rules(studio_id, rules)
        return await uow.studios.rules_of(studio_id)


async def blackouts(units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor) -> list[Blackout]:
    async with units.begin() as uow:
        await owned_studio(uow, studio_id, actor)
        return await uow.studios.blackouts_of(studio_id)


async def add_blackout(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, blackout: Blackout, *, limit: int
) -> Blackout:
    """Add a blackout unless the studio has `limit` already."""
    async with units.begin() as uow:
        studio = await owned_studio(uow, studio_id, actor)
        if blackout.room_id is not None and not studio.has_room(blackout.room_id):
            raise StudioNotFound(f"{studio_id} with a room {blackout.room_id}")
        await uow.lock(f"availability.blackouts:{studio_id}")
        check_room_for("blackouts", await uow.studios.blackout_count(studio_id), limit)
        await uow.studios.add_blackout(studio_id, blackout)
    return blackout


async def remove_blackout(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, blackout_id: uuid.UUID
) -> None:
    async with units.begin() as uow:
        await owned_studio(uow, studio_id, actor)
        if not await uow.studios.remove_blackout(studio_id, blackout_id):
            raise StudioNotFound(f"{studio_id} with a blackout {blackout_id}")


async def extra_hours(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor
) -> list[ExtraHours]:
    async with units.begin() as uow:
        await owned_studio(uow, studio_id, actor)
        return await uow.extra_hours.extra_hours_of(studio_id)


async def add_extra_hours(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, extra: ExtraHours, *, limit: int
) -> ExtraHours:
    """Open the studio or a room on a date beyond its weekly rules, up to `limit` such dates."""
    async with units.begin() as uow:
        studio = await owned_studio(uow, studio_id, actor)
        if extra.room_id is not None and not studio.has_room(extra.room_id):
            raise StudioNotFound(f"{studio_id} with a room {extra.room_id}")
        await uow.lock(f"availability.extra_hours:{studio_id}")
        stored = await uow.extra_hours.extra_hours_count(studio_id)
        check_room_for("extra opening hours", stored, limit)
        await uow.extra_hours.add_extra_hours(studio_id, extra)
    return extra


async def remove_extra_hours(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, extra_id: uuid.UUID
) -> None:
    async with units.begin() as uow:
        await owned_studio(uow, studio_id, actor)
        if not await uow.extra_hours.remove_extra_hours(studio_id, extra_id):
            raise StudioNotFound(f"{studio_id} with extra hours {extra_id}")


async def booking_policy(units: AvailabilityUnits, studio_id: uuid.UUID) -> BookingPolicy:
    async with units.begin() as uow:
        await known_studio(uow, studio_id)
        return await uow.studios.policy_of(studio_id)


async def set_booking_policy(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, policy: BookingPolicy
) -> BookingPolicy:
    async with units.begin() as uow:
        await owned_studio(uow, studio_id, actor)
        await uow.studios.save_policy(studio_id, policy)
    return policy


@dataclass(frozen=True)
class FreeSlots:
    studio: Studio
    slots: list[Interval]


async def free_slots(
    units: AvailabilityUnits,
    *,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    window: Interval,
    duration: timedelta,
    now: datetime,
) -> FreeSlots:
    """Start times a booker can hold now; none for a studio that is not bookable."""
    async with units.begin() as uow:
        studio = await known_studio(uow, studio_id)
        if not studio.has_room(room_id):
            raise StudioNotFound(f"{studio_id} with a room {room_id}")
        if not studio.bookable:
            return FreeSlots(studio, [])
        policy = await uow.studios.policy_of(studio_id)
        reach = duration + timedelta(
            days=1, minutes=policy.buffer_minutes + policy.buffer_before_minutes
        )
        around = Interval(window.start - reach, window.end + reach)
        hours, closed = await opening_hours(uow, studio, room_id, around)
        taken = await uow.reservations.live_in_room(room_id, around, now)
    slots = free_starts(
        opening=hours,
        blackouts=closed,
        taken=[reservation.blocks for reservation in taken],
        policy=policy,
        duration=duration,
        window=window,
        now=now,
    )
    return FreeSlots(studio, slots)


async def opening_hours(
    uow: AvailabilityUnit, studio: Studio, room_id: uuid.UUID, window: Interval
) -> tuple[list[Interval], list[Interval]]:
    """The room's opening intervals (weekly rules and extra hours on dates) and closed
    intervals around a window, in UTC.

    Busy times of the room's external calendars close it exactly as blackouts do.
    """
    zone = studio.zone
    first = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date() + timedelta(days=1)
    schedule = await uow.schedules.of_room(
        studio.id, room_id, touching=(first, last), window=window
    )
    rules = rules_for_room(schedule.rules, room_id)
    closures = for_room(schedule.blackouts, room_id)
    extras = for_room(schedule.extras, room_id)
    hours = merge(
        [*opening(rules, zone, window.start, window.end), *(e.interval(zone) for e in extras)]
    )
    return hours, [*(blackout.interval(zone) for blackout in closures), *schedule.busy]


async def calendar(
    units: AvailabilityUnits, studio_id: uuid.UUID, actor: Actor, window: Interval, now: datetime
) -> tuple[Studio, list[Reservation]]:
    """The studio's live reservations (held or booked) in a window, for its owner."""
    async with units.begin() as uow:
        studio = await owned_studio(uow, studio_id, actor)
        return studio, await uow.reservations.live_in_studio(studio_id, window, now)


async def studio(units: AvailabilityUnits, studio_id: uuid.UUID) -> Studio:
    async with units.begin() as uow:
        return await known_studio(uow, studio_id)
