"""Bad input is a 4xx problem naming the field, never a 500; bad commands never crash a handler."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from availability.config import AvailabilitySettings
from contracts import Envelope
from contracts.availability import HoldSlots
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import (
    Availability,
    Launch,
    Probe,
    SeededStudio,
    at,
    days_ahead,
    hold_body,
    seed_studio,
)

YEAR_1 = "0001-01-01T00:00:00Z"
YEAR_9999 = "9999-12-31T00:00:00Z"


def refused_fields(response: httpx.Response) -> list[str]:
    """The fields a 422 problem names; fails on anything else."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def free_times_query(studio: SeededStudio, **changes: str) -> dict[str, str]:
    day = days_ahead(3)
    return {
        "studio_id": str(studio.id),
        "room_id": str(studio.room_id),
        "from": at(day, 0).isoformat(),
        "to": at(day, 23).isoformat(),
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from": YEAR_1}, "query.from"),
        ({"to": YEAR_9999}, "query.to"),
        ({"from": "2030-01-01T00:00:00Z", "to": "2030-06-01T00:00:00Z"}, "query.to"),
        ({"from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"}, "query.to"),
    ],
)
async def test_free_times_refuse_absurd_or_unbounded_windows(
    availability: Availability,
    token_issuer: TestIssuer,
    changes: dict[str, str],
    field: str,
) -> None:
    studio = await seed_studio(availability, token_issuer)

    response = await availability.client.get(
        "/api/availability", params=free_times_query(studio, **changes)
    )

    assert refused_fields(response) == [field]


async def test_free_times_refuse_a_duration_longer_than_any_hold(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await launch(availability_settings(max_hold_hours=2))
    studio = await seed_studio(replica, token_issuer)

    response = await replica.client.get(
        "/api/availability", params=free_times_query(studio, duration_minutes="180")
    )

    assert refused_fields(response) == ["query.duration_minutes"]


async def test_the_owner_calendar_refuses_year_one(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)

    response = await availability.client.get(
        f"/api/owner/studios/{studio.id}/calendar",
        params={"from": YEAR_1, "to": "2030-01-01T00:00:00Z"},
        headers=token_issuer.headers("owner", studio.owner_id),
    )

    assert refused_fields(response) == ["query.from"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": YEAR_1}, "body.starts_at"),
        ({"ends_at": YEAR_9999}, "body.ends_at"),
        ({"starts_at": "2030-01-01T11:00:00Z", "ends_at": "2030-01-01T10:00:00Z"}, "body.ends_at"),
    ],
)
async def test_holds_refuse_absurd_dates(
    availability: Availability,
    token_issuer: TestIssuer,
    changes: dict[str, str],
    field: str,
) -> None:
    studio = await seed_studio(availability, token_issuer)
    day = days_ahead(3)

    response = await availability.client.post(
        "/api/availability/hold",
        json={**hold_body(studio, at(day, 10), at(day, 11)), **changes},
        headers=token_issuer.headers("booker"),
    )

    assert refused_fields(response) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_day": "0001-01-01"}, "body.first_day"),
        ({"first_day": "2030-01-01", "last_day": "9999-12-31"}, "body.last_day"),
        ({"starts_at": YEAR_1, "ends_at": "2030-01-01T00:00:00Z"}, "body.starts_at"),
        ({"first_day": "2030-01-01", "reason": "closed\x00"}, "body.reason"),
        ({"first_day": "2030-01-01", "reason": "x" * 501}, "body.reason"),
    ],
)
async def test_blackouts_refuse_absurd_dates_and_nul_text(
    availability: Availability, token_issuer: TestIssuer, body: dict[str, Any], field: str
) -> None:
    studio = await seed_studio(availability, token_issuer)

    response = await availability.client.post(
        f"/api/availability/studios/{studio.id}/blackouts",
        json=body,
        headers=token_issuer.headers("owner", studio.owner_id),
    )

    assert refused_fields(response) == [field]


async def test_a_studio_keeps_a_bounded_number_of_blackouts(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await launch(availability_settings(max_blackouts_per_studio=2))
    studio = await seed_studio(replica, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    url = f"/api/availability/studios/{studio.id}/blackouts"
    for day in ("2030-01-01", "2030-01-02"):
        added = await replica.client.post(url, json={"first_day": day}, headers=owner)
        assert added.status_code == 201, added.text

    refused = await replica.client.post(url, json={"first_day": "2030-01-03"}, headers=owner)

    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "at most 2 blackouts" in refused.json()["detail"]
    assert len((await replica.client.get(url, headers=owner)).json()) == 2


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"opens": "09:00Z"}, "body.rules.0.opens"),
        ({"closes": "17:00+05:00"}, "body.rules.0.closes"),
        # What the document's `type: integer` and time pattern refuse, pydantic alone would take.
        ({"weekday": False}, "body.rules.0.weekday"),
        ({"weekday": "1"}, "body.rules.0.weekday"),
        ({"weekday": 1.0}, "body.rules.0.weekday"),
        ({"opens": 32400}, "body.rules.0.opens"),  # seconds since midnight
        ({"opens": "09:00:00.1234567"}, "body.rules.0.opens"),
        ({"closes": "9:00"}, "body.rules.0.closes"),
    ],
)
async def test_rules_outside_what_the_document_allows_are_refused(
    availability: Availability, token_issuer: TestIssuer, rule: dict[str, Any], field: str
) -> None:
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    url = f"/api/availability/studios/{studio.id}/rules"

    response = await availability.client.put(
        url,
        json={"rules": [{"weekday": 0, "opens": "08:00", "closes": "17:00", **rule}]},
        headers=owner,
    )

    assert refused_fields(response) == [field]
    kept = (await availability.client.get(url, headers=owner)).json()["rules"]
    assert {rule["opens"] for rule in kept} == {"09:00:00"}  # the schedule seeded, untouched


async def test_a_request_replaces_a_bounded_number_of_rules(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    rules = [{"weekday": 0, "opens": "09:00", "closes": "10:00"}] * 501

    response = await availability.client.put(
        f"/api/availability/studios/{studio.id}/rules",
        json={"rules": rules},
        headers=token_issuer.headers("owner", studio.owner_id),
    )

    assert refused_fields(response) == ["body.rules"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slot_minutes": 2**63}, "body.slot_minutes"),
        ({"max_advance_days": 7.3e35}, "body.max_advance_days"),
        ({"buffer_minutes": -1}, "body.buffer_minutes"),
        ({"buffer_minutes": False}, "body.buffer_minutes"),
        ({"slot_minutes": True}, "body.slot_minutes"),
        ({"min_notice_minutes": "60"}, "body.min_notice_minutes"),
        ({"max_advance_days": 30.0}, "body.max_advance_days"),
    ],
)
async def test_booking_policy_refuses_what_is_not_an_integer_in_bounds(
    availability: Availability, token_issuer: TestIssuer, body: dict[str, Any], field: str
) -> None:
    studio = await seed_studio(availability, token_issuer)

    response = await availability.client.put(
        f"/api/availability/studios/{studio.id}/settings",
        json=body,
        headers=token_issuer.headers("owner", studio.owner_id),
    )

    assert refused_fields(response) == [field]


async def test_booking_policy_refused_for_a_boolean_keeps_the_buffer(
    availability: Availability, token_issuer: TestIssuer
) -> None:
    studio = await seed_studio(availability, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    url = f"/api/availability/studios/{studio.id}/settings"
    assert (
        await availability.client.put(url, json={"buffer_minutes": 15}, headers=owner)
    ).is_success

    refused = await availability.client.put(url, json={"buffer_minutes": False}, headers=owner)

    assert refused.status_code == 422
    assert (await availability.client.get(url, headers=owner)).json()["buffer_minutes"] == 15


async def test_hold_commands_far_out_or_spanning_centuries_are_answered_unavailable(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer, daily_hours=("00:00", "00:00"))
    far_out = datetime(2199, 6, 1, 14, tzinfo=UTC)
    ranges = [
        TimeRange(starts_at=far_out, ends_at=far_out + timedelta(hours=1)),
        TimeRange(starts_at=datetime(2000, 1, 1, tzinfo=UTC), ends_at=far_out),
    ]
    commands = [
        HoldSlots(
            booking_id=uuid.uuid4(), studio_id=studio.id, room_id=studio.room_id, time_range=r
        )
        for r in ranges
    ]
    bookings = {command.booking_id for command in commands}

    for command in commands:
        await probe.send(command)

    async def all_answered() -> bool:
        return len(probe.payloads("availability.slots_unavailable", bookings)) == len(commands)

    await eventually(all_answered)
    details = {
        payload["booking_id"]: payload["detail"]
        for payload in probe.payloads("availability.slots_unavailable", bookings)
    }
    assert details[str(commands[0].booking_id)] == "Holds go at most 180 days ahead."
    assert details[str(commands[1].booking_id)] == "A hold lasts at most 24 hours."
    assert await availability.live_reservations() == 0


async def test_a_hold_command_in_year_9999_is_set_aside_and_the_next_is_answered(
    availability: Availability, token_issuer: TestIssuer, probe: Probe
) -> None:
    studio = await seed_studio(availability, token_issuer)
    absurd_booking = uuid.uuid4()
    absurd = Envelope(
        message_type=HoldSlots.message_type,
        schema_version=HoldSlots.schema_version,
        correlation_id=str(absurd_booking),
        payload={
            "booking_id": str(absurd_booking),
            "studio_id": str(studio.id),
            "room_id": str(studio.room_id),
            "time_range": {"starts_at": "9999-12-30T10:00:00Z", "ends_at": YEAR_9999},
        },
    )
    day = days_ahead(3)
    good = HoldSlots(
        booking_id=uuid.uuid4(),
        studio_id=studio.id,
        room_id=studio.room_id,
        time_range=TimeRange(starts_at=at(day, 10), ends_at=at(day, 11)),
    )

    await probe.bus.publish(HoldSlots.routing_key, absurd.model_dump(mode="json"))
    await probe.send(good)

    async def good_held() -> bool:
        return bool(probe.payloads("availability.slots_held", {good.booking_id}))

    await eventually(good_held)
    assert not [e for e in probe.received if e.correlation_id == str(absurd_booking)]
    assert await availability.live_reservations() == 1


async def test_free_times_list_a_bounded_number_and_say_where_the_rest_start(
    launch: Launch,
    availability_settings: Callable[..., AvailabilitySettings],
    token_issuer: TestIssuer,
) -> None:
    replica = await launch(availability_settings(max_slots_per_query=3))
    studio = await seed_studio(replica, token_issuer)  # starts every 30 minutes from 09:00
    query = free_times_query(studio, duration_minutes="60")

    first = (await replica.client.get("/api/availability", params=query)).json()
    rest = (
        await replica.client.get("/api/availability", params={**query, "from": first["next_from"]})
    ).json()

    assert [slot["local_starts_at"][11:16] for slot in first["slots"]] == [
        "09:00",
        "09:30",
        "10:00",
    ]
    assert datetime.fromisoformat(first["next_from"]) == at(days_ahead(3), 10, 30)
    assert rest["slots"][0]["local_starts_at"][11:16] == "10:30"
