"""Use cases: keep the read models, record the emails an event calls for, send them.

An email is recorded in the transaction of the event that calls for it (unique on event,
recipient and kind, behind the inbox's dedup), and sent later by `send_next_email`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope
from contracts.booking import (
    BookingCancelled,
    BookingConfirmed,
    BookingRequested,
    MessagePosted,
)
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from contracts.identity import EmailVerificationRequested, PasswordResetRequested
from contracts.payments import DisputeOpened, PaymentCaptured, PaymentFailed, PayoutPaid
from notifications import db
from notifications.domain import notices, wording
from notifications.domain.notices import BookingStatus, Email, Kind, Preferences
from notifications.domain.read_models import Booking, Person, Studio
from notifications.emails import BookingFacts, Composer
from notifications.invitations import Method, invitation
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

PREFERENCES_PAGE = "/account#email-preferences"

log = logging.getLogger(__name__)

StudioEvent = StudioPublished | StudioUpdated | StudioUnlisted | StudioSuspended


class NotYetKnown(Exception):
    """An email names a person or studio whose event has not arrived yet: the bus tries the
    message again later (and dead-letters it if it never comes)."""


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Writing:
    """What recording an email needs besides the database: templates and the From address."""

    composer: Composer
    sender: str
    reminder_offsets: list[timedelta]
    web_url: str
    """The web front end, without a trailing slash: links in emails open there."""
    emails_recorded: Callable[[], None] = lambda: None
    """Called after a transaction that recorded emails commits: wakes the sender."""

    @property
    def preferences_link(self) -> str:
        """Where the emails that can be turned off say how."""
        return f"{self.web_url}{PREFERENCES_PAGE}"


async def preferences(units: UnitsOfWork, person_id: uuid.UUID) -> Preferences:
    async with units.begin() as uow:
        return await db.preferences(uow.session, person_id)


async def choose_preferences(
    units: UnitsOfWork, person_id: uuid.UUID, chosen: Preferences
) -> Preferences:
    """Keep what the person wants from now on; emails already recorded stay as they are."""
    async with units.begin() as uow:
        await db.save_preferences(uow.session, person_id, chosen)
    return chosen


async def save_person(uow: UnitOfWork, person: Person) -> None:
    await db.save_person(uow.session, person)


async def forget_person(uow: UnitOfWork, person_id: uuid.UUID) -> None:
    await db.forget_person(uow.session, person_id)


async def save_studio(uow: UnitOfWork, event: StudioEvent) -> None:
    studio = Studio(
        id=event.studio_id,
        revision=event.revision,
        owner_id=event.owner_id,
        name=event.name,
        timezone=event.timezone,
        address=event.address,
        city=event.city,
        country=event.country,
        rooms={room.room_id: room.name for room in event.rooms},
    )
    await db.save_studio(uow.session, studio)


def _booking_of(
    event: BookingRequested | BookingConfirmed | BookingCancelled, status: BookingStatus
) -> Booking:
    return Booking(
        id=event.booking_id,
        booker_id=event.booker_id,
        owner_id=event.owner_id,
        studio_id=event.studio_id,
        room_id=event.room_id,
        starts_at=event.time_range.starts_at,
        ends_at=event.time_range.ends_at,
        status=status,
    )


async def booking_requested(uow: UnitOfWork, event: BookingRequested) -> None:
    """Make the booking known, so that a declined card can be told to its booker."""
    if await db.lock_booking(uow.session, event.booking_id) is None:
        await db.save_booking(uow.session, _booking_of(event, BookingStatus.REQUESTED))


async def booking_confirmed(
    uow: UnitOfWork, event: BookingConfirmed, envelope: Envelope, writing: Writing
) -> None:
    """Tell the booker (with an invitation) and the owner; schedule the booker's reminders."""
    session = uow.session
    known = await db.lock_booking(session, event.booking_id)
    if known is not None and known.status is not BookingStatus.REQUESTED:
        return  # confirmed before, or its cancellation came first
    booking = _booking_of(event, BookingStatus.CONFIRMED)
    await db.save_booking(session, booking)
    facts = await _facts(session, booking)
    price = wording.money(event.price.amount_minor, event.price.currency)
    for notice in notices.on_confirmed(booking.booker_id, booking.owner_id):
        calendar = None
        if notice.kind is Kind.BOOKING_CONFIRMED:
            calendar = invitation(facts, Method.REQUEST, organizer=writing.sender, now=now_utc())
        email = writing.composer.compose(
            notice.kind,
            facts,
            notice.recipient_id,
            event_id=envelope.message_id,
            calendar=calendar,
            price=price,
        )
        await _record(uow, writing, email)
    due = notices.reminder_times(booking.starts_at, writing.reminder_offsets, now_utc())
    await db.schedule_reminders(session, booking.id, due)


async def booking_cancelled(
    uow: UnitOfWork, event: BookingCancelled, envelope: Envelope, writing: Writing
) -> None:
    """Withdraw the reminders; tell both sides, the booker with the refund and a CANCEL."""
    session = uow.session
    known = await db.lock_booking(session, event.booking_id)
    booking = _booking_of(event, BookingStatus.CANCELLED)
    await db.save_booking(session, booking)
    await db.withdraw_reminders(session, booking.id)
    to_send = notices.on_cancelled(
        known.status if known else None, booking.booker_id, booking.owner_id
    )
    if not to_send:
        return
    facts = await _facts(session, booking)
    refund = wording.money(event.refund.amount_minor, event.refund.currency)
    for notice in to_send:
        calendar = None
        if notice.kind is Kind.BOOKING_CANCELLED:
            calendar = invitation(facts, Method.CANCEL, organizer=writing.sender, now=now_utc())
        email = writing.composer.compose(
            notice.kind,
            facts,
            notice.recipient_id,
            event_id=envelope.message_id,
            calendar=calendar,
            refund=refund,
            cancelled_by=event.cancelled_by.value,
        )
        await _record(uow, writing, email)


async def account_link_requested(
    uow: UnitOfWork,
    event: EmailVerificationRequested | PasswordResetRequested,
    envelope: Envelope,
    writing: Writing,
) -> None:
    """Send the link to the address identity names: the person may not be known here yet (the
    link comes with the sign-up), and a reset goes to the account's address as identity has it."""
    kind = (
        Kind.EMAIL_VERIFICATION
        if isinstance(event, EmailVerificationRequested)
        else Kind.PASSWORD_RESET
    )
    email = writing.composer.compose_link(
        kind,
        Person(event.user_id, event.email, event.name),
        event_id=envelope.message_id,
        link=event.link,
        expires_at=event.expires_at,
    )
    await _record(uow, writing, email)


async def payment_failed(
    uow: UnitOfWork, event: PaymentFailed, envelope: Envelope, writing: Writing
) -> None:
    """Tell the booker their card did not go through while the time is still held for them."""
    booking = await _known_booking(uow.session, event.booking_id)
    if booking.status is not BookingStatus.REQUESTED:
        return  # confirmed or cancelled since: the failure no longer matters to them
    await _tell(
        uow, writing, Kind.PAYMENT_FAILED, booking, booking.booker_id, envelope,
        reason=wording.payment_failure(event.reason.value),
        retryable=event.retryable,
        checkout=f"{writing.web_url}/bookings/{booking.id}/checkout",
    )  # fmt: skip


async def payment_captured(
    uow: UnitOfWork, event: PaymentCaptured, envelope: Envelope, writing: Writing
) -> None:
    """The booker's receipt for the money taken (in full, or a cancellation's share)."""
    booking = await _known_booking(uow.session, event.booking_id)
    amount = wording.money(event.amount.amount_minor, event.amount.currency)
    await _tell(
        uow, writing, Kind.RECEIPT, booking, booking.booker_id, envelope,
        amount=amount, captured_on=wording.utc_moment(event.captured_at),
    )  # fmt: skip


async def payout_paid(
    uow: UnitOfWork, event: PayoutPaid, envelope: Envelope, writing: Writing
) -> None:
    booking = await _known_booking(uow.session, event.booking_id)
    amount = wording.money(event.amount.amount_minor, event.amount.currency)
    await _tell(
        uow, writing, Kind.PAYOUT_PAID, booking, booking.owner_id, envelope,
        amount=amount, transfer_id=event.transfer_id,
    )  # fmt: skip


async def dispute_opened(
    uow: UnitOfWork, event: DisputeOpened, envelope: Envelope, writing: Writing
) -> None:
    """The owner hears that the booker's bank disputes the charge: the payout waits for it."""
    booking = await _known_booking(uow.session, event.booking_id)
    due = event.evidence_due_by
    await _tell(
        uow, writing, Kind.DISPUTE_OPENED, booking, booking.owner_id, envelope,
        amount=wording.money(event.amount.amount_minor, event.amount.currency),
        reason=event.reason.replace("_", " "),
        evidence_due=wording.utc_moment(due) if due else None,
    )  # fmt: skip


async def message_posted(
    uow: UnitOfWork, event: MessagePosted, envelope: Envelope, writing: Writing
) -> None:
    booking = await _known_booking(uow.session, event.booking_id)
    author = await db.person(uow.session, event.author_id)
    pages = {booking.booker_id: "/bookings", booking.owner_id: "/owner/bookings"}
    for reader in notices.message_readers(event.author_id, booking.booker_id, booking.owner_id):
        await _tell(
            uow, writing, Kind.NEW_MESSAGE, booking, reader, envelope,
            author=author.name if author else "Someone at OneTime Studios",
            excerpt=event.excerpt,
            conversation=f"{writing.web_url}{pages[reader]}/{booking.id}",
            preferences=writing.preferences_link,
        )  # fmt: skip


async def _record(uow: UnitOfWork, writing: Writing, email: Email) -> None:
    """Queue the email, or record it as `skipped` when its recipient turned its kind off (so
    operators can see why it never went)."""
    chosen = await db.preferences(uow.session, email.recipient_id)
    if not chosen.wants(email.kind):
        await db.record_email(uow.session, email, status="skipped")
    elif await db.record_email(uow.session, email):
        uow.after_commit(writing.emails_recorded)


async def _known_booking(session: AsyncSession, booking_id: uuid.UUID) -> Booking:
    booking = await db.booking(session, booking_id)
    if booking is None:
        raise NotYetKnown(f"booking {booking_id} is not known yet")
    return booking


async def _tell(
    uow: UnitOfWork,
    writing: Writing,
    kind: Kind,
    booking: Booking,
    recipient_id: uuid.UUID,
    envelope: Envelope,
    **context: Any,
) -> None:
    facts = await _facts(uow.session, booking)
    email = writing.composer.compose(
        kind, facts, recipient_id, event_id=envelope.message_id, **context
    )
    await _record(uow, writing, email)


async def send_due_reminders(units: UnitsOfWork, writing: Writing, *, limit: int) -> int:
    """Queue the reminders due by now, each claimed by one replica; returns how many."""
    done = 0
    while done < limit:
        async with units.begin() as uow:
            due = await db.claim_due_reminder(uow.session, now_utc())
            if due is None:
                return done
            await _remind(uow, due, writing)
            await db.finish_reminder(uow.session, due.id)
        done += 1
    return done


async def _remind(uow: UnitOfWork, due: db.DueReminder, writing: Writing) -> None:
    session = uow.session
    # Not locked: a cancellation committing meanwhile waits for this reminder's row, then
    # withdraws the email recorded here before it is sent.
    booking = await db.booking(session, due.booking_id)
    if booking is None or booking.status is not BookingStatus.CONFIRMED:
        return  # cancelled meanwhile
    try:
        facts = await _facts(session, booking)
    except NotYetKnown as unknown:  # forgotten since (a deleted account): nobody to remind
        log.warning("reminder %s dropped: %s", due.id, unknown)
        return
    email = writing.composer.compose(
        Kind.REMINDER,
        facts,
        booking.booker_id,
        event_id=due.id,
        preferences=writing.preferences_link,
    )
    await _record(uow, writing, email)


async def _facts(session: AsyncSession, booking: Booking) -> BookingFacts:
    studio = await db.studio(session, booking.studio_id)
    booker = await db.person(session, booking.booker_id)
    owner = await db.person(session, booking.owner_id)
    if studio is None or booker is None or owner is None:
        raise NotYetKnown(
            f"booking {booking.id}: studio {studio is not None}, booker {booker is not None},"
            f" owner {owner is not None} known"
        )
    return BookingFacts(booking, studio, booker, owner)
