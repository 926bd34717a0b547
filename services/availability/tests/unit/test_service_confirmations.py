"""The saga's ConfirmSlots and ReleaseSlots on in-memory fakes: a hold booked once however
often it is confirmed, lost when released or taken, and the room free again after a release."""

from __future__ import annotations

import uuid
from datetime import timedelta

from availability.domain.reservations import ReservationStatus
from availability.service import schedules
from availability.sweeper import HoldSweeper
from contracts.availability import (
    LostReason,
    ReleaseReason,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsReleased,
)
from contracts.catalog import StudioUpdated

from ..conftest import studio_event
from .fakes import FakeAvailabilityUnits
from .service_world import (
    HOLD_FOR,
    NOW,
    StoppedClock,
    StudioAt,
    confirm,
    hold,
    hours,
    live,
    release,
)


def held_id(units: FakeAvailabilityUnits, booking_id: uuid.UUID) -> uuid.UUID:
    [held] = [m for m in units.outbox.messages(SlotsHeld) if m.booking_id == booking_id]
    return held.reservation_id


def lost(units: FakeAvailabilityUnits) -> list[LostReason]:
    return [m.reason for m in units.outbox.messages(SlotsLost)]


async def test_a_confirmed_hold_is_booked_and_stays_past_its_expiry(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    clock.now += timedelta(minutes=5)

    await confirm(units, booking_id, held_id(units, booking_id))

    [confirmed] = units.outbox.messages(SlotsConfirmed)
    assert confirmed.reservation_id == held_id(units, booking_id)
    assert (confirmed.confirmed_at, confirmed.time_range) == (clock.now, hours(10, 12))
    assert confirmed.replaced_reservation_id is None
    clock.now += timedelta(days=1)
    assert [r.status for r in live(units)] == [ReservationStatus.BOOKED]


async def test_a_hold_on_a_room_removed_while_its_booker_paid_is_lost_not_booked(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    kept_room, removed_room = studio.rooms
    in_removed = await hold(units, studio, hours(10, 12), room_id=removed_room)
    in_kept = await hold(units, studio, hours(10, 12), room_id=kept_room)
    # The owner removes the room (catalog allows it: no booking of it is confirmed yet).
    without_room = studio_event(
        StudioUpdated, studio_id=studio.id, owner_id=studio.owner.user_id,
        room_ids=[kept_room], revision=2,
    )  # fmt: skip
    async with units.begin() as uow:
        await schedules.apply_studio_event(uow, without_room)

    await confirm(units, in_removed, held_id(units, in_removed))
    await confirm(units, in_kept, held_id(units, in_kept))

    assert lost(units) == [LostReason.NOT_FOUND]
    [confirmed] = units.outbox.messages(SlotsConfirmed)
    assert confirmed.booking_id == in_kept
    assert [(r.room_id, r.status) for r in live(units)] == [(kept_room, ReservationStatus.BOOKED)]


async def test_a_repeated_confirmation_answers_the_same_again(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    await confirm(units, booking_id, held_id(units, booking_id))
    clock.now += timedelta(minutes=1)

    await confirm(units, booking_id, held_id(units, booking_id))

    first, again = units.outbox.messages(SlotsConfirmed)
    assert again == first
    assert again.confirmed_at == NOW


async def test_a_lapsed_hold_not_yet_swept_is_still_the_bookings_to_confirm(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    clock.now += HOLD_FOR * 2

    await confirm(units, booking_id, held_id(units, booking_id))

    assert len(units.outbox.messages(SlotsConfirmed)) == 1


async def test_a_swept_hold_is_booked_again_while_its_time_is_free(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    clock.now += HOLD_FOR * 2
    await HoldSweeper(interval_seconds=1, batch_size=10).sweep(units)

    await confirm(units, booking_id, held_id(units, booking_id))

    assert [m.booking_id for m in units.outbox.messages(SlotsConfirmed)] == [booking_id]
    assert [r.status for r in live(units)] == [ReservationStatus.BOOKED]


async def test_a_swept_hold_whose_time_was_taken_meanwhile_is_lost(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    late = await hold(units, studio, hours(10, 12))
    clock.now += HOLD_FOR * 2
    taker = await hold(units, studio, hours(11, 13))

    await confirm(units, late, held_id(units, late))

    assert lost(units) == [LostReason.TAKEN]
    assert [r.booking_id for r in live(units)] == [taker]


async def test_a_reservation_of_another_booking_or_none_is_not_found(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))

    await confirm(units, uuid.uuid4(), held_id(units, booking_id))
    await confirm(units, booking_id, uuid.uuid4())

    assert lost(units) == [LostReason.NOT_FOUND, LostReason.NOT_FOUND]
    assert [r.status for r in live(units)] == [ReservationStatus.HELD]


async def test_a_released_booking_is_not_confirmed(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    await release(units, booking_id)

    await confirm(units, booking_id, held_id(units, booking_id))

    assert lost(units) == [LostReason.RELEASED]
    assert live(units) == []


async def test_a_release_frees_the_room_for_another_booking(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    await confirm(units, booking_id, held_id(units, booking_id))

    await release(units, booking_id, held_id(units, booking_id))

    [released] = units.outbox.messages(SlotsReleased)
    assert released.reservation_id == held_id(units, booking_id)
    assert (released.reason, released.released_at) == (ReleaseReason.CANCELLED_BY_BOOKER, NOW)
    other = await hold(units, studio, hours(10, 12))
    assert [r.booking_id for r in live(units)] == [other]


async def test_a_release_of_nothing_held_is_answered_all_the_same(
    units: FakeAvailabilityUnits,
) -> None:
    booking_id = uuid.uuid4()

    await release(units, booking_id)

    [released] = units.outbox.messages(SlotsReleased)
    assert (released.booking_id, released.reservation_id) == (booking_id, None)


async def test_a_swept_hold_of_a_released_booking_is_not_booked_again(
    units: FakeAvailabilityUnits, studio: StudioAt, clock: StoppedClock
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))
    clock.now += HOLD_FOR * 2
    await HoldSweeper(interval_seconds=1, batch_size=10).sweep(units)
    await release(units, booking_id)

    await confirm(units, booking_id, held_id(units, booking_id))

    assert lost(units) == [LostReason.RELEASED]
    assert live(units) == []
