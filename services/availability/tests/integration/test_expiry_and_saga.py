"""Holds lapse, the sweeper announces it, and the saga's confirm and release commands."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from availability.config import AvailabilitySettings
from contracts.availability import ConfirmSlots, ReleaseReason, ReleaseSlots
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import (
    Availability,
    Launch,
    Probe,
    at,
    days_ahead,
    hold_body,
    hold_over_bus,
    seed_studio,
)


async def answer(probe: Probe, booking_id: uuid.UUID) -> dict[str, object]:
    """The first reply to a confirm or release for this booking."""
    types = ("slots_confirmed", "slots_lost", "slots_released")

    async def replied() -> bool:
        return any(probe.payloads(f"availability.{kind}", {booking_id}) for kind in types)

    await eventually(replied)
    for envelope in probe.received:
        if envelope.message_type in {f"availability.{kind}" for kind in types} and envelope.payload[
            "booking_id"
        ] == str(booking_id):
            return {"type": envelope.message_type, **envelope.payload}
    raise AssertionError("no reply")


async def test_expired_hold_does_not_block_a_new_hold_before_the_sweeper_runs(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(4)
    _, first = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 10), ends_at=at(day, 11))
    )
    await availability.lapse(first)
    assert await availability.status_of(first) == "held"  # not swept

    second = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 10, 30), at(day, 11, 30)),
        headers=token_issuer.headers("booker"),
    )

    assert second.status_code == 201, second.text
    assert await availability.status_of(first) == "expired"
    expired = await availability.recorded("availability.hold_expired")
    assert [payload["reservation_id"] for payload in expired] == [str(first)]
    assert await availability.live_reservations() == 1


async def test_sweeper_releases_lapsed_holds_and_publishes_hold_expired(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
    probe: Probe,
) -> None:
    settings = availability_settings(sweeper_interval_seconds=0.2)
    first, second = await launch(settings), await launch(settings)  # two sweepers, one database
    studio = await seed_studio(first, token_issuer)
    day = days_ahead(4)
    holds = [
        await hold_over_bus(probe, studio, TimeRange(starts_at=at(day, h), ends_at=at(day, h + 1)))
        for h in range(9, 15)
    ]
    for _, reservation_id in holds:
        await first.lapse(reservation_id)

    bookings = {booking_id for booking_id, _ in holds}

    async def all_expired() -> bool:
        return len(probe.payloads("availability.hold_expired", bookings)) >= len(holds)

    await eventually(all_expired)
    assert await second.live_reservations() == 0
    announced = await first.recorded("availability.hold_expired")
    assert sorted(p["reservation_id"] for p in announced) == sorted(str(r) for _, r in holds)


async def test_confirm_in_time_books_the_hold(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(3)
    booking_id, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 9), ends_at=at(day, 10))
    )

    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=reservation_id))

    assert (await answer(probe, booking_id))["type"] == "availability.slots_confirmed"
    assert await availability.status_of(reservation_id) == "booked"


async def test_confirm_after_expiry_books_when_the_time_is_still_free(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(3)
    booking_id, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 11), ends_at=at(day, 12))
    )
    await availability.lapse(reservation_id)
    assert await availability.sweep() == 1
    assert await availability.status_of(reservation_id) == "expired"

    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=reservation_id))

    assert (await answer(probe, booking_id))["type"] == "availability.slots_confirmed"
    assert await availability.status_of(reservation_id) == "booked"


async def test_confirm_after_expiry_answers_slots_lost_when_the_time_was_taken(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(3)
    time_range = TimeRange(starts_at=at(day, 14), ends_at=at(day, 15))
    booking_id, reservation_id = await hold_over_bus(probe, studio, time_range)
    await availability.lapse(reservation_id)
    taker = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 14, 30), at(day, 15, 30)),
        headers=token_issuer.headers("booker"),
    )
    assert taker.status_code == 201

    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=reservation_id))

    reply = await answer(probe, booking_id)
    assert reply["type"] == "availability.slots_lost"
    assert reply["reason"] == "taken"
    assert await availability.status_of(reservation_id) == "expired"
    assert await availability.live_reservations() == 1


async def test_release_is_idempotent_and_frees_the_time(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(3)
    booking_id, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 15), ends_at=at(day, 16))
    )
    release = ReleaseSlots(booking_id=booking_id, reason=ReleaseReason.PAYMENT_FAILED)

    await probe.send(release)
    await probe.send(release)  # a new message id: not an inbox duplicate, still harmless
    nothing_held = ReleaseSlots(booking_id=uuid.uuid4(), reason=ReleaseReason.CANCELLED_BY_BOOKER)
    await probe.send(nothing_held)

    async def all_released() -> bool:
        ours = probe.payloads("availability.slots_released", {booking_id})
        theirs = probe.payloads("availability.slots_released", {nothing_held.booking_id})
        return len(ours) == 2 and len(theirs) == 1

    await eventually(all_released)
    ours = probe.payloads("availability.slots_released", {booking_id})
    # The releases may be answered in either order: one freed the hold, the repeat freed nothing.
    assert sorted(o["reservation_id"] or "" for o in ours) == ["", str(reservation_id)]
    assert (
        probe.payloads("availability.slots_released", {nothing_held.booking_id})[0][
            "reservation_id"
        ]
        is None
    )
    assert await availability.status_of(reservation_id) == "released"
    again = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 15), at(day, 16)),
        headers=token_issuer.headers("booker"),
    )
    assert again.status_code == 201
