"""Emails money calls for: a failed payment (as booking tells it), a captured one, a payout,
a dispute (payments' events)."""

from __future__ import annotations

from contracts import Envelope
from contracts.booking import BookingPaymentFailed
from contracts.payments import DisputeOpened, PaymentCaptured, PayoutPaid
from notifications.domain import wording
from notifications.domain.notices import BookingStatus, Kind
from notifications.domain.read_models import Booking
from notifications.repositories import NotificationsUnit
from notifications.service.read_model import booking_of
from notifications.service.writing import Writing, known_booking, known_or_waiting, tell


async def payment_failed(
    unit: NotificationsUnit, event: BookingPaymentFailed, envelope: Envelope, writing: Writing
) -> None:
    """Tell the booker their card did not go through while the booking waits for it. The event
    names the booking: one known here, other than as requested (rows the release before kept),
    has gone further since (paid, confirmed or cancelled), and the failure no longer matters."""
    known = await unit.read_model.booking(event.booking_id)
    if known is not None and known.status is not BookingStatus.REQUESTED:
        return
    booking = booking_of(event, BookingStatus.REQUESTED)
    await tell(
        unit, writing, Kind.PAYMENT_FAILED, booking, booking.booker_id, envelope,
        reason=wording.payment_failure(event.reason.value),
        retryable=event.retryable,
        checkout=f"{writing.web_url}/bookings/{booking.id}/checkout",
    )  # fmt: skip


async def payment_captured(
    unit: NotificationsUnit, event: PaymentCaptured, envelope: Envelope, writing: Writing
) -> None:
    """The booker's receipt for the money taken (in full, or a cancellation's share).

    A booking whose session is further ahead than a card authorization lasts is paid at once,
    when the card is confirmed: its capture may come before the booking is known here, and then
    waits for it (`known_or_waiting`)."""
    booking = await known_or_waiting(unit, event.booking_id, envelope)
    if booking is not None:
        await receipt(unit, writing, booking, event, envelope)


async def receipt(
    unit: NotificationsUnit,
    writing: Writing,
    booking: Booking,
    event: PaymentCaptured,
    envelope: Envelope,
) -> None:
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
