"""Which emails an event calls for, and when a failed one is tried again.

| event                          | booker               | owner                    |
|--------------------------------|----------------------|--------------------------|
| BookingConfirmed               | booking_confirmed    | new_booking              |
|                                | + a reminder per offset still ahead of the start |
| BookingCancelled (was confirmed)| booking_cancelled   | owner_booking_cancelled  |
| a reminder falls due (still confirmed) | reminder      |                          |
| BookingPaymentFailed (unpaid)  | payment_failed       |                          |
| BookingFailed (slots lost once paid) | booking_failed |                          |
| PaymentCaptured                | receipt              |                          |
| PayoutPaid                     |                      | payout_paid              |
| DisputeOpened                  |                      | dispute_opened           |
| MessagePosted                  | new_message (from the owner) | new_message (from the booker) |

Identity's EmailVerificationRequested and PasswordResetRequested send `email_verification` and
`password_reset` to the address they name, whatever else the person has turned off. Only
`reminder` and `new_message` can be turned off (`Preferences`): one turned off is recorded as
`skipped`, never sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.booking import FailureReason


class Kind(StrEnum):
    """What an email says; one template each."""

    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_CANCELLED = "booking_cancelled"
    NEW_BOOKING = "new_booking"
    OWNER_BOOKING_CANCELLED = "owner_booking_cancelled"
    REMINDER = "reminder"
    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"
    PAYMENT_FAILED = "payment_failed"
    RECEIPT = "receipt"
    PAYOUT_PAID = "payout_paid"
    DISPUTE_OPENED = "dispute_opened"
    NEW_MESSAGE = "new_message"
    REQUEST_TO_ANSWER = "request_to_answer"
    REQUEST_SENT = "request_sent"
    REQUEST_NOT_ACCEPTED = "request_not_accepted"
    BOOKING_RESCHEDULED = "booking_rescheduled"
    OWNER_BOOKING_RESCHEDULED = "owner_booking_rescheduled"
    MOVE_PROPOSED = "move_proposed"
    MOVE_DECLINED = "move_declined"
    BOOKING_FAILED = "booking_failed"


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    AWAITING_OWNER = "awaiting_owner"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class Notice:
    """One email to one person about one booking."""

    kind: Kind
    recipient_id: uuid.UUID


def on_awaiting_owner(booker_id: uuid.UUID, owner_id: uuid.UUID) -> list[Notice]:
    """A paid request: the owner is asked to answer, the booker told it is with the studio."""
    return [Notice(Kind.REQUEST_TO_ANSWER, owner_id), Notice(Kind.REQUEST_SENT, booker_id)]


def on_confirmed(booker_id: uuid.UUID, owner_id: uuid.UUID) -> list[Notice]:
    """The booker's confirmation and the owner's news of a new booking."""
    return [Notice(Kind.BOOKING_CONFIRMED, booker_id), Notice(Kind.NEW_BOOKING, owner_id)]


def on_rescheduled(booker_id: uuid.UUID, owner_id: uuid.UUID) -> list[Notice]:
    """A confirmed booking moved: the booker's new time (with the invitation updated), the
    owner's news of it."""
    return [
        Notice(Kind.BOOKING_RESCHEDULED, booker_id),
        Notice(Kind.OWNER_BOOKING_RESCHEDULED, owner_id),
    ]


def on_cancelled(
    known_as: BookingStatus | None, booker_id: uuid.UUID, owner_id: uuid.UUID
) -> list[Notice]:
    """Both sides hear of a cancellation, but only of a booking they were told was confirmed:
    a hold that lapsed before payment was never theirs to lose. A paid request that ends
    unaccepted (declined, unanswered, withdrawn) is told to its booker."""
    if known_as is BookingStatus.AWAITING_OWNER:
        return [Notice(Kind.REQUEST_NOT_ACCEPTED, booker_id)]
    if known_as is not BookingStatus.CONFIRMED:
        return []
    return [
        Notice(Kind.BOOKING_CANCELLED, booker_id),
        Notice(Kind.OWNER_BOOKING_CANCELLED, owner_id),
    ]


def on_failed(
    reason: FailureReason, known_as: BookingStatus | None, booker_id: uuid.UUID
) -> list[Notice]:
    """The booker hears of a booking that failed once paid (its slots lost on the way to
    confirmed: its payment is given back). One that failed before (the slots taken when asked
    for, the card declined) failed on the booker's page, with the payment's email for a card."""
    if reason is not FailureReason.SLOTS_LOST or known_as not in (
        None,
        BookingStatus.REQUESTED,
        BookingStatus.AWAITING_OWNER,
    ):
        return []
    return [Notice(Kind.BOOKING_FAILED, booker_id)]


def message_readers(
    author_id: uuid.UUID, booker_id: uuid.UUID, owner_id: uuid.UUID
) -> list[uuid.UUID]:
    """Who hears of a new message in a booking's conversation: the side that did not write it
    (both, when an admin wrote)."""
    return [person for person in (booker_id, owner_id) if person != author_id]


def reminder_times(starts_at: datetime, offsets: list[timedelta], now: datetime) -> list[datetime]:
    """When to remind the booker: each offset before the start, those already past dropped."""
    return sorted({starts_at - offset for offset in offsets if starts_at - offset > now})


@dataclass(frozen=True)
class Preferences:
    """Which emails that are not about a booking's money or terms a person wants; all on
    until they say otherwise."""

    reminders: bool = True
    messages: bool = True

    @staticmethod
    def ask_about(kind: Kind) -> bool:
        """Whether a person's preferences decide if an email of this kind goes: only reminders
        and messages can be turned off, so only they need the preferences looked up."""
        return kind in (Kind.REMINDER, Kind.NEW_MESSAGE)

    def wants(self, kind: Kind) -> bool:
        """Whether an email of this kind goes out; every other kind always does."""
        if kind is Kind.REMINDER:
            return self.reminders
        if kind is Kind.NEW_MESSAGE:
            return self.messages
        return True


@dataclass(frozen=True)
class RetryPolicy:
    """A failed send waits `first_wait`, doubling each time up to `longest_wait`; after
    `max_attempts` attempts the email is given up as failed."""

    max_attempts: int
    first_wait: timedelta
    longest_wait: timedelta

    def wait_after(self, attempts: int) -> timedelta | None:
        """How long to wait after `attempts` failed attempts; None when it is time to give up."""
        if attempts >= self.max_attempts:
            return None
        wait: timedelta = self.first_wait * 2 ** (attempts - 1)
        return min(wait, self.longest_wait)


@dataclass(frozen=True)
class Email:
    """An email as recorded before it is sent: once per (event, recipient, kind)."""

    event_id: uuid.UUID
    recipient_id: uuid.UUID
    kind: Kind
    booking_id: uuid.UUID | None
    to_address: str
    subject: str
    text_body: str
    html_body: str
    calendar: str | None = None
    """An iCalendar invitation (.ics) to attach, with its METHOD inside."""
