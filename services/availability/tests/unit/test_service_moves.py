"""Moves of a booked booking on in-memory fakes: the new range held beside the old one, booked
with the old one released in the same step, or dropped leaving the booking as it was."""

from __future__ import annotations

import uuid

from availability.domain.reservations import ReservationStatus
from contracts.availability import (
    MoveHoldDropped,
    SlotsConfirmed,
    SlotsHeld,
    SlotsUnavailable,
    UnavailableReason,
)

from .fakes import FakeAvailabilityUnits
from .service_world import StudioAt, confirm, drop_move, hold, hours, live


async def booked(units: FakeAvailabilityUnits, studio: StudioAt) -> tuple[uuid.UUID, uuid.UUID]:
    booking_id = await hold(units, studio, hours(10, 12))
    [held] = units.outbox.messages(SlotsHeld)
    await confirm(units, booking_id, held.reservation_id)
    return booking_id, held.reservation_id


async def test_a_move_holds_a_range_overlapping_its_own_booking(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id, _ = await booked(units, studio)
    move_id = uuid.uuid4()

    await hold(units, studio, hours(11, 13), booking_id=booking_id, move_id=move_id)

    moved = units.outbox.messages(SlotsHeld)[-1]
    assert (moved.move_id, moved.time_range) == (move_id, hours(11, 13))
    assert sorted(r.status for r in live(units)) == [
        ReservationStatus.BOOKED,
        ReservationStatus.HELD,
    ]


async def test_confirming_a_move_books_it_and_releases_the_old_reservation(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id, old = await booked(units, studio)
    await hold(units, studio, hours(14, 16), booking_id=booking_id, move_id=uuid.uuid4())
    new = units.outbox.messages(SlotsHeld)[-1].reservation_id

    await confirm(units, booking_id, new)

    confirmed = units.outbox.messages(SlotsConfirmed)[-1]
    assert (confirmed.reservation_id, confirmed.replaced_reservation_id) == (new, old)
    assert [r.id for r in live(units)] == [new]
    assert units.tables.reservations[old].status is ReservationStatus.RELEASED


async def test_a_repeated_confirmation_of_a_move_names_the_same_replaced_reservation(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id, old = await booked(units, studio)
    await hold(units, studio, hours(14, 16), booking_id=booking_id, move_id=uuid.uuid4())
    new = units.outbox.messages(SlotsHeld)[-1].reservation_id
    await confirm(units, booking_id, new)

    await confirm(units, booking_id, new)

    assert units.outbox.messages(SlotsConfirmed)[-1].replaced_reservation_id == old


async def test_a_dropped_move_lets_its_hold_go_and_keeps_the_booking(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id, old = await booked(units, studio)
    move_id = uuid.uuid4()
    await hold(units, studio, hours(14, 16), booking_id=booking_id, move_id=move_id)
    new = units.outbox.messages(SlotsHeld)[-1].reservation_id

    await drop_move(units, booking_id, move_id)

    [dropped] = units.outbox.messages(MoveHoldDropped)
    assert (dropped.move_id, dropped.reservation_id) == (move_id, new)
    assert [r.id for r in live(units)] == [old]


async def test_a_dropped_move_does_not_hold_again(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id, _ = await booked(units, studio)
    move_id = uuid.uuid4()
    await hold(units, studio, hours(14, 16), booking_id=booking_id, move_id=move_id)
    await drop_move(units, booking_id, move_id)

    await hold(units, studio, hours(14, 16), booking_id=booking_id, move_id=move_id)

    [refused] = units.outbox.messages(SlotsUnavailable)
    assert (refused.move_id, refused.reason) == (move_id, UnavailableReason.ALREADY_RESERVED)


async def test_a_booking_only_held_has_nothing_to_move(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id = await hold(units, studio, hours(10, 12))

    await hold(units, studio, hours(14, 16), booking_id=booking_id, move_id=uuid.uuid4())

    [refused] = units.outbox.messages(SlotsUnavailable)
    assert "no booked reservation" in refused.detail
    assert len(live(units)) == 1


async def test_a_move_onto_another_bookings_time_is_refused(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    booking_id, _ = await booked(units, studio)
    await hold(units, studio, hours(14, 16))

    await hold(units, studio, hours(15, 17), booking_id=booking_id, move_id=uuid.uuid4())

    [refused] = units.outbox.messages(SlotsUnavailable)
    assert refused.reason is UnavailableReason.ALREADY_RESERVED
    assert len(live(units)) == 2
