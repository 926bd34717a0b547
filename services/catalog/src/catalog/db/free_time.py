"""When studios' rooms are free, as availability last published it (FreeTimeChanged), kept as
search reads it (catalog.domain.free_time): on each studio row a week of half-hour starts and
its booking horizon; beside them the dates whose starts differ (reservations, closures, extra
hours) and when each studio's picture was computed.

A studio matches when some start in the window has a session at least as long as asked: from
the date's own picture when it has one, else from its weekday's; never before its local now or
past its horizon. A studio availability never described never matches.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    DateTime,
    Index,
    LargeBinary,
    Table,
    Uuid,
    and_,
    delete,
    extract,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.db.base import metadata
from catalog.db.studios import studios
from catalog.domain.free_time import SLOT_MINUTES, SLOTS, longest_sessions
from catalog.domain.search import FreeAt
from contracts.availability import FreeTimeChanged

free_time_studios = Table(
    "free_time_studios",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

free_time_dates = Table(
    "free_time_dates",
    metadata,
    Column("day", Date, primary_key=True),
    Column("studio_id", Uuid, primary_key=True),
    Column("longest", LargeBinary, nullable=False),  # 48 bytes, as one day of free_weekly
    Index("free_time_dates_studio", "studio_id"),
)


async def replace_free_time(session: AsyncSession, message: FreeTimeChanged) -> bool:
    """Make the message the studio's free time, unless a newer one is already kept."""
    newer = await session.execute(
        pg_insert(free_time_studios)
        .values(studio_id=message.studio_id, computed_at=message.computed_at)
        .on_conflict_do_update(
            index_elements=[free_time_studios.c.studio_id],
            set_={"computed_at": message.computed_at},
            where=free_time_studios.c.computed_at < message.computed_at,
        )
        .returning(free_time_studios.c.studio_id)
    )
    if newer.first() is None:
        return False
    by_weekday: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for week in message.weekly:
        by_weekday[week.weekday] += [(s.start_minute, s.end_minute) for s in week.spans]
    weekly = b"".join(longest_sessions(by_weekday[weekday]) for weekday in range(7))
    # Most changes are bookings, which leave the week as it was: the studio row stays untouched.
    await session.execute(
        update(studios)
        .where(
            studios.c.id == message.studio_id,
            or_(
                studios.c.free_weekly.is_distinct_from(weekly),
                studios.c.free_days_ahead.is_distinct_from(message.max_advance_days),
            ),
        )
        .values(free_weekly=weekly, free_days_ahead=message.max_advance_days)
    )
    by_date: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for day in message.days:
        by_date[day.day] += [(s.start_minute, s.end_minute) for s in day.spans]
    await session.execute(
        delete(free_time_dates).where(free_time_dates.c.studio_id == message.studio_id)
    )
    if by_date:
        await session.execute(
            insert(free_time_dates),
            [
                {"studio_id": message.studio_id, "day": day, "longest": longest_sessions(spans)}
                for day, spans in by_date.items()
            ],
        )
    return True


def free_at(wanted: FreeAt) -> ColumnElement[bool]:
    """Whether a room of the studio (of the `studios` row) is free as wanted: by its date's own
    picture when it has one (one primary-key probe), else by its weekday's on its row."""
    if not wanted.slots:
        return false()
    local_now = func.timezone(studios.c.timezone, func.now())
    local_today = func.date(local_now)
    day = literal(wanted.day, Date)
    now_minute = extract("hour", local_now) * 60 + extract("minute", local_now)

    def fits(picture: ColumnElement[bytes], offset: int) -> ColumnElement[bool]:
        starts = []
        for slot in wanted.slots:
            long_enough = func.get_byte(picture, offset + slot) >= wanted.halves
            if wanted.near_today:  # on the studio's today, starts already past are not free
                long_enough = and_(
                    long_enough, or_(day != local_today, now_minute <= slot * SLOT_MINUTES)
                )
            starts.append(long_enough)
        return or_(*starts)

    # True or false for a date with its own picture, NULL (no row) for the others.
    on_the_date = select(fits(free_time_dates.c.longest, 0)).where(
        free_time_dates.c.day == wanted.day, free_time_dates.c.studio_id == studios.c.id
    )
    on_the_weekday = fits(studios.c.free_weekly, wanted.day.weekday() * SLOTS)
    return and_(
        day >= local_today,
        day <= local_today + studios.c.free_days_ahead,
        func.coalesce(on_the_date.scalar_subquery(), on_the_weekday),
    )
