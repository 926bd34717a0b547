"""Tables and queries of owners' external calendars and their busy intervals."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.ext.asyncio import AsyncConnection

from availability.db.tables import metadata, tstz_range
from availability.domain.external_calendars import ExternalCalendar
from availability.domain.intervals import Interval

external_calendars = Table(
    "external_calendars",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("studio_id", Uuid, nullable=False),
    Column("room_id", Uuid, nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False, index=True),
    Column("fetched_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("busy_count", Integer, nullable=False, server_default="0"),
)

external_busy = Table(
    "external_busy",
    metadata,
    Column(
        "calendar_id",
        Uuid,
        ForeignKey("external_calendars.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("room_id", Uuid, nullable=False, index=True),
    Column("during", TSTZRANGE, nullable=False),
)


# Every hold reads the room's busy times, so this is built once: SQLAlchemy finds it compiled in
# its cache.
# Every hold reads it: compiled once and run on the driver (`DriverStatement`).
BUSY_IN_ROOM = and_(
    external_busy.c.room_id == bindparam("room_id"),
    external_busy.c.during.overlaps(bindparam("window")),
)
"""The room's busy times from its calendars that overlap `window` (bound parameters)."""


def _calendar(row: Any) -> ExternalCalendar:
    return ExternalCalendar(
        id=row.id,
        studio_id=row.studio_id,
        room_id=row.room_id,
        url=row.url,
        created_at=row.created_at,
        fetched_at=row.fetched_at,
        last_error=row.last_error,
        failed_at=row.failed_at,
        busy_count=row.busy_count,
    )


class SqlExternalCalendars:
    """External calendars and their busy intervals."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def calendars_of_room(self, room_id: uuid.UUID) -> list[ExternalCalendar]:
        rows = await self._session.execute(
            select(external_calendars)
            .where(external_calendars.c.room_id == room_id)
            .order_by(external_calendars.c.created_at, external_calendars.c.id)
        )
        return [_calendar(row) for row in rows]

    async def calendar_by_id(
        self, room_id: uuid.UUID, calendar_id: uuid.UUID, *, lock: bool = False
    ) -> ExternalCalendar | None:
        query = select(external_calendars).where(
            external_calendars.c.id == calendar_id, external_calendars.c.room_id == room_id
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _calendar(row) if row else None

    async def add_calendar(self, calendar: ExternalCalendar) -> None:
        await self._session.execute(
            insert(external_calendars).values(
                id=calendar.id,
                studio_id=calendar.studio_id,
                room_id=calendar.room_id,
                url=calendar.url,
                created_at=calendar.created_at,
                due_at=calendar.created_at,
            )
        )

    async def remove_calendar(self, room_id: uuid.UUID, calendar_id: uuid.UUID) -> bool:
        """Remove the calendar; its busy intervals go with it (ON DELETE CASCADE)."""
        removed = await self._session.execute(
            delete(external_calendars)
            .where(external_calendars.c.id == calendar_id, external_calendars.c.room_id == room_id)
            .returning(external_calendars.c.id)
        )
        return removed.first() is not None

    async def claim_due_calendars(self, now: datetime, limit: int) -> list[ExternalCalendar]:
        """Calendars due a fetch, locked so that other replicas skip them."""
        rows = await self._session.execute(
            select(external_calendars)
            .where(external_calendars.c.due_at <= now)
            .order_by(external_calendars.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_calendar(row) for row in rows]

    async def postpone_calendar(self, calendar_id: uuid.UUID, due_at: datetime) -> None:
        await self._session.execute(
            update(external_calendars)
            .where(external_calendars.c.id == calendar_id)
            .values(due_at=due_at)
        )

    async def replace_busy(
        self,
        calendar: ExternalCalendar,
        busy: Sequence[Interval],
        *,
        now: datetime,
        next_due: datetime,
    ) -> None:
        """A good fetch: the calendar's busy intervals become exactly `busy`."""
        await self._session.execute(
            delete(external_busy).where(external_busy.c.calendar_id == calendar.id)
        )
        if busy:
            await self._session.execute(
                insert(external_busy),
                [
                    {
                        "calendar_id": calendar.id,
                        "room_id": calendar.room_id,
                        "during": tstz_range(b),
                    }
                    for b in busy
                ],
            )
        await self._session.execute(
            update(external_calendars)
            .where(external_calendars.c.id == calendar.id)
            .values(fetched_at=now, last_error=None, busy_count=len(busy), due_at=next_due)
        )

    async def record_failure(
        self, calendar_id: uuid.UUID, error: str, *, now: datetime, next_due: datetime
    ) -> None:
        """A failed fetch: the last good busy intervals stay; the error is kept for the owner."""
        await self._session.execute(
            update(external_calendars)
            .where(external_calendars.c.id == calendar_id)
            .values(failed_at=now, last_error=error, due_at=next_due)
        )
