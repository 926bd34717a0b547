"""Commands the payments service executes and the events it publishes.

A booking has one payment, plus one more for each move to a dearer time (the difference,
named by the move's id). Commands name the booking, and a move's id where they concern that
payment only; every reply about one payment echoes its `move_id` (None for the booking's
first). `payment_id` is payments' own id. Stripe's objects stay inside payments:
`client_secret` and the provider references below are opaque strings for the client or for
support.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, Field, model_validator

from contracts.envelope import Message
from contracts.values import MAX_MINOR_UNITS, Money, PlainText, UtcDatetime


def _within_max(money: Money) -> Money:
    if money.amount_minor > MAX_MINOR_UNITS:
        raise ValueError(f"amount_minor must be at most {MAX_MINOR_UNITS}")
    return money


_PAYMENT_OF_MOVE = (
    "The move whose difference this payment is; None for the booking's first payment."
)

CommandMoney = Annotated[Money, AfterValidator(_within_max)]
"""An amount a command asks payments to move: at most MAX_MINOR_UNITS (what Stripe and our
money columns can hold), refused before it reaches a handler. The schema is Money's."""


class CaptureStrategy(StrEnum):
    """How the money is taken: the card authorization lives about 7 days."""

    AUTHORIZE_THEN_CAPTURE = "authorize_then_capture"
    """The session ends within the authorization's life: authorize now, capture on completion."""
    CAPTURE_IMMEDIATELY = "capture_immediately"
    """The session ends later: capture once authorized and hold the owner's payout."""


class PaymentFailureReason(StrEnum):
    CARD_DECLINED = "card_declined"
    AUTHENTICATION_FAILED = "authentication_failed"
    PROCESSING_ERROR = "processing_error"
    OWNER_CANNOT_RECEIVE_PAYOUTS = "owner_cannot_receive_payouts"
    INVALID_REQUEST = "invalid_request"


class VoidReason(StrEnum):
    SLOTS_LOST = "slots_lost"
    HOLD_TIMED_OUT = "hold_timed_out"
    CANCELLED = "cancelled"


class RefundReason(StrEnum):
    CANCELLED_BY_BOOKER = "cancelled_by_booker"
    CANCELLED_BY_OWNER = "cancelled_by_owner"
    CANCELLED_BY_ADMIN = "cancelled_by_admin"
    DISPUTE_RESOLVED = "dispute_resolved"
    SLOTS_LOST = "slots_lost"


class DisputeOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


class AuthorizePayment(Message):
    """Booking, with the hold of its slots: create the payment the booker will confirm."""

    message_type: ClassVar[str] = "payments.authorize_payment"
    routing_key: ClassVar[str] = "payments.command.authorize_payment"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "A move to a dearer time: authorize the difference as a payment of its own, "
            "beside the booking's first; None for the booking's first payment."
        ),
    )
    booker_id: uuid.UUID
    owner_id: uuid.UUID
    studio_id: uuid.UUID
    amount: CommandMoney
    platform_fee: CommandMoney
    session_starts_at: UtcDatetime
    session_ends_at: UtcDatetime
    description: PlainText

    @model_validator(mode="after")
    def _fee_within_amount(self) -> Self:
        if self.platform_fee.currency != self.amount.currency:
            raise ValueError("platform_fee must be in the currency of amount")
        if self.platform_fee.amount_minor > self.amount.amount_minor:
            raise ValueError("platform_fee must not exceed amount")
        return self


class PaymentIntentReady(Message):
    """Payments, after AuthorizePayment: the client confirms the card with client_secret."""

    message_type: ClassVar[str] = "payments.payment_intent_ready"
    routing_key: ClassVar[str] = "payments.payment.intent_ready"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(default=None, description=_PAYMENT_OF_MOVE)
    payment_id: uuid.UUID
    client_secret: str
    amount: Money
    capture_strategy: CaptureStrategy


class PaymentAuthorized(Message):
    """Payments, from Stripe's webhook: the booker's card is authorized for the amount."""

    message_type: ClassVar[str] = "payments.payment_authorized"
    routing_key: ClassVar[str] = "payments.payment.authorized"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(default=None, description=_PAYMENT_OF_MOVE)
    payment_id: uuid.UUID
    amount: Money
    capture_strategy: CaptureStrategy
    authorized_at: UtcDatetime
    authorization_expires_at: UtcDatetime | None = Field(
        default=None, description="When an uncaptured authorization lapses; None once captured."
    )


class PaymentFailed(Message):
    """Payments, when creating or authorizing a payment fails; the booker may retry if retryable."""

    message_type: ClassVar[str] = "payments.payment_failed"
    routing_key: ClassVar[str] = "payments.payment.failed"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(default=None, description=_PAYMENT_OF_MOVE)
    payment_id: uuid.UUID | None = Field(
        default=None, description="None when the payment could not even be created."
    )
    reason: PaymentFailureReason
    decline_code: str | None = Field(default=None, description="The card issuer's decline code.")
    retryable: bool
    failed_at: UtcDatetime


class CapturePayment(Message):
    """Booking, when the session is over (or after a move once the money was taken): take the
    authorized money of every payment of the booking, oldest first; what is past `amount` is
    released."""

    message_type: ClassVar[str] = "payments.capture_payment"
    routing_key: ClassVar[str] = "payments.command.capture_payment"

    booking_id: uuid.UUID
    amount: CommandMoney | None = Field(default=None, description="None captures the full amount.")


class PaymentCaptured(Message):
    """Payments, when money was captured (after CapturePayment, or at once if so planned)."""

    message_type: ClassVar[str] = "payments.payment_captured"
    routing_key: ClassVar[str] = "payments.payment.captured"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(default=None, description=_PAYMENT_OF_MOVE)
    payment_id: uuid.UUID
    amount: Money
    platform_fee: Money
    captured_at: UtcDatetime


class VoidPayment(Message):
    """Booking, when a booking ends before capture: cancel the authorization."""

    message_type: ClassVar[str] = "payments.void_payment"
    routing_key: ClassVar[str] = "payments.command.void_payment"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "Void only the payment of this move's difference; None voids every payment of "
            "the booking not captured."
        ),
    )
    reason: VoidReason


class PaymentVoided(Message):
    """Payments, after VoidPayment: the authorization is released (also sent if none existed)."""

    message_type: ClassVar[str] = "payments.payment_voided"
    routing_key: ClassVar[str] = "payments.payment.voided"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(default=None, description=_PAYMENT_OF_MOVE)
    payment_id: uuid.UUID | None = Field(default=None, description="None when no payment existed.")
    reason: VoidReason
    voided_at: UtcDatetime


class RefundPayment(Message):
    """Booking, on a cancellation after capture: give back the amount the policy allows, from
    the booking's newest captured payment first."""

    message_type: ClassVar[str] = "payments.refund_payment"
    routing_key: ClassVar[str] = "payments.command.refund_payment"

    booking_id: uuid.UUID
    refund_id: uuid.UUID = Field(
        description="Chosen by the sender, one per refund: a booking may be refunded in parts."
    )
    amount: CommandMoney
    reason: RefundReason


class PaymentRefunded(Message):
    """Payments, when a refund succeeded."""

    message_type: ClassVar[str] = "payments.payment_refunded"
    routing_key: ClassVar[str] = "payments.payment.refunded"

    booking_id: uuid.UUID
    move_id: uuid.UUID | None = Field(default=None, description=_PAYMENT_OF_MOVE)
    payment_id: uuid.UUID
    refund_id: uuid.UUID
    amount: Money = Field(description="Refunded from this payment.")
    total_refunded: Money = Field(description="Refunded from all of the booking's payments.")
    reason: RefundReason
    refunded_at: UtcDatetime


class SchedulePayout(Message):
    """Booking, when the owner earned money: pay them from not_before, after payments' dispute
    window following the session."""

    message_type: ClassVar[str] = "payments.schedule_payout"
    routing_key: ClassVar[str] = "payments.command.schedule_payout"

    booking_id: uuid.UUID
    owner_id: uuid.UUID
    not_before: UtcDatetime


class PayoutPaid(Message):
    """Payments, when the owner's share of a booking was transferred to their account."""

    message_type: ClassVar[str] = "payments.payout_paid"
    routing_key: ClassVar[str] = "payments.payout.paid"

    booking_id: uuid.UUID
    owner_id: uuid.UUID
    amount: Money
    transfer_id: Annotated[str, Field(description="The provider's reference of the transfer.")]
    paid_at: UtcDatetime


class PayoutReversed(Message):
    """Payments, when a paid-out transfer was taken back (a refund or a lost dispute)."""

    message_type: ClassVar[str] = "payments.payout_reversed"
    routing_key: ClassVar[str] = "payments.payout.reversed"

    booking_id: uuid.UUID
    owner_id: uuid.UUID
    amount: Money
    transfer_id: str
    reason: str
    reversed_at: UtcDatetime


class DisputeOpened(Message):
    """Payments, from Stripe's webhook: the booker's bank disputes the charge."""

    message_type: ClassVar[str] = "payments.dispute_opened"
    routing_key: ClassVar[str] = "payments.dispute.opened"

    booking_id: uuid.UUID
    payment_id: uuid.UUID
    dispute_id: uuid.UUID
    amount: Money
    reason: str = Field(description="The network's reason as the provider reports it.")
    evidence_due_by: UtcDatetime | None = None
    opened_at: UtcDatetime


class DisputeClosed(Message):
    """Payments, from Stripe's webhook: the dispute was decided."""

    message_type: ClassVar[str] = "payments.dispute_closed"
    routing_key: ClassVar[str] = "payments.dispute.closed"

    booking_id: uuid.UUID
    payment_id: uuid.UUID
    dispute_id: uuid.UUID
    amount: Money
    outcome: DisputeOutcome
    closed_at: UtcDatetime


class OwnerPayoutsEnabled(Message):
    """Payments, when an owner's connected account can receive payouts (onboarding done)."""

    message_type: ClassVar[str] = "payments.owner_payouts_enabled"
    routing_key: ClassVar[str] = "payments.owner_account.payouts_enabled"

    owner_id: uuid.UUID
    enabled_at: UtcDatetime


class OwnerPayoutsDisabled(Message):
    """Payments, when an owner's connected account can no longer receive payouts."""

    message_type: ClassVar[str] = "payments.owner_payouts_disabled"
    routing_key: ClassVar[str] = "payments.owner_account.payouts_disabled"

    owner_id: uuid.UUID
    reason: str
    disabled_at: UtcDatetime
