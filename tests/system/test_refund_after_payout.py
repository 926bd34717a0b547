"""Money after the payout: an admin's refund of a booking whose owner was paid takes the owner's
share back from the transfer, once, and the ledger still balances (the `world` fixture checks
the invariants after the test)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from scripts.client import next_minute, until
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World

STRIPE = {"Authorization": "Bearer sk_test_standin"}


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
    assert await asyncio.to_thread(violations, system.layout) == []


@pytest.mark.waits_for_session_start
async def test_admin_refund_after_the_payout_reverses_the_owners_share_once(
    world: World, system: RunningSystem
) -> None:
    owner, booker, admin = (
        await world.account("owner"),
        await world.account("booker"),
        await world.admin(),
    )
    await world.onboard_for_payouts(owner)
    studio = await world.published_studio(owner, price=10000)
    starts_at = next_minute()
    booking = await world.book(booker, studio, starts_at)
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")
    await asyncio.sleep((starts_at - datetime.now(UTC)).total_seconds() + 1)
    completed = await world.act(owner, booking["id"], "complete")
    assert completed.status_code == 200, completed.text

    async def paid_out() -> list[dict[str, Any]]:
        return [p for p in await world.payouts(owner) if p["status"] == "paid"]

    [payout] = await until(paid_out, timeout=45, what="the owner's payout")
    refunds = f"{world.gateway}/api/payments/admin/bookings/{booking['id']}/refunds"
    headers = {**admin.headers, "Idempotency-Key": f"goodwill-{booking['id']}"}
    body = {"amount_minor": 2_000, "reason": "the room was cold"}
    first = await world.http.post(refunds, json=body, headers=headers)
    again = await world.http.post(refunds, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert again.json()["refund_id"] == first.json()["refund_id"]

    [transfer] = await world.transfers_for(booking["id"])
    transfer_id = transfer["data"]["object"]["id"]

    async def reversals() -> list[dict[str, Any]]:
        listed = await world.http.get(
            f"{system.standin}/v1/transfers/{transfer_id}/reversals", headers=STRIPE
        )
        data: list[dict[str, Any]] = listed.json()["data"]
        return data

    [reversal] = await until(reversals, timeout=20, what="the reversal")
    total = booking["price"]["total_minor"]
    expected = round(2_000 * payout["amount_minor"] / total)
    assert abs(reversal["amount"] - expected) <= 1

    async def reversal_shown() -> list[dict[str, Any]]:
        return [p for p in await world.payouts(owner) if p["reversed_minor"] > 0]

    [shown] = await until(reversal_shown, timeout=20, what="the reversal in the payouts")
    payment = await until(lambda: world.payment_row(booking["id"], "captured"), what="payment")
    assert payment is not None
    assert payment["refunded_minor"] == 2_000
    assert shown["reversed_minor"] == reversal["amount"]
    await asyncio.sleep(2)  # the runner keeps running: a second reversal or refund would show now
    assert len(await reversals()) == 1
    replay = await world.http.post(refunds, json=body, headers=headers)
    assert replay.json()["refund_id"] == first.json()["refund_id"]
    assert len(await reversals()) == 1
