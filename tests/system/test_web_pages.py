"""The public pages in a real browser, as a person clicks: search, a studio's page, signing
up, in and out; at a phone's width and with the keyboard alone. Every page looked at is
screenshotted and passes axe (tests/system/browser.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from scripts.client import Place, StudiosClient
from tests.system.browser import Visitor
from tests.system.conftest import RunningSystem

LISBON = Place("Lisbon", "PT", 38.7223, -9.1393, "Europe/Lisbon", "EUR")


@pytest.fixture
async def client(system: RunningSystem) -> AsyncIterator[StudiosClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield StudiosClient(http, system.layout.gateway_url, system.layout.standin_url)


async def _studio_named(client: StudiosClient, word: str) -> None:
    owner = await client.account("owner")
    await client.published_studio(
        owner, name=f"{word} Sound Lab", place=LISBON, price=4500, rooms=2, policy="moderate"
    )


async def _tab_to(visitor: Visitor, selector: str, limit: int = 40) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        await visitor.page.keyboard.press("Tab")
        if await visitor.page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


async def test_a_visitor_searches_with_filters_and_opens_a_studio(
    visitor: Visitor, client: StudiosClient
) -> None:
    word = f"Zephyr{uuid.uuid4().hex[:6]}"
    await _studio_named(client, word)
    page = visitor.page

    await visitor.go("/")
    await page.get_by_label("What are you looking for?").fill(word)
    await page.get_by_role("button", name="Search").click()
    await page.wait_for_url("**/search?**")
    await visitor.look("search by words")
    await page.get_by_label("Around").select_option("lisbon")
    await page.get_by_label("Currency").select_option("EUR")
    await page.get_by_label("Highest price an hour").fill("50")
    await page.get_by_label("Wi-Fi").check()
    await page.get_by_label("Wi-Fi").uncheck()
    await page.locator("form.filters").get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name=f"{word} Sound Lab")
    await result.wait_for()
    await visitor.look("search with filters")
    assert "€45.00" in await page.locator("#results").inner_text()
    await result.click()
    await page.wait_for_url("**/studios/**")
    await visitor.look("studio page")

    text = await page.locator("main").inner_text()
    assert f"{word} Sound Lab" in text
    assert "Room 0" in text
    assert "Room 1" in text
    assert "Moderate: full refund if you cancel at least 5 days before the start" in text
    assert "Lisbon" in text


async def test_a_photo_that_does_not_load_shows_a_panel_not_a_broken_image(
    visitor: Visitor, client: StudiosClient
) -> None:
    word = f"Faded{uuid.uuid4().hex[:6]}"
    owner = await client.account("owner")
    gone = "http://127.0.0.1:9/gone.jpg"  # nothing listens: the browser's load fails
    shown = f"{visitor.base_url}/static/demo/photo.svg"
    await client.published_studio(
        owner,
        name=f"{word} Loft",
        details={"photos": [{"url": gone, "caption": "Gone"}, {"url": shown, "caption": "Shown"}]},
    )
    page = visitor.page

    await visitor.go(f"/search?q={word}")
    card = page.locator("#results .card")
    await card.get_by_role("img", name=f"{word} Loft (could not be loaded)").wait_for()
    await card.get_by_role("link", name=f"{word} Loft").click()
    await page.wait_for_url("**/studios/**")
    await visitor.look("studio with a photo that does not load")

    gallery = page.get_by_role("list", name="Photos")
    await gallery.get_by_role(
        "img", name=f"Photo 1 of {word} Loft (could not be loaded)"
    ).wait_for()
    assert await gallery.get_by_text("Photo unavailable").count() == 1
    loaded = await gallery.locator("img").evaluate_all("all => all.map(i => i.naturalWidth)")
    [width] = loaded
    assert width > 0


async def test_a_price_without_a_currency_is_shown_beside_the_field(visitor: Visitor) -> None:
    await visitor.go("/search?max_price=50")

    error = visitor.page.locator("#max_price-error")
    assert "choose a currency" in await error.inner_text()
    assert await visitor.page.get_attribute("#max_price", "aria-invalid") == "true"


async def test_a_person_signs_up_is_signed_in_and_signs_out(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.go("/sign-up")
    await page.get_by_label("Your name").fill("Ada Booker")
    await page.get_by_label("Email").fill(f"ada-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Password").fill("a long enough password")
    await page.get_by_role("button", name="Create my account").click()
    await page.wait_for_url(visitor.base_url + "/")
    await visitor.look("signed up")
    assert await page.get_by_test_id("signed-in-name").inner_text() == "Ada Booker"
    await page.get_by_role("link", name="Signed in as Ada Booker").click()
    await visitor.look("account")
    assert "Booker" in await page.locator("main").inner_text()

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(visitor.base_url + "/")
    await visitor.look("signed out")

    assert "You are signed out." in await page.locator("main").inner_text()
    assert await page.get_by_role("link", name="Sign in").is_visible()
    await page.goto(visitor.base_url + "/account")
    assert "/sign-in" in page.url


async def test_a_wrong_password_is_shown_beside_the_form(
    visitor: Visitor, client: StudiosClient
) -> None:
    email = f"bea-{uuid.uuid4().hex[:8]}@example.com"
    await client.sign_up_or_in(email, "the right password", "booker")
    page = visitor.page

    await visitor.go("/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("the wrong password")
    await page.get_by_role("button", name="Sign in").click()
    await visitor.look("wrong password")

    error = page.locator("#password-error")
    assert "do not match" in await error.inner_text()
    assert await page.get_attribute("#password", "aria-describedby") == "password-error"
    assert await page.get_by_label("Email").input_value() == email


@pytest.mark.parametrize("path", ["/", "/search", "/sign-up"])
async def test_pages_fit_a_phone_without_scrolling_sideways(
    phone: Visitor, client: StudiosClient, path: str
) -> None:
    await _studio_named(client, f"Narrow{uuid.uuid4().hex[:6]}")

    await phone.go(path)

    fits = await phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits


async def test_search_and_sign_in_work_with_the_keyboard_alone(
    visitor: Visitor, client: StudiosClient
) -> None:
    word = f"Keys{uuid.uuid4().hex[:6]}"
    await _studio_named(client, word)
    email = f"kay-{uuid.uuid4().hex[:8]}@example.com"
    await client.sign_up_or_in(email, "a long enough password", "booker")
    page = visitor.page

    await visitor.go("/")
    await _tab_to(visitor, "#q")
    await page.keyboard.type(word)
    await page.keyboard.press("Enter")
    await page.get_by_role("link", name=f"{word} Sound Lab").wait_for()

    await visitor.go("/sign-in")
    await _tab_to(visitor, "#email")
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await page.keyboard.type("a long enough password")
    await page.keyboard.press("Enter")
    await page.wait_for_url(visitor.base_url + "/")

    assert await page.get_by_test_id("signed-in-name").is_visible()
