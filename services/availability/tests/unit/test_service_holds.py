"""The saga's HoldSlots on in-memory fakes: held in open hours, refused when taken, closed or
blacked out, and the same hold again for a repeated command."""

from __future__ import annotations

import uuid
from datetime import timedelta

from availability.domain.schedule import Blackout
from availability.service import schedules
from contracts.availability import HoldExpired, SlotsHeld, SlotsUnavailable, UnavailableReason

from .fakes import FakeAvailabilityUnits
from .service_world import DAY, HOLD_FOR, NOW, StoppedClock, StudioAt, hold, hours, live, release


def refusals(units: FakeAvailabilityUnits) -> list[UnavailableReason]:
    return [m.reason for m in units.outbox.messages(SlotsUnavailable)]


async def test_a_free_range_in_opening_hours_is_held_for_the_booking(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))

    [held] = units.outbox.messages(SlotsHeld)
    assert (held.booking_id, held.studio_id, held.room_id) == (booking_id, studio.id, studio.room)
    assert held.time_range == hours(10, 12)
    assert held.expires_at == NOW + HOLD_FOR
    [reservation] = live(units)
    assert reservation.id == held.reservation_id


async def test_an_overlapping_hold_of_another_booking_is_refused(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    first = await hold(units, studio, hours(10, 12))
    second = await hold(units, studio, hours(11, 13))

    [refused] = units.outbox.messages(SlotsUnavailable)
    assert (refused.booking_id, refused.reason) == (second, UnavailableReason.ALREADY_RESERVED)
    assert [r.booking_id for r in live(units)] == [first]


async def test_back_to_back_ranges_and_other_rooms_are_both_held(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    await hold(units, studio, hours(10, 12))
    await hold(units, studio, hours(12, 14))
    await hold(units, studio, hours(10, 12), room_id=studio.rooms[1])

    assert len(units.outbox.messages(SlotsHeld)) == 3
    assert refusals(units) == []


async def test_a_range_outside_opening_hours_is_refused(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    await hold(units, studio, hours(16, 18))

    assert refusals(units) == [UnavailableReason.OUTSIDE_OPENING_HOURS]
    assert live(units) == []


async def test_a_blacked_out_day_is_refused(units: FakeAvailabilityUnits, studio: StudioAt) -> None:
    closed = Blackout(uuid.uuid4(), first_day=DAY, last_day=DAY, reason="painting")
    await schedules.add_blackout(units, studio.id, studio.owner, closed, limit=10)

    await hold(units, studio, hours(10, 12))

    assert refusals(units) == [UnavailableReason.BLACKED_OUT]


async def test_an_unknown_room_and_an_unknown_studio_are_refused(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    await hold(units, studio, hours(10, 12), room_id=uuid.uuid4())
    await hold(units, StudioAt(uuid.uuid4(), studio.owner, studio.rooms), hours(10, 12))

    assert refusals(units) == [
        UnavailableReason.UNKNOWN_ROOM,
        UnavailableReason.STUDIO_NOT_BOOKABLE,
    ]


async def test_a_repeated_hold_slots_gets_the_same_hold_and_another_range_is_refused(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    await hold(units, studio, hours(10, 12), booking_id=booking_id)
    await hold(units, studio, hours(14, 16), booking_id=booking_id)

    first, again = units.outbox.messages(SlotsHeld)
    assert first.reservation_id == again.reservation_id
    assert refusals(units) == [UnavailableReason.ALREADY_RESERVED]
    assert len(units.tables.reservations) == 1


async def test_a_lapsed_hold_in_the_way_expires_and_its_saga_hears_so(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    lapsing = await hold(units, studio, hours(10, 12))
    clock.now += HOLD_FOR + timedelta(seconds=1)

    taker = await hold(units, studio, hours(11, 13))

    [expired] = units.outbox.messages(HoldExpired)
    assert (expired.booking_id, expired.expired_at) == (lapsing, NOW + HOLD_FOR)
    assert [r.booking_id for r in live(units)] == [taker]


async def test_a_released_booking_holds_nothing_afterwards(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = uuid.uuid4()
    await release(units, booking_id)  # the ReleaseSlots overtook its HoldSlots

    await hold(units, studio, hours(10, 12), booking_id=booking_id)

    assert refusals(units) == [UnavailableReason.ALREADY_RESERVED]
    assert live(units) == []
