"""A hold placed over HTTP is the caller's alone: no booking's saga can ever see or use it."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from availability.db import tables
from contracts.availability import ConfirmSlots, HoldSlots, ReleaseReason, ReleaseSlots
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Availability, Probe, at, days_ahead, hold_body, hold_over_bus, seed_studio


async def reservation_count(replica: Availability) -> int:
    count: int = await replica.scalar(select(func.count()).select_from(tables.reservations))
    return count


async def test_a_hold_naming_someones_booking_is_refused_and_reaches_no_saga(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(4)
    victim = uuid.uuid4()

    response = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 9), at(day, 17), booking_id=str(victim)),
        headers=token_issuer.headers("booker"),
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["body.booking_id"]
    assert await reservation_count(availability) == 0
    assert await availability.recorded("availability.slots_held") == []


async def test_a_persons_hold_announces_nothing_and_no_booking_can_confirm_it(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(4)
    held = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 9), at(day, 17)),
        headers=token_issuer.headers("booker"),
    )
    assert held.status_code == 201, held.text
    hold_id = uuid.UUID(held.json()["hold_id"])
    assert "booking_id" not in held.json()
    booking = uuid.uuid4()

    await probe.send(ConfirmSlots(booking_id=booking, reservation_id=hold_id))

    # One after the other: a release first would end the booking's holds and answer "released".
    async def answered(routing_key: str) -> bool:
        return bool(probe.payloads(routing_key, {booking}))

    await eventually(lambda: answered("availability.slots_lost"))
    [lost] = probe.payloads("availability.slots_lost", {booking})
    assert lost["reason"] == "not_found"

    await probe.send(
        ReleaseSlots(
            booking_id=booking, reservation_id=hold_id, reason=ReleaseReason.CANCELLED_BY_BOOKER
        )
    )
    await eventually(lambda: answered("availability.slots_released"))
    [released] = probe.payloads("availability.slots_released", {booking})
    assert released["reservation_id"] is None  # not the booking's: nothing of it was released
    assert await availability.status_of(hold_id) == "held"  # neither booked nor freed
    assert await availability.recorded("availability.slots_held") == []


async def test_nobody_releases_a_bookings_hold_over_http(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(5)
    _, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 10), ends_at=at(day, 11))
    )

    for role in ("booker", "admin"):
        response = await availability.client.delete(
            f"/api/availability/hold/{reservation_id}", headers=token_issuer.headers(role)
        )
        assert response.status_code == 404, role

    assert await availability.status_of(reservation_id) == "held"


async def test_a_booking_that_holds_one_time_is_refused_another(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(5)
    booking_id, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 10), ends_at=at(day, 11))
    )
    same = HoldSlots(
        booking_id=booking_id,
        studio_id=studio.id,
        room_id=studio.room_id,
        time_range=TimeRange(starts_at=at(day, 10), ends_at=at(day, 11)),
    )
    other = HoldSlots(
        booking_id=booking_id,
        studio_id=studio.id,
        room_id=studio.room_ids[1],
        time_range=TimeRange(starts_at=at(day, 13), ends_at=at(day, 15)),
    )

    await probe.send(same)
    await probe.send(other)

    async def answered() -> bool:
        held = probe.payloads("availability.slots_held", {booking_id})
        refused = probe.payloads("availability.slots_unavailable", {booking_id})
        return len(held) == 2 and bool(refused)

    await eventually(answered)
    held = probe.payloads("availability.slots_held", {booking_id})
    assert {payload["reservation_id"] for payload in held} == {str(reservation_id)}
    [refused] = probe.payloads("availability.slots_unavailable", {booking_id})
    assert refused["reason"] == "already_reserved"
    assert str(reservation_id) in refused["detail"]
    assert await availability.live_reservations() == 1
