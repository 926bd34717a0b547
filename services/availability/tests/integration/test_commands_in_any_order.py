"""Commands about one booking end correct in whatever order, and however often, they arrive."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from availability.config import AvailabilitySettings
from contracts.availability import ConfirmSlots, HoldSlots, ReleaseReason, ReleaseSlots
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import (
    Availability,
    Launch,
    Probe,
    SeededStudio,
    at,
    days_ahead,
    hold_over_bus,
    seed_studio,
)


def hold_command(studio: SeededStudio, booking_id: uuid.UUID, hour: int = 10) -> HoldSlots:
    day = days_ahead(6)
    return HoldSlots(
        booking_id=booking_id,
        studio_id=studio.id,
        room_id=studio.room_id,
        time_range=TimeRange(starts_at=at(day, hour), ends_at=at(day, hour + 1)),
    )


def cancel(booking_id: uuid.UUID) -> ReleaseSlots:
    return ReleaseSlots(booking_id=booking_id, reason=ReleaseReason.CANCELLED_BY_BOOKER)


async def test_a_release_handled_before_its_hold_leaves_nothing_held(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id = uuid.uuid4()

    await probe.send(cancel(booking_id))

    async def released() -> bool:
        return bool(probe.payloads("availability.slots_released", {booking_id}))

    await eventually(released)
    await probe.send(hold_command(studio, booking_id))

    async def refused() -> bool:
        return bool(probe.payloads("availability.slots_unavailable", {booking_id}))

    await eventually(refused)
    [answer] = probe.payloads("availability.slots_unavailable", {booking_id})
    assert answer["detail"] == f"Booking {booking_id} was released; it takes no new hold."
    assert probe.payloads("availability.slots_held", {booking_id}) == []
    assert await availability.live_reservations() == 0


async def test_a_hold_retried_after_the_release_does_not_bring_the_hold_back(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    booking_id = uuid.uuid4()
    await probe.send(hold_command(studio, booking_id))

    async def held() -> bool:
        return bool(probe.payloads("availability.slots_held", {booking_id}))

    await eventually(held)
    await probe.send(cancel(booking_id))

    async def released() -> bool:
        return bool(probe.payloads("availability.slots_released", {booking_id}))

    await eventually(released)

    await probe.send(hold_command(studio, booking_id))  # the saga's retry, arriving late

    async def refused() -> bool:
        return bool(probe.payloads("availability.slots_unavailable", {booking_id}))

    await eventually(refused)
    assert len(probe.payloads("availability.slots_held", {booking_id})) == 1
    assert await availability.live_reservations() == 0


async def test_the_same_hold_command_sent_many_times_at_once_gets_one_hold(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
    probe: Probe,
) -> None:
    settings = availability_settings()
    replica = await launch(settings)
    await launch(settings)  # a second replica on the same queue
    studio = await seed_studio(replica, token_issuer)
    booking_id = uuid.uuid4()
    copies = 10

    # Each copy is a new message (the saga re-sending), so the inbox does not fold them.
    await asyncio.gather(*(probe.send(hold_command(studio, booking_id)) for _ in range(copies)))

    async def all_answered() -> bool:
        held = probe.payloads("availability.slots_held", {booking_id})
        refused = probe.payloads("availability.slots_unavailable", {booking_id})
        return len(held) + len(refused) >= copies

    await eventually(all_answered, timeout=30)
    held = probe.payloads("availability.slots_held", {booking_id})
    assert probe.payloads("availability.slots_unavailable", {booking_id}) == []
    assert len({payload["reservation_id"] for payload in held}) == 1
    assert await replica.live_reservations() == 1


async def test_a_confirm_handled_after_the_release_does_not_book_the_lapsed_hold(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(6)
    booking_id, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 10), ends_at=at(day, 11))
    )
    await availability.lapse(reservation_id)
    assert await availability.sweep() == 1  # expired: the release finds nothing live
    await probe.send(cancel(booking_id))

    async def released() -> bool:
        return bool(probe.payloads("availability.slots_released", {booking_id}))

    await eventually(released)

    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=reservation_id))

    async def lost() -> bool:
        return bool(probe.payloads("availability.slots_lost", {booking_id}))

    await eventually(lost)
    [answer] = probe.payloads("availability.slots_lost", {booking_id})
    assert answer["reason"] == "released"
    assert await availability.status_of(reservation_id) == "expired"
    assert await availability.live_reservations() == 0
