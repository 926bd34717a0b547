"""The booking saga as a pure decision: (booking, what happened, now) -> (booking, messages).

What happened is a reply from availability or payments, a deadline the scheduler fires, or
a person's action. A reply counts only when it answers a command this booking's saga sent
(`Reply.answers`, from the envelope's causation id) and says what that command asked for (the
same room and times, the same amount); anything else is ignored and noted. Replies that arrive
twice or too late change nothing (or re-send a compensation, which the other services apply
once); actions in the wrong state raise IllegalTransition.

Every state that waits has a deadline: a command that gets no answer in `reply_timeout` is sent
again, at most `max_resends` times, and then the saga compensates and fails the booking.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from booking.domain.booking import ENDED, Booking, IllegalTransition, Status
from booking.domain.policies import refund_for
from booking.domain.replies import Reply, why_not_ours
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
    reply_timeout: timedelta = timedelta(minutes=2)
    """How long the saga waits for the answer to a command before sending it again."""
    max_resends: int = 4
    """How often a command is sent again before the saga gives up and compensates."""
    auto_complete_after: timedelta | None = timedelta(hours=24)
    """After the session's end, complete a booking its owner did not complete or report."""


@dataclass(frozen=True)
class DeadlinePassed:
    """The scheduler's timer: the booking's deadline_at has passed."""


@dataclass(frozen=True)
class Cancel:
    """A person cancels the booking (or the system does, when its studio is withdrawn)."""

    by: CancelledBy
    reason: CancellationReason = CancellationReason.REQUESTED


@dataclass(frozen=True)
class Complete:
    """The owner (or an admin, or the auto-complete deadline) says the session took place."""


@dataclass(frozen=True)
class MarkNoShow:
    """The owner reports that the booker did not turn up."""

    reported_by: uuid.UUID


Happening = Reply | DeadlinePassed | Cancel | Complete | MarkNoShow


@dataclass(frozen=True)
class Decision:
    """The booking after the step, the messages to send, and a note for the timeline."""

    booking: Booking
    messages: list[Message] = field(default_factory=list)
    note: str = ""
    ignored: bool = False
    """The happening changed nothing: a reply not asked for, a duplicate, a stale timer."""


def start(booking: Booking, rules: SagaRules = SagaRules()) -> Decision:
    """A new booking: hold the slots and announce the request."""
    requested = _with_deadline(_sent(booking, booking.requested_at), rules)
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
    what: Any = happening
    if isinstance(happening, Reply):
        why = why_not_ours(booking, happening)
        if why is not None:
            name = type(happening.message).__name__
            return _ignored(booking, f"{name} is not an answer to this booking: {why}")
        what = happening.message
    step = _STEPS.get(type(what))
    if step is None:
        return _ignored(booking, f"{type(what).__name__} does not concern the saga")
    decision = step(booking, what, now, rules)
    return replace(decision, booking=_with_deadline(decision.booking, rules))


def next_deadline(booking: Booking, rules: SagaRules) -> datetime | None:
    """When the scheduler must next look at this booking, if ever."""
    resend_due = (
        None if booking.command_sent_at is None else booking.command_sent_at + rules.reply_timeout
    )
    if booking.status in (Status.REQUESTED, Status.CONFIRMING):
        return resend_due
    if booking.status is Status.PENDING_PAYMENT and booking.hold_expires_at is not None:
        hold_over = booking.hold_expires_at + rules.hold_grace
        if _awaits_intent(booking, rules) and resend_due is not None:
            return min(hold_over, resend_due)
        return hold_over
    if booking.status is Status.CONFIRMED and rules.auto_complete_after is not None:
        return booking.ends_at + rules.auto_complete_after
    return None


def _awaits_intent(booking: Booking, rules: SagaRules) -> bool:
    """Whether payments still owes the booker a payment intent, and may be asked again."""
    return booking.client_secret is None and booking.command_sends <= rules.max_resends


def _sent(booking: Booking, now: datetime) -> Booking:
    """The booking after the first send of the command its new state waits on."""
    return replace(booking, command_sends=1, command_sent_at=now)


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
    return Decision(booking, note=f"ignored: {why}", ignored=True)


# --- availability's replies -------------------------------------------------------------


def _slots_held(b: Booking, m: SlotsHeld, now: datetime, rules: SagaRules) -> Decision:
    if b.status is Status.REQUESTED:
        held = replace(
            _sent(b, now),
            status=Status.PENDING_PAYMENT,
            reservation_id=m.reservation_id,
            hold_expires_at=m.expires_at,
        )
        return Decision(held, [_authorize(b)], "slots held: authorizing the payment")
    if b.status in ENDED:
        release = ReleaseSlots(
            booking_id=b.id, reservation_id=m.reservation_id, reason=_release_reason(b)
        )
        return Decision(b, [release], "hold arrived after the booking ended: releasing it")
    return _ignored(b, f"slots already held (booking is {b.status})")


def _authorize(b: Booking) -> AuthorizePayment:
    return AuthorizePayment(
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


def _slots_unavailable(b: Booking, m: SlotsUnavailable, now: datetime, _: SagaRules) -> Decision:
    if b.status is not Status.REQUESTED:
        return _ignored(b, f"booking is {b.status}")
    detail = f"the slots are not available ({m.reason})"
    failed = _failed(b, FailureReason.SLOTS_UNAVAILABLE, detail, now)
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
    detail = f"the held slots were lost ({m.reason})"
    failed = _failed(b, FailureReason.SLOTS_LOST, detail, now)
    give_back = _give_back(b, VoidReason.SLOTS_LOST, "slots-lost")
    event = BookingFailed(**_about(b), reason=FailureReason.SLOTS_LOST, failed_at=now)
    return Decision(failed, [give_back, event], f"{detail}: payment given back")


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
        _failed(b, FailureReason.PAYMENT_FAILED, f"the payment failed ({error})", now),
        payment_error=error,
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
            replace(_sent(paid, now), status=Status.CONFIRMING, payment_error=None),
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
        hold = HoldSlots(
            booking_id=b.id, studio_id=b.studio_id, room_id=b.room_id, time_range=b.time_range
        )
        return _resend(b, hold, now, rules) or _hold_unanswered(b, now, rules)
    if b.status is Status.PENDING_PAYMENT:
        if b.hold_expires_at is not None and now >= b.hold_expires_at + rules.hold_grace:
            return _expire(b, now)
        if _awaits_intent(b, rules):
            return _resend(b, _authorize(b), now, rules) or _ignored(b, "no resend left")
    if b.status is Status.CONFIRMING:
        assert b.reservation_id is not None
        confirm = ConfirmSlots(booking_id=b.id, reservation_id=b.reservation_id)
        return _resend(b, confirm, now, rules) or _confirmation_unanswered(b, now, rules)
    if b.status is Status.CONFIRMED:
        completed = _complete(b, now, rules)
        return replace(completed, note="session over and not reported: completed automatically")
    return _ignored(b, f"no deadline in state {b.status}")


def _resend(b: Booking, command: Message, now: datetime, rules: SagaRules) -> Decision | None:
    """The command the booking waits on, sent again; None when it was sent often enough."""
    if b.command_sends > rules.max_resends:
        return None
    again = replace(b, command_sends=b.command_sends + 1, command_sent_at=now)
    name = type(command).__name__
    note = f"no answer to {name} in time: sent again ({again.command_sends} sends)"
    return Decision(again, [command], note)


def _hold_unanswered(b: Booking, now: datetime, rules: SagaRules) -> Decision:
    detail = f"availability did not answer the hold after {b.command_sends} requests"
    failed = _failed(b, FailureReason.SLOTS_UNAVAILABLE, detail, now)
    release = ReleaseSlots(booking_id=b.id, reason=ReleaseReason.HOLD_TIMED_OUT)
    event = BookingFailed(**_about(b), reason=FailureReason.SLOTS_UNAVAILABLE, failed_at=now)
    return Decision(failed, [release, event], f"{detail}: booking failed")


def _confirmation_unanswered(b: Booking, now: datetime, rules: SagaRules) -> Decision:
    detail = f"availability did not confirm the slots after {b.command_sends} requests"
    failed = _failed(b, FailureReason.SLOTS_LOST, detail, now)
    messages = [
        _give_back(b, VoidReason.SLOTS_LOST, "confirmation-timed-out"),
        ReleaseSlots(
            booking_id=b.id, reservation_id=b.reservation_id, reason=ReleaseReason.HOLD_TIMED_OUT
        ),
        BookingFailed(**_about(b), reason=FailureReason.SLOTS_LOST, failed_at=now),
    ]
    return Decision(failed, messages, f"{detail}: payment given back, booking failed")


def _failed(b: Booking, reason: FailureReason, detail: str, now: datetime) -> Booking:
    return replace(
        b,
        status=Status.FAILED,
        failure_reason=reason,
        failure_detail=detail,
        ended_at=now,
        refund_minor=b.price.total_minor if b.money_taken else 0,
    )


def _give_back(b: Booking, void_reason: VoidReason, step: str) -> Message:
    """Everything back to the booker: a refund once the money is taken, else a void."""
    if b.money_taken:
        return RefundPayment(
            booking_id=b.id,
            refund_id=_refund_id(b, step),
            amount=b.total,
            reason=RefundReason.SLOTS_LOST,
        )
    return VoidPayment(booking_id=b.id, reason=void_reason)


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
        _cancelled_event(cancelled, now),
    ]
    return Decision(cancelled, messages, "hold expired without payment: cancelled")


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
        cancellation_reason=action.reason,
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
