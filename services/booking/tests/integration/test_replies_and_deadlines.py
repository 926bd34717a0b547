"""Through the real bus: a reply the saga did not ask for changes nothing, and is noted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.availability import ReleaseSlots, SlotsHeld
from contracts.values import TimeRange
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Probe, Studio, booking_body

pytestmark = pytest.mark.integration


async def _timeline(booking: BookingService, token_issuer: TestIssuer, booking_id: str) -> list:  # type: ignore[type-arg]
    response = await booking.http.get(
        f"/api/admin/bookings/{booking_id}/timeline", headers=token_issuer.headers("admin")
    )
    entries: list = response.json()["entries"]  # type: ignore[type-arg]
    return entries


async def test_a_foreign_ten_hour_hold_leaves_a_one_hour_booking_untouched(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    probe.hold = "silent"  # availability has not answered the booking's own HoldSlots yet
    booker = uuid.uuid4()
    created = await booking.http.post(
        "/api/bookings",
        json=booking_body(studio, days_ahead=60, hours=1),
        headers=token_issuer.headers("booker", booker),
    )
    assert created.status_code == 202
    booking_id = uuid.UUID(created.json()["id"])
    starts_at = datetime.fromisoformat(created.json()["starts_at"])

    # What availability publishes for an HTTP hold naming someone else's booking: no cause.
    await probe.publish(
        SlotsHeld(
            booking_id=booking_id,
            reservation_id=uuid.uuid4(),
            studio_id=studio.studio_id,
            room_id=studio.room_id,
            time_range=TimeRange(starts_at=starts_at, ends_at=starts_at + timedelta(hours=10)),
            expires_at=datetime.now(UTC) + timedelta(minutes=10),
        )
    )

    async def ignored() -> bool:
        entries = await _timeline(booking, token_issuer, str(booking_id))
        return any(e["kind"] == "ignored" for e in entries)

    await eventually(ignored)
    entries = await _timeline(booking, token_issuer, str(booking_id))
    [entry] = [e for e in entries if e["kind"] == "ignored"]
    assert entry["name"] == "availability.slots_held"
    assert "answers no HoldSlots this booking sent" in entry["note"]
    seen = await booking.http.get(
        f"/api/bookings/{booking_id}", headers=token_issuer.headers("booker", booker)
    )
    assert seen.json()["status"] == "requested"
    assert seen.json()["hold_expires_at"] is None
    assert probe.sent(booking_id, ReleaseSlots) == []
    assert (await booking.state(booking_id)).reservation_id is None
