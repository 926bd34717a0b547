"""Through the real bus: an unanswered command is sent again, then the saga compensates and
the booker sees why the booking failed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from booking.config import BookingSettings
from contracts.availability import ConfirmSlots, HoldSlots, ReleaseSlots
from contracts.payments import CaptureStrategy, PaymentAuthorized, VoidPayment, VoidReason
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Probe, Studio, booking_body, wait_for_status

pytestmark = pytest.mark.integration


@pytest.fixture
def booking_settings(booking_settings: BookingSettings) -> BookingSettings:
    """Commands answered within a second, or sent again, twice at most."""
    return booking_settings.model_copy(update={"reply_timeout_seconds": 1, "max_resends": 2})


async def test_an_unanswered_confirm_slots_is_sent_again_then_voided_released_and_failed(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    created = await booking.http.post(
        "/api/bookings", json=booking_body(studio), headers=token_issuer.headers("booker", booker)
    )
    assert created.status_code == 201, created.text
    booking_id = uuid.UUID(created.json()["id"])
    assert len(probe.sent(booking_id, HoldSlots)) == 1  # answered: not sent again
    await probe.publish(
        PaymentAuthorized(
            booking_id=booking_id,
            payment_id=uuid.uuid5(booking_id, "payment"),
            amount=(await booking.state(booking_id)).total,
            capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
            authorized_at=datetime.now(UTC),
        )
    )
    # The probe never answers ConfirmSlots, as when availability dead-lettered it.

    failed = await wait_for_status(booking, booking_id, "failed")

    assert len(probe.sent(booking_id, ConfirmSlots)) == 3  # the first send and two more

    async def compensated() -> bool:
        return bool(probe.sent(booking_id, VoidPayment) and probe.sent(booking_id, ReleaseSlots))

    await eventually(compensated)
    assert probe.sent(booking_id, VoidPayment)[0].reason is VoidReason.SLOTS_LOST
    assert failed.deadline_at is None
    seen = await booking.http.get(
        f"/api/bookings/{booking_id}", headers=token_issuer.headers("booker", booker)
    )
    assert seen.json()["failure_reason"] == "slots_lost"
    assert "did not confirm the slots after 3 requests" in seen.json()["failure_detail"]
