"""The booking saga as a pure decision: (booking, what happened, now) -> (booking, messages).

What happened is a reply from availability or payments, a deadline the scheduler fires, or
a person's action. Replies that arrive twice or too late change nothing (or re-send a
compensation, which the other services apply once); actions in the wrong state raise
IllegalTransition.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from booking.domain.booking import ENDED, Booking, IllegalTransition, Status
from booking.domain.policies import refund_for
from contracts import Message
from contracts.availability import (
    ConfirmSlots,
    HoldExpired,
    HoldSlots,
    ReleaseReason,
    ReleaseSlots,
    SlotsConfirmed,
    SlotsHeld,
    SlotsLost,
    SlotsReleased,
    SlotsUnavailable,
)
from contracts.booking import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingFailed,
    BookingNoShow,
    BookingRequested,
    CancellationReason,
    CancelledBy,
    FailureReason,
)
from contracts.payments import (
    AuthorizePayment,
    CapturePayment,
    DisputeClosed,
    DisputeOpened,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentIntentReady,
    PaymentRefunded,
    PaymentVoided,
    PayoutPaid,
    RefundPayment,
    RefundReason,
    SchedulePayout,
    VoidPayment,
    VoidReason,
)


@dataclass(frozen=True)
class SagaRules:
    """The saga's time knobs, from the service's settings."""

    hold_grace: timedelta = timedelta(seconds=30)
    """Slack after hold_expires_at for an authorization already on its way."""
    request_timeout: timedelta = timedelta(minutes=10)
    """How long a booking waits for availability's answer to HoldSlots."""
    auto_complete_after: timedelta | None = timedelta(hours=24)
    """After the session's end, complete a booking its owner did not complete or report."""


@dataclass(frozen=True)
class DeadlinePassed:
    """The scheduler's timer: the booking's deadline_at has passed."""


@dataclass(frozen=True)
class Cancel:
    """A person cancels the booking."""

    by: CancelledBy


@dataclass(frozen=True)
class Complete:
    """The owner (or an admin, or the auto-complete deadline) says the session took place."""


@dataclass(frozen=True)
class MarkNoShow:
    """The owner reports that the booker did not turn up."""

    reported_by: uuid.UUID


Happening = Message | DeadlinePassed | Cancel | Complete | MarkNoShow


@dataclass(frozen=True)
class Decision:
    """The booking after the step, the messages to send, and a note for the timeline."""

    booking: Booking
    messages: list[Message] = field(default_factory=list)
    note: str = ""


def start(booking: Booking, rules: SagaRules = SagaRules()) -> Decision:
    """A new booking: hold the slots and announce the request."""
    requested = _with_deadline(booking, rules)
    return Decision(
        requested,
        [
            HoldSlots(
                booking_id=booking.id,
                studio_id=booking.studio_id,
                room_id=booking.room_id,
                time_range=booking.time_range,
            ),
            BookingRequested(
                **_about(booking), price=booking.total, requested_at=booking.requested_at
            ),
        ],
        "booking requested: holding the slots",
    )


def decide(
    booking: Booking, happening: Happening, now: datetime, rules: SagaRules = SagaRules()
) -> Decision:
    """The saga's next step for one thing that happened to a booking."""
    step = _STEPS.get(type(happening))
    if step is None:
        return Decision(booking, note=f"{type(happening).__name__} does not concern the saga")
    decision = step(booking, happening, now, rules)
    return replace(decision, booking=_with_deadline(decision.booking, rules))


def next_deadline(booking: Booking, rules: SagaRules) -> datetime | None:
    """When the scheduler must next look at this booking, if ever."""
    if booking.status is Status.REQUESTED:
        return booking.requested_at + rules.request_timeout
    if booking.status is Status.PENDING_PAYMENT and booking.hold_expires_at is not None:
        return booking.hold_expires_at + rules.hold_grace
    if booking.status is Status.CONFIRMED and rules.auto_complete_after is not None:
        return booking.ends_at + rules.auto_complete_after
    return None


def _with_deadline(booking: Booking, rules: SagaRules) -> Booking:
    deadline = next_deadline(booking, rules)
    return booking if deadline == booking.deadline_at else replace(booking, deadline_at=deadline)


def _about(booking: Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "booker_id": booking.booker_id,
        "owner_id": booking.owner_id,
        "studio_id": booking.studio_id,
        "room_id": booking.room_id,
        "time_range": booking.time_range,
    }


def _ignored(booking: Booking, why: str) -> Decision:
    return Decision(booking, note=f"ignored: {why}")


# --- availability's replies -------------------------------------------------------------


def _slots_held(b: Booking, m: SlotsHeld, now: datetime, rules: SagaRules) -> Decision:
    if b.status is Status.REQUESTED:
        held = replace(
            b,
            status=Status.PENDING_PAYMENT,
            reservation_id=m.reservation_id,
            hold_expires_at=m.expires_at,
        )
        authorize = AuthorizePayment(
            booking_id=b.id,
            booker_id=b.booker_id,
            owner_id=b.owner_id,
            studio_id=b.studio_id,
            amount=b.total,
            platform_fee=b.platform_fee,
            session_starts_at=b.starts_at,
            session_ends_at=b.ends_at,
            description=f"Studio booking {b.id} ({b.price.hours} h)",
        )
        return Decision(held, [authorize], "slots held: authorizing the payment")
    if b.status in ENDED:
        release = ReleaseSlots(
            booking_id=b.id, reservation_id=m.reservation_id, reason=_release_reason(b)
        )
        return Decision(b, [release], "hold arrived after the booking ended: releasing it")
    return _ignored(b, f"slots already held (booking is {b.status})")


def _slots_unavailable(b: Booking, m: SlotsUnavailable, now: datetime, _: SagaRules) -> Decision:
    if b.status is not Status.REQUESTED:
        return _ignored(b, f"booking is {b.status}")
    failed = replace(
        b, status=Status.FAILED, failure_reason=FailureReason.SLOTS_UNAVAILABLE, ended_at=now
    )
    event = BookingFailed(**_about(b), reason=FailureReason.SLOTS_UNAVAILABLE, failed_at=now)
    return Decision(failed, [event], f"slots unavailable ({m.reason}): booking failed")


def _slots_confirmed(b: Booking, m: SlotsConfirmed, now: datetime, _: SagaRules) -> Decision:
    if b.status is Status.CONFIRMING:
        confirmed = replace(b, status=Status.CONFIRMED, confirmed_at=m.confirmed_at)
        event = BookingConfirmed(**_about(b), price=b.total, confirmed_at=m.confirmed_at)
        return Decision(confirmed, [event], "slots confirmed: booking confirmed")
    if b.status in ENDED:
        release = ReleaseSlots(
            booking_id=b.id, reservation_id=m.reservation_id, reason=_release_reason(b)
        )
        return Decision(b, [release], "slots confirmed after the booking ended: releasing them")
    return _ignored(b, f"booking is {b.status}")


def _slots_lost(b: Booking, m: SlotsLost, now: datetime, _: SagaRules) -> Decision:
    if b.status is not Status.CONFIRMING:
        return _ignored(b, f"booking is {b.status}")
    failed = replace(
        b,
        status=Status.FAILED,
        failure_reason=FailureReason.SLOTS_LOST,
        ended_at=now,
        refund_minor=b.price.total_minor if b.money_taken else 0,
    )
    give_back: Message = (
        RefundPayment(
            booking_id=b.id,
            refund_id=_refund_id(b, "slots-lost"),
            amount=b.total,
            reason=RefundReason.SLOTS_LOST,
        )
        if b.money_taken
        else VoidPayment(booking_id=b.id, reason=VoidReason.SLOTS_LOST)
    )
    event = BookingFailed(**_about(b), reason=FailureReason.SLOTS_LOST, failed_at=now)
    return Decision(failed, [give_back, event], f"slots lost ({m.reason}): payment given back")


def _noted(what: str) -> Callable[[Booking, Any, datetime, SagaRules], Decision]:
    def note(b: Booking, _m: Any, _now: datetime, _r: SagaRules) -> Decision:
        return Decision(b, note=what)

    return note


# --- payments' replies ------------------------------------------------------------------


def _intent_ready(b: Booking, m: PaymentIntentReady, now: datetime, _: SagaRules) -> Decision:
    if (b.payment_id, b.client_secret, b.capture_strategy) == (
        m.payment_id,
        m.client_secret,
        m.capture_strategy,
    ):
        return _ignored(b, "payment intent already known")
    ready = replace(
        b,
        payment_id=m.payment_id,
        client_secret=m.client_secret,
        capture_strategy=m.capture_strategy,
    )
    return Decision(ready, note="payment intent ready: the booker can pay")


def _payment_failed(b: Booking, m: PaymentFailed, now: datetime, _: SagaRules) -> Decision:
    if b.status is not Status.PENDING_PAYMENT:
        return _ignored(b, f"booking is {b.status}")
    error = m.decline_code or str(m.reason)
    if m.retryable:
        return Decision(
            replace(b, payment_error=error), note=f"payment failed ({error}): the booker may retry"
        )
    failed = replace(
        b,
        status=Status.FAILED,
        failure_reason=FailureReason.PAYMENT_FAILED,
        payment_error=error,
        ended_at=now,
    )
    messages: list[Message] = [
        VoidPayment(booking_id=b.id, reason=VoidReason.CANCELLED),
        ReleaseSlots(
            booking_id=b.id, reservation_id=b.reservation_id, reason=ReleaseReason.PAYMENT_FAILED
        ),
        BookingFailed(**_about(b), reason=FailureReason.PAYMENT_FAILED, failed_at=now),
    ]
    return Decision(failed, messages, f"payment failed for good ({error}): booking failed")


def _authorized(b: Booking, m: PaymentAuthorized, now: datetime, _: SagaRules) -> Decision:
    paid = replace(
        b,
        payment_id=m.payment_id,
        capture_strategy=m.capture_strategy,
        authorized_at=b.authorized_at or m.authorized_at,
    )
    if b.status is Status.PENDING_PAYMENT and b.reservation_id is not None:
        confirm = ConfirmSlots(booking_id=b.id, reservation_id=b.reservation_id)
        late = b.hold_expires_at is not None and now > b.hold_expires_at
        note = "payment authorized" + (" after the hold expired" if late else "")
        return Decision(
            replace(paid, status=Status.CONFIRMING, payment_error=None),
            [confirm],
            f"{note}: confirming the slots",
        )
    if b.status in ENDED and b.authorized_at is None:
        reason = (
            VoidReason.HOLD_TIMED_OUT
            if b.cancellation_reason is CancellationReason.HOLD_EXPIRED
            else VoidReason.SLOTS_LOST
            if b.failure_reason is FailureReason.SLOTS_LOST
            else VoidReason.CANCELLED
        )
        void = VoidPayment(booking_id=b.id, reason=reason)
        return Decision(paid, [void], "payment authorized after the booking ended: voiding it")
    return _ignored(b, f"booking is {b.status}")


def _captured(b: Booking, m: PaymentCaptured, now: datetime, _: SagaRules) -> Decision:
    if b.captured_at is not None:
        return _ignored(b, "capture already known")
    return Decision(replace(b, captured_at=m.captured_at), note="payment captured")


def _refunded(b: Booking, m: PaymentRefunded, now: datetime, _: SagaRules) -> Decision:
    if m.total_refunded.amount_minor <= b.refunded_minor:
        return _ignored(b, "refund already known")
    refunded = replace(b, refunded_minor=m.total_refunded.amount_minor)
    return Decision(refunded, note=f"refunded {m.amount.amount_minor} {m.amount.currency}")


def _dispute_opened(b: Booking, m: DisputeOpened, now: datetime, _: SagaRules) -> Decision:
    if b.status is Status.DISPUTED:
        return _ignored(b, "dispute already open")
    disputed = replace(b, status=Status.DISPUTED, status_before_dispute=b.status)
    return Decision(disputed, note=f"dispute opened ({m.reason})")


def _dispute_closed(b: Booking, m: DisputeClosed, now: datetime, _: SagaRules) -> Decision:
    if b.status is not Status.DISPUTED or b.status_before_dispute is None:
        return _ignored(b, "no open dispute")
    closed = replace(
        b, status=b.status_before_dispute, status_before_dispute=None, dispute_outcome=m.outcome
    )
    return Decision(closed, note=f"dispute closed: {m.outcome}")


# --- deadlines and people's actions -----------------------------------------------------


def _deadline(b: Booking, _t: DeadlinePassed, now: datetime, rules: SagaRules) -> Decision:
    if b.deadline_at is None or now < b.deadline_at:
        return _ignored(b, "deadline not due")
    if b.status is Status.REQUESTED:
        return _expire(b, now, void=False, note="no answer to the hold in time: cancelled")
    if b.status is Status.PENDING_PAYMENT:
        return _expire(b, now, void=True, note="hold expired without payment: cancelled")
    if b.status is Status.CONFIRMED:
        completed = _complete(b, now, rules)
        return replace(completed, note="session over and not reported: completed automatically")
    return _ignored(b, f"no deadline in state {b.status}")


def _expire(b: Booking, now: datetime, *, void: bool, note: str) -> Decision:
    cancelled = replace(
        b,
        status=Status.CANCELLED,
        cancelled_by=CancelledBy.SYSTEM,
        cancellation_reason=CancellationReason.HOLD_EXPIRED,
        refund_minor=0,
        ended_at=now,
    )
    messages: list[Message] = []
    if void:
        messages.append(VoidPayment(booking_id=b.id, reason=VoidReason.HOLD_TIMED_OUT))
    messages.append(
        ReleaseSlots(
            booking_id=b.id, reservation_id=b.reservation_id, reason=ReleaseReason.HOLD_TIMED_OUT
        )
    )
    messages.append(_cancelled_event(cancelled, now))
    return Decision(cancelled, messages, note)


def _cancel(b: Booking, action: Cancel, now: datetime, rules: SagaRules) -> Decision:
    live = (Status.REQUESTED, Status.PENDING_PAYMENT, Status.CONFIRMING, Status.CONFIRMED)
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
        status=Status.CANCELLED,
        cancelled_by=action.by,
        cancellation_reason=CancellationReason.REQUESTED,
        refund_minor=refund,
        ended_at=now,
    )
    messages = _settle_cancellation(b, refund=refund, kept=kept, by=action.by, now=now, rules=rules)
    messages.append(
        ReleaseSlots(
            booking_id=b.id, reservation_id=b.reservation_id, reason=_release_reason(cancelled)
        )
    )
    messages.append(_cancelled_event(cancelled, now))
    return Decision(cancelled, messages, f"cancelled by {action.by}: refund {refund} of {charged}")


def _settle_cancellation(
    b: Booking, *, refund: int, kept: int, by: CancelledBy, now: datetime, rules: SagaRules
) -> list[Message]:
    """The payment commands of a cancellation: void, refund, or keep part and pay it out."""
    if b.status is Status.REQUESTED:
        return []  # no payment was asked for yet
    if b.authorized_at is None:
        return [VoidPayment(booking_id=b.id, reason=VoidReason.CANCELLED)]
    messages: list[Message] = []
    if b.money_taken:
        if refund:
            messages.append(
                RefundPayment(
                    booking_id=b.id,
                    refund_id=_refund_id(b, "cancellation"),
                    amount=b.money(refund),
                    reason=_refund_reason(by),
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


def _complete_action(b: Booking, _a: Complete, now: datetime, rules: SagaRules) -> Decision:
    _require_session_started(b, now, "completed")
    return _complete(b, now, rules)


def _complete(b: Booking, now: datetime, rules: SagaRules) -> Decision:
    completed = replace(b, status=Status.COMPLETED, completed_at=now)
    messages = [*_keep_all(b, now, rules), BookingCompleted(**_about(b), completed_at=now)]
    return Decision(completed, messages, "completed: capturing and scheduling the payout")


def _no_show(b: Booking, action: MarkNoShow, now: datetime, rules: SagaRules) -> Decision:
    _require_session_started(b, now, "reported as a no-show")
    no_show = replace(b, status=Status.NO_SHOW, completed_at=now, refund_minor=0)
    messages = [
        *_keep_all(b, now, rules),
        BookingNoShow(**_about(b), reported_by=action.reported_by, reported_at=now),
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
        messages.append(CapturePayment(booking_id=b.id))
    messages.append(SchedulePayout(booking_id=b.id, owner_id=b.owner_id, not_before=now))
    return messages


# --- small helpers ----------------------------------------------------------------------


def _cancelled_event(b: Booking, now: datetime) -> BookingCancelled:
    assert b.cancelled_by is not None
    assert b.cancellation_reason is not None
    return BookingCancelled(
        **_about(b),
        cancelled_by=b.cancelled_by,
        reason=b.cancellation_reason,
        refund=b.money(b.refund_minor or 0),
        cancelled_at=now,
    )


def _release_reason(b: Booking) -> ReleaseReason:
    if b.cancellation_reason is CancellationReason.HOLD_EXPIRED:
        return ReleaseReason.HOLD_TIMED_OUT
    return {
        CancelledBy.BOOKER: ReleaseReason.CANCELLED_BY_BOOKER,
        CancelledBy.OWNER: ReleaseReason.CANCELLED_BY_OWNER,
        CancelledBy.ADMIN: ReleaseReason.CANCELLED_BY_ADMIN,
    }.get(b.cancelled_by or CancelledBy.SYSTEM, ReleaseReason.PAYMENT_FAILED)


def _refund_reason(by: CancelledBy) -> RefundReason:
    return {
        CancelledBy.BOOKER: RefundReason.CANCELLED_BY_BOOKER,
        CancelledBy.OWNER: RefundReason.CANCELLED_BY_OWNER,
    }.get(by, RefundReason.CANCELLED_BY_ADMIN)


def _refund_id(b: Booking, step: str) -> uuid.UUID:
    """Derived from the booking and step, so a re-decided step asks for the same refund."""
    return uuid.uuid5(b.id, step)


_STEPS: dict[type, Callable[[Booking, Any, datetime, SagaRules], Decision]] = {
    SlotsHeld: _slots_held,
    SlotsUnavailable: _slots_unavailable,
    SlotsConfirmed: _slots_confirmed,
    SlotsLost: _slots_lost,
    SlotsReleased: _noted("slots released"),
    HoldExpired: _noted("availability reports the hold expired"),
    PaymentIntentReady: _intent_ready,
    PaymentFailed: _payment_failed,
    PaymentAuthorized: _authorized,
    PaymentCaptured: _captured,
    PaymentVoided: _noted("payment voided"),
    PaymentRefunded: _refunded,
    PayoutPaid: _noted("owner paid out"),
    DisputeOpened: _dispute_opened,
    DisputeClosed: _dispute_closed,
    DeadlinePassed: _deadline,
    Cancel: _cancel,
    Complete: _complete_action,
    MarkNoShow: _no_show,
}

SAGA_REPLIES: tuple[type[Message], ...] = tuple(
    key for key in _STEPS if isinstance(key, type) and issubclass(key, Message)
)
"""The messages from other services the saga listens to."""
