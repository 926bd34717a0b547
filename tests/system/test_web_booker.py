"""A booker's journeys in a real browser: from a search to a paid, confirmed booking (after a
declined card), a message to the studio and a cancellation with its refund; a booking
confirmed while Stripe's webhooks are late; and two bookers racing for one time. Every page
looked at is screenshotted and passes axe."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from playwright.async_api import Browser, Page

from payments.service.reconciliation import RECONCILER_LOCK
from scripts.client import Place, Studio, StudiosClient, until
from tests.system.browser import DECLINED_CARD as DECLINED
from tests.system.browser import GOOD_CARD as GOOD
from tests.system.browser import Visitor
from tests.system.conftest import RunningSystem

LISBON = Place("Lisbon", "PT", 38.7223, -9.1393, "Europe/Lisbon", "EUR")


@pytest.fixture
async def client(system: RunningSystem) -> AsyncIterator[StudiosClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield StudiosClient(http, system.layout.gateway_url, system.layout.standin_url)


@pytest.fixture
async def second_visitor(
    browser: Browser, system: RunningSystem, request: pytest.FixtureRequest
) -> AsyncIterator[Visitor]:
    """Another person at another browser (a context of its own: no shared cookies)."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = await context.new_page()
    yield Visitor(page, system.layout.gateway_url, f"{request.node.name}-second")
    await context.close()


async def _studio(client: StudiosClient, name: str) -> Studio:
    """A published studio that booking knows too (its read model follows catalog's events)."""
    owner = await client.account("owner")
    studio = await client.published_studio(
        owner, name=name, place=LISBON, price=4500, rooms=2, policy="moderate"
    )
    starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    params = {
        "studio_id": str(studio.id), "room_id": str(studio.rooms[0]),
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
    }  # fmt: skip

    async def quoted() -> bool:
        answer = await client.http.get(f"{client.gateway}/api/bookings/quote", params=params)
        return answer.status_code == 200

    await until(quoted, what="booking to know the studio")
    return studio


async def _selling_an_engineer(client: StudiosClient, studio: Studio) -> None:
    """The owner offers an engineer at €20.00 an hour; wait until booking prices it."""
    added = await client.http.post(
        f"{client.gateway}/api/studios/{studio.id}/add-ons",
        headers=studio.owner.headers,
        json={"name": "Engineer", "pricing": "per_hour", "price_minor": 2000},
    )
    assert added.status_code == 201, added.text
    [engineer] = added.json()["add_ons"]
    starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    params = {
        "studio_id": str(studio.id), "room_id": str(studio.rooms[0]),
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "add_on": engineer["id"],
    }  # fmt: skip

    async def priced() -> bool:
        answer = await client.http.get(f"{client.gateway}/api/bookings/quote", params=params)
        return answer.status_code == 200

    await until(priced, what="booking to know the studio's extras")


def _in_lisbon(days: int) -> str:
    return (datetime.now(ZoneInfo("Europe/Lisbon")) + timedelta(days=days)).date().isoformat()


async def _sign_up(visitor: Visitor, name: str) -> None:
    page = visitor.page
    await page.goto(visitor.base_url + "/sign-up")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Email").fill(f"booker-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Password").fill("a long enough password")
    await page.get_by_role("button", name="Create my account").click()
    await page.wait_for_url(visitor.base_url + "/")


async def _at_checkout(
    visitor: Visitor, client: StudiosClient, studio_name: str, name: str, *, days: int
) -> Page:
    """A new booker who booked 11:00 for an hour, `days` ahead, at a new studio: at the
    checkout's card form."""
    studio = await _studio(client, studio_name)
    page = visitor.page
    await _sign_up(visitor, name)
    await page.goto(visitor.base_url + f"/studios/{studio.id}/times?day={_in_lisbon(days)}&hours=1")
    await page.get_by_role("link", name="11:00", exact=True).click()
    await page.get_by_role("button", name="Book and pay").click()
    await page.wait_for_url("**/checkout")
    return page


async def _status(page: Page, words: str) -> None:
    """Wait until the booking page (which reloads itself as the booking moves) says this."""
    await page.get_by_test_id("booking-status").filter(has_text=words).wait_for(timeout=30_000)


async def test_a_booker_pays_after_a_declined_card_messages_the_studio_and_cancels(
    visitor: Visitor, client: StudiosClient
) -> None:
    word = f"Quokka{uuid.uuid4().hex[:6]}"
    studio = await _studio(client, f"{word} Sound Lab")
    await _selling_an_engineer(client, studio)
    page = visitor.page
    await _sign_up(visitor, "Ada Booker")

    await page.get_by_label("What are you looking for?").fill(word)
    await page.get_by_role("button", name="Search").click()
    await page.get_by_role("link", name=f"{word} Sound Lab").click()
    await page.wait_for_url("**/studios/**")
    await page.get_by_label("Room", exact=True).select_option(index=1)
    await page.get_by_label("Day", exact=True).fill(_in_lisbon(2))
    await page.get_by_label("Hours", exact=True).select_option("2")
    await page.get_by_label("People", exact=True).fill("6")
    await page.get_by_role("button", name="Show free times").click()
    await page.get_by_text("Room 1 holds 1 to 5 people.").wait_for()
    await page.get_by_label("People", exact=True).fill("3")
    await page.get_by_role("button", name="Show free times").click()
    await page.get_by_role("link", name="10:00", exact=True).wait_for()
    await visitor.look("free times")
    panel = await page.locator("#book").inner_text()
    assert "Room 1 · 2 hours · 3 people · times in Europe/Lisbon" in panel

    await page.get_by_role("link", name="10:00", exact=True).click()
    await page.wait_for_url("**/quote?**")
    await visitor.look("price before booking")
    quote = await page.locator("main").inner_text()
    assert "2 hours \u00d7 €45.00" in quote
    assert "Service fee (10%)" in quote
    assert await page.get_by_test_id("quote-total").inner_text() == "€99.00"
    assert "10:00 to 12:00" in quote
    assert await page.get_by_test_id("quote-people").inner_text() == "3"
    await page.get_by_label("Engineer · €20.00 an hour").check()
    await page.get_by_role("button", name="Update the price").click()
    await page.get_by_text("Engineer, 2 h").wait_for()
    await visitor.look("price with an extra")
    assert await page.get_by_test_id("quote-total").inner_text() == "€143.00"  # (90 + 40) + 10 %
    assert await page.get_by_label("Engineer · €20.00 an hour").is_checked()

    await page.get_by_role("button", name="Book and pay €143.00").click()
    await page.wait_for_url("**/checkout")
    await page.get_by_label("Card number").wait_for()
    assert "We hold this time for you until" in await page.locator("#hold").inner_text()
    await visitor.pay(DECLINED)
    await page.locator("#payment-message").filter(has_text="declined").wait_for()
    await visitor.look("card declined")
    assert "try another card" in await page.locator("#payment-message").inner_text()
    await visitor.pay(GOOD)
    await page.wait_for_url("**/bookings/*?redirect_status=succeeded")
    await _status(page, "Confirmed")
    await visitor.look("booking confirmed")
    booking_url = page.url.split("?")[0]
    facts = await page.locator("main").inner_text()
    assert f"{word} Sound Lab" in facts
    assert "Room 1" in facts
    assert "€143.00" in facts
    assert await page.get_by_test_id("booking-people").inner_text() == "3"
    assert await page.get_by_test_id("booking-extras").inner_text() == "Engineer"

    await page.get_by_label("Message to the studio").fill("Is there parking nearby?")
    await page.get_by_role("button", name="Send message").click()
    await page.get_by_text("Your message is sent.").wait_for()
    assert "Is there parking nearby?" in await page.locator("#messages").inner_text()
    booking_id = booking_url.rsplit("/", 1)[1]
    seen_by_owner = await client.http.get(
        f"{client.gateway}/api/bookings/{booking_id}/messages", headers=studio.owner.headers
    )
    assert [m["body"] for m in seen_by_owner.json()] == ["Is there parking nearby?"]

    await page.goto(visitor.base_url + "/bookings")
    await visitor.look("my bookings")
    listed = await page.locator(".booking-list").inner_text()
    assert f"{word} Sound Lab" in listed
    assert "Confirmed" in listed

    await page.get_by_role("link", name=f"{word} Sound Lab").click()
    await page.get_by_role("link", name="Cancel this booking").click()
    await visitor.look("cancel with its refund")
    assert (
        "You get back €143.00 of the €143.00 you paid"
        in await page.get_by_test_id("refund").inner_text()
    )
    await page.get_by_role("button", name="Cancel my booking").click()
    await page.get_by_text("Your booking is cancelled. €143.00 will be refunded").wait_for()
    await _status(page, "Cancelled")
    await visitor.look("cancelled")


async def test_two_bookers_race_for_one_time_and_the_second_is_offered_others(
    visitor: Visitor, second_visitor: Visitor, client: StudiosClient
) -> None:
    studio = await _studio(client, f"Race{uuid.uuid4().hex[:6]} Rooms")
    await asyncio.gather(_sign_up(visitor, "Ann"), _sign_up(second_visitor, "Bo"))
    times = f"/studios/{studio.id}/times?day={_in_lisbon(3)}&hours=1"
    for person in (visitor, second_visitor):
        await person.page.goto(person.base_url + times)
        await person.page.get_by_role("link", name="15:00", exact=True).click()
        await person.page.wait_for_url("**/quote?**")

    both = (visitor, second_visitor)
    await asyncio.gather(*(p.page.get_by_role("button", name="Book and pay").click() for p in both))
    # Each lands on the card form or is told, at once or after the booking page has followed a
    # request that outlasted its wait.
    told = re.compile("Someone else|Pay by card")
    await asyncio.gather(*(p.page.get_by_text(told).first.wait_for(timeout=30_000) for p in both))

    winner, loser = (
        (visitor, second_visitor) if "/checkout" in visitor.page.url else (second_visitor, visitor)
    )
    await winner.pay(GOOD)
    await _status(winner.page, "Confirmed")
    await loser.look("told the time is taken")
    await winner.look("the winner is confirmed")
    shown = await loser.page.locator("main").inner_text()
    assert "Someone else" in shown
    assert "15:00" not in shown
    assert await loser.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await loser.page.get_by_role("link", name="16:00", exact=True).count() == 1 or (
        await loser.page.get_by_role("link", name="Choose another time").count() == 1
    )


async def test_a_hold_that_lapses_unpaid_says_so_and_offers_other_times(
    visitor: Visitor, client: StudiosClient
) -> None:
    page = await _at_checkout(visitor, client, f"Lapse{uuid.uuid4().hex[:6]} Rooms", "Cy", days=4)

    await page.locator("#hold-lapsed").wait_for(state="visible", timeout=30_000)
    await page.get_by_role("link", name="see your booking and choose another time").click()
    await _status(page, "Cancelled")
    await visitor.look("hold lapsed")

    status = await page.locator("#booking-status").inner_text()
    assert "The time we held for you ran out" in status
    assert "You have not been charged." in status
    await page.get_by_role("link", name="Choose another time").click()
    await page.get_by_role("link", name="11:00", exact=True).wait_for()


@contextlib.asynccontextmanager
async def _only_the_page_can_confirm(
    client: StudiosClient, system: RunningSystem
) -> AsyncIterator[None]:
    """Stripe's webhooks not delivered (as when Stripe is slow to send them), and payments'
    reconciliation held off (its lock taken, as by another replica at work)."""
    url = system.layout.database_urls["payments"].replace("postgresql+psycopg://", "postgresql://")
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as lock_holder:
        await lock_holder.execute("SELECT pg_advisory_lock(%s)", (RECONCILER_LOCK,))
        paused = await client.http.post(f"{client.stripe}/_standin/webhooks/pause")
        paused.raise_for_status()
        try:
            yield
        finally:
            await client.http.post(f"{client.stripe}/_standin/webhooks/resume")


async def test_a_paid_booking_is_confirmed_without_waiting_for_stripe_s_webhook(
    visitor: Visitor, client: StudiosClient, system: RunningSystem
) -> None:
    """The page that saw the card go through has payments read it at Stripe at once."""
    page = await _at_checkout(visitor, client, f"Swift{uuid.uuid4().hex[:6]} Rooms", "Di", days=5)
    await page.get_by_label("Card number").wait_for()

    async with _only_the_page_can_confirm(client, system):
        await visitor.pay(GOOD)
        await page.wait_for_url("**/bookings/*?redirect_status=succeeded")
        await _status(page, "Confirmed")
        await visitor.look("confirmed before Stripe's webhook")
