"""Studios whose free time is outdated (marked by the triggers of migration 0009) and the
reservations publishing their free time reads (the rest of what it reads is the studio's
schedule, db/schedules.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Integer,
    Table,
    Uuid,
    any_,
    bindparam,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from availability.db.reservation_statements import live_at
from availability.db.tables import metadata, reservations, tstz_range
from availability.domain.free_time import RoomBusy
from availability.domain.intervals import Interval
from service_runtime.db import DriverStatement

free_time_outdated = Table(
    "free_time_outdated",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("studio_id", Uuid, nullable=False),
    Column("marked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Every booking's changes mark its studio, so these run about as often as bookings: compiled
# once and run on the driver (`DriverStatement`).
_CLAIM_OUTDATED = DriverStatement(
    select(free_time_outdated.c.id, free_time_outdated.c.studio_id)
    .order_by(free_time_outdated.c.id)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)

_FORGET_MARKS = DriverStatement(
    delete(free_time_outdated).where(
        free_time_outdated.c.id == any_(bindparam("mark_ids", type_=ARRAY(BigInteger)))
    )
)

# The live reservations' blocked time, as bounds: a recompute reads every one of the studio's
# (over a thousand in a busy one), and parsing each range in Python was most of that read.
_RESERVED_IN_STUDIO = DriverStatement(
    select(
        reservations.c.room_id,
        func.lower(reservations.c.blocks).label("starts"),
        func.upper(reservations.c.blocks).label("ends"),
    ).where(
        reservations.c.studio_id == bindparam("studio_id"),
        reservations.c.during.overlaps(bindparam("window")),
        live_at(bindparam("now")),
    )
)


class SqlFreeTimeMarks:
    """Studios marked outdated, and the reservations publishing reads."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def claim_outdated(self, limit: int) -> dict[uuid.UUID, list[int]]:
        """Up to `limit` committed marks no other publisher holds, by studio: locked until the
        transaction ends, so each studio's marks are published by one publisher at a time."""
        rows = await _CLAIM_OUTDATED.rows(self._session, {"limit": limit})
        marks: dict[uuid.UUID, list[int]] = {}
        for row in rows:
            marks.setdefault(row.studio_id, []).append(row.id)
        return marks

    async def forget_marks(self, mark_ids: Sequence[int]) -> None:
        await _FORGET_MARKS.rows(self._session, {"mark_ids": list(mark_ids)})

    async def reserved_in_studio(
        self, studio_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[RoomBusy]:
        rows = await _RESERVED_IN_STUDIO.rows(
            self._session, {"studio_id": studio_id, "window": tstz_range(window), "now": now}
        )
        return [RoomBusy(row.room_id, Interval(row.starts, row.ends)) for row in rows]
