"""A booking and the states of its lifecycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from booking.domain.pricing import PriceBreakdown
from contracts.booking import CancellationReason, CancelledBy, FailureReason
from contracts.payments import CaptureStrategy, DisputeOutcome
from contracts.values import CancellationPolicy, Money, TimeRange


class Status(StrEnum):
    REQUESTED = "requested"
    """HoldSlots sent; waiting for availability."""
    PENDING_PAYMENT = "pending_payment"
    """Slots held until hold_expires_at; waiting for the booker's card to be authorized."""
    AWAITING_OWNER = "awaiting_owner"
    """A request to book: payment authorized and the slots held until respond_by, waiting for
    the studio's owner to accept (then confirming) or decline (then cancelled)."""
    CONFIRMING = "confirming"
    """Payment authorized (and a request accepted); ConfirmSlots sent."""
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    DISPUTED = "disputed"


ENDED = frozenset({Status.FAILED, Status.CANCELLED})
"""States in which the booking never happened: nothing is held or charged any more."""
LIVE = frozenset(
    {
        Status.REQUESTED,
        Status.PENDING_PAYMENT,
        Status.AWAITING_OWNER,
        Status.CONFIRMING,
        Status.CONFIRMED,
    }
)
"""States in which the session is still to take place (or is taking place)."""
HAPPENED = frozenset({Status.COMPLETED, Status.NO_SHOW, Status.DISPUTED})
"""States after the session: it took place (or the booker did not come)."""


class RequestAnswer(StrEnum):
    """What became of a request to book."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_ANSWERED = "not_answered"


class View(StrEnum):
    """How a person's bookings are grouped on their pages; every booking is in exactly one.

    upcoming: live and not over yet (ends_at after now); past: not ended, and over or
    settled (completed, no_show, disputed, or live with ends_at at or before now);
    cancelled: cancelled or failed.
    """

    UPCOMING = "upcoming"
    PAST = "past"
    CANCELLED = "cancelled"


class IllegalTransition(Exception):
    """The action is not allowed in the booking's current state."""


class NotAllowed(Exception):
    """The caller may not see or change this booking."""


class BookingNotFound(Exception):
    """No booking with this id."""


@dataclass(frozen=True)
class Move:
    """A confirmed booking on its way to another room or time of its studio: the new range is
    held first (`reservation_id` once availability held it), then booked while the old one is
    released, in one step of availability's. The booking stays confirmed where it was until
    then, and stays there if the move fails. A move the studio's owner proposes waits for the
    booker's agreement before anything is held. A move to a dearer time is booked only once the
    booker's card is authorized for the difference, a payment of its own, while the new range
    is held."""

    id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    requested_by: uuid.UUID
    requested_at: datetime
    price: PriceBreakdown
    """The booking's price at the new room and time."""
    reservation_id: uuid.UUID | None = None
    answer_by: datetime | None = None
    """For a move the studio's owner proposed: until when the booker may agree (nothing is
    held meanwhile); None once agreed, and for the booker's own moves."""
    # the difference of a dearer move, paid on its own
    hold_expires_at: datetime | None = None
    payment_id: uuid.UUID | None = None
    client_secret: str | None = None
    authorized_at: datetime | None = None
    payment_captured: bool = False
    """Taken at authorization (the new time far enough ahead that payments captures at once)."""
    payment_error: str | None = None

    @property
    def awaits_booker(self) -> bool:
        return self.answer_by is not None

    @property
    def time_range(self) -> TimeRange:
        return TimeRange(starts_at=self.starts_at, ends_at=self.ends_at)

    @property
    def payment_asked(self) -> bool:
        """Whether payments was asked for the difference: the new range is held until
        hold_expires_at, set only then (so a payment may exist to give back)."""
        return self.hold_expires_at is not None


@dataclass(frozen=True)
class Booking:
    """A booking with its price and policy snapshots, and the saga's memory of each step."""

    id: uuid.UUID
    booker_id: uuid.UUID
    owner_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    price: PriceBreakdown
    cancellation_policy: CancellationPolicy
    requested_at: datetime
    attendees: int = 1
    respond_by: datetime | None = None
    """For a request to book: when the owner's answer is due; None for an instant booking."""
    request_answer: RequestAnswer | None = None
    status: Status = Status.REQUESTED
    version: int = 0
    deadline_at: datetime | None = None
    # the command the current state waits on: how often and when it was last sent
    command_sends: int = 0
    command_sent_at: datetime | None = None
    # availability's part
    reservation_id: uuid.UUID | None = None
    hold_expires_at: datetime | None = None
    # payments' part
    payment_id: uuid.UUID | None = None
    client_secret: str | None = None
    capture_strategy: CaptureStrategy | None = None
    authorized_at: datetime | None = None
    authorization_expires_at: datetime | None = None
    """When an authorization not captured lapses at the card network (Stripe's capture_before)."""
    captured_at: datetime | None = None
    refunded_minor: int = 0
    payment_error: str | None = None
    # how it ended
    confirmed_at: datetime | None = None
    completed_at: datetime | None = None
    failure_reason: FailureReason | None = None
    failure_detail: str | None = None
    cancelled_by: CancelledBy | None = None
    cancellation_reason: CancellationReason | None = None
    refund_minor: int | None = None
    ended_at: datetime | None = None
    status_before_dispute: Status | None = None
    dispute_outcome: DisputeOutcome | None = None
    # rescheduling
    payment_minor: int | None = None
    """What the booker's payments were for, once a move to a cheaper time lowered the price
    below it (the difference is refunded, or not captured); None while it is the price."""
    move_payment_ids: tuple[uuid.UUID, ...] = ()
    """The payments of dearer moves' differences, beside `payment_id`."""
    move: Move | None = None
    move_failure: str | None = None
    """Why the last move did not happen, for the people on the booking; None after one that did."""

    @property
    def time_range(self) -> TimeRange:
        return TimeRange(starts_at=self.starts_at, ends_at=self.ends_at)

    @property
    def total(self) -> Money:
        return Money(amount_minor=self.price.total_minor, currency=self.price.currency)

    @property
    def payment_total(self) -> Money:
        """What the payment was authorized for: the price, unless a move lowered it."""
        amount = self.payment_minor if self.payment_minor is not None else self.price.total_minor
        return Money(amount_minor=amount, currency=self.price.currency)

    @property
    def platform_fee(self) -> Money:
        return Money(amount_minor=self.price.platform_fee_minor, currency=self.price.currency)

    @property
    def money_taken(self) -> bool:
        """Whether the booker's money is captured (or is being captured at authorization)."""
        if self.captured_at is not None:
            return True
        return (
            self.authorized_at is not None
            and self.capture_strategy is CaptureStrategy.CAPTURE_IMMEDIATELY
        )

    @property
    def answered(self) -> bool:
        """Whether the saga has an answer for the booker: a client secret to pay with, or a no."""
        if self.status is Status.REQUESTED:
            return False
        return not (self.status is Status.PENDING_PAYMENT and self.client_secret is None)

    @property
    def passing(self) -> bool:
        """Whether the saga is passing through this state on its own, waiting for other
        services only (not for a person): the booker's page would show it for a moment."""
        return self.status is Status.CONFIRMING or not self.answered

    @property
    def move_extra_minor(self) -> int:
        """What the move under way costs more than the booking's price (0 when not more)."""
        if self.move is None:
            return 0
        return max(self.move.price.total_minor - self.price.total_minor, 0)

    def knows_payment(self, payment_id: uuid.UUID | None) -> bool:
        """Whether the payment is one of the booking's (or of its move under way)."""
        move_payment = None if self.move is None else self.move.payment_id
        return payment_id in (self.payment_id, move_payment, *self.move_payment_ids)

    def money(self, amount_minor: int) -> Money:
        return Money(amount_minor=amount_minor, currency=self.price.currency)
