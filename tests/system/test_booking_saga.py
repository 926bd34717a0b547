"""The booking saga end to end: every service a process, Stripe's part played by the stand-in.

After every scenario the invariants hold: no overlapping booked slots, every confirmed booking
paid for, nothing held or authorized for a failed or cancelled booking, money adds up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World, until, whole_hour


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    urls = {name: system.url(name) for name in system.layout.ports}
    yield World(http, urls, system.standin)
    assert await asyncio.to_thread(violations, system.layout) == []


async def test_booking_is_confirmed_once_the_card_is_authorized(world: World) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner, price=4000)

    booking = await world.book(booker, studio, whole_hour(days=2), hours=2)
    paid = await world.pay(booking)
    confirmed = await world.until_status(booker, booking["id"], "confirmed")

    assert paid.status_code == 200
    assert booking["price"]["total_minor"] == 8000 + booking["price"]["platform_fee_minor"]
    assert confirmed["confirmed_at"] is not None


async def test_a_taken_slot_is_refused_with_409(world: World) -> None:
    owner = await world.account("owner")
    first, second = await world.account("booker"), await world.account("booker")
    studio = await world.published_studio(owner)
    starts_at = whole_hour(days=3)

    await world.book(first, studio, starts_at, hours=2)
    refused = await world.request_booking(second, studio, starts_at + timedelta(hours=1))

    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"


async def test_declined_card_then_good_card_confirms(world: World) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner)
    booking = await world.book(booker, studio, whole_hour(days=4))

    declined = await world.pay(booking, card="pm_card_chargeDeclined")

    async def decline_seen() -> bool:
        return (await world.booking(booker, booking["id"]))["payment_error"] is not None

    await until(decline_seen, what="the decline to reach the booking")
    assert (await world.booking(booker, booking["id"]))["status"] == "pending_payment"
    await world.pay(booking, card="pm_card_visa")
    await world.until_status(booker, booking["id"], "confirmed")
    assert declined.status_code == 402


async def test_no_authorization_before_the_hold_expires_cancels_and_frees_the_slot(
    world: World,
) -> None:
    owner = await world.account("owner")
    booker, later_booker = await world.account("booker"), await world.account("booker")
    studio = await world.published_studio(owner)
    starts_at = whole_hour(days=5)
    booking = await world.book(booker, studio, starts_at)
    await world.pay(booking, card="pm_card_chargeDeclined")

    cancelled = await world.until_status(booker, booking["id"], "cancelled", timeout=60)
    again = await world.book(later_booker, studio, starts_at)

    assert cancelled["cancellation_reason"] is not None
    assert again["status"] == "pending_payment"


async def test_authorized_after_the_hold_expired_confirms_when_the_slot_is_still_free(
    world: World,
) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner)
    booking = await world.book(booker, studio, whole_hour(days=6))
    expires_at = datetime.fromisoformat(booking["hold_expires_at"])
    await asyncio.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.5)

    await world.pay(booking)

    await world.until_status(booker, booking["id"], "confirmed")


async def test_authorized_after_the_hold_expired_and_the_slot_taken_fails_and_voids(
    world: World,
) -> None:
    owner = await world.account("owner")
    booker, rival = await world.account("booker"), await world.account("booker")
    studio = await world.published_studio(owner)
    starts_at = whole_hour(days=7)
    booking = await world.book(booker, studio, starts_at)
    expires_at = datetime.fromisoformat(booking["hold_expires_at"])
    await asyncio.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.5)
    rivals = await world.book(rival, studio, starts_at)  # the expired hold does not block

    await world.pay(booking)

    failed = await world.until_status(booker, booking["id"], "failed")
    assert failed["failure_reason"] == "slots_lost"
    assert rivals["status"] == "pending_payment"
