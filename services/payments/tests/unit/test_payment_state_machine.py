"""The payment state machine: forward only, stale news ignored, the same outcome in any order."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from contracts.payments import (
    AuthorizePayment,
    CaptureStrategy,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentFailureReason,
    PaymentRefunded,
    PaymentVoided,
    RefundReason,
    VoidReason,
)
from contracts.values import Money
from payments.domain.payment_returns import (
    VOID_REFUND_REASON,
    RefundRequest,
    VoidAction,
    refund_went_through,
    refunds_total,
    request_void,
    settle_refund_requests,
    waiting_payments,
)
from payments.domain.payment_states import (
    CardFailure,
    IntentSnapshot,
    Payment,
    PaymentStatus,
    can_move,
)
from payments.domain.payments import (
    capture_strategy_for,
    card_failed,
    creation_failed,
    intent_created,
    needs_cancel,
    new_payment,
    observe,
)

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
WINDOW = timedelta(days=6)
CAPTURE_BEFORE = NOW + timedelta(days=7)


def payment(strategy: CaptureStrategy = CaptureStrategy.AUTHORIZE_THEN_CAPTURE) -> Payment:
    return Payment(
        id=uuid.uuid4(),
        booking_id=uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        currency="USD",
        amount_minor=10_000,
        quoted_fee_minor=1_500,
        capture_strategy=strategy,
        session_ends_at=NOW + timedelta(days=1),
        intent_ref="pi_1",
        client_secret="pi_1_secret_x",
    )


def snapshot(status: PaymentStatus, received: int = 0) -> IntentSnapshot:
    return IntentSnapshot(
        intent_ref="pi_1",
        status=status,
        amount_capturable_minor=10_000 if status is PaymentStatus.AUTHORIZED else 0,
        amount_received_minor=received,
        charge_ref="ch_1",
        capture_before=CAPTURE_BEFORE if status is PaymentStatus.AUTHORIZED else None,
    )


AUTHORIZED = snapshot(PaymentStatus.AUTHORIZED)
CAPTURED = snapshot(PaymentStatus.CAPTURED, received=10_000)
CANCELED = snapshot(PaymentStatus.VOIDED)


@pytest.mark.parametrize(
    ("ends_in", "strategy"),
    [
        (WINDOW - timedelta(seconds=1), CaptureStrategy.AUTHORIZE_THEN_CAPTURE),
        (WINDOW, CaptureStrategy.AUTHORIZE_THEN_CAPTURE),
        (WINDOW + timedelta(seconds=1), CaptureStrategy.CAPTURE_IMMEDIATELY),
        (timedelta(days=10), CaptureStrategy.CAPTURE_IMMEDIATELY),
        (timedelta(hours=2), CaptureStrategy.AUTHORIZE_THEN_CAPTURE),
    ],
)
def test_capture_strategy_on_both_sides_of_the_authorization_window(
    ends_in: timedelta, strategy: CaptureStrategy
) -> None:
    assert capture_strategy_for(NOW + ends_in, NOW, WINDOW) is strategy


def test_new_payment_takes_its_strategy_from_the_session_end() -> None:
    command = AuthorizePayment(
        booking_id=uuid.uuid4(),
        booker_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        studio_id=uuid.uuid4(),
        amount=Money(amount_minor=5_000, currency="EUR"),
        platform_fee=Money(amount_minor=750, currency="EUR"),
        session_starts_at=NOW + timedelta(days=9),
        session_ends_at=NOW + timedelta(days=9, hours=2),
        description="x",
    )

    created = new_payment(command, now=NOW, window=WINDOW)

    assert created.capture_strategy is CaptureStrategy.CAPTURE_IMMEDIATELY
    assert (created.status, created.amount_minor, created.currency) == (
        PaymentStatus.PENDING,
        5_000,
        "EUR",
    )


def test_authorization_is_announced_with_its_deadline() -> None:
    outcome = observe(payment(), AUTHORIZED, NOW)

    assert outcome.payment.status is PaymentStatus.AUTHORIZED
    [message] = outcome.messages
    assert isinstance(message, PaymentAuthorized)
    assert message.authorization_expires_at == CAPTURE_BEFORE
    assert outcome.capture_now is False


def test_capture_immediately_strategy_captures_once_authorized() -> None:
    outcome = observe(payment(CaptureStrategy.CAPTURE_IMMEDIATELY), AUTHORIZED, NOW)

    assert outcome.capture_now is True


def test_capture_records_amount_and_fee() -> None:
    authorized = observe(payment(), AUTHORIZED, NOW).payment

    outcome = observe(authorized, snapshot(PaymentStatus.CAPTURED, received=6_003), NOW)

    assert (outcome.payment.captured_minor, outcome.payment.fee_minor) == (6_003, 900)
    [message] = outcome.messages
    assert isinstance(message, PaymentCaptured)
    assert message.platform_fee.amount_minor == 900


def test_capture_seen_before_authorization_announces_both_then_ignores_the_late_one() -> None:
    captured = observe(payment(), CAPTURED, NOW)
    late = observe(captured.payment, AUTHORIZED, NOW)

    assert [type(m) for m in captured.messages] == [PaymentAuthorized, PaymentCaptured]
    assert late.messages == []
    assert late.payment.status is PaymentStatus.CAPTURED


@pytest.mark.parametrize("order", list(itertools.permutations([AUTHORIZED, CAPTURED, CAPTURED])))
def test_any_order_of_the_same_news_ends_the_same(order: tuple[IntentSnapshot, ...]) -> None:
    current, messages = payment(), []
    for news in order:
        outcome = observe(current, news, NOW)
        current, messages = outcome.payment, messages + outcome.messages

    assert current.status is PaymentStatus.CAPTURED
    assert sorted(type(m).__name__ for m in messages) == ["PaymentAuthorized", "PaymentCaptured"]


def test_cancel_after_capture_is_stale() -> None:
    captured = observe(payment(), CAPTURED, NOW).payment

    outcome = observe(captured, CANCELED, NOW)

    assert outcome.payment == captured
    assert outcome.messages == []


def test_lapsed_authorization_fails_for_good_unless_a_void_was_asked() -> None:
    authorized = observe(payment(), AUTHORIZED, NOW).payment
    lapsed = snapshot(PaymentStatus.EXPIRED)

    failed = observe(authorized, lapsed, NOW)
    asked = observe(replace(authorized, void_reason=VoidReason.CANCELLED), lapsed, NOW)

    [failure] = failed.messages
    assert isinstance(failure, PaymentFailed)
    assert (failure.retryable, failure.reason) == (False, PaymentFailureReason.PROCESSING_ERROR)
    assert [type(m) for m in asked.messages] == [PaymentVoided]
    assert failed.payment.status is asked.payment.status is PaymentStatus.EXPIRED


def test_declined_card_may_be_retried_but_a_late_decline_is_ignored() -> None:
    failure = CardFailure(PaymentFailureReason.CARD_DECLINED, "insufficient_funds")

    pending = card_failed(payment(), failure, NOW)
    late = card_failed(observe(payment(), AUTHORIZED, NOW).payment, failure, NOW)

    [message] = pending.messages
    assert isinstance(message, PaymentFailed)
    assert (message.retryable, message.decline_code) == (True, "insufficient_funds")
    assert late.messages == []


def test_void_depends_on_how_far_the_payment_got() -> None:
    not_created = replace(payment(), intent_ref=None)
    authorized = observe(payment(), AUTHORIZED, NOW).payment
    captured = observe(authorized, CAPTURED, NOW).payment
    voided = observe(authorized, CANCELED, NOW).payment

    cases = [not_created, authorized, captured, voided]
    actions = [
        request_void(p, VoidReason.SLOTS_LOST, NOW, intent_may_exist=False)[1] for p in cases
    ]

    assert actions == [VoidAction.NONE, VoidAction.CANCEL, VoidAction.REFUND, VoidAction.NONE]
    outcome, _ = request_void(not_created, VoidReason.SLOTS_LOST, NOW, intent_may_exist=False)
    assert outcome.payment.status is PaymentStatus.VOIDED
    assert [m.reason for m in outcome.messages if isinstance(m, PaymentVoided)] == [
        VoidReason.SLOTS_LOST
    ]


def test_void_while_stripe_may_be_creating_the_intent_waits_for_it_and_offers_no_card() -> None:
    creating = replace(payment(), intent_ref=None, client_secret=None)

    outcome, action = request_void(creating, VoidReason.CANCELLED, NOW, intent_may_exist=True)
    created = intent_created(outcome.payment, snapshot(PaymentStatus.PENDING))

    assert action is VoidAction.AWAIT_INTENT
    assert (outcome.payment.status, outcome.messages) == (PaymentStatus.PENDING, [])
    assert created.messages == []  # no PaymentIntentReady: nobody may pay it
    assert needs_cancel(created.payment)
    voided = observe(created.payment, CANCELED, NOW)
    assert [m.reason for m in voided.messages if isinstance(m, PaymentVoided)] == [
        VoidReason.CANCELLED
    ]


def test_a_void_that_meets_a_failed_creation_is_answered_as_a_void() -> None:
    creating = replace(payment(), intent_ref=None, void_reason=VoidReason.HOLD_TIMED_OUT)

    outcome = creation_failed(creating, PaymentFailureReason.PROCESSING_ERROR, NOW)

    assert outcome.payment.status is PaymentStatus.VOIDED
    assert [type(m) for m in outcome.messages] == [PaymentVoided]


def test_refunds_asked_before_the_capture_wait_then_give_at_most_what_was_captured() -> None:
    authorized = observe(payment(), AUTHORIZED, NOW).payment
    captured = observe(authorized, snapshot(PaymentStatus.CAPTURED, received=6_000), NOW).payment
    voided = observe(authorized, CANCELED, NOW).payment
    asked = [
        RefundRequest(uuid.uuid4(), 4_000, "USD"),
        RefundRequest(uuid.uuid4(), 4_000, "USD"),
        RefundRequest(uuid.uuid4(), 100, "EUR"),
    ]

    assert waiting_payments([])
    assert waiting_payments([authorized])
    assert settle_refund_requests([authorized], asked, {}) is None
    settled = settle_refund_requests([captured], asked, {captured.id: 1_000})
    assert [sum(part for _, part in parts) for _, parts in settled or []] == [4_000, 1_000, 0]
    nothing = settle_refund_requests([voided], asked, {})
    assert [parts for _, parts in nothing or []] == [[], [], []]


def test_refunds_only_grow_and_a_full_refund_ends_the_payment() -> None:
    captured = observe(payment(), CAPTURED, NOW).payment

    partial = refunds_total(captured, 3_000)
    stale = refunds_total(partial, 1_000)
    full = refunds_total(partial, 10_000)

    assert (partial.refunded_minor, partial.status) == (3_000, PaymentStatus.CAPTURED)
    assert stale.refunded_minor == 3_000
    assert (full.refunded_minor, full.status) == (10_000, PaymentStatus.REFUNDED)


def test_a_refund_standing_for_a_void_is_announced_as_a_refund_and_answers_the_void() -> None:
    captured = observe(payment(CaptureStrategy.CAPTURE_IMMEDIATELY), CAPTURED, NOW).payment
    asked = request_void(captured, VoidReason.SLOTS_LOST, NOW, intent_may_exist=True)[0].payment
    refunded = refunds_total(asked, 10_000)
    refund_id = uuid.uuid4()

    for_void = refund_went_through(
        refunded, refund_id, 10_000, VOID_REFUND_REASON, NOW, booking_refunded_minor=10_000
    ).messages
    asked_for = refund_went_through(
        refunded, refund_id, 4_000, "cancelled_by_owner", NOW, booking_refunded_minor=10_000
    ).messages

    assert [type(message) for message in for_void] == [PaymentRefunded, PaymentVoided]
    announced = for_void[0]
    assert isinstance(announced, PaymentRefunded)
    assert (announced.refund_id, announced.reason) == (refund_id, RefundReason.SLOTS_LOST)
    assert announced.amount == announced.total_refunded == refunded.money(10_000)
    [plain] = asked_for
    assert isinstance(plain, PaymentRefunded)
    assert (plain.amount, plain.reason) == (refunded.money(4_000), RefundReason.CANCELLED_BY_OWNER)


def test_no_way_back() -> None:
    assert can_move(PaymentStatus.PENDING, PaymentStatus.CAPTURED)
    assert not can_move(PaymentStatus.CAPTURED, PaymentStatus.AUTHORIZED)
    assert not can_move(PaymentStatus.CAPTURED, PaymentStatus.VOIDED)
    assert not can_move(PaymentStatus.VOIDED, PaymentStatus.AUTHORIZED)
