"""An owner's calendar feed as a calendar app reads it: through the gateway, without signing in."""

from __future__ import annotations

import uuid

import httpx
from icalendar import Calendar

from scripts.client import StudiosClient, until, whole_hour
from tests.system.conftest import RunningSystem


async def test_a_booking_confirmed_end_to_end_appears_in_the_owners_feed_until_it_is_revoked(
    system: RunningSystem, http: httpx.AsyncClient
) -> None:
    gateway = system.layout.gateway_url
    client = StudiosClient(http, gateway, system.standin)
    owner = await client.account("owner")
    booker = await client.account("booker")
    studio = await client.published_studio(owner, name=f"Feedroom {uuid.uuid4().hex[:6]}")
    feeds = f"{gateway}/api/availability/studios/{studio.id}/calendar-feeds"
    created = await http.post(feeds, json={}, headers=owner.headers)
    assert created.status_code == 201, created.text
    feed_url = f"{gateway}{created.json()['path']}"
    starts_at = whole_hour(days=4, hour=11)

    booking = await client.book(booker, studio, starts_at, hours=2)
    await client.pay(booking)
    await client.until_status(booker, booking["id"], "confirmed")

    async def confirmed_event() -> list[object]:
        response = await http.get(feed_url)  # no Authorization: the URL is the key
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/calendar")
        events = Calendar.from_ical(response.content).walk("VEVENT")
        return [event for event in events if str(event["STATUS"]) == "CONFIRMED"]

    [event] = await until(confirmed_event, what="the booking in the feed")
    assert str(event["SUMMARY"]) == "Room 0 — Demo"  # the booker is "Demo booker"
    assert event.decoded("DTSTART") == starts_at
    assert event["DTSTART"].to_ical().endswith(b"Z")

    revoked = await http.delete(f"{feeds}/{created.json()['id']}", headers=owner.headers)
    assert revoked.status_code == 204
    assert (await http.get(feed_url)).status_code == 404
