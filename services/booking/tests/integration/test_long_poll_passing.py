"""The booker's page after paying waits with one long poll, answered with `confirmed`: not with
`confirming`, which the saga passes through on its own a few milliseconds before."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from booking.config import BookingSettings
from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Probe, Studio, authorize, booking_body, confirm_slots

pytestmark = pytest.mark.integration


@pytest.fixture
def booking_settings(booking_settings: BookingSettings) -> BookingSettings:
    # Longer than the confirmation can take on a slow machine: this test is not about the grace.
    return booking_settings.model_copy(update={"long_poll_passing_grace_seconds": 10})


async def test_a_paying_booker_s_long_poll_answers_confirmed_rather_than_confirming(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    headers = token_issuer.headers("booker", uuid.uuid4())
    created = await booking.http.post("/api/bookings", json=booking_body(studio), headers=headers)
    assert created.status_code == 201, created.text
    booking_id = uuid.UUID(created.json()["id"])
    waiting = asyncio.create_task(
        booking.http.get(
            f"/api/bookings/{booking_id}",
            headers=headers
            | {"If-None-Match": f'"{created.json()["version"]}"', "Prefer": "wait=15"},
        )
    )

    await authorize(probe, booking_id)  # the card is accepted: confirming, ConfirmSlots sent
    await confirm_slots(booking, probe, booking_id)
    answer = await asyncio.wait_for(waiting, 15)

    assert answer.status_code == 200, answer.text
    history = [entry["status_after"] for entry in answer.json()["history"]]
    assert (answer.json()["status"], "confirming" in history) == ("confirmed", True)
