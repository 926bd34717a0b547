"""The booking saga end to end: every service a process, Stripe's part played by the stand-in.

After every scenario the invariants hold: no overlapping booked slots, every confirmed booking
paid for, nothing held or authorized for a failed or cancelled booking, money adds up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from scripts.client import next_minute, soon, until, whole_hour
from scripts.system import STANDIN_WEBHOOK_SECRET
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
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
    # The payment was asked for with the hold: whatever Stripe made of it is cancelled.
    refused_id = refused.json()["booking_id"]
    await until(lambda: world.payments_voided(refused_id), what="the payment voided")
    made = [p["intent_ref"] for p in await world.payments_of(refused_id) if p["intent_ref"]]
    intents = [await world.stripe_intent(intent_id) for intent_id in made]
    assert [intent["status"] for intent in intents] == ["canceled"] * len(intents)


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


async def test_cancelling_before_capture_keeps_what_the_policy_keeps(world: World) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner, policy="flexible", price=6000)
    booking = await world.book(booker, studio, soon(hours=3))  # under 24 h: half back
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")

    cancelled = await world.act(booker, booking["id"], "cancel")

    total = booking["price"]["total_minor"]
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["refund_minor"] == total // 2
    payment = await until(lambda: world.payment_row(booking["id"], "captured"), what="capture")
    assert payment["captured_minor"] == total - total // 2


async def test_cancelling_after_an_immediate_capture_refunds(world: World) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner, policy="strict")
    booking = await world.book(booker, studio, whole_hour(days=9))  # beyond the 7-day auth
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")
    await until(lambda: world.payment_row(booking["id"], "captured"), what="immediate capture")

    cancelled = await world.act(booker, booking["id"], "cancel")  # within the grace hour

    total = booking["price"]["total_minor"]
    assert cancelled.json()["refund_minor"] == total
    payment = await until(lambda: world.payment_row(booking["id"], "refunded"), what="refund")
    assert payment["refunded_minor"] == total


@pytest.mark.waits_for_session_start
async def test_owner_journey_completion_captures_and_pays_out_once_after_the_window(
    world: World, system: RunningSystem
) -> None:
    gateway = world.gateway
    owner = await world.account("owner")
    booker, disputer = await world.account("booker"), await world.account("booker")
    await world.onboard_for_payouts(owner)
    studio = await world.published_studio(owner, rooms=2, price=10000)
    closed_day = (whole_hour(days=20)).date()
    blackout = await world.http.post(
        f"{gateway}/api/availability/studios/{studio.id}/blackouts",
        headers=owner.headers,
        json={"first_day": closed_day.isoformat(), "last_day": closed_day.isoformat()},
    )
    closed_noon = whole_hour(days=20, hour=11)
    refused = await world.request_booking(booker, studio, closed_noon)
    starts_at = next_minute()
    kept = await world.book(booker, studio, starts_at, room=0)
    disputed = await world.book(disputer, studio, starts_at, room=1)
    for booking in (kept, disputed):
        await world.pay(booking)
    for account, booking in ((booker, kept), (disputer, disputed)):
        await world.until_status(account, booking["id"], "confirmed")
    arrived = await world.http.get(
        f"{gateway}/api/bookings", params={"status": "confirmed"}, headers=owner.headers
    )

    assert blackout.status_code == 201, blackout.text
    assert refused.status_code == 409
    assert {item["id"] for item in arrived.json()["items"]} == {kept["id"], disputed["id"]}
    await asyncio.sleep((starts_at - datetime.now(UTC)).total_seconds() + 1)

    for booking in (kept, disputed):
        completed = await world.act(owner, booking["id"], "complete")
        assert completed.status_code == 200, completed.text
    await until(lambda: world.payment_row(disputed["id"], "captured"), what="capture")
    charge = await world.charge_of(disputed)
    opened = await world.http.post(f"{system.standin}/_standin/charges/{charge}/disputes")
    assert opened.status_code == 200, opened.text
    await world.until_status(disputer, disputed["id"], "disputed")

    async def kept_paid_out() -> list[dict[str, Any]]:
        return [p for p in await world.payouts(owner) if p["status"] == "paid"]

    [payout] = await until(kept_paid_out, timeout=45, what="the owner's payout")
    await asyncio.sleep(2)  # the scheduler keeps running: a second transfer would show now
    payouts = {p["booking_id"]: p for p in await world.payouts(owner)}
    total = kept["price"]["total_minor"]
    assert payout["booking_id"] == kept["id"]
    assert payout["amount_minor"] == total - kept["price"]["platform_fee_minor"]
    assert payouts[disputed["id"]]["status"] != "paid"
    assert len(await world.transfers_for(kept["id"])) == 1


async def test_webhooks_repeated_and_out_of_order_change_nothing_and_forgeries_are_refused(
    world: World, system: RunningSystem
) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner)
    booking = await world.book(booker, studio, whole_hour(days=8, hour=14))
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")
    # Eight days out, the payment is captured at once; wait for it so that the capture's own
    # version bump is not taken for a replay's.
    await until(lambda: world.booking_knows_captured(booking["id"]), what="capture recorded")
    before = await world.booking(booker, booking["id"])
    events = await world.events_of(booking)

    for event in reversed(events):
        replayed = await world.deliver_webhook(event, STANDIN_WEBHOOK_SECRET)
        assert replayed.status_code == 200, replayed.text
    forged = await world.deliver_webhook(events[0], "whsec_not_the_secret")
    await asyncio.sleep(1)

    after = await world.booking(booker, booking["id"])
    assert forged.status_code == 400
    assert after["status"] == "confirmed"
    assert after["version"] == before["version"]


async def test_booking_service_killed_between_steps_finishes_the_saga_after_restart(
    world: World, system: RunningSystem
) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    studio = await world.published_studio(owner)
    booking = await world.book(booker, studio, whole_hour(days=10, hour=16))

    system.crash("booking")
    await world.pay(booking)  # the authorization arrives while booking is down
    await asyncio.sleep(1)
    await system.start("booking")

    await world.until_status(booker, booking["id"], "confirmed")
