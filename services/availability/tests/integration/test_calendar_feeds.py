"""Owners' calendar feeds: who may manage them, and what a calendar app sees at the URL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from availability import db
from contracts.availability import ConfirmSlots, HoldSlots
from contracts.identity import Role, UserCreated, UserDeleted
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Availability, Probe, SeededStudio, at, days_ahead, hold_body, seed_studio


def feeds_url(studio: SeededStudio) -> str:
    return f"/api/availability/studios/{studio.id}/calendar-feeds"


async def create_feed(
    availability: Availability, issuer: TestIssuer, studio: SeededStudio, **body: Any
) -> dict[str, Any]:
    response = await availability.client.post(
        feeds_url(studio), json=body, headers=issuer.headers("owner", studio.owner_id)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def events_of(availability: Availability, path: str) -> list[Any]:
    response = await availability.client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


async def name_user(
    probe: Probe, availability: Availability, user_id: uuid.UUID, name: str
) -> None:
    await probe.send(
        UserCreated(
            user_id=user_id, email=f"{user_id.hex}@example.com", name=name, role=Role.BOOKER
        )
    )

    async def named() -> bool:
        names = await _names(availability, user_id)
        return bool(names)

    await eventually(named)


async def _names(availability: Availability, user_id: uuid.UUID) -> list[str]:
    table = db.booker_first_names
    async with availability.runtime.database.transaction() as session:
        rows = await session.execute(select(table.c.name).where(table.c.user_id == user_id))
        return [row.name for row in rows]


@pytest.mark.parametrize(
    ("caller", "expected"),
    [("nobody", 401), ("booker", 403), ("other owner", 404), ("admin", 404), ("owner", 200)],
)
async def test_only_the_studio_owner_manages_its_feeds(
    availability: Availability, token_issuer: TestIssuer, caller: str, expected: int
) -> None:
    studio = await seed_studio(availability, token_issuer)
    feed = await create_feed(availability, token_issuer, studio)
    headers = {
        "nobody": {},
        "booker": token_issuer.headers("booker"),
        "other owner": token_issuer.headers("owner"),
        "admin": token_issuer.headers("admin"),
        "owner": token_issuer.headers("owner", studio.owner_id),
    }[caller]
    base = feeds_url(studio)

    listed = await availability.client.get(base, headers=headers)
    created = await availability.client.post(base, json={}, headers=headers)
    rotated = await availability.client.post(f"{base}/{feed['id']}/rotate", headers=headers)
    revoked = await availability.client.delete(f"{base}/{feed['id']}", headers=headers)

    assert listed.status_code == expected
    assert created.status_code == (201 if expected == 200 else expected)
    assert rotated.status_code == expected
    assert revoked.status_code == (204 if expected == 200 else expected)
    if expected == 404:  # the feed survived the stranger's attempts
        assert (await availability.client.get(feed["path"])).status_code == 200


async def test_feed_shows_a_new_hold_and_a_confirmed_booking_with_first_name_and_room(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    feed = await create_feed(availability, token_issuer, studio)
    day = days_ahead(3)
    holder, booker = uuid.uuid4(), uuid.uuid4()
    await name_user(probe, availability, holder, "Ada Lovelace")
    await name_user(probe, availability, booker, "Grace Brewster Hopper")
    held = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 9), at(day, 10)),
        headers=token_issuer.headers("booker", holder),
    )
    assert held.status_code == 201, held.text
    reservation_id = await book(probe, availability, studio, booker, at(day, 13), at(day, 15))

    events = await events_of(availability, feed["path"])

    by_summary = {str(event["SUMMARY"]): event for event in events}
    assert set(by_summary) == {"Room 0 — Ada", "Room 0 — Grace"}
    hold, booking = by_summary["Room 0 — Ada"], by_summary["Room 0 — Grace"]
    assert str(hold["STATUS"]) == "TENTATIVE"
    assert str(booking["STATUS"]) == "CONFIRMED"
    assert (at(day, 9), at(day, 10)) == (hold.DTSTART, hold.DTEND)
    assert (at(day, 13), at(day, 15)) == (booking.DTSTART, booking.DTEND)
    assert booking["DTSTART"].to_ical() == at(day, 13).strftime("%Y%m%dT%H%M%SZ").encode()
    assert str(hold["UID"]) == f"{held.json()['hold_id']}@onetime-studios"
    assert str(booking["UID"]) == f"{reservation_id}@onetime-studios"


async def book(
    probe: Probe,
    availability: Availability,
    studio: SeededStudio,
    booker: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
) -> uuid.UUID:
    """What the booking saga does: hold (naming the booker), confirm."""
    booking_id = uuid.uuid4()
    time_range = TimeRange(starts_at=starts_at, ends_at=ends_at)
    await probe.send(
        HoldSlots(
            booking_id=booking_id,
            studio_id=studio.id,
            room_id=studio.room_id,
            time_range=time_range,
            booker_id=booker,
        )
    )
    await _answered(probe, "availability.slots_held", booking_id)
    reservation_id = uuid.UUID(
        probe.payloads("availability.slots_held", {booking_id})[0]["reservation_id"]
    )
    await probe.send(ConfirmSlots(booking_id=booking_id, reservation_id=reservation_id))
    await _answered(probe, "availability.slots_confirmed", booking_id)
    return reservation_id


async def _answered(probe: Probe, message_type: str, booking_id: uuid.UUID) -> None:
    async def answered() -> bool:
        return bool(probe.payloads(message_type, {booking_id}))

    await eventually(answered)


async def test_rotating_gives_a_new_url_and_the_old_one_answers_404(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    feed = await create_feed(availability, token_issuer, studio)

    rotated = await availability.client.post(
        f"{feeds_url(studio)}/{feed['id']}/rotate",
        headers=token_issuer.headers("owner", studio.owner_id),
    )

    assert rotated.status_code == 200
    assert rotated.json()["id"] == feed["id"]
    assert rotated.json()["path"] != feed["path"]
    assert (await availability.client.get(feed["path"])).status_code == 404
    assert (await availability.client.get(rotated.json()["path"])).status_code == 200


async def test_a_revoked_or_unknown_url_answers_404_and_the_list_never_shows_secrets(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    kept = await create_feed(availability, token_issuer, studio)
    revoked = await create_feed(availability, token_issuer, studio, room_id=str(studio.room_id))

    gone = await availability.client.delete(f"{feeds_url(studio)}/{revoked['id']}", headers=owner)
    listed = await availability.client.get(feeds_url(studio), headers=owner)

    assert gone.status_code == 204
    assert (await availability.client.get(revoked["path"])).status_code == 404
    unknown = await availability.client.get(f"/api/availability/feeds/{'x' * 43}.ics")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert [feed["id"] for feed in listed.json()] == [kept["id"]]
    assert "path" not in listed.json()[0]
    again = await availability.client.delete(f"{feeds_url(studio)}/{revoked['id']}", headers=owner)
    assert again.status_code == 404


async def test_a_room_feed_shows_only_that_room_and_is_cached_briefly(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    room_feed = await create_feed(
        availability, token_issuer, studio, room_id=str(studio.room_ids[1])
    )
    day = days_ahead(4)
    for room_id in studio.room_ids:
        held = await availability.client.post(
            "/api/availability/hold",
            json=hold_body(studio, at(day, 11), at(day, 12), room_id=str(room_id)),
            headers=token_issuer.headers("booker"),
        )
        assert held.status_code == 201, held.text

    response = await availability.client.get(room_feed["path"])
    calendar = Calendar.from_ical(response.content)

    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["Room 1 — Guest"]
    assert str(calendar["X-WR-CALNAME"]) == "Test Studio — Room 1"
    assert response.headers["cache-control"] == "private, max-age=300"


async def test_feeds_are_bounded_per_studio_and_name_a_room_of_the_studio(
    launch: Any, availability_settings: Any, token_issuer: TestIssuer
) -> None:
    availability = await launch(availability_settings(max_calendar_feeds_per_studio=2))
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    await create_feed(availability, token_issuer, studio)
    await create_feed(availability, token_issuer, studio)

    third = await availability.client.post(feeds_url(studio), json={}, headers=owner)
    strange_room = await availability.client.post(
        feeds_url(studio), json={"room_id": str(uuid.uuid4())}, headers=owner
    )

    assert third.status_code == 409
    assert strange_room.status_code == 422
    assert "room_id" in strange_room.text


async def test_a_deleted_booker_shows_as_deleted_user(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    feed = await create_feed(availability, token_issuer, studio)
    holder = uuid.uuid4()
    await name_user(probe, availability, holder, "Ada Lovelace")
    day = days_ahead(5)
    held = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 9), at(day, 10)),
        headers=token_issuer.headers("booker", holder),
    )
    assert held.status_code == 201, held.text

    await probe.send(UserDeleted(user_id=holder))

    async def forgotten() -> bool:
        return await _names(availability, holder) == ["deleted user"]

    await eventually(forgotten)
    events = await events_of(availability, feed["path"])
    assert [str(event["SUMMARY"]) for event in events] == ["Room 0 — deleted user"]
