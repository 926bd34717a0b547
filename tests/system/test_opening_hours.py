"""More precise availability across the whole system: a studio open 10:00 to 18:00 opens extra
hours one evening, and a booker books them through the gateway; a set-up time before each
booking keeps the next booking apart (that the exclusion constraint itself enforces it is
availability's integration test); a closed day is closed. The invariants hold after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from scripts.client import BERLIN, Account, Studio, whole_hour
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
    assert await asyncio.to_thread(violations, system.layout) == []


async def _as_owner(world: World, owner: Account, path: str, body: dict[str, object]) -> None:
    response = await world.http.request(
        "PUT" if path.endswith("/settings") else "POST",
        f"{world.gateway}/api/availability/studios/{path}",
        headers=owner.headers,
        json=body,
    )
    assert response.status_code in (200, 201), response.text


async def _outcome(world: World, booker: Account, studio: Studio, starts_at: datetime) -> str:
    """What asking for an hour at `starts_at` came to: confirmed (paid) or refused."""
    answer = await world.request_booking(booker, studio, starts_at, hours=1)
    outcome = await world.outcome(booker, answer)
    if outcome != "pending_payment":
        return outcome
    booking = answer.json()
    await world.pay(await world.booking(booker, booking["id"]))
    confirmed = await world.until_status(booker, booking["id"], "confirmed")
    return str(confirmed["status"])


async def test_extra_hours_on_a_closed_day_are_booked_and_a_set_up_time_keeps_bookings_apart(
    world: World,
) -> None:
    owner = await world.account("owner")
    first, second = await world.account("booker"), await world.account("booker")
    studio = await world.published_studio(owner, opens="10:00", closes="18:00")
    day = whole_hour(days=5).date()
    zone = ZoneInfo(BERLIN.timezone)

    def at(hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), zone)

    closed = (day + timedelta(days=1)).isoformat()
    await _as_owner(
        world,
        owner,
        f"{studio.id}/blackouts",
        {"first_day": closed, "last_day": closed, "reason": "Tuning"},
    )
    await _as_owner(
        world,
        owner,
        f"{studio.id}/extra-hours",
        {"day": day.isoformat(), "opens": "19:00", "closes": "23:00", "reason": "Late"},
    )
    await _as_owner(
        world,
        owner,
        f"{studio.id}/settings",
        {"slot_minutes": 30, "min_notice_minutes": 0, "max_advance_days": 60,
         "buffer_minutes": 0, "buffer_before_minutes": 60},
    )  # fmt: skip

    assert await _outcome(world, first, studio, at(19)) == "confirmed"  # the extra hours
    assert await _outcome(world, second, studio, at(19, 30)) == "refused"  # the first's hour
    assert await _outcome(world, second, studio, at(20, 30)) == "refused"  # set-up from 19:30
    assert await _outcome(world, second, studio, at(21)) == "confirmed"  # set-up 20-21: free
    assert await _outcome(world, second, studio, at(12)) == "confirmed"  # the usual hours
    next_day = at(12) + timedelta(days=1)
    assert await _outcome(world, second, studio, next_day) == "refused"  # closed that day
