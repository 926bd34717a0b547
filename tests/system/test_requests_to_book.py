"""Requests to book across the whole system: an owner makes their studio take requests; a paid
request holds the room and the card while it waits; the owner accepts one in the browser (from
the dashboard's list of requests) and declines another, whose card is voided and whose time is
free again. The invariants hold after it."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.async_api import expect

from scripts.client import Account, Studio, until, whole_hour
from tests.fixtures.mail import MailSink, Received
from tests.system.browser import GOOD_CARD, Visitor
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World

PASSWORD = "a long enough password"


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
    assert await asyncio.to_thread(violations, system.layout) == []


async def _taking_requests(world: World, owner: Account, studio: Studio) -> None:
    """The owner switches the studio to requests answered within 6 hours; wait until booking
    prices it so (its quote says when an answer would be due)."""
    path = f"{world.gateway}/api/studios/{studio.id}"
    version = (await world.http.get(path, headers=owner.headers)).json()["version"]
    change = {"booking_mode": "request", "request_window_hours": 6, "version": version}
    changed = await world.http.patch(path, json=change, headers=owner.headers)
    assert changed.status_code == 200, changed.text
    params = _quote(studio, whole_hour(days=3))

    async def a_request() -> bool:
        quote = await world.http.get(f"{world.gateway}/api/bookings/quote", params=params)
        return quote.status_code == 200 and quote.json()["respond_by"] is not None

    await until(a_request, what="booking to know the studio takes requests")


async def _paid_request(
    world: World, booker: Account, studio: Studio, starts_at: datetime
) -> dict[str, Any]:
    booking = await world.book(booker, studio, starts_at)
    await world.pay(booking)
    waiting: dict[str, Any] = await world.until_status(booker, booking["id"], "awaiting_owner")
    return waiting


def _quote(studio: Studio, starts_at: datetime) -> dict[str, str]:
    return {
        "studio_id": str(studio.id), "room_id": str(studio.rooms[0]),
        "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
    }  # fmt: skip


async def _requested_in_the_browser(
    visitor: Visitor, world: World, booker: Account, email: str, studio: Studio, at: datetime
) -> dict[str, Any]:
    """The booker, told before paying that the studio answers each request, pays and sees
    the request wait for the studio."""
    page = visitor.page
    await visitor.sign_in(email, PASSWORD)
    query = urlencode({"room_id": str(studio.rooms[0]), "starts_at": at.isoformat(), "hours": 1})
    await page.goto(f"{visitor.base_url}/studios/{studio.id}/quote?{query}")
    note = page.get_by_test_id("request-note")
    await expect(note).to_contain_text("accepts each booking itself, within 6 hours")
    await visitor.look("the price of a request")
    await page.get_by_role("button", name=re.compile("^Request and pay")).click()
    await page.wait_for_url("**/checkout")
    await visitor.pay(GOOD_CARD)
    waiting = page.get_by_test_id("booking-status").filter(has_text="Waiting for the studio")
    await waiting.wait_for(timeout=30_000)
    await expect(page.get_by_test_id("request-waiting")).to_contain_text("until the studio answers")
    await visitor.look("a request waiting for the studio")
    booking_id = page.url.split("?")[0].rsplit("/", 1)[1]
    return await world.booking(booker, booking_id)


async def _free_at(world: World, studio: Studio, starts_at: datetime) -> bool:
    free = await world.http.get(
        f"{world.gateway}/api/availability",
        params={
            "studio_id": str(studio.id), "room_id": str(studio.rooms[0]),
            "from": starts_at.isoformat(), "to": (starts_at + timedelta(hours=1)).isoformat(),
            "duration_minutes": "60",
        },
    )  # fmt: skip
    assert free.status_code == 200, free.text
    return any(
        datetime.fromisoformat(slot["starts_at"]) == starts_at for slot in free.json()["slots"]
    )


async def test_the_owner_accepts_one_request_and_declines_another_saying_why(
    world: World, visitor: Visitor, mail_sink: MailSink
) -> None:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    owner = await world.sign_up_or_in(email, PASSWORD, "owner")
    booker_email = f"booker-{uuid.uuid4().hex[:8]}@example.com"
    booker = await world.sign_up_or_in(booker_email, PASSWORD, "booker")
    await world.onboard_for_payouts(owner)
    studio = await world.published_studio(owner)
    await _taking_requests(world, owner, studio)
    first_at, second_at = whole_hour(days=3, hour=10), whole_hour(days=3, hour=14)
    asked_at = datetime.now(UTC)

    page_html = (await world.http.get(f"{world.gateway}/studios/{studio.id}")).text
    assert "By request: the owner accepts each booking within 6 hours" in page_html

    first = await _requested_in_the_browser(visitor, world, booker, booker_email, studio, first_at)
    second = await _paid_request(world, booker, studio, second_at)
    by_booker = await world.act(booker, first["id"], "accept")

    respond_by = datetime.fromisoformat(first["respond_by"])
    assert timedelta(hours=6) <= respond_by - asked_at < timedelta(hours=6, minutes=2)
    assert by_booker.status_code == 403
    assert await world.payment_row(first["id"], "authorized")  # the card is held meanwhile
    assert not await _free_at(world, studio, first_at)  # and the time is kept
    quoted = {
        at: (await world.http.get(f"{world.gateway}/api/bookings/quote", params=_quote(studio, at)))
        for at in (first_at, whole_hour(days=3, hour=18))
    }
    assert [answer.json()["free"] for answer in quoted.values()] == [False, True]

    async def asked_to_answer() -> list[Received]:
        subjects = [m for m in mail_sink.to(email) if m.subject.startswith("Request to book")]
        return subjects if len(subjects) == 2 else []

    asked = await until(asked_to_answer, what="the owner's emails about the requests")
    assert f"/owner/bookings/{first['id']}" in " ".join(m.body("plain") for m in asked)

    page = visitor.page
    await page.get_by_role("button", name="Sign out").click()
    await visitor.sign_in(email, PASSWORD)
    await page.get_by_role("link", name="Owner dashboard").click()
    requests = page.get_by_test_id("requests")
    await expect(requests.get_by_role("listitem")).to_have_count(2)
    await expect(requests).to_contain_text("answer by")
    await visitor.look("dashboard with requests")
    await requests.get_by_role("link").first.click()
    await expect(page.get_by_test_id("request-deadline")).to_contain_text("Accept or decline by")
    await visitor.look("a request to answer")
    await page.get_by_role("button", name="Accept the request").click()
    await expect(page.get_by_role("status")).to_contain_text("Request accepted")

    await page.get_by_role("link", name="Dashboard", exact=True).click()
    await page.get_by_test_id("requests").get_by_role("link").click()  # the one left
    await page.get_by_label("Message to the booker (optional)").fill("Closed for a recording.")
    await page.get_by_role("button", name="Decline the request").click()
    await expect(page.get_by_role("status")).to_contain_text("Request declined")

    accepted = await world.until_status(booker, first["id"], "confirmed")
    declined = await world.booking(booker, second["id"])
    said = await world.http.get(
        f"{world.gateway}/api/bookings/{second['id']}/messages", headers=booker.headers
    )

    assert accepted["request_answer"] == "accepted"
    assert (declined["status"], declined["request_answer"], declined["cancelled_by"]) == (
        "cancelled", "declined", "owner",
    )  # fmt: skip
    assert [m["body"] for m in said.json()] == ["Closed for a recording."]
    await until(lambda: world.payment_row(second["id"], "voided"), what="the card released")
    await until(lambda: _free_at(world, studio, second_at), what="the declined time free")
    assert not await _free_at(world, studio, first_at)
