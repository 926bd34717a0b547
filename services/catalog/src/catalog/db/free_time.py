"""When studios' rooms are free, as availability last published it (FreeTimeChanged), kept as
search reads it (catalog.domain.free_time): per studio a week of half-hour starts, its booking
horizon and when the picture was computed; per date that differs (reservations, closures, extra
hours) that date's starts.

A studio matches when some start in the window has a session at least as long as asked: by the
date's own picture when it has one, else by its weekday's within its horizon; never before its
local now. A studio availability never described never matches. Both tables stay narrow and
apart from `studios`, so searches that do not ask for free time read no more than before.

A search joins each studio to its week (`with_weeks`: one row per studio described) and asks
two things of it. `may_be_free`, on the week row alone: its `time_keys` (the week's and every dated
picture's, catalog.domain.free_time) overlap the keys of the time asked, from a GIN index when
few studios have them, so a time few studios have free is found without walking the others.
It ignores the horizon, today's past starts and which picture wins, so it keeps every studio
free then and some that are not. Then `free_at`, the exact test on the pictures' bytes, for the
studios kept: the date's own row (one primary-key probe, a hash join when there are many),
else the week's within the horizon.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    Uuid,
    and_,
    any_,
    extract,
    false,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from catalog.db.base import metadata
from catalog.db.studios import studios
from catalog.domain.free_time import (
    SLOT_MINUTES,
    SLOTS,
    date_number,
    longest_sessions,
    picture_keys,
    wanted_keys,
)
from catalog.domain.search import FreeAt
from contracts.availability import FreeTimeChanged
from service_runtime.db import DriverStatement

free_time_weeks = Table(
    "free_time_weeks",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("days_ahead", Integer, nullable=False),
    # 7 * 48 bytes: for Monday's half-hour starts, then Tuesday's..., the longest session.
    Column("weekly", LargeBinary, nullable=False),
    # The keys of `weekly` and of every row of free_time_dates of the studio, for the index.
    Column("time_keys", ARRAY(Integer), nullable=False, server_default="{}"),
    Index(
        "free_time_weeks_time_keys",
        "time_keys",
        postgresql_using="gin",
        postgresql_ops={"time_keys": "gin__int_ops"},  # intarray's, as its && (migration 0010)
    ),
)

free_time_dates = Table(
    "free_time_dates",
    metadata,
    Column("studio_id", Uuid, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("longest", LargeBinary, nullable=False),  # 48 bytes, as one day of `weekly`
)


# A publication changes a date or two of a studio's picture: one round trip keeps the week when
# the message is newer, drops the dates it no longer lists and writes only the dates whose
# picture changed (each rewritten row is WAL and a dead tuple). The week's keys arrive as one
# array literal: psycopg quotes a list element by element, over a thousand ints.
_REPLACE = DriverStatement(
    text(
        "WITH week AS ("
        " INSERT INTO free_time_weeks AS kept"
        " (studio_id, computed_at, days_ahead, weekly, time_keys)"
        " VALUES (:studio_id, :computed_at, :days_ahead, :weekly, CAST(:time_keys AS integer[]))"
        " ON CONFLICT (studio_id) DO UPDATE SET computed_at = excluded.computed_at,"
        " days_ahead = excluded.days_ahead, weekly = excluded.weekly,"
        " time_keys = excluded.time_keys"
        " WHERE kept.computed_at < excluded.computed_at"
        " RETURNING studio_id),"
        " dropped AS ("
        " DELETE FROM free_time_dates AS old USING week"
        " WHERE old.studio_id = week.studio_id AND old.day <> ALL(CAST(:days AS date[]))),"
        " written AS ("
        " INSERT INTO free_time_dates AS kept (studio_id, day, longest)"
        " SELECT week.studio_id, new.day, new.longest"
        " FROM week, unnest(CAST(:days AS date[]), CAST(:longest AS bytea[])) AS new (day, longest)"
        " ON CONFLICT (studio_id, day) DO UPDATE SET longest = excluded.longest"
        " WHERE kept.longest IS DISTINCT FROM excluded.longest)"
        " SELECT studio_id FROM week"
    )
)


async def replace_free_time(session: AsyncConnection, message: FreeTimeChanged) -> bool:
    """Make the message the studio's free time, unless a newer one is already kept."""
    by_weekday: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for week in message.weekly:
        by_weekday[week.weekday] += [(s.start_minute, s.end_minute) for s in week.spans]
    by_date: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for room_day in message.days:
        by_date[room_day.day] += [(s.start_minute, s.end_minute) for s in room_day.spans]
    weekly = b"".join(longest_sessions(by_weekday[weekday]) for weekday in range(7))
    dated = {day: longest_sessions(spans) for day, spans in by_date.items()}
    keys = picture_keys(weekly, 0)
    for day, longest in dated.items():
        keys += picture_keys(longest, date_number(day))
    newer = await _REPLACE.first(
        session,
        {
            "studio_id": message.studio_id,
            "computed_at": message.computed_at,
            "days_ahead": message.max_advance_days,
            "weekly": weekly,
            "time_keys": "{" + ",".join(map(str, sorted(keys))) + "}",
            "days": list(dated),
            "longest": list(dated.values()),
        },
    )
    return newer is not None


def with_weeks(studios_from: FromClause) -> FromClause:
    """The studios joined to their weeks: the studios availability described, once each."""
    return studios_from.join(free_time_weeks, free_time_weeks.c.studio_id == studios.c.id)


def may_be_free(wanted: FreeAt) -> ColumnElement[bool]:
    """A test of the week row (of `with_weeks`) that every studio free as wanted passes, from
    the index on its keys: the date's keys or its weekday's overlap the time asked."""
    keys = wanted_keys(wanted.day.weekday(), wanted.slots, wanted.halves)
    keys += wanted_keys(date_number(wanted.day), wanted.slots, wanted.halves)
    overlap: ColumnElement[bool] = free_time_weeks.c.time_keys.overlap(
        literal(keys, ARRAY(Integer))
    )
    return overlap


def free_at(wanted: FreeAt) -> ColumnElement[bool]:
    """Whether a room of the studio (of `with_weeks`) is free as wanted: its date's own picture
    when it has one, else its week's; a primary-key probe for the first."""
    if not wanted.slots or wanted.zones == frozenset():
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

    # True or false when the studio has a row for the date, NULL (no row) when not.
    on_the_date = select(fits(free_time_dates.c.longest, 0)).where(
        free_time_dates.c.studio_id == free_time_weeks.c.studio_id,
        free_time_dates.c.day == wanted.day,
    )
    on_the_weekday = and_(
        day <= local_today + free_time_weeks.c.days_ahead,
        fits(free_time_weeks.c.weekly, wanted.day.weekday() * SLOTS),
    )
    free = and_(day >= local_today, func.coalesce(on_the_date.scalar_subquery(), on_the_weekday))
    if wanted.zones is None:
        return free
    # From the index on the zone: where every start of the window is past, nothing is tested.
    still_open = studios.c.timezone == any_(literal(sorted(wanted.zones), ARRAY(Text)))
    return and_(still_open, free)
