"""What every email use case shares: the composer and links (`Writing`), recording an email
in the event's transaction (unless its recipient turned its kind off), and the facts of a booking
an email tells."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from contracts import Envelope
from notifications.domain.notices import Email, Kind, Preferences
from notifications.domain.read_models import Booking
from notifications.emails import BookingFacts, Composer
from notifications.repositories import NotificationsUnit

PREFERENCES_PAGE = "/account#email-preferences"

log = logging.getLogger(__name__)


class NotYetKnown(Exception):
    """An email names a person or studio whose event has not arrived yet: the bus tries the
    message again later (and dead-letters it if it never comes)."""


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


async def record(unit: NotificationsUnit, writing: Writing, email: Email) -> None:
    """Queue the email, or record it as `skipped` when its recipient turned its kind off (so
    operators can see why it never went)."""
    if Preferences.ask_about(email.kind) and not (
        await unit.preferences.of(email.recipient_id)
    ).wants(email.kind):
        await unit.emails.record(email, status="skipped")
    elif await unit.emails.record(email):
        unit.after_commit(writing.emails_recorded)


async def known_booking(unit: NotificationsUnit, booking_id: uuid.UUID) -> Booking:
    booking = await unit.read_model.booking(booking_id)
    if booking is None:
        raise NotYetKnown(f"booking {booking_id} is not known yet")
    return booking


async def known_or_waiting(
    unit: NotificationsUnit, booking_id: uuid.UUID, envelope: Envelope
) -> Booking | None:
    """The booking, locked; or None when it is not known here yet, and the event waits for it
    (`ReadModel.wait_for_booking`) rather than on the bus's retries: it is told when the event
    that makes the booking known saves it (booking_emails)."""
    booking = await unit.read_model.lock_booking(booking_id)
    if booking is None:
        await unit.read_model.wait_for_booking(booking_id, envelope)
        log.info(
            "%s %s waits for booking %s", envelope.message_type, envelope.message_id, booking_id
        )
    return booking


async def tell(
    unit: NotificationsUnit,
    writing: Writing,
    kind: Kind,
    booking: Booking,
    recipient_id: uuid.UUID,
    envelope: Envelope,
    **context: Any,
) -> None:
    facts = await booking_facts(unit, booking)
    email = writing.composer.compose(
        kind, facts, recipient_id, event_id=envelope.message_id, **context
    )
    await record(unit, writing, email)


async def booking_facts(unit: NotificationsUnit, booking: Booking) -> BookingFacts:
    studio, booker, owner = await unit.read_model.studio_and_people(
        booking.studio_id, booking.booker_id, booking.owner_id
    )
    if studio is None or booker is None or owner is None:
        raise NotYetKnown(
            f"booking {booking.id}: studio {studio is not None}, booker {booker is not None},"
            f" owner {owner is not None} known"
        )
    return BookingFacts(booking, studio, booker, owner)
