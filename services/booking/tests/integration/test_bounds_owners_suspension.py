"""Bad input is a 4xx naming the field; owners do not book their own studios; a suspended
studio's bookings to come are cancelled with a full refund, the booker told why."""

from __future__ import annotations

import uuid

import pytest

from contracts.availability import ReleaseSlots
from contracts.catalog import StudioSuspended
from contracts.payments import CaptureStrategy, RefundPayment, RefundReason, VoidPayment
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


def _fields(response_json: dict) -> list[str]:  # type: ignore[type-arg]
    return [error["field"] for error in response_json.get("errors", [])]


async def test_a_booking_longer_than_the_studio_allows_is_refused(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    response = await booking.http.post(
        "/api/bookings",
        json=booking_body(studio, hours=976),
        headers=token_issuer.headers("booker"),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "at most 24 hours" in response.json()["detail"]
    assert "ends_at" in response.json()["detail"]


@pytest.mark.parametrize("year", [1, 9999])
async def test_a_booking_in_an_absurd_year_is_refused_naming_the_field(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer, year: int
) -> None:
    body = {
        **booking_body(studio),
        "starts_at": f"{year:04d}-06-01T10:00:00Z",
        "ends_at": f"{year:04d}-06-01T11:00:00Z",
    }
    response = await booking.http.post(
        "/api/bookings", json=body, headers=token_issuer.headers("booker")
    )
    assert response.status_code == 422
    assert "body.starts_at" in _fields(response.json())


async def test_text_with_nul_or_too_long_and_oversized_lists_are_refused(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    created = await booking.http.post("/api/bookings", json=booking_body(studio), headers=booker)
    url = f"/api/bookings/{created.json()['id']}/messages"

    nul = await booking.http.post(url, json={"body": "hi\u0000there"}, headers=booker)
    long = await booking.http.post(url, json={"body": "x" * 4001}, headers=booker)
    page = await booking.http.get(url, params={"limit": 1000}, headers=booker)
    statuses = await booking.http.get(
        "/api/bookings", params={"status": ["requested"] * 50}, headers=booker
    )
    deep = await booking.http.get("/api/bookings", params={"offset": 10**9}, headers=booker)
    year = await booking.http.get(
        "/api/bookings", params={"starts_from": "9999-01-01T00:00:00Z"}, headers=booker
    )

    assert (nul.status_code, _fields(nul.json())) == (422, ["body.body"])
    assert (long.status_code, _fields(long.json())) == (422, ["body.body"])
    assert (page.status_code, _fields(page.json())) == (422, ["query.limit"])
    assert (statuses.status_code, _fields(statuses.json())) == (422, ["query.status"])
    assert (deep.status_code, _fields(deep.json())) == (422, ["query.offset"])
    assert (year.status_code, _fields(year.json())) == (422, ["query.starts_from"])


async def test_an_owner_cannot_book_their_own_studio(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    response = await booking.http.post(
        "/api/bookings",
        json=booking_body(studio),
        headers=token_issuer.headers("owner", studio.owner_id),
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "own" in response.json()["detail"]
    listed = await booking.http.get(
        "/api/bookings", headers=token_issuer.headers("admin"), params={"limit": 100}
    )
    assert all(item["booker_id"] != str(studio.owner_id) for item in listed.json()["items"])


def _suspended(studio: Studio) -> StudioSuspended:
    return studio_event(
        StudioSuspended, studio, revision=2, reason="fraud report", suspended_by=uuid.uuid4()
    )


async def test_a_suspended_studios_bookings_to_come_are_cancelled_and_refunded_in_full(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    headers = token_issuer.headers("booker", booker)
    paid = await booking.http.post(
        "/api/bookings", json=booking_body(studio, days_ahead=20), headers=headers
    )
    paid_id = uuid.UUID(paid.json()["id"])
    await authorize(probe, paid_id, CaptureStrategy.CAPTURE_IMMEDIATELY)
    await confirm_slots(booking, probe, paid_id)
    unpaid = await booking.http.post(
        "/api/bookings", json=booking_body(studio, days_ahead=21), headers=headers
    )
    unpaid_id = uuid.UUID(unpaid.json()["id"])

    await probe.publish(_suspended(studio))

    for booking_id in (paid_id, unpaid_id):
        cancelled = await wait_for_status(booking, booking_id, "cancelled")
        seen = await booking.http.get(f"/api/bookings/{booking_id}", headers=headers)
        assert seen.json()["cancellation_reason"] == "studio_unavailable"
        assert seen.json()["cancelled_by"] == "admin"
        assert cancelled.deadline_at is None

    async def compensated() -> bool:
        return all(probe.sent(b, ReleaseSlots) for b in (paid_id, unpaid_id)) and bool(
            probe.sent(paid_id, RefundPayment) and probe.sent(unpaid_id, VoidPayment)
        )

    await eventually(compensated)
    [refund] = probe.sent(paid_id, RefundPayment)
    assert refund.amount.amount_minor == 11000  # all of it, platform fee included
    assert refund.reason is RefundReason.CANCELLED_BY_ADMIN
    again = await booking.http.post(
        "/api/bookings", json=booking_body(studio, days_ahead=22), headers=headers
    )
    assert again.status_code == 409  # the studio exists but takes no bookings now
    assert "suspended" in again.json()["detail"]
