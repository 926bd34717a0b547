"""Search by free time across the whole system: availability publishes when a studio's room is
free, catalog keeps it for search, and a booking confirmed for a time takes the studio out of
the results for that time (and a cancellation brings it back), through the gateway and in the
browser's search form. The invariants hold after it."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from scripts.client import BERLIN, Studio, until, whole_hour
from tests.system.browser import Visitor
from tests.system.conftest import RunningSystem
from tests.system.invariants import violations
from tests.system.world import World


@pytest.fixture
async def world(system: RunningSystem, http: httpx.AsyncClient) -> AsyncIterator[World]:
    yield World(http, system.layout)
    assert await asyncio.to_thread(violations, system.layout) == []


async def _found(world: World, word: str, local: datetime, hours: int) -> list[str]:
    """The studios named `word` free from `local` (the studio's wall time) for `hours`."""
    clock = local.strftime("%H:%M")
    params = {
        "q": word,
        "date": local.date().isoformat(),
        "start_from": clock,
        "start_until": clock,
        "duration_minutes": hours * 60,
    }
    response = await world.http.get(f"{world.gateway}/api/studios", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_booked_time_leaves_the_search_for_it_and_a_cancelled_one_comes_back(
    world: World, visitor: Visitor
) -> None:
    owner, booker = await world.account("owner"), await world.account("booker")
    # A word of the studio's own in its name, so that other tests' studios never show up.
    word = f"freetime{uuid.uuid4().hex[:8]}"
    name = f"{word.title()} Loft"
    studio = await world.published_studio(owner, name=name, opens="09:00", closes="18:00")
    starts_at = whole_hour(days=4, hour=10)
    local = starts_at.astimezone(ZoneInfo(BERLIN.timezone))  # 11:00 in Berlin

    await _until_free(world, word, studio, local, free=True)
    afternoon = local.replace(hour=15)
    evening = local.replace(hour=17)  # open until 18:00: no two hours from 17:00

    booking = await world.book(booker, studio, starts_at, hours=2)
    await world.pay(booking)
    await world.until_status(booker, booking["id"], "confirmed")
    await _until_free(world, word, studio, local, free=False)
    assert str(studio.id) in await _found(world, word, afternoon, 2)
    assert str(studio.id) not in await _found(world, word, evening, 2)

    await visitor.go("/search")
    form = visitor.page.get_by_role("search", name="Search filters")
    await form.get_by_label("Words").fill(word)
    await form.get_by_label("Date").fill(local.date().isoformat())
    await form.get_by_label("Starting from").fill("11:00")
    await form.get_by_label("Starting by").fill("11:30")
    await form.get_by_label("For").select_option("2")
    await form.get_by_role("button", name="Search").click()
    results = visitor.page.locator("#results")
    await expect(results).not_to_contain_text("Loft")
    await visitor.look("search-free-at-a-booked-time")
    await form.get_by_label("Starting from").fill("13:00")
    await form.get_by_label("Starting by").fill("15:00")
    await form.get_by_role("button", name="Search").click()
    await expect(results).to_contain_text(name)
    await visitor.look("search-free-in-the-afternoon")
    await results.get_by_role("link", name="Free times that day").click()
    day = visitor.page.get_by_label("Day", exact=True)
    await expect(day).to_have_value(local.date().isoformat())
    times = visitor.page.get_by_role("list", name=re.compile("Free start times"))
    await expect(times.get_by_role("link", name="13:00")).to_be_visible()
    await expect(times.get_by_role("link", name="11:00")).to_have_count(0)  # the booked hours
    await visitor.look("free-times-of-the-day-searched")

    cancelled = await world.act(booker, booking["id"], "cancel")
    assert cancelled.status_code == 200, cancelled.text
    await _until_free(world, word, studio, local, free=True)


async def _until_free(
    world: World, word: str, studio: Studio, local: datetime, *, free: bool
) -> None:
    async def as_expected() -> bool:
        return (str(studio.id) in await _found(world, word, local, 2)) is free

    await until(as_expected, what=f"search to show the studio {'free' if free else 'taken'}")
