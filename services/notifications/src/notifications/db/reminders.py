"""Reminders of a booking, due at set times before it starts; claimed once each when due."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.db.tables import emails, reminders
from notifications.domain.notices import Kind
from notifications.repositories import DueReminder
from service_runtime.db import DriverStatement, written

# A confirmed booking schedules its reminders, a moved or cancelled one withdraws them, and each
# is claimed and finished: compiled once and run on the driver (`DriverStatement`).
_SCHEDULE = DriverStatement(
    text(
        "INSERT INTO reminders (id, booking_id, due_at) VALUES (:id, :booking_id, :due_at)"
        " ON CONFLICT ON CONSTRAINT reminders_once_per_time DO NOTHING"
    )
)
_WITHDRAW_SCHEDULED = DriverStatement(
    update(reminders)
    .where(reminders.c.booking_id == bindparam("booking"), reminders.c.status == "scheduled")
    .values(status="cancelled")
)
_WITHDRAW_QUEUED = DriverStatement(
    update(emails)
    .where(
        emails.c.booking_id == bindparam("booking"),
        emails.c.kind == Kind.REMINDER.value,
        emails.c.status == "pending",
    )
    .values(status="withdrawn")
)
_DUE = DriverStatement(
    select(reminders.c.id, reminders.c.booking_id, reminders.c.due_at)
    .where(reminders.c.status == written("scheduled"), reminders.c.due_at <= bindparam("now"))
    .order_by(reminders.c.due_at)
    .limit(1)
    .with_for_update(skip_locked=True)
)
_FINISH = DriverStatement(
    update(reminders).where(reminders.c.id == bindparam("reminder_id")).values(status="done")
)


class SqlReminders:
    """Reminders of bookings, claimed once each when due."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def schedule(self, booking_id: uuid.UUID, due_ats: list[datetime]) -> None:
        if not due_ats:
            return
        await _SCHEDULE.many(
            self._session,
            [{"id": uuid.uuid4(), "booking_id": booking_id, "due_at": at} for at in due_ats],
        )

    async def withdraw(self, booking_id: uuid.UUID) -> None:
        """Cancel the booking's reminders, those scheduled and those queued but not yet sent."""
        await _WITHDRAW_SCHEDULED.rows(self._session, {"booking": booking_id})
        await _WITHDRAW_QUEUED.rows(self._session, {"booking": booking_id})

    async def claim_due(self, now: datetime) -> DueReminder | None:
        """A reminder due by now, locked so that no other replica sends it too."""
        row = await _DUE.first(self._session, {"now": now})
        return DueReminder(row.id, row.booking_id, row.due_at) if row else None

    async def finish(self, reminder_id: uuid.UUID) -> None:
        await _FINISH.rows(self._session, {"reminder_id": reminder_id})
