"""When studios' rooms are free, as availability last published it (FreeTimeChanged): the read
model search filters on, and the SQL condition it filters with.

A room is free on a date by that date's exact spans when the studio has any for it
(`free_time_dates`), else by its weekday's hours; only from the studio's local today up to its
booking horizon. Minutes count wall-clock time from local midnight.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    DateTime,
    Index,
    Integer,
    SmallInteger,
    Table,
    Uuid,
    and_,
    case,
    delete,
    exists,
    extract,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.db.base import metadata
from catalog.db.studios import studios
from catalog.domain.search import FreeAt
from contracts.availability import FreeTimeChanged

free_time_studios = Table(
    "free_time_studios",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("max_advance_days", Integer, nullable=False),
)

free_time_weekly = Table(
    "free_time_weekly",
    metadata,
    Column("studio_id", Uuid, nullable=False),
    Column("weekday", SmallInteger, nullable=False, comment="0 = Monday"),
    Column("room_id", Uuid, nullable=False),
    Column("start_minute", SmallInteger, nullable=False),
    Column("end_minute", SmallInteger, nullable=False),
    Index("free_time_weekly_studio", "studio_id", "weekday"),
)

# The dates of a studio that have exact spans, even none at all (a day fully booked).
free_time_dates = Table(
    "free_time_dates",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("day", Date, primary_key=True),
)

free_time_dated = Table(
    "free_time_dated",
    metadata,
    Column("studio_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
    Column("room_id", Uuid, nullable=False),
    Column("start_minute", SmallInteger, nullable=False),
    Column("end_minute", SmallInteger, nullable=False),
    Index("free_time_dated_studio", "studio_id", "day"),
)


async def replace_free_time(session: AsyncSession, message: FreeTimeChanged) -> bool:
    """Make the message the studio's free time, unless a newer one is already kept."""
    newer = await session.execute(
        pg_insert(free_time_studios)
        .values(
            studio_id=message.studio_id,
            computed_at=message.computed_at,
            max_advance_days=message.max_advance_days,
        )
        .on_conflict_do_update(
            index_elements=[free_time_studios.c.studio_id],
            set_={"computed_at": message.computed_at, "max_advance_days": message.max_advance_days},
            where=free_time_studios.c.computed_at < message.computed_at,
        )
        .returning(free_time_studios.c.studio_id)
    )
    if newer.first() is None:
        return False
    studio_id = message.studio_id
    for table in (free_time_weekly, free_time_dates, free_time_dated):
        await session.execute(delete(table).where(table.c.studio_id == studio_id))
    weekly = [
        _span(studio_id, span, room_id=week.room_id, weekday=week.weekday)
        for week in message.weekly
        for span in week.spans
    ]
    dates = [{"studio_id": studio_id, "day": day} for day in sorted({d.day for d in message.days})]
    dated = [
        _span(studio_id, span, room_id=day.room_id, day=day.day)
        for day in message.days
        for span in day.spans
    ]
    for table, rows in (
        (free_time_weekly, weekly),
        (free_time_dates, dates),
        (free_time_dated, dated),
    ):
        if rows:
            await session.execute(insert(table), rows)
    return True


def _span(studio_id: uuid.UUID, span: Any, **where: Any) -> dict[str, Any]:
    return {
        "studio_id": studio_id,
        "start_minute": span.start_minute,
        "end_minute": span.end_minute,
        **where,
    }


def free_at(wanted: FreeAt) -> ColumnElement[bool]:
    """Whether the studio (of the `studios` row) has a room free for `wanted.minutes` from a
    start between `wanted.earliest` and `wanted.latest` on `wanted.day`, and takes bookings
    then: not before its local now, not past its horizon."""
    local_now = func.timezone(studios.c.timezone, func.now())
    local_today = func.date(local_now)
    now_minute = extract("hour", local_now) * 60 + extract("minute", local_now)
    day = literal(wanted.day, Date)
    earliest = func.greatest(
        wanted.earliest, case((local_today == day, func.ceil(now_minute)), else_=0)
    )

    def fits(spans: Table) -> ColumnElement[bool]:
        return and_(
            spans.c.studio_id == studios.c.id,
            spans.c.end_minute - func.greatest(spans.c.start_minute, earliest) >= wanted.minutes,
            spans.c.start_minute <= wanted.latest,
        )

    in_horizon = exists(
        select(1).where(
            free_time_studios.c.studio_id == studios.c.id,
            day >= local_today,
            day <= local_today + free_time_studios.c.max_advance_days,
        )
    )
    dated = exists(
        select(1).where(free_time_dates.c.studio_id == studios.c.id, free_time_dates.c.day == day)
    )
    on_the_date = exists(select(1).where(fits(free_time_dated), free_time_dated.c.day == day))
    on_the_weekday = exists(
        select(1).where(fits(free_time_weekly), free_time_weekly.c.weekday == wanted.day.weekday())
    )
    return and_(in_horizon, case((dated, on_the_date), else_=on_the_weekday))
