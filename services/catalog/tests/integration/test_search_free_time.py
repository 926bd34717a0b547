"""Search by free time: a date, a window for the start and a duration find only studios with a
room free then, by the free time availability last published (FreeTimeChanged)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contracts.availability import FreeSpan, FreeTimeChanged, RoomDay, RoomWeekday
from service_runtime.bus import Bus
from tests.fixtures.tokens import TestIssuer

from ..conftest import Catalog, deliver, published_studio

DAY = datetime.now(UTC).date() + timedelta(days=10)
DAYTIME = FreeSpan(start_minute=9 * 60, end_minute=17 * 60)
EVENING = FreeSpan(start_minute=18 * 60, end_minute=24 * 60)


def free_time(
    studio: dict[str, Any],
    weekly: list[FreeSpan],
    days: dict[date, list[FreeSpan]] | None = None,
    *,
    computed_at: datetime | None = None,
) -> FreeTimeChanged:
    room_id = uuid.UUID(studio["rooms"][0]["id"])
    return FreeTimeChanged(
        studio_id=uuid.UUID(studio["id"]),
        computed_at=computed_at or datetime.now(UTC),
        max_advance_days=30,
        weekly=[RoomWeekday(room_id=room_id, weekday=w, spans=weekly) for w in range(7)],
        days=[RoomDay(room_id=room_id, day=d, spans=s) for d, s in (days or {}).items()],
    )


async def found(catalog: Catalog, names: dict[str, str], **params: Any) -> list[str]:
    response = await catalog.client.get("/api/studios", params={"city": "Berlin", **params})
    assert response.status_code == 200, response.text
    return sorted(names[item["id"]] for item in response.json()["items"])


async def test_only_studios_with_a_room_free_then_are_found(
    catalog: Catalog, booking_service: Bus, token_issuer: TestIssuer
) -> None:
    owner = token_issuer.headers("owner", uuid.uuid4())
    studios = {
        name: await published_studio(catalog.client, owner, name=f"{name.title()} Room")
        for name in ("days", "evenings", "booked", "unknown")
    }
    names = {studio["id"]: name for name, studio in studios.items()}
    await deliver(booking_service, catalog, free_time(studios["days"], [DAYTIME]))
    await deliver(booking_service, catalog, free_time(studios["evenings"], [EVENING]))
    await deliver(booking_service, catalog, free_time(studios["booked"], [DAYTIME], {DAY: []}))
    # An older picture arriving late changes nothing.
    stale = free_time(studios["days"], [], computed_at=datetime.now(UTC) - timedelta(hours=1))
    await deliver(booking_service, catalog, stale)

    morning = {"date": str(DAY), "start_from": "10:00", "start_until": "12:00"}
    assert await found(catalog, names, **morning, duration_minutes=120) == ["days"]
    assert await found(catalog, names, q="room", **morning, duration_minutes=120) == ["days"]
    assert await found(catalog, names, **morning, duration_minutes=8 * 60) == []
    assert await found(catalog, names, date=str(DAY), start_from="19:00") == ["evenings"]
    assert await found(catalog, names, date=str(DAY), duration_minutes=7 * 60) == ["days"]
    assert await found(catalog, names, date=str(DAY), duration_minutes=9 * 60) == []
    next_day = {**morning, "date": str(DAY + timedelta(days=1))}
    assert await found(catalog, names, **next_day) == ["booked", "days"]
    beyond = str(DAY + timedelta(days=30))  # past the studios' 30 days of booking horizon
    assert await found(catalog, names, date=beyond) == []
    assert len(await found(catalog, names)) == 4  # without a date, free time is not asked


async def test_a_garbled_time_search_gets_a_problem_naming_the_parameter(catalog: Catalog) -> None:
    today = datetime.now(UTC).date()
    cases = [
        ("date", {"duration_minutes": 60}),
        ("date", {"date": str(today - timedelta(days=5))}),
        ("date", {"date": "tomorrow"}),
        ("start_from", {"date": str(DAY), "start_from": "25:00"}),
        ("start_until", {"date": str(DAY), "start_from": "12:00", "start_until": "11:00"}),
        ("duration_minutes", {"date": str(DAY), "start_from": "23:00", "duration_minutes": 120}),
        ("duration_minutes", {"date": str(DAY), "duration_minutes": 5}),
        ("duration_minutes", {"date": str(DAY), "duration_minutes": 45}),
    ]
    for field, params in cases:
        response = await catalog.client.get("/api/studios", params=params)
        assert response.status_code == 422, (field, response.text)
        assert field in response.text, (field, response.text)
