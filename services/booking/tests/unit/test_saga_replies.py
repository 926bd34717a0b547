"""The saga takes only the replies it asked for; anything else is ignored, with why."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import Booking, Status
from booking.domain.replies import Reply
from booking.domain.saga import decide
from contracts.availability import (
    LostReason,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsUnavailable,
    UnavailableReason,
)
from contracts.payments import (
    CaptureStrategy,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentIntentReady,
)
from contracts.values import Money, TimeRange

from .conftest import NOW, PAYMENT, RESERVATION, RULES, confirming, pending_payment, requested

HOLD = "availability.hold_slots"
CONFIRM = "availability.confirm_slots"


def held(b: Booking, *, hours: int = 2, room: uuid.UUID | None = None) -> SlotsHeld:
    return SlotsHeld(
        booking_id=b.id,
        reservation_id=RESERVATION,
        studio_id=b.studio_id,
        room_id=room or b.room_id,
        time_range=TimeRange(starts_at=b.starts_at, ends_at=b.starts_at + timedelta(hours=hours)),
        expires_at=NOW + timedelta(minutes=10),
    )


def assert_ignored(b: Booking, reply: Reply, because: str) -> None:
    decision = decide(b, reply, NOW, RULES)
    assert decision.booking == b
    assert decision.messages == []
    assert decision.ignored
    assert because in decision.note


def test_a_hold_answering_the_sagas_own_hold_slots_is_taken() -> None:
    b = requested()
    decision = decide(b, Reply(held(b), answers=HOLD, caused=True), NOW, RULES)
    assert decision.booking.status is Status.PENDING_PAYMENT
    assert not decision.ignored


@pytest.mark.parametrize(
    ("answers", "caused"), [(None, False), (None, True), (CONFIRM, True)], ids=str
)
def test_a_hold_the_saga_did_not_ask_for_is_ignored(answers: str | None, caused: bool) -> None:
    b = requested()
    assert_ignored(b, Reply(held(b), answers=answers, caused=caused), "answers no HoldSlots")


def test_a_ten_hour_hold_naming_a_two_hour_booking_is_ignored() -> None:
    b = requested()
    assert_ignored(b, Reply(held(b, hours=10), answers=HOLD, caused=True), "its time")


def test_a_hold_of_another_room_is_ignored() -> None:
    b = requested()
    other_room = uuid.uuid4()
    assert_ignored(b, Reply(held(b, room=other_room), answers=HOLD, caused=True), "its room")


def test_a_foreign_unavailable_does_not_fail_the_booking() -> None:
    b = requested()
    unavailable = SlotsUnavailable(
        booking_id=b.id,
        studio_id=b.studio_id,
        room_id=b.room_id,
        time_range=b.time_range,
        reason=UnavailableReason.ALREADY_RESERVED,
    )
    assert_ignored(b, Reply(unavailable), "answers no HoldSlots")


def test_confirmation_of_another_reservation_is_ignored() -> None:
    b = confirming()
    confirmed = SlotsConfirmed(
        booking_id=b.id,
        reservation_id=uuid.uuid4(),
        studio_id=b.studio_id,
        room_id=b.room_id,
        time_range=b.time_range,
        confirmed_at=NOW,
    )
    assert_ignored(b, Reply(confirmed, answers=CONFIRM, caused=True), "its reservation")


def test_lost_slots_without_the_sagas_confirm_slots_are_ignored() -> None:
    b = confirming()
    lost = SlotsLost(booking_id=b.id, reservation_id=RESERVATION, reason=LostReason.TAKEN)
    assert_ignored(b, Reply(lost, answers=HOLD, caused=True), "answers no ConfirmSlots")


def authorized(b: Booking, amount: Money) -> PaymentAuthorized:
    return PaymentAuthorized(
        booking_id=b.id,
        payment_id=PAYMENT,
        amount=amount,
        capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
        authorized_at=NOW,
    )


@pytest.mark.parametrize(
    "amount",
    [Money(amount_minor=5500, currency="EUR"), Money(amount_minor=11000, currency="USD")],
    ids=["half the price", "another currency"],
)
def test_an_authorization_of_another_amount_is_ignored(amount: Money) -> None:
    b = pending_payment()
    assert_ignored(b, Reply(authorized(b, amount)), "its amount")


def test_an_authorization_of_another_payment_is_ignored() -> None:
    b = pending_payment()
    other = authorized(b, b.total).model_copy(update={"payment_id": uuid.uuid4()})
    assert_ignored(b, Reply(other), "its payment")


def test_a_webhook_reply_without_causation_is_taken_when_it_matches() -> None:
    b = pending_payment()
    decision = decide(b, Reply(authorized(b, b.total)), NOW, RULES)
    assert decision.booking.status is Status.CONFIRMING


def test_a_payments_reply_caused_by_a_message_the_saga_never_sent_is_ignored() -> None:
    b = pending_payment()
    assert_ignored(b, Reply(authorized(b, b.total), caused=True), "answers no command")


def test_an_intent_for_another_amount_gives_the_booker_no_client_secret() -> None:
    b = replace(pending_payment(), client_secret=None, payment_id=None)
    ready = PaymentIntentReady(
        booking_id=b.id,
        payment_id=PAYMENT,
        client_secret="pi_x_secret",
        amount=Money(amount_minor=1, currency="EUR"),
        capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
    )
    assert_ignored(b, Reply(ready), "its amount")


def test_a_capture_beyond_the_total_is_ignored() -> None:
    b = confirming()
    captured = PaymentCaptured(
        booking_id=b.id,
        payment_id=PAYMENT,
        amount=Money(amount_minor=b.total.amount_minor + 1, currency="EUR"),
        platform_fee=b.platform_fee,
        captured_at=NOW,
    )
    assert_ignored(b, Reply(captured), "exceeds")
