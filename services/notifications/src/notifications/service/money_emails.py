"""Emails payments' events call for: a failed payment, a captured one, a payout, a dispute."""

from __future__ import annotations

from contracts import Envelope
from contracts.payments import DisputeOpened, PaymentCaptured, PaymentFailed, PayoutPaid
from notifications.domain import wording
from notifications.domain.notices import BookingStatus, Kind
from notifications.repositories import NotificationsUnit
from notifications.service.writing import Writing, known_booking, tell


async def payment_failed(
    unit: NotificationsUnit, event: PaymentFailed, envelope: Envelope, writing: Writing
) -> None:
    """Tell the booker their card did not go through while the time is still held for them."""
    booking = await known_booking(unit, event.booking_id)
    if booking.status is not BookingStatus.REQUESTED:
        return  # confirmed or cancelled since: the failure no longer matters to them
    await tell(
        unit, writing, Kind.PAYMENT_FAILED, booking, booking.booker_id, envelope,
        reason=wording.payment_failure(event.reason.value),
        retryable=event.retryable,
        checkout=f"{writing.web_url}/bookings/{booking.id}/checkout",
    )  # fmt: skip


async def payment_captured(
    unit: NotificationsUnit, event: PaymentCaptured, envelope: Envelope, writing: Writing
) -> None:
    """The booker's receipt for the money taken (in full, or a cancellation's share)."""
    booking = await known_booking(unit, event.booking_id)
    amount = wording.money(event.amount.amount_minor, event.amount.currency)
    await tell(
        unit, writing, Kind.RECEIPT, booking, booking.booker_id, envelope,
        amount=amount, captured_on=wording.utc_moment(event.captured_at),
    )  # fmt: skip


async def payout_paid(
    unit: NotificationsUnit, event: PayoutPaid, envelope: Envelope, writing: Writing
) -> None:
    booking = await known_booking(unit, event.booking_id)
    amount = wording.money(event.amount.amount_minor, event.amount.currency)
    await tell(
        unit, writing, Kind.PAYOUT_PAID, booking, booking.owner_id, envelope,
        amount=amount, transfer_id=event.transfer_id,
    )  # fmt: skip


async def dispute_opened(
    unit: NotificationsUnit, event: DisputeOpened, envelope: Envelope, writing: Writing
) -> None:
    """The owner hears that the booker's bank disputes the charge: the payout waits for it."""
    booking = await known_booking(unit, event.booking_id)
    due = event.evidence_due_by
    await tell(
        unit, writing, Kind.DISPUTE_OPENED, booking, booking.owner_id, envelope,
        amount=wording.money(event.amount.amount_minor, event.amount.currency),
        reason=event.reason.replace("_", " "),
        evidence_due=wording.utc_moment(due) if due else None,
    )  # fmt: skip
