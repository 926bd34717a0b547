"""Requests to book through HTTP, the bus and PostgreSQL: a studio that takes requests (from
catalog's event) holds the room for the owner's window; the paid request waits; the owner (not
the booker) accepts or declines it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from booking.db.studios import SqlStudios
from contracts.availability import ConfirmSlots, HoldSlots, ReleaseSlots
from contracts.catalog import BookingMode, StudioUpdated
from contracts.payments import VoidPayment
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from .conftest import (
    BookingService,
    Probe,
    Studio,
    authorize,
    booking_body,
    confirm_slots,
    studio_event,
    wait_for_status,
)

pytestmark = pytest.mark.integration


async def _taking_requests(booking: BookingService, probe: Probe, studio: Studio) -> None:
    """Catalog's next event says the studio takes requests, answered within 6 hours."""
    event = studio_event(
        StudioUpdated, studio, revision=2, booking_mode=BookingMode.REQUEST, request_window_hours=6
    )
    await probe.publish(event)
    assert booking.runtime is not None
    units = booking.runtime.units

    async def known() -> bool:
        async with units.begin() as unit:
            stored = await SqlStudios(unit.session).get(studio.studio_id)
        return stored is not None and stored.booking_mode is BookingMode.REQUEST

    await eventually(known)


async def _paid_request(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> tuple[uuid.UUID, dict[str, str]]:
    booker = token_issuer.headers("booker", uuid.uuid4())
    made = await booking.http.post(
        "/api/bookings", json=booking_body(studio, days_ahead=9), headers=booker
    )
    assert made.status_code == 201, made.text
    booking_id = uuid.UUID(made.json()["id"])
    await authorize(probe, booking_id)
    await wait_for_status(booking, booking_id, "awaiting_owner")
    return booking_id, booker


async def test_a_request_holds_for_the_owner_s_window_and_the_owner_accepts_it(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    await _taking_requests(booking, probe, studio)
    before = datetime.now().astimezone()
    booking_id, booker = await _paid_request(booking, probe, studio, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    path = f"/api/bookings/{booking_id}"

    quoted = await booking.http.get("/api/bookings/quote", params=booking_body(studio, 9))
    waiting = await booking.http.get(path, headers=booker)
    by_booker = await booking.http.patch(path, json={"action": "accept"}, headers=booker)
    accepted = await booking.http.patch(path, json={"action": "accept"}, headers=owner)
    await confirm_slots(booking, probe, booking_id)
    shown = await booking.http.get(path, headers=owner)

    respond_by = datetime.fromisoformat(waiting.json()["respond_by"])
    assert timedelta(hours=6) <= respond_by - before < timedelta(hours=6, minutes=1)
    quoted_respond_by = datetime.fromisoformat(quoted.json()["respond_by"])
    assert abs(quoted_respond_by - respond_by) < timedelta(minutes=1)
    [hold] = probe.sent(booking_id, HoldSlots)
    assert hold.hold_until is not None
    assert hold.hold_until > respond_by
    assert by_booker.status_code == 403
    assert accepted.status_code == 200, accepted.text
    assert len(probe.sent(booking_id, ConfirmSlots)) == 1
    assert (shown.json()["status"], shown.json()["request_answer"]) == ("confirmed", "accepted")


async def test_a_declined_request_voids_the_card_and_frees_the_room(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    await _taking_requests(booking, probe, studio)
    booking_id, booker = await _paid_request(booking, probe, studio, token_issuer)
    owner = token_issuer.headers("owner", studio.owner_id)
    path = f"/api/bookings/{booking_id}"

    declined = await booking.http.patch(path, json={"action": "decline"}, headers=owner)
    again = await booking.http.patch(path, json={"action": "accept"}, headers=owner)

    assert declined.status_code == 200, declined.text
    body = declined.json()
    assert (body["status"], body["request_answer"], body["cancelled_by"]) == (
        "cancelled", "declined", "owner",
    )  # fmt: skip
    assert again.status_code == 409

    async def given_back() -> bool:
        return bool(probe.sent(booking_id, VoidPayment) and probe.sent(booking_id, ReleaseSlots))

    await eventually(given_back)
    assert probe.sent(booking_id, ConfirmSlots) == []
    seen = await booking.http.get(path, headers=booker)
    assert seen.json()["request_answer"] == "declined"
