"""Every path of the booking saga, as a decision on a booking in a given state."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import Booking, IllegalTransition, Status
from booking.domain.saga import (
    Cancel,
    Complete,
    DeadlinePassed,
    MarkNoShow,
    decide,
    start,
)
from contracts.availability import (
    ConfirmSlots,
    HoldSlots,
    LostReason,
    ReleaseReason,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsUnavailable,
    UnavailableReason,
)
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingFailed,
    BookingNoShow,
    BookingPaymentFailed,
    CancellationReason,
    CancelledBy,
    FailureReason,
)
from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    CaptureStrategy,
    DisputeClosed,
    DisputeOpened,
    DisputeOutcome,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentFailureReason,
    PaymentIntentReady,
    PaymentRefunded,
    RefundPayment,
    RefundReason,
    SchedulePayout,
    VoidPayment,
    VoidReason,
)
from contracts.values import CancellationPolicy, Money

from .conftest import (
    NOW,
    PAYMENT,
    RESERVATION,
    RULES,
    confirmed,
    confirming,
    pending_payment,
    reply,
    requested,
)

EUR = "EUR"


def held(b, expires_at=NOW + timedelta(minutes=10)):  # type: ignore[no-untyped-def]
    return reply(
        SlotsHeld(
            booking_id=b.id,
            reservation_id=RESERVATION,
            studio_id=b.studio_id,
            room_id=b.room_id,
            time_range=b.time_range,
            expires_at=expires_at,
        )
    )


def authorized(b, strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE):  # type: ignore[no-untyped-def]
    return reply(
        PaymentAuthorized(
            booking_id=b.id,
            payment_id=PAYMENT,
            amount=b.total,
            capture_strategy=strategy,
            authorized_at=NOW,
        )
    )


def intent_ready(b):  # type: ignore[no-untyped-def]
    return reply(
        PaymentIntentReady(
            booking_id=b.id,
            payment_id=PAYMENT,
            client_secret="pi_123_secret",
            amount=b.total,
            capture_strategy=CaptureStrategy.AUTHORIZE_THEN_CAPTURE,
        )
    )


def declined(b, retryable=True):  # type: ignore[no-untyped-def]
    return reply(
        PaymentFailed(
            booking_id=b.id,
            payment_id=PAYMENT,
            reason=PaymentFailureReason.CARD_DECLINED,
            decline_code="insufficient_funds",
            retryable=retryable,
            failed_at=NOW,
        )
    )


def slots_confirmed(b):  # type: ignore[no-untyped-def]
    return reply(
        SlotsConfirmed(
            booking_id=b.id,
            reservation_id=RESERVATION,
            studio_id=b.studio_id,
            room_id=b.room_id,
            time_range=b.time_range,
            confirmed_at=NOW,
        )
    )


def types(messages):  # type: ignore[no-untyped-def]
    return [type(message) for message in messages]


# --- happy path ---------------------------------------------------------------------------


def test_a_new_booking_holds_the_slots_and_asks_for_the_payment_at_once() -> None:
    b = requested()
    decision = start(b, RULES)
    assert types(decision.messages) == [HoldSlots, AuthorizePayment]
    authorize = decision.messages[1]
    assert isinstance(authorize, AuthorizePayment)
    assert authorize.amount == Money(amount_minor=11000, currency=EUR)
    assert authorize.platform_fee == Money(amount_minor=1000, currency=EUR)
    assert decision.booking.deadline_at == NOW + RULES.reply_timeout
    assert decision.booking.command_sends == 1
    assert not decision.booking.answered


def test_held_slots_wait_for_the_payment_intent() -> None:
    b = requested()
    later = NOW + timedelta(seconds=5)
    decision = decide(b, held(b), later, RULES)
    assert decision.booking.status is Status.PENDING_PAYMENT
    assert decision.booking.reservation_id == RESERVATION
    assert decision.messages == []  # the payment was asked for with the hold
    # payments still owes the intent: asked again if it does not come
    assert decision.booking.deadline_at == later + RULES.reply_timeout
    assert not decision.booking.answered


def test_an_intent_before_the_hold_waits_for_it_then_the_booker_can_pay() -> None:
    b = start(requested(), RULES).booking
    first = decide(b, intent_ready(b), NOW, RULES)
    assert first.booking.status is Status.REQUESTED
    assert first.booking.client_secret == "pi_123_secret"
    assert not first.booking.answered  # no card form before the room is held
    assert first.messages == []
    then = decide(first.booking, held(b), NOW, RULES)
    assert then.booking.status is Status.PENDING_PAYMENT
    assert then.booking.answered
    assert then.messages == []
    assert then.booking.deadline_at == NOW + timedelta(minutes=10) + RULES.hold_grace


def test_intent_ready_gives_the_booker_a_client_secret() -> None:
    b = replace(pending_payment(), client_secret=None, payment_id=None, capture_strategy=None)
    decision = decide(b, intent_ready(b), NOW, RULES)
    assert decision.booking.client_secret == "pi_123_secret"
    assert decision.booking.status is Status.PENDING_PAYMENT
    assert decision.messages == []


def test_authorized_payment_confirms_the_slots() -> None:
    b = pending_payment()
    decision = decide(b, authorized(b), NOW, RULES)
    assert decision.booking.status is Status.CONFIRMING
    assert decision.messages == [ConfirmSlots(booking_id=b.id, reservation_id=RESERVATION)]
    assert decision.booking.deadline_at == NOW + RULES.reply_timeout


def test_confirmed_slots_confirm_the_booking() -> None:
    b = confirming()
    decision = decide(b, slots_confirmed(b), NOW, RULES)
    assert decision.booking.status is Status.CONFIRMED
    assert types(decision.messages) == [BookingConfirmed]
    assert decision.booking.deadline_at == b.ends_at + timedelta(hours=24)


# --- failures and compensations -------------------------------------------------------


def test_slot_taken_fails_the_booking() -> None:
    b = requested()
    unavailable = SlotsUnavailable(
        booking_id=b.id,
        studio_id=b.studio_id,
        room_id=b.room_id,
        time_range=b.time_range,
        reason=UnavailableReason.ALREADY_RESERVED,
    )
    decision = decide(b, reply(unavailable), NOW, RULES)
    assert decision.booking.status is Status.FAILED
    assert decision.booking.failure_reason is FailureReason.SLOTS_UNAVAILABLE
    # the payment asked for with the hold is voided, made or not
    assert decision.messages[0] == VoidPayment(booking_id=b.id, reason=VoidReason.SLOTS_LOST)
    assert types(decision.messages) == [VoidPayment, BookingFailed]
    assert decision.booking.deadline_at is None


def test_a_payment_that_cannot_be_made_before_the_hold_fails_the_booking() -> None:
    b = requested()
    decision = decide(b, declined(b, retryable=False), NOW, RULES)
    assert decision.booking.status is Status.FAILED
    assert decision.booking.failure_reason is FailureReason.PAYMENT_FAILED
    assert types(decision.messages) == [
        VoidPayment,
        ReleaseSlots,
        BookingPaymentFailed,
        BookingFailed,
    ]
    release = decision.messages[1]
    assert isinstance(release, ReleaseSlots)
    assert release.reservation_id is None  # whatever availability holds for the booking
    told = decision.messages[2]
    assert isinstance(told, BookingPaymentFailed)
    assert (told.booker_id, told.retryable) == (b.booker_id, False)


def test_declined_card_then_good_card_confirms() -> None:
    b = pending_payment()
    after_decline = decide(b, declined(b), NOW, RULES)
    assert after_decline.booking.status is Status.PENDING_PAYMENT
    assert after_decline.booking.payment_error == "insufficient_funds"
    # the booker is told (by notifications), with what the booking is about
    [told] = after_decline.messages
    assert isinstance(told, BookingPaymentFailed)
    assert (told.booking_id, told.booker_id, told.studio_id, told.time_range) == (
        b.id,
        b.booker_id,
        b.studio_id,
        b.time_range,
    )
    assert (told.reason, told.retryable) == (PaymentFailureReason.CARD_DECLINED, True)
    after_retry = decide(after_decline.booking, authorized(b), NOW + timedelta(minutes=1), RULES)
    assert after_retry.booking.status is Status.CONFIRMING
    assert after_retry.booking.payment_error is None
    assert types(after_retry.messages) == [ConfirmSlots]


def test_declines_until_the_hold_expires_cancel_with_void_and_release() -> None:
    b = pending_payment()
    b = decide(b, declined(b), NOW, RULES).booking
    b = decide(b, declined(b), NOW + timedelta(minutes=5), RULES).booking
    too_early = decide(b, DeadlinePassed(), NOW + timedelta(minutes=10), RULES)
    assert too_early.booking == b
    assert too_early.messages == []
    decision = decide(b, DeadlinePassed(), NOW + timedelta(minutes=11), RULES)
    assert decision.booking.status is Status.CANCELLED
    assert decision.booking.cancellation_reason is CancellationReason.HOLD_EXPIRED
    assert decision.messages[:2] == [
        VoidPayment(booking_id=b.id, reason=VoidReason.HOLD_TIMED_OUT),
        ReleaseSlots(
            booking_id=b.id, reservation_id=RESERVATION, reason=ReleaseReason.HOLD_TIMED_OUT
        ),
    ]
    assert isinstance(decision.messages[2], BookingCancelled)
    assert decision.booking.deadline_at is None


def test_a_payment_that_cannot_succeed_fails_the_booking_at_once() -> None:
    b = pending_payment()
    decision = decide(b, declined(b, retryable=False), NOW, RULES)
    assert decision.booking.status is Status.FAILED
    assert types(decision.messages) == [
        VoidPayment,
        ReleaseSlots,
        BookingPaymentFailed,
        BookingFailed,
    ]


def test_authorized_after_hold_expiry_confirms_anyway_then_lost_slots_void_and_fail() -> None:
    b = pending_payment(hold_expires_at=NOW)
    late = NOW + timedelta(seconds=20)  # the hold is gone, the deadline's grace is not
    decision = decide(b, authorized(b), late, RULES)
    assert decision.booking.status is Status.CONFIRMING
    assert types(decision.messages) == [ConfirmSlots]
    lost = SlotsLost(booking_id=b.id, reservation_id=RESERVATION, reason=LostReason.TAKEN)
    after = decide(decision.booking, reply(lost), late, RULES)
    assert after.booking.status is Status.FAILED
    assert after.booking.failure_reason is FailureReason.SLOTS_LOST
    assert after.messages[0] == VoidPayment(booking_id=b.id, reason=VoidReason.SLOTS_LOST)
    assert types(after.messages) == [VoidPayment, BookingFailed]


def test_lost_slots_after_an_immediate_capture_refund_in_full() -> None:
    b = replace(confirming(), capture_strategy=CaptureStrategy.CAPTURE_IMMEDIATELY)
    lost = SlotsLost(booking_id=b.id, reservation_id=RESERVATION, reason=LostReason.TAKEN)
    decision = decide(b, reply(lost), NOW, RULES)
    refund = decision.messages[0]
    assert isinstance(refund, RefundPayment)
    assert refund.amount == b.total


def test_authorization_after_the_booking_expired_is_voided() -> None:
    b = pending_payment(hold_expires_at=NOW)
    expired = decide(b, DeadlinePassed(), NOW + timedelta(minutes=1), RULES).booking
    decision = decide(expired, authorized(b), NOW + timedelta(minutes=2), RULES)
    assert decision.booking.status is Status.CANCELLED
    assert decision.messages == [VoidPayment(booking_id=b.id, reason=VoidReason.HOLD_TIMED_OUT)]


def test_a_hold_arriving_after_cancellation_is_released() -> None:
    b = requested()
    cancelled = decide(b, Cancel(CancelledBy.BOOKER), NOW, RULES).booking
    decision = decide(cancelled, held(b), NOW, RULES)
    assert decision.messages == [
        ReleaseSlots(
            booking_id=b.id, reservation_id=RESERVATION, reason=ReleaseReason.CANCELLED_BY_BOOKER
        )
    ]
    assert decision.booking.status is Status.CANCELLED


# --- duplicates and stale messages ----------------------------------------------------


@pytest.mark.parametrize("booking", [confirming(), confirmed()], ids=["confirming", "confirmed"])
def test_a_repeated_authorization_changes_nothing(booking) -> None:  # type: ignore[no-untyped-def]
    decision = decide(booking, authorized(booking), NOW, RULES)
    assert decision.booking == booking
    assert decision.messages == []
    assert decision.note.startswith("ignored")


def test_duplicate_and_stale_replies_are_no_ops() -> None:
    b = confirmed()
    for message in [
        held(b),
        slots_confirmed(b),
        declined(b),
        SlotsUnavailable(
            booking_id=b.id,
            studio_id=b.studio_id,
            room_id=b.room_id,
            time_range=b.time_range,
            reason=UnavailableReason.ALREADY_RESERVED,
        ),
        SlotsLost(booking_id=b.id, reservation_id=RESERVATION, reason=LostReason.TAKEN),
    ]:
        decision = decide(b, reply(message), NOW, RULES)
        assert decision.booking == b, message
        assert decision.messages == [], message


def test_a_stale_deadline_does_nothing() -> None:
    b = confirmed()
    decision = decide(b, DeadlinePassed(), NOW, RULES)
    assert decision.booking == b
    assert decision.messages == []


# --- cancellations --------------------------------------------------------------------


@pytest.mark.parametrize("b", [requested(), pending_payment()], ids=["holding", "paying"])
def test_cancel_while_holding_or_paying_voids_and_releases(b: Booking) -> None:
    decision = decide(b, Cancel(CancelledBy.BOOKER), NOW, RULES)
    assert decision.booking.status is Status.CANCELLED
    assert types(decision.messages) == [VoidPayment, ReleaseSlots, BookingCancelled]
    assert decision.booking.refund_minor == 0


@pytest.mark.parametrize(
    ("policy", "notice", "refund"),
    [
        (CancellationPolicy.FLEXIBLE, timedelta(days=2), 11000),
        (CancellationPolicy.FLEXIBLE, timedelta(hours=5), 5500),
        (CancellationPolicy.MODERATE, timedelta(days=6), 11000),
        (CancellationPolicy.MODERATE, timedelta(days=2), 5500),
        (CancellationPolicy.MODERATE, timedelta(hours=5), 0),
        (CancellationPolicy.STRICT, timedelta(days=20), 11000),
        (CancellationPolicy.STRICT, timedelta(days=10), 5500),
        (CancellationPolicy.STRICT, timedelta(days=3), 0),
    ],
)
def test_cancel_before_capture_by_policy(policy, notice, refund) -> None:  # type: ignore[no-untyped-def]
    b = confirmed(policy=policy, starts_in=notice + timedelta(days=1))
    cancel_at = NOW + timedelta(days=1)  # outside the grace period
    decision = decide(b, Cancel(CancelledBy.BOOKER), cancel_at, RULES)
    assert decision.booking.refund_minor == refund
    payment = decision.messages[0]
    if refund == 11000:
        assert payment == VoidPayment(booking_id=b.id, reason=VoidReason.CANCELLED)
    else:
        assert payment == CapturePayment(booking_id=b.id, amount=b.money(11000 - refund))
        assert isinstance(decision.messages[1], SchedulePayout)
    assert isinstance(decision.messages[-2], ReleaseSlots)
    event = decision.messages[-1]
    assert isinstance(event, BookingCancelled)
    assert event.refund == b.money(refund)


@pytest.mark.parametrize(
    ("policy", "notice", "refund"),
    [
        (CancellationPolicy.FLEXIBLE, timedelta(hours=30), 11000),
        (CancellationPolicy.MODERATE, timedelta(hours=30), 5500),
        (CancellationPolicy.STRICT, timedelta(days=8), 5500),
        (CancellationPolicy.STRICT, timedelta(hours=1), 0),
    ],
)
def test_cancel_after_capture_refunds_by_policy(policy, notice, refund) -> None:  # type: ignore[no-untyped-def]
    b = replace(
        confirmed(
            CaptureStrategy.CAPTURE_IMMEDIATELY, policy=policy, starts_in=notice + timedelta(days=1)
        ),
        captured_at=NOW,
    )
    decision = decide(b, Cancel(CancelledBy.BOOKER), NOW + timedelta(days=1), RULES)
    refunds = [m for m in decision.messages if isinstance(m, RefundPayment)]
    if refund:
        assert refunds[0].amount == b.money(refund)
        assert refunds[0].reason is RefundReason.CANCELLED_BY_BOOKER
    else:
        assert refunds == []
    payouts = [m for m in decision.messages if isinstance(m, SchedulePayout)]
    assert bool(payouts) == (refund < 11000)


def test_cancel_within_the_grace_period_refunds_in_full() -> None:
    b = confirmed(policy=CancellationPolicy.STRICT, starts_in=timedelta(days=2))
    decision = decide(b, Cancel(CancelledBy.BOOKER), NOW + timedelta(minutes=30), RULES)
    assert decision.booking.refund_minor == 11000


def test_owner_cancellation_refunds_in_full_even_after_capture() -> None:
    b = replace(
        confirmed(
            CaptureStrategy.CAPTURE_IMMEDIATELY,
            policy=CancellationPolicy.STRICT,
            starts_in=timedelta(days=2),
        ),
        captured_at=NOW,
    )
    decision = decide(b, Cancel(CancelledBy.OWNER), NOW + timedelta(days=1), RULES)
    assert decision.messages[0] == RefundPayment(
        booking_id=b.id,
        refund_id=uuid.uuid5(b.id, "cancellation"),
        amount=b.total,
        reason=RefundReason.CANCELLED_BY_OWNER,
    )
    assert SchedulePayout not in types(decision.messages)
    assert decision.messages[1] == ReleaseSlots(
        booking_id=b.id, reservation_id=RESERVATION, reason=ReleaseReason.CANCELLED_BY_OWNER
    )


def test_a_cancelled_booking_cannot_be_cancelled_again() -> None:
    b = decide(pending_payment(), Cancel(CancelledBy.BOOKER), NOW, RULES).booking
    with pytest.raises(IllegalTransition):
        decide(b, Cancel(CancelledBy.BOOKER), NOW, RULES)


# --- completion, no-show, disputes ----------------------------------------------------


def test_completion_captures_and_schedules_the_payout() -> None:
    b = confirmed()
    done_at = b.ends_at + timedelta(minutes=5)
    decision = decide(b, Complete(), done_at, RULES)
    assert decision.booking.status is Status.COMPLETED
    assert decision.messages[:2] == [
        CapturePayment(booking_id=b.id),
        SchedulePayout(booking_id=b.id, owner_id=b.owner_id, not_before=done_at),
    ]
    assert isinstance(decision.messages[2], BookingCompleted)


def test_completion_of_an_already_captured_payment_only_schedules_the_payout() -> None:
    b = confirmed(CaptureStrategy.CAPTURE_IMMEDIATELY)
    decision = decide(b, Complete(), b.ends_at, RULES)
    assert types(decision.messages) == [SchedulePayout, BookingCompleted]


def test_an_unreported_session_completes_automatically() -> None:
    b = confirmed()
    decision = decide(b, DeadlinePassed(), b.ends_at + timedelta(hours=25), RULES)
    assert decision.booking.status is Status.COMPLETED


def test_no_show_keeps_the_money_for_the_owner() -> None:
    b = confirmed()
    owner = b.owner_id
    decision = decide(b, MarkNoShow(reported_by=owner), b.starts_at + timedelta(minutes=30), RULES)
    assert decision.booking.status is Status.NO_SHOW
    assert types(decision.messages) == [CapturePayment, SchedulePayout, BookingNoShow]


@pytest.mark.parametrize("action", [Complete(), MarkNoShow(reported_by=uuid.uuid4())])
def test_a_session_that_has_not_started_cannot_be_completed_or_no_show(action) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IllegalTransition):
        decide(confirmed(), action, NOW, RULES)


@pytest.mark.parametrize("booking", [requested(), pending_payment(), confirming()])
def test_only_confirmed_bookings_complete(booking) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IllegalTransition):
        decide(booking, Complete(), booking.ends_at, RULES)


def test_completed_booking_cannot_be_cancelled() -> None:
    b = decide(confirmed(), Complete(), confirmed().ends_at, RULES).booking
    with pytest.raises(IllegalTransition):
        decide(b, Cancel(CancelledBy.OWNER), NOW, RULES)


def test_dispute_opens_and_closes_back_to_where_it_was() -> None:
    b = decide(confirmed(), Complete(), confirmed().ends_at, RULES).booking
    opened = DisputeOpened(
        booking_id=b.id,
        payment_id=PAYMENT,
        dispute_id=uuid.uuid4(),
        amount=b.total,
        reason="fraudulent",
        opened_at=NOW,
    )
    disputed = decide(b, reply(opened), NOW, RULES)
    assert disputed.booking.status is Status.DISPUTED
    assert decide(disputed.booking, reply(opened), NOW, RULES).booking == disputed.booking
    closed = DisputeClosed(
        booking_id=b.id,
        payment_id=PAYMENT,
        dispute_id=opened.dispute_id,
        amount=b.total,
        outcome=DisputeOutcome.WON,
        closed_at=NOW,
    )
    after = decide(disputed.booking, reply(closed), NOW, RULES)
    assert after.booking.status is Status.COMPLETED
    assert after.booking.dispute_outcome is DisputeOutcome.WON


def test_capture_is_remembered_once() -> None:
    b = confirmed()
    captured = PaymentCaptured(
        booking_id=b.id,
        payment_id=PAYMENT,
        amount=b.total,
        platform_fee=b.platform_fee,
        captured_at=NOW,
    )
    first = decide(b, reply(captured), NOW, RULES)
    assert first.booking.captured_at == NOW
    assert decide(first.booking, reply(captured), NOW, RULES).booking == first.booking


def test_a_withdrawn_studio_cancels_with_a_full_refund_and_says_why() -> None:
    b = replace(
        confirmed(
            CaptureStrategy.CAPTURE_IMMEDIATELY,
            policy=CancellationPolicy.STRICT,
            starts_in=timedelta(days=2),
        ),
        captured_at=NOW,
    )
    cancel = Cancel(CancelledBy.ADMIN, CancellationReason.STUDIO_UNAVAILABLE)
    decision = decide(b, cancel, NOW + timedelta(days=1), RULES)
    assert decision.booking.cancellation_reason is CancellationReason.STUDIO_UNAVAILABLE
    assert decision.booking.refund_minor == b.total.amount_minor
    refund = decision.messages[0]
    assert isinstance(refund, RefundPayment)
    assert refund.amount == b.total
    event = decision.messages[-1]
    assert isinstance(event, BookingCancelled)
    assert event.reason is CancellationReason.STUDIO_UNAVAILABLE


def test_a_cancellation_during_an_immediate_capture_records_only_what_payments_refunds() -> None:
    """Asked for a refund while the capture may still be in flight: the booking shows what
    the policy gives back, and as refunded only what payments reports having refunded."""
    b = confirmed(CaptureStrategy.CAPTURE_IMMEDIATELY, starts_in=timedelta(days=8))
    assert b.captured_at is None  # the capture has not been reported yet
    cancelled = decide(b, Cancel(CancelledBy.BOOKER), NOW + timedelta(minutes=30), RULES)
    [refund] = [m for m in cancelled.messages if isinstance(m, RefundPayment)]
    assert refund.amount == b.total
    assert cancelled.booking.refund_minor == b.total.amount_minor
    assert cancelled.booking.refunded_minor == 0

    refunded = PaymentRefunded(
        booking_id=b.id,
        payment_id=PAYMENT,
        refund_id=refund.refund_id,
        amount=b.total,
        total_refunded=b.total,
        reason=RefundReason.CANCELLED_BY_BOOKER,
        refunded_at=NOW + timedelta(minutes=31),
    )
    after = decide(cancelled.booking, reply(refunded), NOW + timedelta(minutes=31), RULES)
    assert after.booking.refunded_minor == b.total.amount_minor


@pytest.mark.parametrize("end", ["cancelled by the booker", "hold expired"])
def test_a_void_that_payments_turned_into_a_refund_records_the_refund(end: str) -> None:
    """Far out, the card is captured as soon as it is authorized; a booking that ended before
    hearing so asked for a void, which payments carries out as a full refund: the booking
    records what came back, as payments and Stripe do."""
    b = replace(
        pending_payment(hold_expires_at=NOW + timedelta(minutes=10)),
        capture_strategy=CaptureStrategy.CAPTURE_IMMEDIATELY,
    )
    if end == "hold expired":
        ended = decide(b, DeadlinePassed(), NOW + timedelta(minutes=11), RULES)
    else:
        ended = decide(b, Cancel(CancelledBy.BOOKER), NOW + timedelta(minutes=5), RULES)
    assert any(isinstance(m, VoidPayment) for m in ended.messages)
    later = NOW + timedelta(minutes=12)
    authorized = PaymentAuthorized(
        booking_id=b.id,
        payment_id=PAYMENT,
        amount=b.total,
        capture_strategy=CaptureStrategy.CAPTURE_IMMEDIATELY,
        authorized_at=later,
    )
    captured = PaymentCaptured(
        booking_id=b.id,
        payment_id=PAYMENT,
        amount=b.total,
        platform_fee=b.platform_fee,
        captured_at=later,
    )
    refunded = PaymentRefunded(
        booking_id=b.id,
        payment_id=PAYMENT,
        refund_id=uuid.uuid5(b.id, "void"),
        amount=b.total,
        total_refunded=b.total,
        reason=RefundReason.CANCELLED_BY_BOOKER,
        refunded_at=later,
    )

    booking = ended.booking
    for message in (authorized, captured, refunded):
        decision = decide(booking, reply(message), later, RULES)
        assert not decision.ignored, decision.note
        booking = decision.booking

    assert booking.status is Status.CANCELLED
    assert booking.refunded_minor == b.total.amount_minor
