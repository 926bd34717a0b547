"""Reminders of a booking, due at set times before it starts; claimed once each when due."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.tables import emails, reminders
from notifications.domain.notices import Kind
from notifications.repositories import DueReminder


class SqlReminders:
    """Reminders of bookings, claimed once each when due."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(self, booking_id: uuid.UUID, due_ats: list[datetime]) -> None:
        if not due_ats:
            return
        await self._session.execute(
            pg_insert(reminders)
            .values(
                [{"id": uuid.uuid4(), "booking_id": booking_id, "due_at": at} for at in due_ats]
            )
            .on_conflict_do_nothing(constraint="reminders_once_per_time")
        )

    async def withdraw(self, booking_id: uuid.UUID) -> None:
        """Cancel the booking's reminders, those scheduled and those queued but not yet sent."""
        await self._session.execute(
            update(reminders)
            .where(reminders.c.booking_id == booking_id, reminders.c.status == "scheduled")
            .values(status="cancelled")
        )
        await self._session.execute(
            update(emails)
            .where(
                emails.c.booking_id == booking_id,
                emails.c.kind == Kind.REMINDER.value,
                emails.c.status == "pending",
            )
            .values(status="withdrawn")
        )

    async def claim_due(self, now: datetime) -> DueReminder | None:
        """A reminder due by now, locked so that no other replica sends it too."""
        row = (
            await self._session.execute(
                select(reminders.c.id, reminders.c.booking_id, reminders.c.due_at)
                .where(reminders.c.status == "scheduled", reminders.c.due_at <= now)
                .order_by(reminders.c.due_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        return DueReminder(row.id, row.booking_id, row.due_at) if row else None

    async def finish(self, reminder_id: uuid.UUID) -> None:
        await self._session.execute(
            update(reminders).where(reminders.c.id == reminder_id).values(status="done")
        )
