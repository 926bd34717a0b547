"""What cancelling a booking now would give back, decided by the saga's own cancel step.

The preview runs `saga.decide` with the Cancel the person would send and reads the refund
off the cancelled booking it returns (nothing is saved or sent), so it cannot drift from what
the real cancellation does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from booking.domain.booking import Booking, IllegalTransition, Status
from booking.domain.policies import RefundRule, full_refund_until, refund_rule
from booking.domain.saga import Cancel, SagaRules, decide
from contracts.booking import CancelledBy


@dataclass(frozen=True)
class CancellationPreview:
    """The outcome of a cancellation by `cancelled_by` at `at`, or why there can be none."""

    booking_id: uuid.UUID
    at: datetime
    cancelled_by: CancelledBy
    cancellable: bool
    refusal: str | None
    """Why the booking cannot be cancelled now (None when it can)."""
    charged_minor: int
    """What the booker's card is charged (or authorized) for now: 0 before authorization."""
    refund_minor: int
    kept_minor: int
    currency: str
    rule: RefundRule | None
    """The policy's rule that decides it; None while nothing is confirmed (everything back)."""
    full_refund_until: datetime | None
    """For the booker: the last instant a cancellation refunds in full, if still to come."""


def preview_cancellation(
    booking: Booking, cancelled_by: CancelledBy, now: datetime, rules: SagaRules
) -> CancellationPreview:
    """What `decide(booking, Cancel(cancelled_by), now)` would refund, without doing it."""
    charged = booking.price.total_minor if booking.authorized_at is not None else 0
    until = None
    if cancelled_by is CancelledBy.BOOKER:
        until = full_refund_until(
            booking.cancellation_policy, booked_at=booking.requested_at, starts_at=booking.starts_at
        )
        until = until if until is not None and until >= now else None
    try:
        cancelled = decide(booking, Cancel(cancelled_by), now, rules).booking
    except IllegalTransition as refused:
        return CancellationPreview(
            booking_id=booking.id,
            at=now,
            cancelled_by=cancelled_by,
            cancellable=False,
            refusal=str(refused),
            charged_minor=charged,
            refund_minor=0,
            kept_minor=0,
            currency=booking.price.currency,
            rule=None,
            full_refund_until=None,
        )
    refund = cancelled.refund_minor or 0
    rule = None
    if booking.status is Status.CONFIRMED:
        rule = refund_rule(
            booking.cancellation_policy,
            booked_at=booking.requested_at,
            cancelled_at=now,
            starts_at=booking.starts_at,
            cancelled_by=cancelled_by,
        )
    return CancellationPreview(
        booking_id=booking.id,
        at=now,
        cancelled_by=cancelled_by,
        cancellable=True,
        refusal=None,
        charged_minor=charged,
        refund_minor=refund,
        kept_minor=charged - refund,
        currency=booking.price.currency,
        rule=rule,
        full_refund_until=until,
    )
