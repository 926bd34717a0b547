"""Owners' changes on in-memory fakes: weekly hours, blackouts, extra hours and the booking
policy change the free slots bookers see; no one else may change them."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest

from availability.domain.intervals import Interval
from availability.domain.schedule import Blackout, ExtraHours, TooManyDateChanges, WeeklyRule
from availability.domain.studios import BookingPolicy, NotStudioOwner
from availability.service import schedules
from availability.service.schedules import Actor
from contracts.availability import SlotsHeld

from .fakes import FakeAvailabilityUnits
from .service_world import DAY, NEW_YORK, NOW, StudioAt, at, hold, hours


async def starts(units: FakeAvailabilityUnits, studio: StudioAt, hours_long: int = 2) -> list[int]:
    """The local hours a booker may start a hold of `hours_long` on DAY."""
    found = await schedules.free_slots(
        units,
        studio_id=studio.id,
        room_id=studio.room,
        window=Interval(at(0), at(0) + timedelta(days=1)),
        duration=timedelta(hours=hours_long),
        now=NOW,
    )
    return [s.start.astimezone(NEW_YORK).hour for s in found.slots if s.start.minute == 0]


async def test_free_slots_follow_the_weekly_rules_and_leave_out_holds(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    await hold(units, studio, hours(11, 13))

    assert await starts(units, studio) == [9, 13, 14, 15]


async def test_replaced_rules_are_what_the_owner_reads_back_and_what_bookers_see(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    evening = [WeeklyRule(DAY.weekday(), time(18), time(22))]

    stored = await schedules.replace_weekly_rules(units, studio.id, studio.owner, evening)

    assert stored == evening
    assert await schedules.weekly_rules(units, studio.id, studio.owner) == evening
    assert await starts(units, studio) == [18, 19, 20]


async def test_only_the_owner_or_an_admin_changes_a_studio(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    stranger = Actor(uuid.uuid4())

    with pytest.raises(NotStudioOwner):
        await schedules.replace_weekly_rules(units, studio.id, stranger, [])
    await schedules.replace_weekly_rules(units, studio.id, Actor(uuid.uuid4(), is_admin=True), [])

    assert await starts(units, studio) == []


async def test_a_removed_blackout_opens_the_day_again(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    closed = Blackout(uuid.uuid4(), first_day=DAY, last_day=DAY, reason="painting")
    await schedules.add_blackout(units, studio.id, studio.owner, closed, limit=10)
    assert await starts(units, studio) == []

    await schedules.remove_blackout(units, studio.id, studio.owner, closed.id)

    assert await schedules.blackouts(units, studio.id, studio.owner) == []
    await hold(units, studio, hours(10, 12))
    assert len(units.outbox.messages(SlotsHeld)) == 1


async def test_blackouts_past_the_limit_are_refused_and_nothing_is_kept(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    days = [DAY + timedelta(days=n) for n in range(3)]
    for day in days[:2]:
        blackout = Blackout(uuid.uuid4(), first_day=day, last_day=day)
        await schedules.add_blackout(units, studio.id, studio.owner, blackout, limit=2)

    last = Blackout(uuid.uuid4(), first_day=days[2], last_day=days[2])
    with pytest.raises(TooManyDateChanges):
        await schedules.add_blackout(units, studio.id, studio.owner, last, limit=2)

    kept = await schedules.blackouts(units, studio.id, studio.owner)
    assert [b.first_day for b in kept] == days[:2]


async def test_extra_hours_open_a_date_beyond_the_weekly_rules(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    evening = ExtraHours(uuid.uuid4(), DAY, time(17), time(21), reason="late session")

    await schedules.add_extra_hours(units, studio.id, studio.owner, evening, limit=5)

    assert await starts(units, studio) == [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
    await hold(units, studio, hours(18, 20))
    assert len(units.outbox.messages(SlotsHeld)) == 1


async def test_a_policys_buffer_keeps_holds_apart(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    policy = BookingPolicy(buffer_minutes=60)
    await schedules.set_booking_policy(units, studio.id, studio.owner, policy)
    await hold(units, studio, hours(10, 12))

    await hold(units, studio, hours(12, 14))
    await hold(units, studio, hours(13, 15))

    assert await schedules.booking_policy(units, studio.id) == policy
    assert [m.time_range for m in units.outbox.messages(SlotsHeld)] == [
        hours(10, 12),
        hours(13, 15),
    ]
