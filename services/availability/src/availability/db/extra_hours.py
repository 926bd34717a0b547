"""Extra opening hours on given dates (beyond the weekly rules), on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from availability.db.tables import extra_hours
from availability.domain.schedule import ExtraHours
from service_runtime.db import DriverStatement

# Every hold reads them: compiled once and run on the driver (`DriverStatement`).
EXTRA_HOURS_ORDER = (extra_hours.c.day, extra_hours.c.opens)
_ALL_EXTRA_HOURS = (
    select(extra_hours)
    .where(extra_hours.c.studio_id == bindparam("studio_id"))
    .order_by(*EXTRA_HOURS_ORDER)
)
_EXTRA_HOURS = DriverStatement(_ALL_EXTRA_HOURS)
EXTRA_HOURS_TOUCHING = extra_hours.c.day.between(
    bindparam("first", type_=Date), bindparam("last", type_=Date)
)
"""Extra hours on the local dates `first` to `last` (bound parameters)."""
_EXTRA_HOURS_TOUCHING = DriverStatement(_ALL_EXTRA_HOURS.where(EXTRA_HOURS_TOUCHING))


def _extra(row: Any) -> ExtraHours:
    return ExtraHours(
        id=row.id,
        day=row.day,
        opens=row.opens,
        closes=row.closes,
        room_id=row.room_id,
        reason=row.reason,
    )


class SqlExtraOpeningHours:
    """Studios' extra opening hours."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def extra_hours_of(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date] | None = None
    ) -> list[ExtraHours]:
        """The studio's extra hours, by date; with `touching`, only those on those local dates."""
        if touching is None:
            rows = await _EXTRA_HOURS.rows(self._session, {"studio_id": studio_id})
        else:
            first, last = touching
            rows = await _EXTRA_HOURS_TOUCHING.rows(
                self._session, {"studio_id": studio_id, "first": first, "last": last}
            )
        return [_extra(row) for row in rows]

    async def add_extra_hours(self, studio_id: uuid.UUID, extra: ExtraHours) -> None:
        await self._session.execute(
            insert(extra_hours).values(
                id=extra.id,
                studio_id=studio_id,
                room_id=extra.room_id,
                day=extra.day,
                opens=extra.opens,
                closes=extra.closes,
                reason=extra.reason,
            )
        )

    async def remove_extra_hours(self, studio_id: uuid.UUID, extra_id: uuid.UUID) -> bool:
        result = await self._session.execute(
            delete(extra_hours)
            .where(extra_hours.c.studio_id == studio_id, extra_hours.c.id == extra_id)
            .returning(extra_hours.c.id)
        )
        return result.first() is not None

    async def extra_hours_count(self, studio_id: uuid.UUID) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(extra_hours)
            .where(extra_hours.c.studio_id == studio_id)
        )
        return int(count or 0)
