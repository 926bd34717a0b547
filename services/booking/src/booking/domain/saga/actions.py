"""The saga's steps for deadlines (re-send, give up, expire the hold, complete) and for people's
actions (cancel, complete, no-show)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from booking.domain.booking import Booking, IllegalTransition, RequestAnswer, Status
from booking.domain.policies import refund_for
from booking.domain.saga.move_payments import difference_back
from booking.domain.saga.moves import on_move_deadline
from booking.domain.saga.steps import (
    Accept,
    Cancel,
    Complete,
    DeadlinePassed,
    Decision,
    Decline,
    MarkNoShow,
    SagaRules,
    about,
    as_failed,
    authorize_payment,
    awaits_intent,
    cancelled_event,
    hold_slots,
    ignored,
    payment_back,
    refund_id,
    refund_reason,
    release_reason,
    resend,
    sent,
)
from contracts import Message
from contracts.availability import (
    ConfirmSlots,
    ReleaseReason,
    ReleaseSlots,
)
from contracts.booking import (
    BookingCompleted,
    BookingFailed,
    BookingNoShow,
    CancellationReason,
    CancelledBy,
    FailureReason,
)
from contracts.payments import (
    CapturePayment,
    RefundPayment,
    SchedulePayout,
    VoidPayment,
    VoidReason,
)


def on_deadline(b: Booking, _t: DeadlinePassed, now: datetime, rules: SagaRules) -> Decision:
    if b.deadline_at is None or now < b.deadline_at:
        return ignored(b, "deadline not due")
    if b.status is Status.REQUESTED:
        return resend(b, hold_slots(b, rules), now, rules) or _hold_unanswered(b, now, rules)
    if b.status is Status.PENDING_PAYMENT:
        if b.hold_expires_at is not None and now >= b.hold_expires_at + rules.hold_grace:
            return _expire(b, now)
        if awaits_intent(b, rules):
            return resend(b, authorize_payment(b), now, rules) or ignored(b, "no resend left")
    if b.status is Status.CONFIRMING:
        assert b.reservation_id is not None
        confirm = ConfirmSlots(booking_id=b.id, reservation_id=b.reservation_id)
        return resend(b, confirm, now, rules) or _confirmation_unanswered(b, now, rules)
    if b.status is Status.AWAITING_OWNER:
        lapsed = on_cancel(
            b, Cancel(CancelledBy.SYSTEM, CancellationReason.HOLD_EXPIRED), now, rules
        )
        unanswered = replace(lapsed.booking, request_answer=RequestAnswer.NOT_ANSWERED)
        return replace(
            lapsed, booking=unanswered, note="the owner did not answer the request: cancelled"
        )
    if b.status is Status.CONFIRMED and b.move is not None:
        return on_move_deadline(b, now, rules)
    if b.status is Status.CONFIRMED:
        completed = _complete(b, now, rules)
        return replace(completed, note="session over and not reported: completed automatically")
    return ignored(b, f"no deadline in state {b.status}")


def _hold_unanswered(b: Booking, now: datetime, rules: SagaRules) -> Decision:
    detail = f"availability did not answer the hold after {b.command_sends} requests"
    failed = as_failed(b, FailureReason.SLOTS_UNAVAILABLE, detail, now)
    void = VoidPayment(booking_id=b.id, reason=VoidReason.HOLD_TIMED_OUT)
    release = ReleaseSlots(booking_id=b.id, reason=ReleaseReason.HOLD_TIMED_OUT)
    event = BookingFailed(**about(b), reason=FailureReason.SLOTS_UNAVAILABLE, failed_at=now)
    return Decision(failed, [void, release, event], f"{detail}: payment voided, booking failed")


def _confirmation_unanswered(b: Booking, now: datetime, rules: SagaRules) -> Decision:
    detail = f"availability did not confirm the slots after {b.command_sends} requests"
    failed = as_failed(b, FailureReason.SLOTS_LOST, detail, now)
    messages = [
        payment_back(b, VoidReason.SLOTS_LOST, "confirmation-timed-out"),
        ReleaseSlots(
            booking_id=b.id, reservation_id=b.reservation_id, reason=ReleaseReason.HOLD_TIMED_OUT
        ),
        BookingFailed(**about(b), reason=FailureReason.SLOTS_LOST, failed_at=now),
    ]
    return Decision(failed, messages, f"{detail}: payment given back, booking failed")


def _expire(b: Booking, now: datetime) -> Decision:
    cancelled = replace(
        b,
        status=Status.CANCELLED,
        cancelled_by=CancelledBy.SYSTEM,
        cancellation_reason=CancellationReason.HOLD_EXPIRED,
        refund_minor=0,
        ended_at=now,
    )
    messages: list[Message] = [
        VoidPayment(booking_id=b.id, reason=VoidReason.HOLD_TIMED_OUT),
        ReleaseSlots(
            booking_id=b.id, reservation_id=b.reservation_id, reason=ReleaseReason.HOLD_TIMED_OUT
        ),
        cancelled_event(cancelled, now),
    ]
    return Decision(cancelled, messages, "hold expired without payment: cancelled")


def on_accept(b: Booking, _a: Accept, now: datetime, rules: SagaRules) -> Decision:
    if b.status is not Status.AWAITING_OWNER or b.reservation_id is None:
        raise IllegalTransition(
            f"only a request waiting for its owner can be accepted: it is {b.status}"
        )
    accepted = replace(
        sent(b, now), status=Status.CONFIRMING, request_answer=RequestAnswer.ACCEPTED
    )
    confirm = ConfirmSlots(booking_id=b.id, reservation_id=b.reservation_id)
    return Decision(accepted, [confirm], "request accepted: confirming the slots")


def on_decline(b: Booking, action: Decline, now: datetime, rules: SagaRules) -> Decision:
    """A request declined is cancelled by its owner: everything authorized goes back."""
    if b.respond_by is None or b.status not in (Status.PENDING_PAYMENT, Status.AWAITING_OWNER):
        raise IllegalTransition(
            f"only a request not yet answered can be declined: it is {b.status}"
        )
    cancelled = on_cancel(b, Cancel(action.by), now, rules)
    declined = replace(cancelled.booking, request_answer=RequestAnswer.DECLINED)
    return replace(cancelled, booking=declined, note=f"request declined by {action.by}")


def on_cancel(b: Booking, action: Cancel, now: datetime, rules: SagaRules) -> Decision:
    live = (
        Status.REQUESTED,
        Status.PENDING_PAYMENT,
        Status.AWAITING_OWNER,
        Status.CONFIRMING,
        Status.CONFIRMED,
    )
    if b.status not in live:
        raise IllegalTransition(f"a {b.status} booking cannot be cancelled")
    if now >= b.ends_at:
        raise IllegalTransition("the session is over: complete it or report a no-show")
    charged = b.price.total_minor if b.authorized_at is not None else 0
    refund = charged
    if b.status is Status.CONFIRMED:
        refund = refund_for(
            b.cancellation_policy,
            total_minor=b.price.total_minor,
            booked_at=b.requested_at,
            cancelled_at=now,
            starts_at=b.starts_at,
            cancelled_by=action.by,
        )
    kept = charged - refund
    cancelled = replace(
        b,
        move=None,
        status=Status.CANCELLED,
        cancelled_by=action.by,
        cancellation_reason=action.reason,
        refund_minor=refund,
        ended_at=now,
    )
    messages = _settle_cancellation(b, refund=refund, kept=kept, by=action.by, now=now, rules=rules)
    if b.move is not None:  # a dearer move's difference, asked for and not yet booked
        messages[:0] = difference_back(b, b.move, VoidReason.CANCELLED)
    # During a move the booking has two reservations (or availability has just swapped them):
    # release whatever it has.
    release_only = None if b.move is not None else b.reservation_id
    messages.append(
        ReleaseSlots(booking_id=b.id, reservation_id=release_only, reason=release_reason(cancelled))
    )
    messages.append(cancelled_event(cancelled, now))
    return Decision(cancelled, messages, f"cancelled by {action.by}: refund {refund} of {charged}")


def _settle_cancellation(
    b: Booking, *, refund: int, kept: int, by: CancelledBy, now: datetime, rules: SagaRules
) -> list[Message]:
    """The payment commands of a cancellation: void, refund, or keep part and pay it out."""
    if b.authorized_at is None:  # asked for with the hold, maybe not made yet
        return [VoidPayment(booking_id=b.id, reason=VoidReason.CANCELLED)]
    messages: list[Message] = []
    if b.money_taken:
        if refund:
            messages.append(
                RefundPayment(
                    booking_id=b.id,
                    refund_id=refund_id(b, "cancellation"),
                    amount=b.money(refund),
                    reason=refund_reason(by),
                )
            )
    elif kept == 0:
        messages.append(VoidPayment(booking_id=b.id, reason=VoidReason.CANCELLED))
    else:
        # Capturing less than authorized releases the rest to the booker.
        messages.append(CapturePayment(booking_id=b.id, amount=b.money(kept)))
    if kept:
        messages.append(
            # Payable from now; payments holds it for its dispute window after the session.
            SchedulePayout(booking_id=b.id, owner_id=b.owner_id, not_before=now)
        )
    return messages


def on_complete(b: Booking, _a: Complete, now: datetime, rules: SagaRules) -> Decision:
    _require_session_started(b, now, "completed")
    return _complete(b, now, rules)


def _complete(b: Booking, now: datetime, rules: SagaRules) -> Decision:
    completed = replace(b, status=Status.COMPLETED, completed_at=now)
    messages = [*_keep_all(b, now, rules), BookingCompleted(**about(b), completed_at=now)]
    return Decision(completed, messages, "completed: capturing and scheduling the payout")


def on_no_show(b: Booking, action: MarkNoShow, now: datetime, rules: SagaRules) -> Decision:
    _require_session_started(b, now, "reported as a no-show")
    no_show = replace(b, status=Status.NO_SHOW, completed_at=now, refund_minor=0)
    messages = [
        *_keep_all(b, now, rules),
        BookingNoShow(**about(b), reported_by=action.reported_by, reported_at=now),
    ]
    return Decision(no_show, messages, "no-show: the owner keeps the payment")


def _require_session_started(b: Booking, now: datetime, what: str) -> None:
    if b.status is not Status.CONFIRMED:
        raise IllegalTransition(f"a {b.status} booking cannot be {what}")
    if now < b.starts_at:
        raise IllegalTransition(f"the session has not started yet: it cannot be {what}")


def _keep_all(b: Booking, now: datetime, rules: SagaRules) -> list[Message]:
    """Capture the whole payment (unless already taken) and schedule the owner's payout."""
    messages: list[Message] = []
    if not b.money_taken:
        # A move to a cheaper time leaves the rest of the authorization to be released.
        lowered = b.payment_minor is not None and b.payment_minor > b.price.total_minor
        messages.append(CapturePayment(booking_id=b.id, amount=b.total if lowered else None))
    messages.append(SchedulePayout(booking_id=b.id, owner_id=b.owner_id, not_before=now))
    return messages
