"""Search learns when rooms are free: after each change availability publishes the studio's
whole free time (FreeTimeChanged), by its own background loop, once per studio per round."""

from __future__ import annotations

import uuid
from typing import Any

from availability.domain.free_time import RoomBusy
from availability.domain.intervals import Interval
from availability.service import free_time
from contracts.availability import ReleaseReason, ReleaseSlots
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Availability, Probe, SeededStudio, at, days_ahead, hold_over_bus, seed_studio

OPEN = [{"start_minute": 540, "end_minute": 1020}]  # 09:00-17:00


async def latest(replica: Availability, studio: SeededStudio) -> dict[str, Any] | None:
    mine = [
        payload
        for payload in await replica.recorded("availability.free_time_changed")
        if payload["studio_id"] == str(studio.id)
    ]
    return max(mine, key=lambda payload: payload["computed_at"]) if mine else None


async def published_days(
    replica: Availability, studio: SeededStudio, wanted: dict[Any, Any]
) -> None:
    """Wait until the newest picture of the studio has exactly these (date, room) spans."""

    async def shows() -> bool:
        payload = await latest(replica, studio)
        return (
            payload is not None
            and {(day["day"], uuid.UUID(day["room_id"])): day["spans"] for day in payload["days"]}
            == wanted
        )

    await eventually(shows)


async def test_holds_releases_and_blackouts_reach_the_published_free_time(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(3)
    room, other = studio.room_ids

    await published_days(availability, studio, {})
    first = await latest(availability, studio)
    assert first is not None
    assert sorted((w["room_id"], w["weekday"], w["spans"] == OPEN) for w in first["weekly"]) == [
        (str(r), weekday, True) for r in sorted(map(str, studio.room_ids)) for weekday in range(7)
    ]

    booking_id, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 10), ends_at=at(day, 12))
    )
    held = [{"start_minute": 540, "end_minute": 600}, {"start_minute": 720, "end_minute": 1020}]
    await published_days(availability, studio, {(str(day), room): held, (str(day), other): OPEN})

    await probe.send(
        ReleaseSlots(
            booking_id=booking_id,
            reservation_id=reservation_id,
            reason=ReleaseReason.CANCELLED_BY_BOOKER,
        )
    )
    await published_days(availability, studio, {})

    response = await availability.client.post(
        f"/api/availability/studios/{studio.id}/blackouts",
        json={"first_day": str(day), "reason": "painting"},
        headers=token_issuer.headers("owner", studio.owner_id),
    )
    assert response.status_code == 201, response.text
    await published_days(availability, studio, {(str(day), room): [], (str(day), other): []})


async def test_many_changes_to_one_studio_are_published_once_per_round(
    launch: Any, availability_settings: Any, token_issuer: TestIssuer, probe: Probe
) -> None:
    replica = await launch(availability_settings(free_time_interval_seconds=3600))
    studio = await seed_studio(replica, token_issuer)
    await free_time.publish_outdated(replica.units, limit=100)
    before = len(await replica.recorded("availability.free_time_changed"))
    day = days_ahead(4)

    for hour in (9, 11, 13, 15):
        await hold_over_bus(
            probe, studio, TimeRange(starts_at=at(day, hour), ends_at=at(day, hour + 1))
        )

    # Small batches, so the marks of the four holds span several transactions.
    published = await free_time.publish_outdated(replica.units, limit=2)
    assert published >= 1
    assert len(await replica.recorded("availability.free_time_changed")) == before + published
    assert await free_time.publish_outdated(replica.units, limit=2) == 0
    payload = await latest(replica, studio)
    assert payload is not None
    spans = {d["room_id"]: d["spans"] for d in payload["days"]}
    assert spans[str(studio.room_id)] == [
        {"start_minute": 600, "end_minute": 660},
        {"start_minute": 720, "end_minute": 780},
        {"start_minute": 840, "end_minute": 900},
        {"start_minute": 960, "end_minute": 1020},
    ]


async def test_the_publishers_read_of_reservations_is_the_live_ones_blocked_time(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    """The recompute reads only each live reservation's room and blocked time (buffers
    included): the same as the full rows would give, a released one left out."""
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(5)
    for hour in (9, 12):
        await hold_over_bus(
            probe, studio, TimeRange(starts_at=at(day, hour), ends_at=at(day, hour + 2))
        )
    released, reservation_id = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 15), ends_at=at(day, 16))
    )
    reason = ReleaseReason.CANCELLED_BY_BOOKER
    await probe.send(
        ReleaseSlots(booking_id=released, reservation_id=reservation_id, reason=reason)
    )
    window = Interval(at(day, 0), at(day, 23))

    async def released_only_then() -> bool:
        async with availability.units.begin() as uow:
            live = await uow.reservations.live_in_studio(studio.id, window, uow.now)
        return len(live) == 2

    await eventually(released_only_then)
    async with availability.units.begin() as uow:
        full = await uow.reservations.live_in_studio(studio.id, window, uow.now)
        read = await uow.free_time.reserved_in_studio(studio.id, window, uow.now)

    assert sorted(read, key=str) == sorted((RoomBusy(r.room_id, r.blocks) for r in full), key=str)
    assert all(busy.room_id == studio.room_id for busy in read)
