"""Bookings in each state of the saga, built the way the saga itself builds them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from booking.domain.booking import Booking, Status
from booking.domain.pricing import PriceBreakdown
from booking.domain.replies import ASKED_BY, Reply
from booking.domain.saga import SagaRules
from contracts import Message
from contracts.payments import CaptureStrategy
from contracts.values import CancellationPolicy

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
RULES = SagaRules(
    hold_grace=timedelta(seconds=30),
    reply_timeout=timedelta(minutes=2),
    max_resends=2,
    auto_complete_after=timedelta(hours=24),
)
PRICE = PriceBreakdown(
    hourly_price_minor=5000,
    hours=2,
    subtotal_minor=10000,
    platform_fee_percent=Decimal(10),
    platform_fee_minor=1000,
    total_minor=11000,
    currency="EUR",
)
RESERVATION = uuid.UUID(int=7)
PAYMENT = uuid.UUID(int=8)


def requested(
    *,
    starts_in: timedelta = timedelta(days=10),
    policy: CancellationPolicy = CancellationPolicy.MODERATE,
) -> Booking:
    starts_at = NOW + starts_in
    return Booking(
        id=uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        studio_id=uuid.uuid4(),
        room_id=uuid.uuid4(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        price=PRICE,
        cancellation_policy=policy,
        requested_at=NOW,
        version=1,
        deadline_at=NOW + RULES.reply_timeout,
        command_sends=1,
        command_sent_at=NOW,
    )


def pending_payment(
    hold_expires_at: datetime = NOW + timedelta(minutes=10), **kw: object
) -> Booking:
    return replace(
        requested(**kw),  # type: ignore[arg-type]
        status=Status.PENDING_PAYMENT,
        reservation_id=RESERVATION,
        hold_expires_at=hold_expires_at,
        deadline_at=hold_expires_at + RULES.hold_grace,
        payment_id=PAYMENT,
        client_secret="pi_secret",
        capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
    )


def confirming(**kw: object) -> Booking:
    return replace(
        pending_payment(**kw),  # type: ignore[arg-type]
        status=Status.CONFIRMING,
        authorized_at=NOW + timedelta(minutes=2),
        command_sends=1,
        command_sent_at=NOW + timedelta(minutes=2),
        deadline_at=NOW + timedelta(minutes=2) + RULES.reply_timeout,
    )


def confirmed(
    strategy: CaptureStrategy = CaptureStrategy.AUTHORIZE_THEN_CAPTURE, **kw: object
) -> Booking:
    booking = replace(
        confirming(**kw),  # type: ignore[arg-type]
        status=Status.CONFIRMED,
        confirmed_at=NOW + timedelta(minutes=3),
        capture_strategy=strategy,
    )
    return replace(booking, deadline_at=booking.ends_at + timedelta(hours=24))


def reply(message: Message) -> Reply:
    """The message as the real service sends it: answering the saga's own command."""
    if isinstance(message, Reply):
        return message
    command = ASKED_BY.get(type(message))
    if command is None:
        return Reply(message)
    return Reply(message, answers=command.message_type, caused=True)
