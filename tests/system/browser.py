"""A real browser on the whole system: Playwright driving Debian's Chromium (never a download)
against the pages behind the real nginx gateway. Every page a test looks at is saved as a
screenshot in tests/screenshots/ (git-ignored) and checked by axe, which must find nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

if TYPE_CHECKING:
    from tests.system.conftest import RunningSystem


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


class Visitor:
    """A person at a browser tab: `look` saves what they see and checks it with axe."""

    def __init__(self, page: Page, base_url: str, name: str) -> None:
        self.page, self.base_url = page, base_url
        self._name = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
        self._axe = Axe()
        self._shots = 0

    async def go(self, path: str) -> None:
        await self.page.goto(self.base_url + path)
        await self.look(path)

    async def sign_in(self, email: str, password: str) -> None:
        """Through the sign-in form, as a person does; ends on the home page."""
        await self.go("/sign-in")
        await self.page.get_by_label("Email").fill(email)
        await self.page.get_by_label("Password").fill(password)
        await self.page.get_by_role("button", name="Sign in").click()
        await self.page.wait_for_url(self.base_url + "/")

    async def pay(self, card: str) -> None:
        """Fill the checkout's card form (the stand-in's Stripe.js) and press Pay."""
        await self.page.get_by_label("Card number").fill(card)
        await self.page.get_by_label("Expiration date").fill("12 / 34")
        await self.page.get_by_label("Security code").fill("123")
        await self.page.get_by_role("button", name="Pay").click()

    async def look(self, label: str) -> None:
        """Screenshot the page and assert axe finds no accessibility violation on it."""
        await self.page.wait_for_load_state("networkidle")
        self._shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "home"
        SCREENSHOTS.mkdir(exist_ok=True)
        await self.page.screenshot(
            path=str(SCREENSHOTS / f"{self._name}-{self._shots:02d}-{slug}.png"), full_page=True
        )
        results = await self._axe.run(self.page)
        assert results.violations_count == 0, results.generate_report()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():  # noqa: ASYNC240 (once per session)
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test does)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def visitor(
    browser: Browser, system: RunningSystem, request: pytest.FixtureRequest
) -> AsyncIterator[Visitor]:
    """A fresh browser context (no cookies) at desktop width, named for the test."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    yield Visitor(page, system.layout.gateway_url, request.node.name)
    await context.close()


@pytest.fixture
async def phone(
    browser: Browser, system: RunningSystem, request: pytest.FixtureRequest
) -> AsyncIterator[Visitor]:
    """The same at a phone's width (390 px)."""
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    yield Visitor(page, system.layout.gateway_url, request.node.name)
    await context.close()
