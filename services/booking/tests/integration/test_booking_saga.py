"""The booking saga end to end within booking: HTTP in, commands out, replies back in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.availability import (
    ConfirmSlots,
    HoldSlots,
    ReleaseReason,
    ReleaseSlots,
)
from contracts.payments import (
    AuthorizePayment,
    CaptureStrategy,
    RefundPayment,
    RefundReason,
    VoidPayment,
    VoidReason,
)
from tests.fixtures.infra import eventually
from tests.fixtures.tokens import TestIssuer

from .conftest import (
    BookingService,
    Probe,
    Studio,
    authorize,
    booking_body,
    confirm_slots,
    held,
    publish_studio,
    wait_for_status,
)

pytestmark = pytest.mark.integration


async def _book(
    booking: BookingService, token_issuer: TestIssuer, studio: Studio, booker: uuid.UUID, **kw: int
) -> dict[str, object]:
    response = await booking.http.post(
        "/api/bookings",
        json=booking_body(studio, **kw),
        headers=token_issuer.headers("booker", booker),
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_request_answers_pending_payment_with_client_secret_then_confirms(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    body = await _book(booking, token_issuer, studio, booker)

    assert body["status"] == "pending_payment"
    assert str(body["client_secret"]).startswith("pi_")
    assert body["hold_expires_at"]
    assert body["price"] == {
        "hourly_price_minor": 5000,
        "hours": 2,
        "subtotal_minor": 10000,
        "platform_fee_percent": "10",
        "platform_fee_minor": 1000,
        "total_minor": 11000,
        "currency": "EUR",
        "add_ons": [],
        "add_ons_minor": 0,
    }
    booking_id = uuid.UUID(str(body["id"]))
    [asked] = probe.sent(booking_id, AuthorizePayment)
    assert asked.amount.amount_minor == 11000

    await authorize(probe, booking_id)
    await confirm_slots(booking, probe, booking_id)

    response = await booking.http.get(
        f"/api/bookings/{booking_id}", headers=token_issuer.headers("booker", booker)
    )
    statuses = [entry["status_after"] for entry in response.json()["history"]]
    assert statuses[-1] == "confirmed"
    assert "pending_payment" in statuses


async def test_taken_slot_answers_409(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    probe.hold = "unavailable"
    response = await booking.http.post(
        "/api/bookings", json=booking_body(studio), headers=token_issuer.headers("booker")
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == "slots_unavailable"
    booking_id = uuid.UUID(response.json()["booking_id"])

    async def voided() -> bool:  # the payment asked for with the hold: never charged
        return bool(probe.sent(booking_id, VoidPayment))

    await eventually(voided)
    [void] = probe.sent(booking_id, VoidPayment)
    assert void.reason == "slots_lost"


async def test_no_answer_in_time_gives_202_with_location(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    probe.hold = "silent"
    booker = uuid.uuid4()
    response = await booking.http.post(
        "/api/bookings", json=booking_body(studio), headers=token_issuer.headers("booker", booker)
    )
    assert response.status_code == 202
    later = await booking.http.get(
        response.headers["Location"], headers=token_issuer.headers("booker", booker)
    )
    assert later.json()["status"] == "requested"


async def test_idempotency_key_returns_the_same_booking(
    booking: BookingService, studio: Studio, token_issuer: TestIssuer
) -> None:
    headers = {**token_issuer.headers("booker", uuid.uuid4()), "Idempotency-Key": "k-1"}
    body = booking_body(studio)
    first = await booking.http.post("/api/bookings", json=body, headers=headers)
    again = await booking.http.post("/api/bookings", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = await booking.http.post(
        "/api/bookings", json=booking_body(studio, days_ahead=11), headers=headers
    )
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"


async def test_hold_deadline_cancels_and_voids_and_releases(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    probe.hold_minutes = 1 / 60  # the hold lasts one second
    body = await _book(booking, token_issuer, studio, uuid.uuid4())
    booking_id = uuid.UUID(str(body["id"]))

    cancelled = await wait_for_status(booking, booking_id, "cancelled")

    assert cancelled.cancellation_reason == "hold_expired"

    async def compensated() -> bool:
        return bool(probe.sent(booking_id, VoidPayment)) and bool(
            probe.sent(booking_id, ReleaseSlots)
        )

    await eventually(compensated)
    assert probe.sent(booking_id, VoidPayment)[0].reason is VoidReason.HOLD_TIMED_OUT
    assert probe.sent(booking_id, ReleaseSlots)[0].reason is ReleaseReason.HOLD_TIMED_OUT


async def test_cancel_by_booker_in_grace_period_refunds_in_full(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    booking_id = uuid.UUID(str((await _book(booking, token_issuer, studio, booker))["id"]))
    await authorize(probe, booking_id, CaptureStrategy.CAPTURE_IMMEDIATELY)
    await confirm_slots(booking, probe, booking_id)

    stranger = await booking.http.patch(
        f"/api/bookings/{booking_id}",
        json={"action": "cancel"},
        headers=token_issuer.headers("booker"),
    )
    assert stranger.status_code == 403
    response = await booking.http.patch(
        f"/api/bookings/{booking_id}",
        json={"action": "cancel"},
        headers=token_issuer.headers("booker", booker),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["refund_minor"] == 11000

    async def refunded() -> bool:
        return bool(probe.sent(booking_id, RefundPayment)) and bool(
            probe.sent(booking_id, ReleaseSlots)
        )

    await eventually(refunded)
    [refund] = probe.sent(booking_id, RefundPayment)
    assert refund.amount.amount_minor == 11000
    assert refund.reason is RefundReason.CANCELLED_BY_BOOKER

    again = await booking.http.patch(
        f"/api/bookings/{booking_id}",
        json={"action": "complete"},
        headers=token_issuer.headers("owner", studio.owner_id),
    )
    assert again.status_code == 409


async def test_two_replicas_apply_a_repeated_webhook_event_once(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    second = await BookingService(booking.settings, booking.tracer_provider).start()
    try:
        booking_id = uuid.UUID(str((await _book(second, token_issuer, studio, uuid.uuid4()))["id"]))
        # Stripe may deliver the same outcome in two webhooks: two events, two message ids.
        await authorize(probe, booking_id)
        await authorize(probe, booking_id)
        await authorize(probe, booking_id, message_id=uuid.uuid4())
        await wait_for_status(booking, booking_id, "confirming")

        async def both_handled() -> bool:
            timeline = await booking.http.get(
                f"/api/admin/bookings/{booking_id}/timeline", headers=token_issuer.headers("admin")
            )
            received = [
                e for e in timeline.json()["entries"] if e["name"] == "payments.payment_authorized"
            ]
            return len(received) == 3

        await eventually(both_handled)
        assert len(probe.sent(booking_id, ConfirmSlots)) == 1
    finally:
        await second.stop()


async def test_a_restarted_service_finishes_the_saga(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    probe.hold = "silent"
    response = await booking.http.post(
        "/api/bookings", json=booking_body(studio), headers=token_issuer.headers("booker")
    )
    assert response.status_code == 202
    booking_id = uuid.UUID(response.json()["id"])

    async def hold_asked() -> bool:
        return bool(probe.sent(booking_id, HoldSlots))

    await eventually(hold_asked)
    await booking.stop()
    [hold] = probe.envelopes(booking_id, HoldSlots)
    expires_at = datetime.now(UTC) + timedelta(seconds=2)
    await probe.publish(held(hold.open(HoldSlots), expires_at), cause=hold)
    await booking.start()

    await wait_for_status(booking, booking_id, "pending_payment")
    await booking.stop()  # down while the hold expires
    await booking.start()
    cancelled = await wait_for_status(booking, booking_id, "cancelled")
    assert cancelled.cancellation_reason == "hold_expired"


async def test_owner_sees_their_studios_bookings_and_others_do_not(
    booking: BookingService, studio: Studio, probe: Probe, token_issuer: TestIssuer
) -> None:
    booker = uuid.uuid4()
    booking_id = (await _book(booking, token_issuer, studio, booker))["id"]
    other = await publish_studio(booking, probe)
    await _book(booking, token_issuer, other, uuid.uuid4())

    owners = await booking.http.get(
        "/api/bookings", headers=token_issuer.headers("owner", studio.owner_id)
    )
    assert [item["id"] for item in owners.json()["items"]] == [booking_id]
    mine = await booking.http.get(
        "/api/bookings",
        params={"status": "pending_payment"},
        headers=token_issuer.headers("booker", booker),
    )
    assert mine.json()["total"] == 1
    assert mine.json()["items"][0]["client_secret"]
    admin = await booking.http.get(
        "/api/bookings", params={"limit": 1}, headers=token_issuer.headers("admin")
    )
    assert admin.json()["total"] >= 2
    assert len(admin.json()["items"]) == 1
