"""Add-ons across the whole system: booking prices what catalog says the studio sells, payments
is asked for the whole (rental, extras, fee), and a cancellation by policy gives the whole back.
The invariants hold after it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from scripts.client import Account, Studio, until, whole_hour
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
    assert await asyncio.to_thread(violations, system.layout) == []


async def _sell(world: World, owner: Account, studio: Studio, extra: dict[str, Any]) -> str:
    added = await world.http.post(
        f"{world.gateway}/api/studios/{studio.id}/add-ons", json=extra, headers=owner.headers
    )
    assert added.status_code == 201, added.text
    return str(next(a["id"] for a in added.json()["add_ons"] if a["name"] == extra["name"]))


async def test_extras_are_paid_with_the_booking_and_refunded_with_it(world: World) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner, price=5000)
    engineer = await _sell(
        world, owner, studio, {"name": "Engineer", "pricing": "per_hour", "price_minor": 2000}
    )
    cleaning = {"name": "Cleaning", "pricing": "per_booking", "price_minor": 1000, "required": True}
    await _sell(world, owner, studio, cleaning)
    starts_at = whole_hour(days=3, hour=11)
    body = {
        "studio_id": str(studio.id), "room_id": str(studio.rooms[0]),
        "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
        "add_ons": [{"add_on_id": engineer, "quantity": 1}],
    }  # fmt: skip

    async def priced_with_both() -> dict[str, Any] | None:
        quote = await world.http.post(f"{world.gateway}/api/bookings/quote", json=body)
        return (
            quote.json()
            if quote.status_code == 200 and len(quote.json()["price"]["add_ons"]) == 2
            else None
        )

    quote = await until(priced_with_both, what="booking to know the studio's extras")
    made = await world.http.post(f"{world.gateway}/api/bookings", json=body, headers=booker.headers)
    assert made.status_code == 201, made.text
    booking = made.json()
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")
    payment = await until(
        lambda: world.payment_row(booking["id"], "authorized"), what="the authorization"
    )
    cancelled = await world.act(booker, booking["id"], "cancel")

    # (100.00 rental + 40.00 engineer for 2 hours + 10.00 cleaning) + 10 % fee
    assert quote["total_minor"] == booking["price"]["total_minor"] == 16_500
    assert booking["price"]["add_ons_minor"] == 5_000
    assert payment["amount_minor"] == 16_500
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["refund_minor"] == 16_500  # three days ahead: all of it back
    await until(lambda: world.payment_row(booking["id"], "voided"), what="the card released")
