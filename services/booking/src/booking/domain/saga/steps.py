"""What every step of the saga shares: its rules, the happenings that are not messages (a
deadline, people's actions), the decision it returns, and the small builders of bookings and
messages the steps have in common."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from booking.domain.booking import Booking, Status
from booking.domain.pricing import PriceBreakdown
from booking.domain.replies import Reply
from contracts import Message
from contracts.availability import (
    HoldSlots,
    ReleaseReason,
)
from contracts.booking import (
    BookingCancelled,
    CancellationReason,
    CancelledBy,
    FailureReason,
)
from contracts.payments import (
    AuthorizePayment,
    RefundPayment,
    RefundReason,
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
    request_payment_window: timedelta = timedelta(minutes=10)
    """How long a request's booker has to pay: its room is held for the owner's whole window,
    but an unpaid request must not keep it that long."""


DEFAULT_RULES = SagaRules()


@dataclass(frozen=True)
class DeadlinePassed:
    """The scheduler's timer: the booking's deadline_at has passed."""


@dataclass(frozen=True)
class Cancel:
    """A person cancels the booking (or the system does, when its studio is withdrawn)."""

    by: CancelledBy
    reason: CancellationReason = CancellationReason.REQUESTED


@dataclass(frozen=True)
class Accept:
    """The studio's owner (or an admin) accepts a request to book."""


@dataclass(frozen=True)
class Decline:
    """The studio's owner (or an admin) declines a request to book."""

    by: CancelledBy


@dataclass(frozen=True)
class Complete:
    """The owner (or an admin, or the auto-complete deadline) says the session took place."""


@dataclass(frozen=True)
class MarkNoShow:
    """The owner reports that the booker did not turn up."""

    reported_by: uuid.UUID


@dataclass(frozen=True)
class Reschedule:
    """The booker (or an admin) moves a confirmed booking to another room or time of its
    studio, or its owner proposes to (`needs_booker`: the move waits for the booker's
    agreement); `price` is the booking's price there (domain.pricing.moved_price)."""

    move_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    price: PriceBreakdown
    requested_by: uuid.UUID
    needs_booker: bool = False


@dataclass(frozen=True)
class AnswerMove:
    """The booker agrees to (or refuses) the move the studio's owner proposed."""

    agreed: bool


Happening = (
    Reply
    | DeadlinePassed
    | Cancel
    | Accept
    | Decline
    | Complete
    | MarkNoShow
    | Reschedule
    | AnswerMove
)


@dataclass(frozen=True)
class Decision:
    """The booking after the step, the messages to send, and a note for the timeline."""

    booking: Booking
    messages: list[Message] = field(default_factory=list)
    note: str = ""
    ignored: bool = False
    """The happening changed nothing: a reply not asked for, a duplicate, a stale timer."""


def next_deadline(booking: Booking, rules: SagaRules) -> datetime | None:
    """When the scheduler must next look at this booking, if ever."""
    resend_due = (
        None if booking.command_sent_at is None else booking.command_sent_at + rules.reply_timeout
    )
    if booking.status in (Status.REQUESTED, Status.CONFIRMING):
        return resend_due
    if booking.status is Status.PENDING_PAYMENT and booking.hold_expires_at is not None:
        hold_over = booking.hold_expires_at + rules.hold_grace
        if awaits_intent(booking, rules) and resend_due is not None:
            return min(hold_over, resend_due)
        return hold_over
    if booking.status is Status.AWAITING_OWNER:
        return booking.respond_by
    if booking.status is Status.CONFIRMED and booking.move is not None:
        move = booking.move
        if move.awaits_booker:
            return move.answer_by
        if move.hold_expires_at is not None and move.authorized_at is None:
            # the booker pays the difference while the new range is held
            paid_by = move.hold_expires_at + rules.hold_grace
            resends_left = booking.command_sends <= rules.max_resends
            if move.client_secret is None and resends_left and resend_due is not None:
                return min(paid_by, resend_due)
            return paid_by
        return resend_due
    if booking.status is Status.CONFIRMED and rules.auto_complete_after is not None:
        return booking.ends_at + rules.auto_complete_after
    return None


def awaits_intent(booking: Booking, rules: SagaRules) -> bool:
    """Whether payments still owes the booker a payment intent, and may be asked again."""
    return booking.client_secret is None and booking.command_sends <= rules.max_resends


def sent(booking: Booking, now: datetime) -> Booking:
    """The booking after the first send of the command its new state waits on."""
    return replace(booking, command_sends=1, command_sent_at=now)


def resend(b: Booking, command: Message, now: datetime, rules: SagaRules) -> Decision | None:
    """The command the booking waits on, sent again; None when it was sent often enough."""
    if b.command_sends > rules.max_resends:
        return None
    again = replace(b, command_sends=b.command_sends + 1, command_sent_at=now)
    name = type(command).__name__
    note = f"no answer to {name} in time: sent again ({again.command_sends} sends)"
    return Decision(again, [command], note)


def with_deadline(booking: Booking, rules: SagaRules) -> Booking:
    deadline = next_deadline(booking, rules)
    return booking if deadline == booking.deadline_at else replace(booking, deadline_at=deadline)


def hold_slots(b: Booking, rules: SagaRules) -> HoldSlots:
    """The hold a booking asks for: a request's lasts as long as its owner may take to answer,
    and the time to confirm after."""
    return HoldSlots(
        booking_id=b.id,
        studio_id=b.studio_id,
        room_id=b.room_id,
        time_range=b.time_range,
        hold_until=None if b.respond_by is None else b.respond_by + rules.reply_timeout,
        booker_id=b.booker_id,
    )


def authorize_payment(b: Booking) -> AuthorizePayment:
    """Asked for with the hold: the booker pays once both are there."""
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


def about(booking: Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "booker_id": booking.booker_id,
        "owner_id": booking.owner_id,
        "studio_id": booking.studio_id,
        "room_id": booking.room_id,
        "time_range": booking.time_range,
    }


def ignored(booking: Booking, why: str) -> Decision:
    return Decision(booking, note=f"ignored: {why}", ignored=True)


def noted(what: str) -> Callable[[Booking, Any, datetime, SagaRules], Decision]:
    def note(b: Booking, _m: Any, _now: datetime, _r: SagaRules) -> Decision:
        return Decision(b, note=what)

    return note


def as_failed(b: Booking, reason: FailureReason, detail: str, now: datetime) -> Booking:
    return replace(
        b,
        status=Status.FAILED,
        failure_reason=reason,
        failure_detail=detail,
        ended_at=now,
        refund_minor=b.price.total_minor if b.money_taken else 0,
    )


def payment_back(b: Booking, void_reason: VoidReason, step: str) -> Message:
    """Everything back to the booker: a refund once the money is taken, else a void."""
    if b.money_taken:
        return RefundPayment(
            booking_id=b.id,
            refund_id=refund_id(b, step),
            amount=b.total,
            reason=RefundReason.SLOTS_LOST,
        )
    return VoidPayment(booking_id=b.id, reason=void_reason)


def cancelled_event(b: Booking, now: datetime) -> BookingCancelled:
    assert b.cancelled_by is not None
    assert b.cancellation_reason is not None
    return BookingCancelled(
        **about(b),
        cancelled_by=b.cancelled_by,
        reason=b.cancellation_reason,
        refund=b.money(b.refund_minor or 0),
        cancelled_at=now,
    )


def release_reason(b: Booking) -> ReleaseReason:
    if b.cancellation_reason is CancellationReason.HOLD_EXPIRED:
        return ReleaseReason.HOLD_TIMED_OUT
    return {
        CancelledBy.BOOKER: ReleaseReason.CANCELLED_BY_BOOKER,
        CancelledBy.OWNER: ReleaseReason.CANCELLED_BY_OWNER,
        CancelledBy.ADMIN: ReleaseReason.CANCELLED_BY_ADMIN,
    }.get(b.cancelled_by or CancelledBy.SYSTEM, ReleaseReason.PAYMENT_FAILED)


def refund_reason(by: CancelledBy) -> RefundReason:
    return {
        CancelledBy.BOOKER: RefundReason.CANCELLED_BY_BOOKER,
        CancelledBy.OWNER: RefundReason.CANCELLED_BY_OWNER,
    }.get(by, RefundReason.CANCELLED_BY_ADMIN)


def refund_id(b: Booking, step: str) -> uuid.UUID:
    """Derived from the booking and step, so a re-decided step asks for the same refund."""
    return uuid.uuid5(b.id, step)
