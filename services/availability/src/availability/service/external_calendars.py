"""Owners' external calendars: add, list, remove, refresh now, and the scheduled refresh."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from availability import ics_fetcher
from availability.config import AvailabilitySettings
from availability.domain.external_calendars import (
    ExternalCalendar,
    ExternalCalendarNotFound,
    FeedUnusable,
    TooManyExternalCalendars,
    busy_intervals,
)
from availability.domain.intervals import Interval
from availability.domain.studios import StudioNotFound
from availability.repositories import AvailabilityUnit, AvailabilityUnits
from availability.service.calendar_feeds import own_studio
from availability.service.schedules import Actor

log = logging.getLogger(__name__)


async def _own_room(
    uow: AvailabilityUnit, studio_id: uuid.UUID, room_id: uuid.UUID, actor: Actor
) -> None:
    """The caller's own studio's room; anyone else's (admins' too) is not found."""
    studio = await own_studio(uow, studio_id, actor)
    if not studio.has_room(room_id):
        raise StudioNotFound(f"{studio_id} with a room {room_id}")


async def calendars(
    units: AvailabilityUnits, studio_id: uuid.UUID, room_id: uuid.UUID, actor: Actor
) -> list[ExternalCalendar]:
    async with units.begin() as uow:
        await _own_room(uow, studio_id, room_id, actor)
        return await uow.external_calendars.calendars_of_room(room_id)


async def add_calendar(
    units: AvailabilityUnits,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    actor: Actor,
    url: str,
    *,
    limit: int,
    now: datetime,
) -> ExternalCalendar:
    """A new calendar of the room, due at once (the scheduled refresh fetches it)."""
    async with units.begin() as uow:
        await _own_room(uow, studio_id, room_id, actor)
        await uow.lock(f"availability.external-calendars:{room_id}")
        if len(await uow.external_calendars.calendars_of_room(room_id)) >= limit:
            raise TooManyExternalCalendars(limit)
        calendar = ExternalCalendar(uuid.uuid4(), studio_id, room_id, url, created_at=now)
        await uow.external_calendars.add_calendar(calendar)
        return calendar


async def remove_calendar(
    units: AvailabilityUnits,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    actor: Actor,
    calendar_id: uuid.UUID,
) -> None:
    async with units.begin() as uow:
        await _own_room(uow, studio_id, room_id, actor)
        if not await uow.external_calendars.remove_calendar(room_id, calendar_id):
            raise ExternalCalendarNotFound(calendar_id)


async def refresh_now(
    units: AvailabilityUnits,
    studio_id: uuid.UUID,
    room_id: uuid.UUID,
    actor: Actor,
    calendar_id: uuid.UUID,
    settings: AvailabilitySettings,
) -> ExternalCalendar:
    """Fetch the calendar at once; its status after the fetch, good or failed."""
    async with units.begin() as uow:
        await _own_room(uow, studio_id, room_id, actor)
        calendar = await uow.external_calendars.calendar_by_id(room_id, calendar_id)
    if calendar is None:
        raise ExternalCalendarNotFound(calendar_id)
    await _refresh(units, calendar, settings)
    async with units.begin() as uow:
        refreshed = await uow.external_calendars.calendar_by_id(room_id, calendar_id)
    if refreshed is None:  # removed meanwhile
        raise ExternalCalendarNotFound(calendar_id)
    return refreshed


async def refresh_due(units: AvailabilityUnits, settings: AvailabilitySettings) -> int:
    """One round of the scheduled refresh: fetch up to a batch of due calendars."""
    done = 0
    while done < settings.external_calendars_batch_size:
        # Claiming pushes the calendar's due time on, so no other replica takes it while it is
        # fetched outside any transaction (a slow server must not hold a row lock).
        now = units.clock()
        async with units.begin() as uow:
            claimed = await uow.external_calendars.claim_due_calendars(now, 1)
            for calendar in claimed:
                await uow.external_calendars.postpone_calendar(
                    calendar.id, _next_due(now, settings)
                )
        if not claimed:
            return done
        await _refresh(units, claimed[0], settings)
        done += 1
    return done


def _next_due(now: datetime, settings: AvailabilitySettings) -> datetime:
    return now + timedelta(minutes=settings.external_calendars_refresh_minutes)


async def _refresh(
    units: AvailabilityUnits, calendar: ExternalCalendar, settings: AvailabilitySettings
) -> None:
    """Fetch and parse; a good copy replaces the busy intervals in one transaction, a failure
    keeps them and records why."""
    async with units.begin() as uow:
        studio = await uow.studios.studio_by_id(calendar.studio_id)
    if studio is None:
        return
    now = units.clock()
    horizon = Interval(now, now + timedelta(days=settings.external_calendars_horizon_days))
    try:
        document = await ics_fetcher.fetch(calendar.url, settings.fetch_limits)
        busy = busy_intervals(
            document, studio.zone, horizon, limit=settings.external_calendars_max_intervals
        )
    except FeedUnusable as error:
        log.info("external calendar %s: %s", calendar.id, error)
        async with units.begin() as uow:
            await uow.external_calendars.record_failure(
                calendar.id, str(error), now=now, next_due=_next_due(now, settings)
            )
        return
    async with units.begin() as uow:
        # Locked, so a removal meanwhile wins and nothing is written for a removed calendar.
        if await uow.external_calendars.calendar_by_id(calendar.room_id, calendar.id, lock=True):
            await uow.external_calendars.replace_busy(
                calendar, busy, now=now, next_due=_next_due(now, settings)
            )
