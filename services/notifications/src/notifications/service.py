"""Use cases: keep the read models, record the emails an event calls for, send them.

An email is recorded in the transaction of the event that calls for it (unique on event,
recipient and kind, behind the inbox's dedup), and sent later by `send_next_email`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope
from contracts.booking import BookingCancelled, BookingConfirmed
from contracts.catalog import StudioPublished, StudioSuspended, StudioUnlisted, StudioUpdated
from contracts.identity import EmailVerificationRequested, PasswordResetRequested
from notifications import db
from notifications.domain import notices, wording
from notifications.domain.notices import BookingStatus, Kind, RetryPolicy
from notifications.domain.read_models import Booking, Person, Studio
from notifications.emails import BookingFacts, Composer
from notifications.invitations import Method, invitation
from notifications.mailer import SendFailed, SmtpMailer
from service_runtime.db import Database
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

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


async def booking_confirmed(
    uow: UnitOfWork, event: BookingConfirmed, envelope: Envelope, writing: Writing
) -> None:
    """Tell the booker (with an invitation) and the owner; schedule the booker's reminders."""
    session = uow.session
    if await db.lock_booking(session, event.booking_id) is not None:
        return  # known already: confirmed before, or its cancellation came first
    booking = Booking(
        id=event.booking_id,
        booker_id=event.booker_id,
        owner_id=event.owner_id,
        studio_id=event.studio_id,
        room_id=event.room_id,
        starts_at=event.time_range.starts_at,
        ends_at=event.time_range.ends_at,
        status=BookingStatus.CONFIRMED,
    )
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
        await db.record_email(session, email)
    due = notices.reminder_times(booking.starts_at, writing.reminder_offsets, now_utc())
    await db.schedule_reminders(session, booking.id, due)


async def booking_cancelled(
    uow: UnitOfWork, event: BookingCancelled, envelope: Envelope, writing: Writing
) -> None:
    """Withdraw the reminders; tell both sides, the booker with the refund and a CANCEL."""
    session = uow.session
    known = await db.lock_booking(session, event.booking_id)
    booking = Booking(
        id=event.booking_id,
        booker_id=event.booker_id,
        owner_id=event.owner_id,
        studio_id=event.studio_id,
        room_id=event.room_id,
        starts_at=event.time_range.starts_at,
        ends_at=event.time_range.ends_at,
        status=BookingStatus.CANCELLED,
    )
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
        await db.record_email(session, email)


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
    await db.record_email(uow.session, email)


async def send_due_reminders(units: UnitsOfWork, writing: Writing, *, limit: int) -> int:
    """Queue the reminders due by now, each claimed by one replica; returns how many."""
    done = 0
    while done < limit:
        async with units.begin() as uow:
            due = await db.claim_due_reminder(uow.session, now_utc())
            if due is None:
                return done
            await _remind(uow.session, due, writing)
            await db.finish_reminder(uow.session, due.id)
        done += 1
    return done


async def _remind(session: AsyncSession, due: db.DueReminder, writing: Writing) -> None:
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
    email = writing.composer.compose(Kind.REMINDER, facts, booking.booker_id, event_id=due.id)
    await db.record_email(session, email)


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


class EmailSending:
    """Sends queued emails one at a time, each claimed by one replica for its attempt.

    The row is marked sent in the transaction that claimed it, after the SMTP server took the
    email. If the process dies in between, the row is still pending and is sent again: at
    least once to the SMTP server in that window (with the same Message-ID), exactly once
    otherwise, and never twice for a redelivered event (the inbox and the unique row).
    """

    def __init__(
        self,
        database: Database,
        mailer: SmtpMailer,
        policy: RetryPolicy,
        registry: CollectorRegistry,
    ) -> None:
        self._database = database
        self._mailer = mailer
        self._policy = policy
        self._outcomes = Counter(
            "notifications_email_attempts",
            "Attempts to send an email, by outcome: sent, retry (failed, tried again later) or"
            " failed (attempts spent; the row's status is failed)",
            ["outcome"],
            registry=registry,
        )

    async def send_due(self, *, limit: int) -> int:
        """Attempt up to `limit` due emails; returns how many were attempted."""
        attempted = 0
        while attempted < limit and await self.send_next():
            attempted += 1
        return attempted

    async def send_next(self) -> bool:
        """Attempt the next due email; False when none is due."""
        async with self._database.transaction() as session:
            email = await db.claim_due_email(session, now_utc())
            if email is None:
                return False
            try:
                await self._mailer.send(email)
            except Exception as error:  # any: a bad row must not stall the ones behind it
                await self._failed(session, email, error)
            else:
                await db.mark_sent(session, email.id)
                self._outcomes.labels("sent").inc()
        return True

    async def _failed(self, session: AsyncSession, email: db.QueuedEmail, error: Exception) -> None:
        attempts = email.attempts + 1
        wait = self._policy.wait_after(attempts)
        reason = f"{type(error).__name__}: {error}"
        retry_at = None if wait is None else now_utc() + wait
        await db.mark_attempt_failed(session, email.id, reason, retry_at=retry_at)
        if retry_at is None:
            self._outcomes.labels("failed").inc()
            log.error(
                "email %s to %s failed after %d attempts: %s",
                email.id,
                email.to_address,
                attempts,
                reason,
                exc_info=not isinstance(error, SendFailed),
            )
        else:
            self._outcomes.labels("retry").inc()
            log.warning(
                "email %s attempt %d failed (%s); next at %s",
                email.id,
                attempts,
                reason,
                retry_at,
                exc_info=not isinstance(error, SendFailed),
            )
