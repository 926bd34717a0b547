"""Bookings' histories (every step of the saga, what was sent, who acted), on PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from booking.db.tables import booking_events
from booking.repositories import HistoryEntry

# Built once: every saga step runs them (a statement built per call costs more CPU than its
# round trip).
_ADD = insert(booking_events)
_OF_BOOKING = (
    select(booking_events)
    .where(booking_events.c.booking_id == bindparam("booking_id"))
    .order_by(booking_events.c.id)
)


class SqlHistory:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def add(self, entry: HistoryEntry) -> None:
        await self.add_all([entry])

    async def add_all(self, entries: list[HistoryEntry]) -> None:
        """One round trip for a step's entries (what happened and what it sent)."""
        if entries:
            rows = [{k: v for k, v in asdict(e).items() if k != "occurred_at"} for e in entries]
            await self._session.execute(_ADD, rows)

    async def of_booking(self, booking_id: uuid.UUID) -> list[HistoryEntry]:
        rows = await self._session.execute(_OF_BOOKING, {"booking_id": booking_id})
        return [
            HistoryEntry(
                booking_id=row.booking_id,
                kind=row.kind,
                name=row.name,
                status_before=row.status_before,
                status_after=row.status_after,
                note=row.note,
                message_id=row.message_id,
                causation_id=row.causation_id,
                traceparent=row.traceparent,
                actor_id=row.actor_id,
                occurred_at=row.occurred_at,
            )
            for row in rows
        ]
