"""An owner's calendar feeds in a real browser: made on the calendar page, the address shown
once and opened by a calendar app, given a new address, revoked. Screenshots and axe as usual."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from icalendar import Calendar
from playwright.async_api import expect

from scripts.client import StudiosClient
from tests.system.browser import Visitor
from tests.system.conftest import RunningSystem

PASSWORD = "a long enough password"


@pytest.fixture
async def client(system: RunningSystem) -> AsyncIterator[StudiosClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield StudiosClient(http, system.layout.gateway_url, system.layout.standin_url)


async def test_an_owner_makes_renews_and_revokes_a_calendar_feed(
    visitor: Visitor, client: StudiosClient
) -> None:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    owner = await client.sign_up_or_in(email, PASSWORD, "owner")
    studio = await client.published_studio(owner, rooms=2, name=f"Feeds {uuid.uuid4().hex[:6]}")
    page = visitor.page
    await visitor.sign_in(email, PASSWORD)
    await visitor.go(f"/owner/studios/{studio.id}/calendar")

    await page.get_by_label("Feed of").select_option(label="Room 1")
    await page.get_by_role("button", name="Make a feed").click()
    await visitor.look("a new feed's address")
    first_url = await page.get_by_test_id("feed-url").input_value()
    answer = await client.http.get(first_url)  # as a calendar app would, without signing in
    assert answer.status_code == 200, answer.text
    assert str(Calendar.from_ical(answer.content)["X-WR-CALNAME"]).endswith(" — Room 1")
    await expect(page.get_by_test_id("feed")).to_contain_text("Room 1")

    await page.get_by_role("button", name="New address for Room 1").click()
    second_url = await page.get_by_test_id("feed-url").input_value()
    assert second_url != first_url
    assert (await client.http.get(first_url)).status_code == 404
    await page.reload()  # neither rotates again nor shows the address again
    assert not await page.get_by_test_id("feed-url").count()  # shown once, never again
    assert (await client.http.get(second_url)).status_code == 200
    assert await page.get_by_test_id("feed").count() == 1

    await page.get_by_role("button", name="Revoke Room 1").click()
    await visitor.look("feed revoked")
    await expect(page.locator("main")).to_contain_text("Feed revoked")
    assert not await page.get_by_test_id("feed").count()
    assert (await client.http.get(second_url)).status_code == 404
