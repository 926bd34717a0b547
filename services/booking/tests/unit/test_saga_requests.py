"""Every path of a request to book, as a decision of the pure saga: the hold lasts as long as the
owner may take; payment authorized waits for the owner; accepted confirms; declined or not
answered in time gives everything back and frees the room."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from booking.domain.booking import IllegalTransition, RequestAnswer, Status
from booking.domain.saga import Accept, Cancel, DeadlinePassed, Decline, decide, start
from contracts.availability import ConfirmSlots, HoldSlots, ReleaseSlots
from contracts.booking import (
    BookingAwaitingOwner,
    BookingCancelled,
    CancellationReason,
    CancelledBy,
)
from contracts.payments import AuthorizePayment, CaptureStrategy, RefundPayment, VoidPayment

from .conftest import NOW, RULES, pending_payment, requested
from .test_saga import authorized, slots_confirmed, types
from .test_saga import held as held_until

RESPOND_BY = NOW + timedelta(hours=24)


def a_request():  # type: ignore[no-untyped-def]
    return replace(requested(), respond_by=RESPOND_BY)


def waiting(**kw):  # type: ignore[no-untyped-def]
    b = replace(pending_payment(**kw), respond_by=RESPOND_BY)
    return decide(b, authorized(b), NOW + timedelta(minutes=2), RULES).booking


def test_a_request_holds_its_room_until_the_owner_s_answer_is_due_and_a_little_after() -> None:
    decision = start(a_request(), RULES)

    assert types(decision.messages) == [HoldSlots, AuthorizePayment]
    assert decision.messages[0].hold_until == RESPOND_BY + RULES.reply_timeout  # type: ignore[attr-defined]
    assert start(requested(), RULES).messages[0].hold_until is None  # type: ignore[attr-defined]


def test_an_unpaid_request_keeps_its_room_only_for_the_payment_window() -> None:
    b = a_request()
    long_hold = RESPOND_BY + RULES.reply_timeout
    held = decide(b, held_until(b, long_hold), NOW, RULES).booking
    pay_by = NOW + RULES.request_payment_window

    lapsed = decide(held, DeadlinePassed(), pay_by + RULES.hold_grace, RULES)

    assert held.hold_expires_at == pay_by
    assert held.deadline_at is not None
    assert held.deadline_at <= pay_by + RULES.hold_grace
    assert lapsed.booking.status is Status.CANCELLED
    assert types(lapsed.messages) == [VoidPayment, ReleaseSlots, BookingCancelled]


def test_a_paid_request_waits_for_the_owner_until_respond_by_and_says_so() -> None:
    b = replace(pending_payment(), respond_by=RESPOND_BY)
    decision = decide(b, authorized(b), NOW + timedelta(minutes=2), RULES)

    [told] = decision.messages
    assert isinstance(told, BookingAwaitingOwner)
    assert (told.respond_by, told.price) == (RESPOND_BY, b.total)
    b = decision.booking
    assert b.status is Status.AWAITING_OWNER
    assert b.authorized_at is not None
    assert b.deadline_at == RESPOND_BY


def test_accepting_confirms_the_slots_then_the_booking() -> None:
    b = waiting()

    accepted = decide(b, Accept(), NOW + timedelta(hours=1), RULES)
    confirmed = decide(accepted.booking, slots_confirmed(b), NOW + timedelta(hours=1), RULES)

    assert accepted.booking.status is Status.CONFIRMING
    assert accepted.booking.request_answer is RequestAnswer.ACCEPTED
    assert types(accepted.messages) == [ConfirmSlots]
    assert confirmed.booking.status is Status.CONFIRMED


def test_declining_voids_the_authorization_frees_the_room_and_tells_everyone() -> None:
    b = waiting()

    declined = decide(b, Decline(CancelledBy.OWNER), NOW + timedelta(hours=1), RULES)

    assert declined.booking.status is Status.CANCELLED
    assert declined.booking.request_answer is RequestAnswer.DECLINED
    assert declined.booking.cancelled_by is CancelledBy.OWNER
    assert declined.booking.refund_minor == b.price.total_minor
    assert types(declined.messages) == [VoidPayment, ReleaseSlots, BookingCancelled]


def test_a_request_charged_at_once_is_refunded_in_full_when_declined() -> None:
    b = replace(pending_payment(), respond_by=RESPOND_BY)
    paid = decide(b, authorized(b, CaptureStrategy.CAPTURE_IMMEDIATELY), NOW, RULES).booking

    declined = decide(paid, Decline(CancelledBy.ADMIN), NOW + timedelta(hours=1), RULES)

    [refund] = [m for m in declined.messages if isinstance(m, RefundPayment)]
    assert refund.amount.amount_minor == b.price.total_minor


def test_no_answer_by_respond_by_cancels_it_as_not_answered() -> None:
    b = waiting()

    early = decide(b, DeadlinePassed(), RESPOND_BY - timedelta(seconds=1), RULES)
    lapsed = decide(b, DeadlinePassed(), RESPOND_BY, RULES)

    assert early.ignored
    assert lapsed.booking.status is Status.CANCELLED
    assert lapsed.booking.request_answer is RequestAnswer.NOT_ANSWERED
    assert lapsed.booking.cancelled_by is CancelledBy.SYSTEM
    assert lapsed.booking.cancellation_reason is CancellationReason.HOLD_EXPIRED
    assert types(lapsed.messages) == [VoidPayment, ReleaseSlots, BookingCancelled]
    assert lapsed.booking.deadline_at is None


def test_the_booker_may_withdraw_a_request_while_it_waits() -> None:
    withdrawn = decide(waiting(), Cancel(CancelledBy.BOOKER), NOW + timedelta(hours=1), RULES)

    assert withdrawn.booking.status is Status.CANCELLED
    assert withdrawn.booking.request_answer is None
    assert types(withdrawn.messages) == [VoidPayment, ReleaseSlots, BookingCancelled]


def test_only_a_request_not_yet_answered_can_be_accepted_or_declined() -> None:
    instant = pending_payment()
    accepted = decide(waiting(), Accept(), NOW, RULES).booking

    with pytest.raises(IllegalTransition):
        decide(instant, Accept(), NOW, RULES)
    with pytest.raises(IllegalTransition):
        decide(instant, Decline(CancelledBy.OWNER), NOW, RULES)
    with pytest.raises(IllegalTransition):
        decide(accepted, Accept(), NOW, RULES)
    with pytest.raises(IllegalTransition):
        decide(accepted, Decline(CancelledBy.OWNER), NOW, RULES)


def test_a_request_declined_before_the_booker_paid_voids_and_frees_the_room() -> None:
    b = replace(pending_payment(), respond_by=RESPOND_BY)

    declined = decide(b, Decline(CancelledBy.OWNER), NOW, RULES)

    assert declined.booking.request_answer is RequestAnswer.DECLINED
    assert declined.booking.refund_minor == 0
    assert types(declined.messages) == [VoidPayment, ReleaseSlots, BookingCancelled]
