"""Moving a booked booking: the new range is held beside the booked one (they may overlap),
and confirming it books it and releases the old reservation in one step; a move that cannot
hold, is dropped, or is overtaken by a cancellation leaves nothing half done."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from contracts.availability import (
    ConfirmSlots,
    DropMoveHold,
    HoldSlots,
    ReleaseReason,
    ReleaseSlots,
)
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Availability, Probe, SeededStudio, at, days_ahead, hold_over_bus, seed_studio

DAY = days_ahead(5)


def hours(start: int, end: int) -> TimeRange:
    return TimeRange(starts_at=at(DAY, start), ends_at=at(DAY, end))


async def reply(probe: Probe, message_type: str, booking_id: uuid.UUID, count: int = 1) -> Any:
    """The `count`th reply of a type about the booking, once it came."""

    async def came() -> bool:
        return len(probe.payloads(message_type, {booking_id})) >= count

    await eventually(came)
    return probe.payloads(message_type, {booking_id})[count - 1]


async def booked(
    probe: Probe, studio: SeededStudio, time_range: TimeRange
) -> tuple[uuid.UUID, str]:
    booking_id, reservation_id = await hold_over_bus(probe, studio, time_range)
    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=reservation_id))
    await reply(probe, "availability.slots_confirmed", booking_id)
    return booking_id, str(reservation_id)


def move(
    studio: SeededStudio,
    booking_id: uuid.UUID,
    move_id: uuid.UUID,
    time_range: TimeRange,
    room: int = 0,
) -> HoldSlots:
    return HoldSlots(
        booking_id=booking_id,
        studio_id=studio.id,
        room_id=studio.room_ids[room],
        time_range=time_range,
        move_id=move_id,
    )


async def test_a_booking_moves_an_hour_later_in_its_room_in_one_step(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id, old = await booked(probe, studio, hours(10, 12))
    move_id = uuid.uuid4()

    await probe.send(move(studio, booking_id, move_id, hours(11, 13)))
    held = await reply(probe, "availability.slots_held", booking_id, count=2)
    assert held["move_id"] == str(move_id)
    # The move's hour is the room's now: nobody else gets it.
    stranger = uuid.uuid4()
    await probe.send(
        HoldSlots(
            booking_id=stranger,
            studio_id=studio.id,
            room_id=studio.room_id,
            time_range=hours(12, 13),
        )
    )
    assert (await reply(probe, "availability.slots_unavailable", stranger))[
        "reason"
    ] == "already_reserved"

    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=held["reservation_id"]))
    confirmed = await reply(probe, "availability.slots_confirmed", booking_id, count=2)

    assert confirmed["reservation_id"] == held["reservation_id"]
    assert confirmed["replaced_reservation_id"] == old
    assert await availability.status_of(old) == "released"
    assert await availability.status_of(held["reservation_id"]) == "booked"
    assert await availability.live_reservations() == 1
    # The hour the booking left is free again (hold_over_bus waits for SlotsHeld); a repeated
    # confirmation says the same.
    await hold_over_bus(probe, studio, hours(10, 11))
    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=held["reservation_id"]))
    again = await reply(probe, "availability.slots_confirmed", booking_id, count=3)
    assert again["replaced_reservation_id"] == old


async def test_a_move_that_cannot_hold_leaves_the_booking_as_it_was(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id, old = await booked(probe, studio, hours(10, 12))
    await hold_over_bus(probe, studio, hours(14, 15))  # another booking's

    await probe.send(move(studio, booking_id, uuid.uuid4(), hours(14, 16)))
    refused = await reply(probe, "availability.slots_unavailable", booking_id)

    assert refused["reason"] == "already_reserved"
    assert await availability.status_of(old) == "booked"
    assert await availability.live_reservations() == 2


async def test_a_dropped_move_frees_its_time_and_never_holds_again(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id, old = await booked(probe, studio, hours(10, 12))
    move_id = uuid.uuid4()
    command = move(studio, booking_id, move_id, hours(13, 15), room=1)
    await probe.send(command)
    held = await reply(probe, "availability.slots_held", booking_id, count=2)

    await probe.send(DropMoveHold(booking_id=booking_id, move_id=move_id))
    dropped = await reply(probe, "availability.move_hold_dropped", booking_id)
    await probe.send(command)  # redelivered late
    refused = await reply(probe, "availability.slots_unavailable", booking_id)

    assert dropped["reservation_id"] == held["reservation_id"]
    assert await availability.status_of(held["reservation_id"]) == "released"
    assert "holds only once" in refused["detail"]
    assert await availability.status_of(old) == "booked"
    assert await availability.live_reservations() == 1


async def test_a_cancellation_during_a_move_releases_both_reservations(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id, _ = await booked(probe, studio, hours(10, 12))
    await probe.send(move(studio, booking_id, uuid.uuid4(), hours(15, 16)))
    held = await reply(probe, "availability.slots_held", booking_id, count=2)

    await probe.send(ReleaseSlots(booking_id=booking_id, reason=ReleaseReason.CANCELLED_BY_BOOKER))
    await reply(probe, "availability.slots_released", booking_id)
    # The move's confirmation, arriving after the cancellation, books nothing.
    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=held["reservation_id"]))
    lost = await reply(probe, "availability.slots_lost", booking_id)

    assert lost["reason"] == "released"
    assert await availability.live_reservations() == 0


async def test_two_moves_sent_at_once_hold_one_at_most(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id, _ = await booked(probe, studio, hours(10, 11))

    await asyncio.gather(
        *(
            probe.send(move(studio, booking_id, uuid.uuid4(), hours(start, start + 1)))
            for start in (12, 13, 14, 15)
        )
    )
    await reply(probe, "availability.slots_unavailable", booking_id, count=3)
    moved = probe.payloads("availability.slots_held", {booking_id})[1:]

    assert len(moved) == 1
    assert await availability.live_reservations() == 2


async def test_only_a_booked_booking_moves(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id, _ = await hold_over_bus(probe, studio, hours(10, 11))  # held, not booked

    await probe.send(move(studio, booking_id, uuid.uuid4(), hours(12, 13)))
    refused = await reply(probe, "availability.slots_unavailable", booking_id)

    assert "no booked reservation" in refused["detail"]
