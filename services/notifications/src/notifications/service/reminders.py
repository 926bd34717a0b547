"""Reminders: each due one claimed by one replica and turned into an email, unless the booking
was cancelled meanwhile."""

from __future__ import annotations

import logging

from notifications import db
from notifications.domain.notices import BookingStatus, Kind
from notifications.service.writing import NotYetKnown, Writing, booking_facts, record
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)


async def send_due_reminders(units: UnitsOfWork, writing: Writing, *, limit: int) -> int:
    """Queue the reminders due by now, each claimed by one replica; returns how many."""
    done = 0
    while done < limit:
        async with units.begin() as uow:
            due = await db.claim_due_reminder(uow.session, uow.now)
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
        facts = await booking_facts(session, booking)
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
    await record(uow, writing, email)
