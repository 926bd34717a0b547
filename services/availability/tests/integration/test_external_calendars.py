"""Owners' external calendars served from a local HTTP server: their busy times refuse holds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import RedirectResponse

from availability.config import AvailabilitySettings
from tests.fixtures.infra import eventually, free_port, serving
from tests.fixtures.tokens import TestIssuer

from ..conftest import (
    NEW_YORK,
    Availability,
    Launch,
    SeededStudio,
    at,
    days_ahead,
    hold_body,
    seed_studio,
)
from .test_owners_and_queries import free_starts


class IcsServer:
    """A local calendar server whose document, status and size the test changes."""

    def __init__(self) -> None:
        self.document = b""
        self.status = 200
        self.url = ""
        self.app = FastAPI()

        @self.app.get("/feed.ics")
        async def feed() -> Response:
            return Response(self.document, status_code=self.status, media_type="text/calendar")

        @self.app.get("/hop/{left}")
        async def hop(left: int) -> Response:
            target = "/feed.ics" if left == 0 else f"/hop/{left - 1}"
            return RedirectResponse(target, status_code=302)

        @self.app.get("/big.ics")
        async def big() -> Response:
            return Response(b"X" * 200_000, media_type="text/calendar")


@pytest.fixture
async def ics_server() -> AsyncIterator[IcsServer]:
    server = IcsServer()
    async with serving(server.app, free_port()) as url:
        server.url = url
        yield server


@pytest.fixture
async def service_allowing_local(
    launch: Launch, availability_settings: Callable[..., AvailabilitySettings]
) -> Availability:
    return await launch(
        availability_settings(
            external_calendars_allow_private=True,
            external_calendars_max_bytes=100_000,
            external_calendars_max_redirects=2,
        )
    )


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n"
    return text.encode()


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendars_url(studio: SeededStudio) -> str:
    return f"/api/availability/studios/{studio.id}/rooms/{studio.room_id}/external-calendars"


async def add(
    availability: Availability, issuer: TestIssuer, studio: SeededStudio, url: str
) -> dict[str, Any]:
    response = await availability.client.post(
        calendars_url(studio), json={"url": url}, headers=issuer.headers("owner", studio.owner_id)
    )
    assert response.status_code == 201, response.text
    added: dict[str, Any] = response.json()
    return added


async def refresh(
    availability: Availability, issuer: TestIssuer, studio: SeededStudio, calendar_id: str
) -> dict[str, Any]:
    response = await availability.client.post(
        f"{calendars_url(studio)}/{calendar_id}/refresh",
        headers=issuer.headers("owner", studio.owner_id),
    )
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()
    return status


async def hold_status(
    availability: Availability, issuer: TestIssuer, studio: SeededStudio, start: datetime
) -> tuple[int, str | None]:
    response = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, start, start + timedelta(hours=1)),
        headers=issuer.headers("booker"),
    )
    return response.status_code, response.json().get("reason")


async def test_busy_times_of_every_occurrence_refuse_holds_like_a_blackout(
    service_allowing_local: Availability, token_issuer: TestIssuer, ics_server: IcsServer
) -> None:
    availability = service_allowing_local
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(3)
    ics_server.document = ics(
        f"UID:w@test\nDTSTART:{stamp(at(day, 10))}\nDTEND:{stamp(at(day, 12))}\n"
        "RRULE:FREQ=WEEKLY;COUNT=3"
    )
    calendar = await add(availability, token_issuer, studio, f"{ics_server.url}/feed.ics")
    assert calendar["fetched_at"] is None

    status = await refresh(availability, token_issuer, studio, calendar["id"])
    assert status["busy_count"] == 3
    assert status["last_error"] is None
    for week in range(3):
        weekday = day + timedelta(weeks=week)
        assert await hold_status(availability, token_issuer, studio, at(weekday, 11)) == (
            409,
            "blacked_out",
        )
        assert set(await free_starts(availability, studio.id, studio.room_id, weekday)).isdisjoint(
            {at(weekday, 10), at(weekday, 11)}
        )
    assert (await hold_status(availability, token_issuer, studio, at(day, 14)))[0] == 201


async def test_a_failed_fetch_keeps_the_last_good_copy_and_says_why(
    service_allowing_local: Availability, token_issuer: TestIssuer, ics_server: IcsServer
) -> None:
    availability = service_allowing_local
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(4)
    ics_server.document = ics(
        f"UID:x@test\nDTSTART:{stamp(at(day, 10))}\nDTEND:{stamp(at(day, 11))}"
    )
    calendar = await add(availability, token_issuer, studio, f"{ics_server.url}/feed.ics")
    good = await refresh(availability, token_issuer, studio, calendar["id"])

    ics_server.status = 503
    failed = await refresh(availability, token_issuer, studio, calendar["id"])
    assert failed["last_error"] == "the server answered 503"
    assert failed["busy_count"] == 1
    assert failed["fetched_at"] == good["fetched_at"]
    assert await hold_status(availability, token_issuer, studio, at(day, 10)) == (
        409,
        "blacked_out",
    )

    ics_server.status, ics_server.document = 200, b"not a calendar"
    unparsable = await refresh(availability, token_issuer, studio, calendar["id"])
    assert "iCalendar" in unparsable["last_error"]
    assert await hold_status(availability, token_issuer, studio, at(day, 10)) == (
        409,
        "blacked_out",
    )

    listed = await availability.client.get(
        calendars_url(studio), headers=token_issuer.headers("owner", studio.owner_id)
    )
    assert [c["last_error"] for c in listed.json()] == [unparsable["last_error"]]

    removed = await availability.client.delete(
        f"{calendars_url(studio)}/{calendar['id']}",
        headers=token_issuer.headers("owner", studio.owner_id),
    )
    assert removed.status_code == 204
    assert (await hold_status(availability, token_issuer, studio, at(day, 10)))[0] == 201


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/hop/1", None),  # two redirects: within the bound of 2
        ("/hop/2", "more than 2 redirects"),
        ("/big.ics", "the calendar is larger than 100000 bytes"),
    ],
)
async def test_redirects_and_sizes_are_bounded(
    service_allowing_local: Availability,
    token_issuer: TestIssuer,
    ics_server: IcsServer,
    path: str,
    error: str | None,
) -> None:
    studio = await seed_studio(service_allowing_local, token_issuer)
    ics_server.document = ics()
    calendar = await add(service_allowing_local, token_issuer, studio, f"{ics_server.url}{path}")
    status = await refresh(service_allowing_local, token_issuer, studio, calendar["id"])
    assert status["last_error"] == error
    assert (status["fetched_at"] is None) == (error is not None)


async def test_a_local_address_is_refused_when_the_setting_is_off(
    availability: Availability, token_issuer: TestIssuer, ics_server: IcsServer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    calendar = await add(availability, token_issuer, studio, f"{ics_server.url}/feed.ics")
    status = await refresh(availability, token_issuer, studio, calendar["id"])
    assert "not a public address" in status["last_error"]


async def test_the_scheduled_refresh_fetches_due_calendars(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
    ics_server: IcsServer,
) -> None:
    availability = await launch(
        availability_settings(
            external_calendars_allow_private=True, external_calendars_interval_seconds=0.2
        )
    )
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(5)
    ics_server.document = ics(
        f"UID:s@test\nDTSTART:{stamp(at(day, 9))}\nDTEND:{stamp(at(day, 10))}"
    )
    await add(availability, token_issuer, studio, f"{ics_server.url}/feed.ics")

    async def fetched() -> bool:
        return (await hold_status(availability, token_issuer, studio, at(day, 9)))[0] == 409

    await eventually(fetched)


@pytest.mark.parametrize(
    ("caller", "expected"),
    [("nobody", 401), ("booker", 403), ("other owner", 404), ("admin", 404), ("owner", 200)],
)
async def test_only_the_studio_owner_manages_its_rooms_calendars(
    availability: Availability, token_issuer: TestIssuer, caller: str, expected: int
) -> None:
    studio = await seed_studio(availability, token_issuer)
    calendar = await add(availability, token_issuer, studio, "https://example.com/cal.ics")
    headers = {
        "nobody": {},
        "booker": token_issuer.headers("booker"),
        "other owner": token_issuer.headers("owner", uuid.uuid4()),
        "admin": token_issuer.headers("admin"),
        "owner": token_issuer.headers("owner", studio.owner_id),
    }[caller]
    listed = await availability.client.get(calendars_url(studio), headers=headers)
    assert listed.status_code == expected
    added = await availability.client.post(
        calendars_url(studio), json={"url": "https://example.com/b.ics"}, headers=headers
    )
    assert added.status_code == (201 if expected == 200 else expected)
    removed = await availability.client.delete(
        f"{calendars_url(studio)}/{calendar['id']}", headers=headers
    )
    assert removed.status_code == (204 if expected == 200 else expected)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.ics", "file:///etc/passwd", "example.com", "https://" + "a" * 2000]
)
async def test_only_bounded_http_addresses_are_taken(
    availability: Availability, token_issuer: TestIssuer, url: str
) -> None:
    studio = await seed_studio(availability, token_issuer)
    response = await availability.client.post(
        calendars_url(studio),
        json={"url": url},
        headers=token_issuer.headers("owner", studio.owner_id),
    )
    assert response.status_code == 422
    assert "url" in response.text


async def test_a_room_takes_a_bounded_number_of_calendars(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    availability = await launch(availability_settings(max_external_calendars_per_room=2))
    studio = await seed_studio(availability, token_issuer)
    for n in range(2):
        await add(availability, token_issuer, studio, f"https://example.com/{n}.ics")
    response = await availability.client.post(
        calendars_url(studio),
        json={"url": "https://example.com/3.ics"},
        headers=token_issuer.headers("owner", studio.owner_id),
    )
    assert response.status_code == 409


def next_dst_change(zone: ZoneInfo, within_days: int) -> date:
    """The first local date after which the zone's offset differs, within the days given."""
    day = datetime.now(zone).date() + timedelta(days=7)
    for _ in range(within_days):
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        if noon.utcoffset() != (noon + timedelta(days=1)).utcoffset():
            return day
        day += timedelta(days=1)
    raise AssertionError("no DST change ahead")


async def test_a_weekly_event_blocks_the_same_local_hours_across_a_dst_change(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
    ics_server: IcsServer,
) -> None:
    availability = await launch(
        availability_settings(
            external_calendars_allow_private=True, external_calendars_horizon_days=400
        )
    )
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    policy = {"slot_minutes": 60, "min_notice_minutes": 0, "max_advance_days": 366,
              "buffer_minutes": 0}  # fmt: skip
    settings_url = f"/api/availability/studios/{studio.id}/settings"
    assert (await availability.client.put(settings_url, json=policy, headers=owner)).is_success
    change = next_dst_change(NEW_YORK, 330)
    first = change - timedelta(days=7)
    local = first.strftime("%Y%m%d")
    ics_server.document = ics(
        f"UID:dst@test\nDTSTART;TZID=America/New_York:{local}T100000\n"
        f"DTEND;TZID=America/New_York:{local}T110000\nRRULE:FREQ=WEEKLY;COUNT=3"
    )
    calendar = await add(availability, token_issuer, studio, f"{ics_server.url}/feed.ics")
    assert (await refresh(availability, token_issuer, studio, calendar["id"]))["busy_count"] == 3

    for week in range(3):
        day = first + timedelta(weeks=week)
        refused = await hold_status(availability, token_issuer, studio, at(day, 10))
        assert refused == (409, "blacked_out"), day
        assert (await hold_status(availability, token_issuer, studio, at(day, 11)))[0] == 201, day
