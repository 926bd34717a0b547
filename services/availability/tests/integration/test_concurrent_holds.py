"""No double booking: the database lets exactly one of many racing holds through."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from availability.config import AvailabilitySettings
from availability.db import tables
from availability.db.reservations import SqlReservations
from availability.domain.intervals import Interval
from availability.domain.reservations import RoomTaken, new_hold
from contracts.availability import HoldSlots, UnavailableReason
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Availability, Launch, Probe, at, days_ahead, hold_body, seed_studio

RACERS = 50


async def two_replicas(
    launch: Launch, availability_settings: Callable[..., AvailabilitySettings]
) -> tuple[Availability, Availability]:
    settings = availability_settings()
    return await launch(settings), await launch(settings)


async def test_fifty_http_holds_on_two_replicas_leave_one_reservation(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    first, second = await two_replicas(launch, availability_settings)
    studio = await seed_studio(first, token_issuer)
    day = days_ahead(5)
    body = hold_body(studio, at(day, 10), at(day, 12))

    async def race(index: int) -> int:
        replica = first if index % 2 else second
        response = await replica.client.post(
            "/api/availability/hold", json=body, headers=token_issuer.headers("booker")
        )
        return response.status_code

    statuses = await asyncio.gather(*(race(i) for i in range(RACERS)))

    assert statuses.count(201) == 1
    assert statuses.count(409) == RACERS - 1
    assert await first.live_reservations() == 1


async def test_fifty_hold_commands_on_two_replicas_leave_one_reservation(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
    probe: Probe,
) -> None:
    first, _ = await two_replicas(launch, availability_settings)
    studio = await seed_studio(first, token_issuer)
    day = days_ahead(6)
    time_range = TimeRange(starts_at=at(day, 13), ends_at=at(day, 14))
    commands = [
        HoldSlots(
            booking_id=uuid.uuid4(),
            studio_id=studio.id,
            room_id=studio.room_id,
            time_range=time_range,
        )
        for _ in range(RACERS)
    ]
    bookings = {command.booking_id for command in commands}

    await asyncio.gather(*(probe.send(command) for command in commands))

    async def all_answered() -> bool:
        held = probe.payloads("availability.slots_held", bookings)
        refused = probe.payloads("availability.slots_unavailable", bookings)
        return len(held) + len(refused) >= RACERS

    await eventually(all_answered, timeout=30)
    held = probe.payloads("availability.slots_held", bookings)
    refused = probe.payloads("availability.slots_unavailable", bookings)
    assert len(held) == 1
    assert len(refused) == RACERS - 1
    assert {payload["reason"] for payload in refused} == {UnavailableReason.ALREADY_RESERVED}
    assert await first.live_reservations() == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((10, 30), (11, 30)),  # starts inside
        ((9, 30), (10, 30)),  # ends inside
        ((9, 0), (13, 0)),  # covers
        ((10, 15), (10, 45)),  # inside
    ],
)
async def test_overlapping_but_unequal_ranges_are_refused(
    availability: Availability,
    token_issuer: TestIssuer,
    start: tuple[int, int],
    end: tuple[int, int],
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(7)
    headers = token_issuer.headers("booker")
    first = await availability.client.post(
        "/api/availability/hold", json=hold_body(studio, at(day, 10), at(day, 11)), headers=headers
    )
    assert first.status_code == 201, first.text

    second = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, *start), at(day, *end)),
        headers=headers,
    )

    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["reason"] == "already_reserved"


async def test_adjacent_ranges_and_other_rooms_are_not_overlaps(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(7)
    headers = token_issuer.headers("booker")
    bodies = [
        hold_body(studio, at(day, 10), at(day, 11)),
        hold_body(studio, at(day, 11), at(day, 12)),
        {**hold_body(studio, at(day, 10), at(day, 11)), "room_id": str(studio.room_ids[1])},
    ]
    for body in bodies:
        response = await availability.client.post(
            "/api/availability/hold", json=body, headers=headers
        )
        assert response.status_code == 201, response.text


async def test_the_database_itself_refuses_overlapping_live_reservations(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(8)
    now = at(day, 0) - timedelta(days=2)

    def hold(start: int, end: int) -> object:
        return new_hold(
            studio_id=studio.id,
            room_id=studio.room_id,
            booking_id=uuid.uuid4(),
            during=Interval(at(day, start), at(day, end)),
            buffer=timedelta(0),
            now=now,
            hold_for=timedelta(minutes=10),
        )

    async with availability.runtime.database.transaction() as session:
        await SqlReservations(session).add_reservation(hold(10, 12))  # type: ignore[arg-type]
    async with availability.runtime.database.transaction() as session:
        with pytest.raises(RoomTaken):
            await SqlReservations(session).add_reservation(hold(11, 13))  # type: ignore[arg-type]
    # The refusal is the constraint's: a plain insert of another booking's overlapping hold
    # (no ON CONFLICT, as any other code might write) fails on it.
    with pytest.raises(IntegrityError) as violated:
        async with availability.runtime.database.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO reservations (id, studio_id, room_id, booking_id, during, blocks,"
                    " status, expires_at, version, created_at)"
                    " SELECT gen_random_uuid(), studio_id, room_id, gen_random_uuid(), during,"
                    " blocks, status, expires_at, version, created_at FROM reservations"
                    " WHERE studio_id = :studio_id"
                ),
                {"studio_id": studio.id},
            )
    assert "reservations_no_overlap" in str(violated.value)
    async with availability.runtime.database.transaction() as session:
        live = await session.scalar(
            text("SELECT count(*) FROM reservations WHERE studio_id = :studio_id"),
            {"studio_id": studio.id},
        )
    assert live == 1


async def test_buffer_keeps_holds_apart_in_the_database(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    response = await availability.client.put(
        f"/api/availability/studios/{studio.id}/settings",
        json={"buffer_minutes": 30},
        headers=owner,
    )
    assert response.status_code == 200, response.text
    day = days_ahead(9)
    headers = token_issuer.headers("booker")
    first = await availability.client.post(
        "/api/availability/hold", json=hold_body(studio, at(day, 10), at(day, 11)), headers=headers
    )
    too_close = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 11, 15), at(day, 12)),
        headers=headers,
    )
    far_enough = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 11, 30), at(day, 12, 30)),
        headers=headers,
    )
    assert (first.status_code, too_close.status_code, far_enough.status_code) == (201, 409, 201)


async def test_a_buffer_before_keeps_holds_apart_in_the_database(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    response = await availability.client.put(
        f"/api/availability/studios/{studio.id}/settings",
        json={"buffer_before_minutes": 30},
        headers=owner,
    )
    assert response.status_code == 200, response.text
    assert response.json()["buffer_before_minutes"] == 30
    day = days_ahead(9)
    headers = token_issuer.headers("booker")

    async def hold(start: tuple[int, int], end: tuple[int, int]) -> int:
        body = hold_body(studio, at(day, *start), at(day, *end))
        answer = await availability.client.post(
            "/api/availability/hold", json=body, headers=headers
        )
        return int(answer.status_code)

    first = await hold((12, 0), (13, 0))  # blocks 11:30-13:00
    into_its_set_up = await hold((11, 0), (12, 0))
    right_before_its_set_up = await hold((10, 30), (11, 30))
    its_own_set_up_too_soon = await hold((13, 0), (14, 0))
    its_own_set_up_just_after = await hold((13, 30), (14, 30))
    assert [
        first,
        into_its_set_up,
        right_before_its_set_up,
        its_own_set_up_too_soon,
        its_own_set_up_just_after,
    ] == [201, 409, 201, 409, 201]
    async with availability.runtime.database.transaction() as session:
        starts = await session.scalars(
            select(tables.reservations.c.blocks).where(tables.reservations.c.studio_id == studio.id)
        )
        blocked_from = sorted(blocks.lower for blocks in starts)
    assert blocked_from == [at(day, 10, 0), at(day, 11, 30), at(day, 13, 0)]
