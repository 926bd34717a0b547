"""A hold's length, a person's live holds and their rate are bounded, on every replica."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx

from availability.config import AvailabilitySettings
from contracts.availability import HoldSlots
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
    hold_body,
    seed_studio,
)

HOLD = "/api/availability/hold"


async def open_around_the_clock(replica: Availability, issuer: TestIssuer) -> SeededStudio:
    """A studio open every hour of every day, so only the length bound can refuse a range."""
    return await seed_studio(replica, issuer, daily_hours=("00:00", "00:00"))


def hourly_holds(studio: SeededStudio, count: int, days: int = 6) -> list[dict[str, str]]:
    """One-hour holds on consecutive hours of one day, none overlapping."""
    day = days_ahead(days)
    return [hold_body(studio, at(day, 9 + i), at(day, 10 + i)) for i in range(count)]


async def test_a_forty_day_hold_over_http_is_refused_naming_its_end(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await open_around_the_clock(availability, token_issuer)
    start = at(days_ahead(3), 0)

    response = await availability.client.post(
        HOLD,
        json=hold_body(studio, start, start + timedelta(days=40)),
        headers=token_issuer.headers("booker"),
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error == {"field": "body.ends_at", "message": "A hold lasts at most 24 hours."}
    assert await availability.live_reservations() == 0


async def test_a_hold_command_longer_than_allowed_is_answered_unavailable(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await open_around_the_clock(availability, token_issuer)
    start = at(days_ahead(3), 0)
    longest, too_long = (
        HoldSlots(
            booking_id=uuid.uuid4(),
            studio_id=studio.id,
            room_id=room_id,
            time_range=TimeRange(starts_at=start, ends_at=start + length),
        )
        for room_id, length in (
            (studio.room_ids[0], timedelta(hours=24)),
            (studio.room_ids[1], timedelta(hours=24, minutes=30)),
        )
    )

    await probe.send(longest)
    await probe.send(too_long)

    async def answered() -> bool:
        held = probe.payloads("availability.slots_held", {longest.booking_id})
        refused = probe.payloads("availability.slots_unavailable", {too_long.booking_id})
        return bool(held and refused)

    await eventually(answered)
    [refused] = probe.payloads("availability.slots_unavailable", {too_long.booking_id})
    assert refused["detail"] == "A hold lasts at most 24 hours."
    assert await availability.live_reservations() == 1


async def test_a_person_at_their_live_hold_limit_is_told_to_retry_later(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await launch(availability_settings(max_live_holds_per_person=2))
    studio = await seed_studio(replica, token_issuer)
    person = token_issuer.headers("booker", uuid.uuid4())
    first, second, third = hourly_holds(studio, 3)
    for body in (first, second):
        assert (await replica.client.post(HOLD, json=body, headers=person)).status_code == 201

    refused = await replica.client.post(HOLD, json=third, headers=person)
    someone_else = await replica.client.post(
        HOLD, json=third, headers=token_issuer.headers("booker")
    )

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= replica.settings.hold_expiry_minutes * 60
    assert "release one" in refused.json()["detail"]
    assert someone_else.status_code == 201


async def test_releasing_a_hold_makes_room_for_another(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await launch(availability_settings(max_live_holds_per_person=1))
    studio = await seed_studio(replica, token_issuer)
    person = token_issuer.headers("booker", uuid.uuid4())
    first, second = hourly_holds(studio, 2)
    held = await replica.client.post(HOLD, json=first, headers=person)
    assert held.status_code == 201
    assert (await replica.client.post(HOLD, json=second, headers=person)).status_code == 429

    released = await replica.client.delete(f"{HOLD}/{held.json()['hold_id']}", headers=person)
    again = await replica.client.post(HOLD, json=second, headers=person)

    assert released.status_code == 204
    assert again.status_code == 201, again.text


async def test_holding_and_releasing_in_a_loop_meets_the_rate_limit(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await launch(availability_settings(max_holds_per_person_per_minute=3))
    studio = await seed_studio(replica, token_issuer)
    person = token_issuer.headers("booker", uuid.uuid4())
    [body] = hourly_holds(studio, 1)
    for _ in range(3):
        held = await replica.client.post(HOLD, json=body, headers=person)
        assert held.status_code == 201, held.text
        await replica.client.delete(f"{HOLD}/{held.json()['hold_id']}", headers=person)

    refused = await replica.client.post(HOLD, json=body, headers=person)

    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert "3 holds a minute" in refused.json()["detail"]
    assert await replica.live_reservations() == 0


async def test_one_persons_simultaneous_holds_on_two_replicas_stop_at_the_limit(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    settings = availability_settings(max_live_holds_per_person=3)
    replicas = [await launch(settings), await launch(settings)]
    studio = await seed_studio(replicas[0], token_issuer)
    person = token_issuer.headers("booker", uuid.uuid4())
    bodies = hourly_holds(studio, 8)

    async def hold(index: int) -> httpx.Response:
        return await replicas[index % 2].client.post(HOLD, json=bodies[index], headers=person)

    responses = await asyncio.gather(*(hold(i) for i in range(len(bodies))))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 3 + [429] * 5
    assert await replicas[0].live_reservations() == 3
