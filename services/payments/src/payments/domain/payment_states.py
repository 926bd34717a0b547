"""A payment and the states it moves through, monotonically.

Stripe tells us about a PaymentIntent in webhooks that arrive late, twice or out of order, and
we re-read it when webhooks go missing; the allowed moves (`can_move`) only ever go forward
(pending -> authorized -> captured -> refunded, or to voided/expired), so the decisions of
`domain/payments.py` can ignore anything that would move a payment back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from contracts import Message
from contracts.payments import CaptureStrategy, PaymentFailureReason, VoidReason
from contracts.values import Money
from payments.domain.money import refundable


class PaymentStatus(StrEnum):
    PENDING = "pending"
    """Created; waiting for the booker's card (also after a declined one)."""
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    REFUNDED = "refunded"
    """Captured, then refunded in full."""
    VOIDED = "voided"
    EXPIRED = "expired"
    """The authorization lapsed before it was captured."""
    FAILED = "failed"
    """Stripe refused to even create it."""


_NEXT: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PENDING: frozenset(
        {
            PaymentStatus.AUTHORIZED,
            PaymentStatus.CAPTURED,
            PaymentStatus.VOIDED,
            PaymentStatus.EXPIRED,
            PaymentStatus.FAILED,
        }
    ),
    PaymentStatus.AUTHORIZED: frozenset(
        {PaymentStatus.CAPTURED, PaymentStatus.VOIDED, PaymentStatus.EXPIRED}
    ),
    PaymentStatus.CAPTURED: frozenset({PaymentStatus.REFUNDED}),
    PaymentStatus.REFUNDED: frozenset(),
    PaymentStatus.VOIDED: frozenset(),
    PaymentStatus.EXPIRED: frozenset(),
    PaymentStatus.FAILED: frozenset(),
}


def can_move(current: PaymentStatus, target: PaymentStatus) -> bool:
    """Whether a payment may go from `current` to `target` (staying put is not a move)."""
    return target in _NEXT[current]


@dataclass(frozen=True)
class CardFailure:
    """Why the booker's card was refused, in our words."""

    reason: PaymentFailureReason
    decline_code: str | None = None


@dataclass(frozen=True)
class IntentSnapshot:
    """What the provider says about a payment at one moment, mapped to our statuses."""

    intent_ref: str
    status: PaymentStatus
    amount_capturable_minor: int = 0
    amount_received_minor: int = 0
    charge_ref: str | None = None
    capture_before: datetime | None = None
    client_secret: str | None = None
    failure: CardFailure | None = None
    booking_id: uuid.UUID | None = None
    move_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Payment:
    id: uuid.UUID
    booking_id: uuid.UUID
    booker_id: uuid.UUID
    owner_id: uuid.UUID
    currency: str
    amount_minor: int
    quoted_fee_minor: int
    capture_strategy: CaptureStrategy
    session_ends_at: datetime
    status: PaymentStatus = PaymentStatus.PENDING
    intent_ref: str | None = None
    client_secret: str | None = None
    charge_ref: str | None = None
    authorized_at: datetime | None = None
    authorization_expires_at: datetime | None = None
    captured_minor: int = 0
    fee_minor: int = 0
    captured_at: datetime | None = None
    refunded_minor: int = 0
    void_reason: VoidReason | None = None
    move_id: uuid.UUID | None = None
    """The move whose difference this payment is; None for the booking's first payment."""

    def money(self, amount_minor: int) -> Money:
        return Money(amount_minor=amount_minor, currency=self.currency)

    @property
    def refundable_minor(self) -> int:
        return refundable(self.captured_minor, self.refunded_minor)


@dataclass(frozen=True)
class Outcome:
    """A decision: the payment as it is now, what to tell others, and whether to capture now."""

    payment: Payment
    messages: list[Message] = field(default_factory=list)
    capture_now: bool = False
