"""The admin pages in a real browser on the whole system: an admin suspends a studio with a
reason (it leaves public search) and restores it, changes a person's role, and reads a
booking's saga timeline. Every page looked at is screenshotted and passes axe."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from scripts.client import Place, StudiosClient, whole_hour
from scripts.system import ROOT
from tests.system.browser import Visitor
from tests.system.conftest import RunningSystem

PORTO = Place("Porto", "PT", 41.1579, -8.6291, "Europe/Lisbon", "EUR")
PASSWORD = "a long enough password"
TRACE_ID = re.compile(r"\b[0-9a-f]{32}\b")


@pytest.fixture
async def client(system: RunningSystem) -> AsyncIterator[StudiosClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield StudiosClient(http, system.layout.gateway_url, system.layout.standin_url)


async def _new_admin(system: RunningSystem) -> str:
    """An admin made as operators make one (identity's CLI); their email."""
    email = f"admin-{uuid.uuid4().hex[:10]}@example.com"
    argv = [sys.executable, "-m", "identity", "create-admin", "--email", email,
            "--password", PASSWORD]  # fmt: skip
    env = system.layout.service_env("identity")
    await asyncio.to_thread(subprocess.run, argv, env=env, cwd=ROOT, check=True,
                            capture_output=True)  # fmt: skip
    return email


async def _sign_in(visitor: Visitor, email: str) -> None:
    await visitor.sign_in(email, PASSWORD)


async def _public_search_lists(visitor: Visitor, word: str) -> bool:
    await visitor.page.goto(f"{visitor.base_url}/search?q={word}")
    return word in await visitor.page.locator("#results").inner_text()


async def test_an_admin_moderates_a_studio_changes_a_role_and_reads_a_timeline(
    visitor: Visitor, client: StudiosClient, system: RunningSystem
) -> None:
    word = f"Quasar{uuid.uuid4().hex[:6]}"
    owner = await client.account("owner")
    studio = await client.published_studio(owner, name=f"{word} Rooms", place=PORTO)
    booker_email = f"booker-{uuid.uuid4().hex[:10]}@example.com"
    booker = await client.sign_up_or_in(booker_email, PASSWORD, "booker")
    booking = await client.book(booker, studio, whole_hour(days=3))
    assert (await client.pay(booking)).status_code == 200
    await client.until_status(booker, booking["id"], "confirmed")
    await _sign_in(visitor, await _new_admin(system))
    page = visitor.page

    await page.get_by_role("link", name="Admin", exact=True).click()
    await page.wait_for_url("**/admin")
    await visitor.look("admin overview")
    await page.get_by_role("link", name="Studios", exact=True).first.click()
    await page.get_by_label("Name, words, slug or id").fill(word)
    await page.get_by_role("button", name="Find studios").click()
    await page.wait_for_url("**/admin/studios?q=*")
    await visitor.look("studios found")
    await page.get_by_role("link", name=f"{word} Rooms").click()
    await page.wait_for_url(f"**/admin/studios/{studio.id}")
    await visitor.look("studio to moderate")
    await page.get_by_role("button", name="Suspend this studio").click()
    await visitor.look("suspension without a reason")
    assert "Say why" in await page.locator("#reason-error").inner_text()
    await page.get_by_label("Reason, for the owner").fill("Photos of another studio.")
    await page.get_by_role("button", name="Suspend this studio").click()
    await page.get_by_role("button", name="Restore this studio").wait_for()
    await visitor.look("studio suspended")
    assert await page.get_by_test_id("studio-status").inner_text() == "Suspended"
    assert "Photos of another studio." in await page.locator("main").inner_text()
    assert not await _public_search_lists(visitor, word)

    await page.go_back()
    await page.get_by_role("button", name="Restore this studio").click()
    await page.get_by_role("button", name="Suspend this studio").wait_for()
    await visitor.look("studio restored")
    assert await page.get_by_test_id("studio-status").inner_text() == "Published"
    assert await _public_search_lists(visitor, word)

    await visitor.go("/admin/users")
    await page.get_by_label("Name or email").fill(booker_email)
    await page.get_by_role("button", name="Find people").click()
    await page.wait_for_url("**/admin/users?q=*")
    await page.get_by_label("Role of Demo booker", exact=True).select_option("owner")
    await page.get_by_role("button", name="Change the role of Demo booker").click()
    await page.get_by_text("Demo booker is now owner.").wait_for()
    await visitor.look("role changed")
    assert await page.get_by_label("Role of Demo booker", exact=True).input_value() == "owner"
    assert booker_email in await page.locator("table").inner_text()

    await visitor.go("/admin/bookings")
    await page.get_by_label("Booking id").fill(booking["id"])
    await page.get_by_role("button", name="Show the timeline").click()
    await page.wait_for_url("**/admin/bookings?id=*")
    await visitor.look("booking timeline")
    timeline = await page.locator("table.timeline").inner_text()
    assert "pending payment → confirmed" in timeline or "confirmed" in timeline
    assert TRACE_ID.search(timeline)


async def test_a_booker_is_told_the_admin_pages_are_for_admins(
    visitor: Visitor, client: StudiosClient
) -> None:
    email = f"booker-{uuid.uuid4().hex[:10]}@example.com"
    await client.sign_up_or_in(email, PASSWORD, "booker")
    await _sign_in(visitor, email)

    await visitor.go("/admin/studios")

    assert await visitor.page.get_by_role("heading", level=1).inner_text() == "Admins only"
    assert await visitor.page.get_by_role("link", name="Admin", exact=True).count() == 0
