"""Rescheduling through HTTP, the bus and PostgreSQL: the booker moves a confirmed booking; the
answer comes once it has moved (or could not, and it stays as it was); the studio's owner
proposes a time, which moves once the booker agrees; bad input is a 422 naming the field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.availability import ConfirmSlots, HoldSlots, ReleaseSlots
from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    CaptureStrategy,
    PaymentAuthorized,
    RefundPayment,
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
)

pytestmark = pytest.mark.integration


async def _confirmed(
    booking: BookingService, probe: Probe, studio: Studio, booker: dict[str, str]
) -> dict[str, str]:
    made = await booking.http.post("/api/bookings", json=booking_body(studio), headers=booker)
    assert made.status_code == 201, made.text
    booking_id = uuid.UUID(made.json()["id"])
    await authorize(probe, booking_id, CaptureStrategy.CAPTURE_IMMEDIATELY)
    await confirm_slots(booking, probe, booking_id)
    return made.json()


def _a_day_later(shown: dict[str, str]) -> dict[str, str]:
    def later(name: str) -> str:
        return (datetime.fromisoformat(shown[name]) + timedelta(days=1)).isoformat()

    return {"action": "reschedule", "starts_at": later("starts_at"), "ends_at": later("ends_at")}


async def test_the_booker_moves_a_confirmed_booking_a_day_later(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    made = await _confirmed(booking, probe, studio, booker)
    path = f"/api/bookings/{made['id']}"
    asked = _a_day_later(made)

    moved = await booking.http.patch(path, json=asked, headers=booker)
    shown = await booking.http.get(path, headers=booker)

    assert moved.status_code == 200, moved.text
    body = shown.json()
    assert (body["status"], body["move"], body["move_failure"]) == ("confirmed", None, None)
    assert datetime.fromisoformat(body["starts_at"]) == datetime.fromisoformat(asked["starts_at"])
    assert body["price"] == made["price"]  # paid once, kept
    assert body["movable_until"] is not None
    names = [entry["name"] for entry in body["history"]]
    assert "reschedule" in names
    assert "booking.booking_rescheduled" in names
    holds = probe.sent(uuid.UUID(made["id"]), HoldSlots)
    assert [hold.move_id is not None for hold in holds] == [False, True]
    assert len(probe.sent(uuid.UUID(made["id"]), ConfirmSlots)) == 2


async def test_a_shorter_move_refunds_the_difference(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    made = await _confirmed(booking, probe, studio, booker)  # 2 h at 50.00 + 10 %: 110.00
    path = f"/api/bookings/{made['id']}"
    shorter = _a_day_later(made)
    starts = datetime.fromisoformat(shorter["starts_at"])
    shorter["ends_at"] = (starts + timedelta(hours=1)).isoformat()

    moved = await booking.http.patch(path, json=shorter, headers=booker)

    assert moved.status_code == 200, moved.text
    assert (moved.json()["price"]["hours"], moved.json()["price"]["total_minor"]) == (1, 5500)

    async def refunded() -> bool:
        return bool(probe.sent(uuid.UUID(made["id"]), RefundPayment))

    await eventually(refunded)
    [refund] = probe.sent(uuid.UUID(made["id"]), RefundPayment)
    assert refund.amount.amount_minor == 11000 - 5500


async def test_a_longer_move_waits_for_the_difference_and_moves_once_it_is_paid(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    made = await _confirmed(booking, probe, studio, booker)  # taken at once: 110.00
    booking_id = uuid.UUID(made["id"])
    path = f"/api/bookings/{booking_id}"
    longer = _a_day_later(made)
    starts = datetime.fromisoformat(longer["starts_at"])
    longer["ends_at"] = (starts + timedelta(hours=3)).isoformat()

    waiting = await booking.http.patch(path, json=longer, headers=booker)
    seen_by_owner = await booking.http.get(
        path, headers=token_issuer.headers("owner", studio.owner_id)
    )

    assert waiting.status_code == 202, waiting.text
    move = waiting.json()["move"]
    assert move["amount_due_minor"] == 16500 - 11000
    assert move["client_secret"].startswith("pi_")
    assert move["pay_by"] is not None
    assert seen_by_owner.json()["move"]["client_secret"] is None
    assert waiting.json()["starts_at"] == made["starts_at"]  # not moved before it is paid
    [authorize] = [a for a in probe.sent(booking_id, AuthorizePayment) if a.move_id]
    assert authorize.amount.amount_minor == 5500

    await probe.publish(
        PaymentAuthorized(
            booking_id=booking_id,
            move_id=authorize.move_id,
            payment_id=uuid.uuid5(booking_id, f"payment {authorize.move_id}"),
            amount=authorize.amount,
            capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
            authorized_at=datetime.now(UTC),
        )
    )

    async def moved() -> bool:
        return (await booking.state(booking_id)).move is None

    await eventually(moved)
    shown = (await booking.http.get(path, headers=booker)).json()
    assert (shown["price"]["hours"], shown["price"]["total_minor"]) == (3, 16500)
    assert datetime.fromisoformat(shown["ends_at"]) == datetime.fromisoformat(longer["ends_at"])
    assert shown["move_failure"] is None

    async def captured() -> bool:  # the rest was taken at confirmation: the difference now
        return bool(probe.sent(booking_id, CapturePayment))

    await eventually(captured)


async def test_a_new_time_not_free_is_a_409_and_the_booking_stays(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    made = await _confirmed(booking, probe, studio, booker)
    path = f"/api/bookings/{made['id']}"
    probe.hold = "unavailable"

    refused = await booking.http.patch(path, json=_a_day_later(made), headers=booker)
    shown = (await booking.http.get(path, headers=booker)).json()

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "not available" in refused.json()["detail"]
    assert (shown["status"], shown["starts_at"], shown["move"]) == (
        "confirmed",
        made["starts_at"],
        None,
    )
    assert "not available" in shown["move_failure"]
    assert probe.sent(uuid.UUID(made["id"]), ReleaseSlots) == []


async def test_the_owner_proposes_a_time_and_it_moves_once_the_booker_agrees(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    made = await _confirmed(booking, probe, studio, booker)
    path = f"/api/bookings/{made['id']}"
    owner = token_issuer.headers("owner", studio.owner_id)

    proposed = await booking.http.patch(path, json=_a_day_later(made), headers=owner)
    holds_before = len(probe.sent(uuid.UUID(made["id"]), HoldSlots))
    own_move = await booking.http.patch(path, json=_a_day_later(made), headers=booker)
    owner_answers = await booking.http.patch(path, json={"action": "accept_move"}, headers=owner)
    agreed = await booking.http.patch(path, json={"action": "accept_move"}, headers=booker)

    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["move"]["answer_by"] == proposed.json()["movable_until"]
    assert holds_before == 1  # nothing is held before the booker agrees
    assert own_move.status_code == 409
    assert owner_answers.status_code == 403
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["starts_at"] != made["starts_at"]
    assert agreed.json()["move"] is None


async def test_strangers_may_not_move_and_bad_moves_name_the_field(
    booking: BookingService, probe: Probe, studio: Studio, token_issuer: TestIssuer
) -> None:
    booker = token_issuer.headers("booker", uuid.uuid4())
    made = await _confirmed(booking, probe, studio, booker)
    path = f"/api/bookings/{made['id']}"
    stranger = token_issuer.headers("booker", uuid.uuid4())
    longer = _a_day_later(made)
    longer["ends_at"] = (datetime.fromisoformat(longer["ends_at"]) + timedelta(days=3)).isoformat()
    without_end = {"action": "reschedule", "starts_at": longer["starts_at"]}
    other_room = {**_a_day_later(made), "room_id": str(uuid.uuid4())}

    by_stranger = await booking.http.patch(path, json=_a_day_later(made), headers=stranger)
    too_long = await booking.http.patch(path, json=longer, headers=booker)
    no_end = await booking.http.patch(path, json=without_end, headers=booker)
    unknown_room = await booking.http.patch(path, json=other_room, headers=booker)

    assert by_stranger.status_code in (403, 404)
    assert too_long.status_code == 422
    assert "ends_at" in too_long.text
    assert no_end.status_code == 422
    assert "ends_at" in no_end.text
    assert unknown_room.status_code == 404
    assert len(probe.sent(uuid.UUID(made["id"]), HoldSlots)) == 1  # none of them held anything
