"""Reminders: each due one claimed by one replica and turned into an email, unless the booking
was cancelled meanwhile."""

from __future__ import annotations

import logging

from notifications.domain.notices import BookingStatus, Kind
from notifications.repositories import DueReminder, NotificationsUnit, NotificationsUnits
from notifications.service.writing import NotYetKnown, Writing, booking_facts, record

log = logging.getLogger(__name__)


async def send_due_reminders(units: NotificationsUnits, writing: Writing, *, limit: int) -> int:
    """Queue the reminders due by now, each claimed by one replica; returns how many."""
    done = 0
    while done < limit:
        async with units.begin() as unit:
            due = await unit.reminders.claim_due(unit.now)
            if due is None:
                return done
            await _remind(unit, due, writing)
            await unit.reminders.finish(due.id)
        done += 1
    return done


async def _remind(unit: NotificationsUnit, due: DueReminder, writing: Writing) -> None:
    # Not locked: a cancellation committing meanwhile waits for this reminder's row, then
    # withdraws the email recorded here before it is sent.
    booking = await unit.read_model.booking(due.booking_id)
    if booking is None or booking.status is not BookingStatus.CONFIRMED:
        return  # cancelled meanwhile
    try:
        facts = await booking_facts(unit, booking)
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
    await record(unit, writing, email)
