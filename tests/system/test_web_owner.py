"""The owner's pages in a real browser: an owner lists a studio, opens it, sets up payouts,
sees a booking arrive, completes it and sees the payout paid; others are kept out. Every page
looked at is screenshotted and passes axe (tests/system/browser.py)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Page, expect

from scripts.client import Studio, StudiosClient, next_minute, until
from tests.system.browser import Visitor
from tests.system.conftest import RunningSystem

PASSWORD = "a long enough password"
LISBON = ZoneInfo("Europe/Lisbon")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@pytest.fixture
async def client(system: RunningSystem) -> AsyncIterator[StudiosClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield StudiosClient(http, system.layout.gateway_url, system.layout.standin_url)


async def _sign_in(visitor: Visitor, client: StudiosClient, role: str) -> str:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    await client.sign_up_or_in(email, PASSWORD, role)
    await visitor.sign_in(email, PASSWORD)
    return email


async def _create_studio(visitor: Visitor, name: str) -> None:
    page = visitor.page
    await page.get_by_role("link", name="Add a studio").first.click()
    await visitor.look("new studio form")
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Description").fill("A live room with a grand piano.")
    await page.get_by_label("Street address").fill("12 Rua das Flores")
    await page.get_by_label("City").fill("Lisbon")
    await page.get_by_label("Country code").fill("PT")
    await page.get_by_label("Latitude").fill("38.7101")
    await page.get_by_label("Longitude").fill("-9.1428")
    await page.get_by_label("Time zone").fill("Europe/Lisbon")
    await page.get_by_label("Price an hour", exact=True).fill("forty")
    await page.get_by_label("Room 1 name").fill("Live room")
    await page.locator("#room-0-capacity").fill("4")
    await page.get_by_label("Photo 1 address").fill("https://images.example.com/live.jpg")
    await page.get_by_label("Wi-Fi").check()
    await page.get_by_role("radio", name=re.compile("Flexible")).check()
    await page.get_by_role("button", name="Save as a draft").click()
    await visitor.look("a price that is not a number")
    assert "Enter a number" in await page.locator("#price-error").inner_text()
    assert await page.get_attribute("#price", "aria-invalid") == "true"
    await page.get_by_label("Price an hour", exact=True).fill("40")
    await page.get_by_role("button", name="Save as a draft").click()
    await page.get_by_test_id("studio-status").wait_for()


async def _open_hours_when_availability_knows(visitor: Visitor) -> None:
    """Availability learns a published studio from catalog's event: reload until then."""
    page = visitor.page
    await page.get_by_role("link", name="Opening hours and closed days").click()
    for _ in range(60):
        if await page.get_by_role("button", name="Save opening hours").count():
            return
        await asyncio.sleep(0.5)
        await page.reload()
    raise AssertionError("availability never learnt the studio")


async def _set_hours_settings_and_a_blackout(visitor: Visitor, closed: str) -> None:
    page = visitor.page
    for day in WEEKDAYS:  # open around the clock, so a booking can start in a minute
        await page.get_by_label(f"{day} opening 1 opens").fill("00:00")
        await page.get_by_label(f"{day} opening 1 closes").fill("00:00")
    await page.get_by_role("button", name="Save opening hours").click()
    await expect(page.get_by_role("status")).to_contain_text("Opening hours saved.")
    await page.get_by_label("Notice needed (minutes)").fill("0")
    await page.get_by_label("Set-up time before each booking (minutes)").fill("15")
    await page.get_by_role("button", name="Save booking settings").click()
    await expect(page.get_by_role("status")).to_contain_text("Booking settings saved.")
    setup = page.get_by_label("Set-up time before each booking (minutes)")
    assert await setup.input_value() == "15"  # as availability now holds it
    await page.get_by_label("First closed day").fill(closed)
    await page.get_by_label("Reason (only you see it)").fill("Piano tuning")
    await page.get_by_role("button", name="Close these days").click()
    await expect(page.get_by_test_id("blackouts")).to_contain_text("Piano tuning")
    await page.get_by_label("Day", exact=True).fill(closed)
    await page.get_by_label("Opens", exact=True).fill("07:00")
    await page.get_by_label("Closes", exact=True).fill("05:00")
    await page.get_by_role("button", name="Add these hours").click()
    await expect(page.get_by_role("alert")).to_contain_text("Please check the fields")
    await expect(page.locator("#extra_closes-error")).to_contain_text("Close after opening")
    await page.get_by_label("Closes", exact=True).fill("00:00")
    await page.get_by_label("Note (only you see it)").fill("Late session")
    await page.get_by_role("button", name="Add these hours").click()
    await expect(page.get_by_test_id("extra-hours")).to_contain_text("07:00 to midnight")
    await expect(page.get_by_test_id("extra-hours")).to_contain_text("Late session")
    await visitor.look("hours and closed days")
    assert await page.get_by_label("Monday opening 1 opens").input_value() == "00:00"


async def _add_a_cleaning_fee(visitor: Visitor, name: str) -> None:
    """On the studio's Extras page: a price with too many decimals is refused beside its
    field, then a required cleaning fee is added."""
    page = visitor.page
    await page.get_by_role("link", name="Extras", exact=True).click()
    await page.get_by_label("Name", exact=True).fill("Cleaning")
    await page.get_by_label("The price counts").select_option("per_booking")
    await page.get_by_label("Price (EUR)").fill("5.001")
    await page.get_by_label("Part of every booking").check()
    await page.get_by_role("button", name="Add the extra").click()
    await expect(page.locator("#price-error")).to_contain_text("EUR has 2 decimals at most")
    await page.get_by_label("Price (EUR)").fill("5")
    await page.get_by_role("button", name="Add the extra").click()
    await expect(page.get_by_test_id("extras")).to_contain_text("Cleaning · €5.00 a booking")
    await visitor.look("extras")
    await page.get_by_role("link", name=f"Back to {name}").click()


async def _until_booking_charges_the_fee(client: StudiosClient, studio: Studio) -> None:
    """Booking learns the studio's extras from catalog's event: wait until its quote has them."""
    starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    params = {
        "studio_id": str(studio.id), "room_id": str(studio.rooms[0]),
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
    }  # fmt: skip

    async def charged() -> bool:
        quote = await client.http.get(f"{client.gateway}/api/bookings/quote", params=params)
        return quote.status_code == 200 and quote.json()["price"]["add_ons_minor"] == 500

    await until(charged, what="booking to know the cleaning fee")


async def _reload_until(page: Page, text: str, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while text not in await page.locator("main").inner_text():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{text!r} never appeared on {page.url}")
        await asyncio.sleep(1)
        await page.reload()


@pytest.mark.waits_for_session_start
async def test_an_owner_lists_a_studio_and_is_paid_for_a_completed_booking(
    visitor: Visitor, client: StudiosClient
) -> None:
    page = visitor.page
    name = f"Tide Sound {uuid.uuid4().hex[:6]}"
    closed = (datetime.now(LISBON) + timedelta(days=20)).date()
    await _sign_in(visitor, client, "owner")
    await page.get_by_role("link", name="Owner dashboard").click()
    await visitor.look("empty dashboard")

    await _create_studio(visitor, name)
    await visitor.look("draft studio")
    await page.get_by_role("button", name="Publish this studio").click()
    await expect(page.get_by_test_id("studio-status")).to_have_text("Published")
    await visitor.look("published studio")
    studio_id = page.url.rstrip("/").split("/")[-1]
    await _add_a_cleaning_fee(visitor, name)
    await _open_hours_when_availability_knows(visitor)
    await _set_hours_settings_and_a_blackout(visitor, closed.isoformat())

    await page.get_by_role("link", name="Payouts", exact=True).click()
    await page.get_by_role("button", name="Set up or update payouts with Stripe").click()
    await page.get_by_role("link", name="Continue to Stripe").click()
    await page.wait_for_url("**/owner/payouts?onboarding=done")
    await visitor.look("back from onboarding")
    assert (
        "Stripe has your details" in await page.get_by_test_id("onboarding-returned").inner_text()
    )

    booker = await client.account("booker")
    listed = (await client.http.get(f"{client.gateway}/api/studios/{studio_id}")).json()
    studio = Studio(uuid.UUID(studio_id), [uuid.UUID(listed["rooms"][0]["id"])], booker)
    await _until_booking_charges_the_fee(client, studio)
    starts_at = next_minute()
    booking = await client.book(booker, studio, starts_at)
    paid = await client.pay(booking)
    assert paid.status_code == 200, paid.text
    await client.until_status(booker, booking["id"], "confirmed")
    local_start = f"{starts_at.astimezone(LISBON):%H:%M}"

    await page.get_by_role("link", name="Dashboard", exact=True).click()
    await visitor.look("dashboard with a booking")
    next_bookings = await page.get_by_test_id("next-bookings").inner_text()
    assert f"{local_start} WET" in next_bookings or f"{local_start} WEST" in next_bookings
    assert "€49.50" in next_bookings  # 40 for the hour, 5 for cleaning, and the platform's 10 %
    await page.get_by_role("link", name=f"Calendar of {name}").click()
    await visitor.look("calendar with the booking")
    calendar = page.get_by_test_id("calendar")
    await expect(calendar.get_by_role("row", name=re.compile("Live room"))).to_contain_text(
        f"{local_start}\u2013"
    )
    await calendar.get_by_role("link", name=re.compile(f"^{local_start}")).click()
    await expect(page.get_by_test_id("booking-status")).to_have_text("Confirmed")

    await asyncio.sleep(max(0.0, (starts_at - datetime.now(UTC)).total_seconds() + 1))
    await page.reload()
    await page.get_by_role("button", name="Mark as completed").click()
    await expect(page.get_by_test_id("booking-status")).to_have_text("Completed")
    await visitor.look("completed booking")

    await page.get_by_role("link", name="Payouts", exact=True).click()
    await _reload_until(page, "Paid ")
    await visitor.look("payout paid")
    history = await page.get_by_test_id("payouts").inner_text()
    assert "€45.00" in history  # the owner's share: rental and cleaning, without the fee
    await page.get_by_role("link", name="Dashboard", exact=True).click()
    assert await page.get_by_test_id("earnings").inner_text() == "€45.00"


async def test_a_booker_is_told_owner_pages_are_for_owners(
    visitor: Visitor, client: StudiosClient
) -> None:
    await _sign_in(visitor, client, "booker")

    await visitor.go("/owner")

    assert "These pages are for studio owners" in await visitor.page.locator("main").inner_text()
    assert not await visitor.page.get_by_role("link", name="Owner dashboard").count()


async def test_owner_pages_fit_a_phone(phone: Visitor, client: StudiosClient) -> None:
    owner = await client.sign_in(await _sign_in(phone, client, "owner"), PASSWORD)
    studio = await client.published_studio(owner, rooms=2)

    for path in ("/owner", f"/owner/studios/{studio.id}", f"/owner/studios/{studio.id}/hours",
                 f"/owner/studios/{studio.id}/calendar", "/owner/payouts"):  # fmt: skip
        await phone.go(path)
        fits = await phone.page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert fits, path
