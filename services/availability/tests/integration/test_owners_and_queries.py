"""Owners' schedule and calendar, the free-times query, and the studio read model."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from availability import db
from availability.db import tables
from contracts.availability import HoldSlots, UnavailableReason
from contracts.catalog import StudioStatus, StudioUnlisted, StudioUpdated
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import (
    NEW_YORK,
    Availability,
    Probe,
    at,
    days_ahead,
    hold_body,
    hold_over_bus,
    seed_studio,
    studio_event,
)

RULES = {"rules": [{"weekday": 0, "opens": "10:00", "closes": "18:00"}]}
BLACKOUT = {"first_day": "2030-01-01", "reason": "New Year"}
EXTRA = {"day": "2029-12-24", "opens": "18:00", "closes": "00:00", "reason": "Carols"}
SETTINGS = {"slot_minutes": 60, "min_notice_minutes": 0, "max_advance_days": 30}


def owner_requests(studio_id: uuid.UUID) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/api/availability/studios/{studio_id}"
    return [
        ("PUT", f"{base}/rules", RULES),
        ("GET", f"{base}/rules", None),
        ("POST", f"{base}/blackouts", BLACKOUT),
        ("GET", f"{base}/blackouts", None),
        ("POST", f"{base}/extra-hours", EXTRA),
        ("GET", f"{base}/extra-hours", None),
        ("PUT", f"{base}/settings", SETTINGS),
        (
            "GET",
            f"/api/owner/studios/{studio_id}/calendar?from=2030-01-01T00:00:00Z"
            "&to=2030-01-02T00:00:00Z",
            None,
        ),
    ]


@pytest.mark.parametrize(
    ("caller", "expected"),
    [("nobody", 401), ("booker", 403), ("other owner", 403), ("owner", 200), ("admin", 200)],
)
async def test_only_the_studio_owner_or_an_admin_changes_its_schedule(
    availability: Availability, token_issuer: TestIssuer, caller: str, expected: int
) -> None:
    studio = await seed_studio(availability, token_issuer)
    headers = {
        "nobody": {},
        "booker": token_issuer.headers("booker"),
        "other owner": token_issuer.headers("owner", uuid.uuid4()),
        "owner": token_issuer.headers("owner", studio.owner_id),
        "admin": token_issuer.headers("admin"),
    }[caller]
    for method, path, body in owner_requests(studio.id):
        response = await availability.client.request(method, path, json=body, headers=headers)
        success = response.status_code in (200, 201)
        assert (200 if success else response.status_code) == expected, (path, response.text)
        if not success:
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"},
        {"from": "2030-01-01T00:00:00Z", "to": "2031-01-01T00:00:00Z"},
        {"from": "0001-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"},
        {"from": "2030-01-01T00:00:00Z", "to": "2030-01-02T00:00:00Z"},
    ],
)
async def test_an_anonymous_caller_of_the_calendar_gets_401_whatever_the_query(
    availability: Availability, token_issuer: TestIssuer, query: dict[str, str]
) -> None:
    studio = await seed_studio(availability, token_issuer)

    response = await availability.client.get(
        f"/api/owner/studios/{studio.id}/calendar", params=query
    )

    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_free_times_come_from_the_rules_in_utc_with_local_time_alongside(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(10)

    response = await availability.client.get(
        "/api/availability",
        params={
            "studio_id": str(studio.id),
            "room_id": str(studio.room_id),
            "from": at(day, 0).isoformat(),
            "to": at(day, 23).isoformat(),
            "duration_minutes": 60,
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["timezone"] == "America/New_York"
    starts = [datetime.fromisoformat(slot["starts_at"]) for slot in body["slots"]]
    assert starts[0] == at(day, 9)
    assert starts[-1] == at(day, 16)
    assert len(starts) == 15
    first = body["slots"][0]
    assert datetime.fromisoformat(first["local_starts_at"]).hour == 9
    assert (
        datetime.fromisoformat(first["local_starts_at"]).utcoffset()
        == at(day, 9).astimezone(NEW_YORK).utcoffset()
    )


async def free_starts(
    availability: Availability, studio_id: uuid.UUID, room_id: uuid.UUID, day: Any
) -> list[datetime]:
    response = await availability.client.get(
        "/api/availability",
        params={
            "studio_id": str(studio_id),
            "room_id": str(room_id),
            "from": at(day, 0).isoformat(),
            "to": at(day, 23).isoformat(),
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 200, response.text
    return [datetime.fromisoformat(slot["starts_at"]) for slot in response.json()["slots"]]


async def test_a_hold_removes_its_time_until_it_expires(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(10)
    held = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 12), at(day, 13)),
        headers=token_issuer.headers("booker"),
    )
    assert held.status_code == 201

    during_hold = await free_starts(availability, studio.id, studio.room_id, day)
    assert at(day, 11) in during_hold
    assert at(day, 11, 30) not in during_hold
    assert at(day, 12, 30) not in during_hold
    assert at(day, 13) in during_hold
    assert at(day, 12) in await free_starts(availability, studio.id, studio.room_ids[1], day)

    async with availability.runtime.database.transaction() as session:
        await session.execute(
            tables.reservations.update().values(
                expires_at=datetime.now(NEW_YORK) - timedelta(seconds=1)
            )
        )
    assert at(day, 12) in await free_starts(availability, studio.id, studio.room_id, day)


async def test_a_blackout_removes_its_time_from_the_free_times(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(11)
    owner = token_issuer.headers("owner", studio.owner_id)
    added = await availability.client.post(
        f"/api/availability/studios/{studio.id}/blackouts",
        json={"starts_at": at(day, 12).isoformat(), "ends_at": at(day, 14).isoformat()},
        headers=owner,
    )
    assert added.status_code == 201, added.text
    whole_day = await availability.client.post(
        f"/api/availability/studios/{studio.id}/blackouts",
        json={"first_day": (day + timedelta(days=1)).isoformat()},
        headers=owner,
    )
    assert whole_day.status_code == 201, whole_day.text

    starts = await free_starts(availability, studio.id, studio.room_id, day)
    assert at(day, 11) in starts
    assert not [s for s in starts if at(day, 11) < s < at(day, 14)]
    assert at(day, 14) in starts
    assert await free_starts(availability, studio.id, studio.room_id, day + timedelta(days=1)) == []
    refused = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 13), at(day, 15)),
        headers=token_issuer.headers("booker"),
    )
    assert refused.status_code == 409
    assert refused.json()["reason"] == "blacked_out"

    removed = await availability.client.delete(
        f"/api/availability/studios/{studio.id}/blackouts/{added.json()['id']}", headers=owner
    )
    assert removed.status_code == 204
    assert at(day, 12) in await free_starts(availability, studio.id, studio.room_id, day)


async def test_extra_hours_open_a_date_beyond_the_weekly_rules_until_removed(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)  # 09:00-17:00 every day
    day = days_ahead(13)
    owner = token_issuer.headers("owner", studio.owner_id)
    base = f"/api/availability/studios/{studio.id}/extra-hours"
    evening = {"day": day.isoformat(), "opens": "19:00", "closes": "00:00", "reason": "Late jam"}
    other_room = {"day": day.isoformat(), "opens": "06:00", "closes": "08:00",
                  "room_id": str(studio.room_ids[1])}  # fmt: skip

    added = await availability.client.post(base, json=evening, headers=owner)
    for_another_room = await availability.client.post(base, json=other_room, headers=owner)
    listed = await availability.client.get(base, headers=owner)
    starts = await free_starts(availability, studio.id, studio.room_id, day)
    held = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 22), at(day + timedelta(days=1), 0)),
        headers=token_issuer.headers("booker"),
    )

    assert (added.status_code, for_another_room.status_code) == (201, 201), added.text
    assert added.json()["closes"] == "00:00:00"
    assert [extra["reason"] for extra in listed.json()] == [None, "Late jam"]  # by time of day
    assert at(day, 19) in starts
    assert at(day, 16) in starts
    assert at(day, 17) not in starts  # 17:00-19:00 stays closed
    assert at(day, 6) not in starts  # the other room's early hours are that room's
    assert held.status_code == 201, held.text
    removed = await availability.client.delete(f"{base}/{added.json()['id']}", headers=owner)
    assert removed.status_code == 204
    later = await free_starts(availability, studio.id, studio.room_id, day)
    assert max(later) == at(day, 16)


async def test_extra_hours_that_close_before_they_open_or_on_a_strange_room_are_refused(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    base = f"/api/availability/studios/{studio.id}/extra-hours"
    day = days_ahead(14).isoformat()

    backwards = await availability.client.post(
        base, json={"day": day, "opens": "20:00", "closes": "18:00"}, headers=owner
    )
    no_day = await availability.client.post(
        base, json={"day": "24 Dec", "opens": "18:00", "closes": "20:00"}, headers=owner
    )
    strange_room = await availability.client.post(
        base,
        json={"day": day, "opens": "18:00", "closes": "20:00", "room_id": str(uuid.uuid4())},
        headers=owner,
    )
    not_there = await availability.client.delete(f"{base}/{uuid.uuid4()}", headers=owner)

    assert backwards.status_code == 422
    assert "close after it opens" in backwards.json()["detail"]
    assert no_day.status_code == 422
    assert no_day.json()["errors"][0]["field"] == "body.day"
    assert strange_room.status_code == 404
    assert not_there.status_code == 404


async def test_holds_outside_opening_hours_are_refused(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(12)
    response = await availability.client.post(
        "/api/availability/hold",
        json=hold_body(studio, at(day, 16, 30), at(day, 17, 30)),
        headers=token_issuer.headers("booker"),
    )
    assert response.status_code == 409
    assert response.json()["reason"] == "outside_opening_hours"


async def test_owner_calendar_lists_reservations_with_booking_ids(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(13)
    booking_id, _ = await hold_over_bus(
        probe, studio, TimeRange(starts_at=at(day, 10), ends_at=at(day, 11))
    )

    response = await availability.client.get(
        f"/api/owner/studios/{studio.id}/calendar",
        params={"from": at(day, 0).isoformat(), "to": at(day, 23).isoformat()},
        headers=token_issuer.headers("owner", studio.owner_id),
    )

    assert response.status_code == 200, response.text
    [entry] = response.json()["reservations"]
    assert entry["booking_id"] == str(booking_id)
    assert entry["status"] == "held"
    assert datetime.fromisoformat(entry["time"]["starts_at"]) == at(day, 10)


async def test_studio_events_keep_the_newest_revision_and_unlisted_studios_take_no_holds(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    newer = studio_event(
        StudioUnlisted,
        studio_id=studio.id,
        owner_id=studio.owner_id,
        room_ids=studio.room_ids,
        revision=3,
        status=StudioStatus.UNLISTED,
    )
    older = studio_event(
        StudioUpdated,
        studio_id=studio.id,
        owner_id=studio.owner_id,
        room_ids=studio.room_ids,
        revision=2,
    )
    await probe.send(newer)
    await probe.send(older)

    async def unlisted_kept() -> bool:
        revision = await availability.scalar(
            select(tables.studios.c.revision).where(tables.studios.c.id == studio.id)
        )
        older_seen = await availability.scalar(
            select(func.count()).where(db.inbox.c.message_type == "catalog.studio_updated")
        )
        return bool(revision == 3 and older_seen == 1)

    await eventually(unlisted_kept)
    day = days_ahead(14)
    command = HoldSlots(
        booking_id=uuid.uuid4(),
        studio_id=studio.id,
        room_id=studio.room_id,
        time_range=TimeRange(starts_at=at(day, 10), ends_at=at(day, 11)),
    )
    await probe.send(command)

    async def refused() -> bool:
        return bool(probe.payloads("availability.slots_unavailable", {command.booking_id}))

    await eventually(refused)
    [payload] = probe.payloads("availability.slots_unavailable", {command.booking_id})
    assert payload["reason"] == UnavailableReason.STUDIO_NOT_BOOKABLE
