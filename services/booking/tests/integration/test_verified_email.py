"""With BOOKING_REQUIRE_VERIFIED_EMAIL, only a person whose token says their email is verified
may book; anyone may still look."""

from __future__ import annotations

import pytest

from booking.config import BookingSettings
from tests.fixtures.tokens import TestIssuer

from .conftest import BookingService, Studio, booking_body

pytestmark = pytest.mark.integration


@pytest.fixture
def booking_settings(booking_settings: BookingSettings) -> BookingSettings:
    return booking_settings.model_copy(update={"require_verified_email": True})


async def test_only_a_verified_email_books(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    unverified = token_issuer.token("booker", email_verified=False)
    verified = token_issuer.token("booker", email_verified=True)

    refused = await booking.http.post(
        "/api/bookings",
        json=booking_body(studio),
        headers={"Authorization": f"Bearer {unverified}"},
    )
    taken = await booking.http.post(
        "/api/bookings",
        json=booking_body(studio),
        headers={"Authorization": f"Bearer {verified}"},
    )

    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "Verify your email" in refused.json()["detail"]
    assert taken.status_code in (201, 202), taken.text
