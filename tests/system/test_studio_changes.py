"""An owner's change of a studio never breaks a confirmed booking, through the gateway: the
booked room cannot be deleted and the time zone cannot move (409 naming the booking) until
the booking is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import psycopg
import pytest

from scripts.client import until, whole_hour
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
    assert await asyncio.to_thread(violations, system.layout) == []


async def catalog_holds_live(world: World, booking_id: str) -> bool:
    """Whether catalog has heard the booking's confirmation (a test may read its database)."""

    def read() -> bool:
        url = world.layout.database_urls["catalog"].replace("+psycopg", "")
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT live FROM booked_sessions WHERE booking_id = %s", (booking_id,)
            ).fetchone()
        return row is not None and bool(row[0])

    return await asyncio.to_thread(read)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_booked_room_and_the_time_zone_stay_until_the_booking_is_cancelled(
    world: World,
) -> None:
    gateway = world.layout.gateway_url
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner, rooms=3)
    booked_room, free_room, last_room = (str(room) for room in studio.rooms)
    starts_at = whole_hour(days=4, hour=11)
    booking = await world.book(booker, studio, starts_at, hours=2)
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")
    await until(lambda: catalog_holds_live(world, booking["id"]), what="catalog to hear it")
    path = f"{gateway}/api/studios/{studio.id}"
    version = (await world.http.get(path, headers=owner.headers)).json()["version"]

    delete_booked = await world.http.delete(f"{path}/rooms/{booked_room}", headers=owner.headers)
    move_timezone = await world.http.patch(
        path, json={"timezone": "America/New_York", "version": version}, headers=owner.headers
    )
    delete_free = await world.http.delete(f"{path}/rooms/{free_room}", headers=owner.headers)
    cancelled = await world.act(booker, booking["id"], "cancel")

    async def deleted_once_cancelled() -> httpx.Response | None:
        answer = await world.http.delete(f"{path}/rooms/{booked_room}", headers=owner.headers)
        return None if answer.status_code == 409 else answer

    for refused in (delete_booked, move_timezone):
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        [named] = refused.json()["bookings"]
        assert (named["booking_id"], named["room_id"]) == (booking["id"], booked_room)
        assert instant(named["starts_at"]) == starts_at
        assert (instant(named["ends_at"]) - starts_at).total_seconds() == 2 * 3600
    assert delete_free.status_code == 200, delete_free.text
    assert cancelled.json()["status"] == "cancelled"
    deleted = await until(deleted_once_cancelled, what="catalog to hear the cancellation")
    assert deleted.status_code == 200, deleted.text
    assert [room["id"] for room in deleted.json()["rooms"]] == [last_room]
    # The booking's money settles before the invariants are checked.
    await until(lambda: world.payment_row(booking["id"], "voided"), what="the void")


async def availability_knows_rooms(world: World, studio_id: str) -> list[str]:
    """The rooms availability has heard the studio has (a test may read its database)."""

    def read() -> list[str]:
        url = world.layout.database_urls["availability"].replace("+psycopg", "")
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT room_ids FROM studios WHERE id = %s", (studio_id,)
            ).fetchone()
        return [str(room) for room in row[0]] if row else []

    return await asyncio.to_thread(read)


async def test_a_room_removed_while_its_booker_pays_fails_the_booking_and_voids_the_payment(
    world: World,
) -> None:
    """Catalog lets a room go under a booking not yet confirmed; the booking must then fail
    and give the money back, not be confirmed into a room the studio no longer has."""
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner, rooms=2)
    kept_room, removed_room = (str(room) for room in studio.rooms)
    booking = await world.book(booker, studio, whole_hour(days=5, hour=11), room=1)
    path = f"{world.layout.gateway_url}/api/studios/{studio.id}"

    removed = await world.http.delete(f"{path}/rooms/{removed_room}", headers=owner.headers)
    assert removed.status_code == 200, removed.text

    async def heard() -> bool:
        return await availability_knows_rooms(world, str(studio.id)) == [kept_room]

    await until(heard, what="availability to hear of the room's removal")
    await world.pay(booking)
    failed = await world.until_status(booker, booking["id"], "failed")

    assert failed["status"] == "failed"
    assert await until(lambda: world.payments_voided(booking["id"]), what="the void")
