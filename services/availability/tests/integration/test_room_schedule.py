"""A room's schedule around a time, and a studio's over its horizon, each read in one statement
(db/schedules.py): each kind of row is the repositories' own, and only what may touch the dates
(and the room) comes back."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from availability.domain.external_calendars import ExternalCalendar
from availability.domain.free_time import RoomBusy, StudioSchedule
from availability.domain.intervals import Interval
from availability.domain.schedule import Blackout, ExtraHours, RoomSchedule
from tests.fixtures.tokens import TestIssuer

from ..conftest import Availability, at, days_ahead, seed_studio


async def test_a_rooms_schedule_is_what_the_repositories_read_for_its_dates_and_room(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(20)
    near, far = (day, day), (day + timedelta(days=9), day + timedelta(days=9))
    closed_near = Blackout(uuid.uuid4(), starts_at=at(day, 10), ends_at=at(day, 12), reason="Gig")
    closed_far = Blackout(uuid.uuid4(), first_day=far[0], last_day=far[1])
    open_near = ExtraHours(uuid.uuid4(), day, time(19), time(0), studio.room_id, "Late jam")
    open_far = ExtraHours(uuid.uuid4(), far[0], time(19), time(21))
    window = Interval(at(day, 9), at(day, 17))
    mine, other = (
        ExternalCalendar(uuid.uuid4(), studio.id, room, "https://example.com/cal.ics", at(day, 0))
        for room in (studio.room_id, studio.room_ids[1])
    )
    async with availability.units.begin() as uow:
        for blackout in (closed_near, closed_far):
            await uow.studios.add_blackout(studio.id, blackout)
        for extra in (open_near, open_far):
            await uow.extra_hours.add_extra_hours(studio.id, extra)
        for calendar in (mine, other):
            await uow.external_calendars.add_calendar(calendar)
            busy = [Interval(at(day, 13), at(day, 14)), Interval(at(day, 18), at(day, 19))]
            await uow.external_calendars.replace_busy(
                calendar, busy, now=uow.now, next_due=uow.now + timedelta(hours=1)
            )
    async with availability.units.begin() as uow:
        read = await uow.schedules.of_room(studio.id, studio.room_id, touching=near, window=window)
        rules = await uow.studios.rules_of(studio.id)
        empty = await uow.schedules.of_room(
            uuid.uuid4(), uuid.uuid4(), touching=near, window=window
        )
        whole = await uow.schedules.of_studio(studio.id, touching=near, window=window)
        unknown = await uow.schedules.of_studio(uuid.uuid4(), touching=near, window=window)

    assert read == RoomSchedule(
        rules=rules,
        blackouts=[closed_near],
        extras=[open_near],
        busy=[Interval(at(day, 13), at(day, 14))],  # this room's, in the window
    )
    assert len(rules) == 7
    assert empty == RoomSchedule(rules=[], blackouts=[], extras=[], busy=[])
    # The studio's: every room's busy times in the window, by room.
    assert whole == StudioSchedule(
        rules=rules,
        blackouts=[closed_near],
        extras=[open_near],
        busy=sorted(
            (RoomBusy(room, Interval(at(day, 13), at(day, 14))) for room in studio.room_ids[:2]),
            key=lambda busy: busy.room_id,
        ),
    )
    assert unknown == StudioSchedule(rules=[], blackouts=[], extras=[], busy=[])
