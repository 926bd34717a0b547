"""Lapsed holds on in-memory fakes: the sweeper expires them and tells each booking's saga; a
person's own holds lapse quietly and count against their limits while they last."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from availability.domain.holds import HoldLimitReached
from availability.domain.intervals import Interval
from availability.domain.reservations import ReservationNotFound, ReservationStatus
from availability.service import holds
from availability.service.holds import HoldRequest
from availability.service.schedules import Actor
from availability.sweeper import HoldSweeper
from contracts.availability import HoldExpired

from .fakes import FakeAvailabilityUnits
from .service_world import HOLD_FOR, LIMITS, NOW, StoppedClock, StudioAt, at, hold, hours, live


def sweeper() -> HoldSweeper:
    return HoldSweeper(interval_seconds=1, batch_size=2)


async def persons_hold(
    units: FakeAvailabilityUnits, studio: StudioAt, person: Actor, start: int
) -> uuid.UUID:
    request = HoldRequest(
        studio_id=studio.id,
        room_id=studio.room,
        during=Interval(at(start), at(start + 1)),
        held_by=str(person.user_id),
    )
    held = await holds.hold_for_person(
        units, request, hold_for=HOLD_FOR, limits=LIMITS, now=units.clock()
    )
    return held.id


async def test_the_sweeper_expires_every_lapsed_hold_in_batches_and_announces_each(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    bookings = [await hold(units, studio, hours(start, start + 1)) for start in (9, 11, 13)]
    clock.now += timedelta(minutes=10)
    fresh = await hold(units, studio, hours(15, 16))
    clock.now += timedelta(minutes=6)

    assert await sweeper().sweep(units) == 3

    expired = units.outbox.messages(HoldExpired)
    assert sorted(m.booking_id for m in expired) == sorted(bookings)
    assert {m.expired_at for m in expired} == {NOW + HOLD_FOR}
    assert [r.booking_id for r in live(units)] == [fresh]
    assert await sweeper().sweep(units) == 0


async def test_a_booked_reservation_is_never_swept(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    [reservation] = live(units)
    async with units.begin() as uow:
        await uow.reservations.change_status(
            reservation, ReservationStatus.BOOKED, confirmed_at=NOW
        )
    clock.now += timedelta(days=1)

    assert await sweeper().sweep(units) == 0
    assert units.outbox.messages(HoldExpired) == []
    assert [r.booking_id for r in live(units)] == [booking_id]


async def test_a_persons_hold_lapses_without_a_message(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    person = Actor(uuid.uuid4())
    held = await persons_hold(units, studio, person, 10)
    clock.now += HOLD_FOR

    assert await sweeper().sweep(units) == 1

    assert units.outbox.messages(HoldExpired) == []
    assert units.tables.reservations[held].status is ReservationStatus.EXPIRED


async def test_a_person_holds_no_more_than_their_limit_at_once(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    person = Actor(uuid.uuid4())
    for start in range(9, 9 + LIMITS.live_per_person):
        await persons_hold(units, studio, person, start)

    with pytest.raises(HoldLimitReached):
        await persons_hold(units, studio, person, 14)

    assert len(live(units)) == LIMITS.live_per_person


async def test_a_person_releases_their_own_hold_and_no_one_elses(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    person = Actor(uuid.uuid4())
    held = await persons_hold(units, studio, person, 10)

    with pytest.raises(ReservationNotFound):
        await holds.release_for_person(units, held, Actor(uuid.uuid4()))
    assert len(live(units)) == 1
    await holds.release_for_person(units, held, person)

    assert live(units) == []
