"""One valid instance of every message, for round-trip tests, consumers' tests and documentation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from contracts import availability, booking, catalog, identity, payments
from contracts.envelope import Message
from contracts.values import CancellationPolicy, Money, TimeRange

BOOKING_ID = uuid.UUID("00000000-0000-4000-8000-00000000b001")
BOOKER_ID = uuid.UUID("00000000-0000-4000-8000-0000000000b0")
OWNER_ID = uuid.UUID("00000000-0000-4000-8000-00000000000e")
ADMIN_ID = uuid.UUID("00000000-0000-4000-8000-00000000000a")
STUDIO_ID = uuid.UUID("00000000-0000-4000-8000-00000000005d")
ROOM_ID = uuid.UUID("00000000-0000-4000-8000-0000000000f1")
RESERVATION_ID = uuid.UUID("00000000-0000-4000-8000-000000000e5e")
MOVE_ID = uuid.UUID("00000000-0000-4000-8000-00000000303e")
PAYMENT_ID = uuid.UUID("00000000-0000-4000-8000-00000000ba1d")
REFUND_ID = uuid.UUID("00000000-0000-4000-8000-0000000000ef")
DISPUTE_ID = uuid.UUID("00000000-0000-4000-8000-0000000000d1")

NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
SESSION = TimeRange(starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=3, hours=2))
PRICE = Money(amount_minor=9000, currency="EUR")
FEE = Money(amount_minor=1350, currency="EUR")


def _identity() -> list[Message]:
    return [
        identity.UserCreated(
            user_id=BOOKER_ID, email="ada@example.com", name="Ada", role=identity.Role.BOOKER
        ),
        identity.UserUpdated(user_id=BOOKER_ID, email="ada@example.org", name="Ada L."),
        identity.UserDeleted(user_id=BOOKER_ID),
        identity.RoleChanged(
            user_id=OWNER_ID,
            old_role=identity.Role.BOOKER,
            new_role=identity.Role.OWNER,
            changed_by=ADMIN_ID,
        ),
        identity.EmailVerificationRequested(
            user_id=BOOKER_ID,
            email="ada@example.com",
            name="Ada",
            link="https://onetime.example/verify-email?token=abc",
            expires_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        ),
        identity.PasswordResetRequested(
            user_id=BOOKER_ID,
            email="ada@example.com",
            name="Ada",
            link="https://onetime.example/reset-password?token=abc",
            expires_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        ),
    ]


def _catalog() -> list[Message]:
    studio = {
        "studio_id": STUDIO_ID,
        "revision": 3,
        "slug": "blue-room-berlin",
        "owner_id": OWNER_ID,
        "name": "Blue Room",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "hourly_price_minor": 4500,
        "minimum_hours": 2,
        "cancellation_policy": CancellationPolicy.MODERATE,
        "rooms": [
            catalog.RoomSnapshot(room_id=ROOM_ID, name="Live room", capacity=6),
            catalog.RoomSnapshot(
                room_id=uuid.UUID(int=ROOM_ID.int + 1),
                name="Booth",
                capacity=1,
                hourly_price_minor=2500,
            ),
        ],
        "changed_at": NOW,
    }
    return [
        catalog.StudioPublished(**studio, status=catalog.StudioStatus.PUBLISHED),
        catalog.StudioUpdated(**studio, status=catalog.StudioStatus.PUBLISHED),
        catalog.StudioUnlisted(**studio, status=catalog.StudioStatus.UNLISTED),
        catalog.StudioSuspended(
            **studio,
            status=catalog.StudioStatus.SUSPENDED,
            reason="fake listing",
            suspended_by=ADMIN_ID,
        ),
    ]


def _availability() -> list[Message]:
    where = {"studio_id": STUDIO_ID, "room_id": ROOM_ID, "time_range": SESSION}
    reservation = {"booking_id": BOOKING_ID, "reservation_id": RESERVATION_ID}
    released = availability.ReleaseReason.PAYMENT_FAILED
    evening = availability.FreeSpan(start_minute=18 * 60, end_minute=24 * 60)
    return [
        availability.HoldSlots(booking_id=BOOKING_ID, **where, booker_id=BOOKER_ID),
        availability.SlotsHeld(**reservation, **where, expires_at=NOW + timedelta(minutes=10)),
        availability.SlotsUnavailable(
            booking_id=BOOKING_ID,
            **where,
            reason=availability.UnavailableReason.ALREADY_RESERVED,
        ),
        availability.ConfirmSlots(**reservation),
        availability.SlotsConfirmed(**reservation, **where, confirmed_at=NOW),
        availability.SlotsLost(**reservation, reason=availability.LostReason.TAKEN),
        availability.ReleaseSlots(**reservation, reason=released),
        availability.SlotsReleased(**reservation, reason=released, released_at=NOW),
        availability.HoldExpired(**reservation, **where, expired_at=NOW),
        availability.DropMoveHold(booking_id=BOOKING_ID, move_id=MOVE_ID),
        availability.MoveHoldDropped(**reservation, move_id=MOVE_ID),
        availability.FreeTimeChanged(
            studio_id=STUDIO_ID,
            computed_at=NOW,
            max_advance_days=180,
            weekly=[availability.RoomWeekday(room_id=ROOM_ID, weekday=0, spans=[evening])],
            days=[availability.RoomDay(room_id=ROOM_ID, day=NOW.date(), spans=[])],
        ),
    ]


def _booking() -> list[Message]:
    who = {
        "booking_id": BOOKING_ID,
        "booker_id": BOOKER_ID,
        "owner_id": OWNER_ID,
        "studio_id": STUDIO_ID,
        "room_id": ROOM_ID,
        "time_range": SESSION,
    }
    return [
        booking.BookingRequested(**who, price=PRICE, requested_at=NOW),
        booking.BookingAwaitingOwner(**who, price=PRICE, respond_by=NOW + timedelta(hours=24)),
        booking.BookingConfirmed(**who, price=PRICE, confirmed_at=NOW),
        booking.BookingCancelled(
            **who,
            cancelled_by=booking.CancelledBy.BOOKER,
            reason=booking.CancellationReason.REQUESTED,
            refund=Money(amount_minor=4500, currency="EUR"),
            cancelled_at=NOW,
        ),
        booking.BookingCompleted(**who, completed_at=SESSION.ends_at),
        booking.BookingFailed(**who, reason=booking.FailureReason.PAYMENT_FAILED, failed_at=NOW),
        booking.BookingPaymentFailed(
            **who,
            reason=payments.PaymentFailureReason.CARD_DECLINED,
            retryable=True,
            failed_at=NOW,
        ),
        booking.BookingNoShow(**who, reported_by=OWNER_ID, reported_at=SESSION.ends_at),
        booking.BookingMoveProposed(
            **who,
            proposed_room_id=ROOM_ID,
            proposed_time_range=TimeRange(
                starts_at=SESSION.starts_at + timedelta(days=1),
                ends_at=SESSION.ends_at + timedelta(days=1),
            ),
            answer_by=SESSION.starts_at - timedelta(days=1),
            proposed_by=OWNER_ID,
        ),
        booking.BookingMoveDeclined(
            **who,
            proposed_room_id=ROOM_ID,
            proposed_time_range=TimeRange(
                starts_at=SESSION.starts_at + timedelta(days=1),
                ends_at=SESSION.ends_at + timedelta(days=1),
            ),
            answered=True,
            declined_at=NOW,
        ),
        booking.BookingRescheduled(
            **who,
            previous_room_id=ROOM_ID,
            previous_time_range=TimeRange(
                starts_at=SESSION.starts_at - timedelta(days=1),
                ends_at=SESSION.ends_at - timedelta(days=1),
            ),
            requested_by=BOOKER_ID,
            rescheduled_at=NOW,
        ),
        booking.MessagePosted(
            booking_id=BOOKING_ID,
            chat_message_id=BOOKING_ID,
            author_id=BOOKER_ID,
            excerpt="Can we bring our own drum kit?",
            posted_at=NOW,
        ),
    ]


def _payments() -> list[Message]:
    payment = {"booking_id": BOOKING_ID, "payment_id": PAYMENT_ID}
    strategy = payments.CaptureStrategy.AUTHORIZE_THEN_CAPTURE
    refund = Money(amount_minor=4500, currency="EUR")
    payout = Money(amount_minor=PRICE.amount_minor - FEE.amount_minor, currency="EUR")
    transfer = {"booking_id": BOOKING_ID, "owner_id": OWNER_ID, "amount": payout}
    return [
        payments.AuthorizePayment(
            booking_id=BOOKING_ID,
            booker_id=BOOKER_ID,
            owner_id=OWNER_ID,
            studio_id=STUDIO_ID,
            amount=PRICE,
            platform_fee=FEE,
            session_starts_at=SESSION.starts_at,
            session_ends_at=SESSION.ends_at,
            description="Blue Room, Live room, 2030-05-04 11:00-13:00",
        ),
        payments.PaymentIntentReady(
            **payment, client_secret="pi_123_secret_456", amount=PRICE, capture_strategy=strategy
        ),
        payments.PaymentAuthorized(
            **payment,
            amount=PRICE,
            capture_strategy=strategy,
            authorized_at=NOW,
            authorization_expires_at=NOW + timedelta(days=7),
        ),
        payments.PaymentFailed(
            **payment,
            reason=payments.PaymentFailureReason.CARD_DECLINED,
            decline_code="insufficient_funds",
            retryable=True,
            failed_at=NOW,
        ),
        payments.CapturePayment(booking_id=BOOKING_ID),
        payments.PaymentCaptured(**payment, amount=PRICE, platform_fee=FEE, captured_at=NOW),
        payments.VoidPayment(booking_id=BOOKING_ID, reason=payments.VoidReason.SLOTS_LOST),
        payments.PaymentVoided(**payment, reason=payments.VoidReason.SLOTS_LOST, voided_at=NOW),
        payments.RefundPayment(
            booking_id=BOOKING_ID,
            refund_id=REFUND_ID,
            amount=refund,
            reason=payments.RefundReason.CANCELLED_BY_BOOKER,
        ),
        payments.PaymentRefunded(
            **payment,
            refund_id=REFUND_ID,
            amount=refund,
            total_refunded=refund,
            reason=payments.RefundReason.CANCELLED_BY_BOOKER,
            refunded_at=NOW,
        ),
        payments.SchedulePayout(
            booking_id=BOOKING_ID, owner_id=OWNER_ID, not_before=SESSION.ends_at + timedelta(days=7)
        ),
        payments.PayoutPaid(**transfer, transfer_id="tr_123", paid_at=NOW),
        payments.PayoutReversed(
            **transfer, transfer_id="tr_123", reason="dispute lost", reversed_at=NOW
        ),
        payments.DisputeOpened(
            **payment, dispute_id=DISPUTE_ID, amount=PRICE, reason="fraudulent", opened_at=NOW
        ),
        payments.DisputeClosed(
            **payment,
            dispute_id=DISPUTE_ID,
            amount=PRICE,
            outcome=payments.DisputeOutcome.WON,
            closed_at=NOW,
        ),
        payments.OwnerPayoutsEnabled(owner_id=OWNER_ID, enabled_at=NOW),
        payments.OwnerPayoutsDisabled(
            owner_id=OWNER_ID, reason="requirements past due", disabled_at=NOW
        ),
    ]


def examples() -> list[Message]:
    """One instance of every message class defined in contracts."""
    return [*_identity(), *_catalog(), *_availability(), *_booking(), *_payments()]
