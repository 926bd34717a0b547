"""A room's schedule around a time, as a hold checks it (`RoomSchedule`), and a studio's over
its horizon, as its free time is computed from it (`StudioSchedule`), each in one round trip:
each kind of row as a JSON array in its repository's order, read back into the domain's types.
Every hold and every free-time publication reads one, and a statement per kind cost a round
trip each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Table, bindparam, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import ScalarSelect

from availability.db.external_calendars import BUSY_IN_ROOM, external_busy, external_calendars
from availability.db.extra_hours import EXTRA_HOURS_ORDER, EXTRA_HOURS_TOUCHING
from availability.db.studios import BLACKOUT_TOUCHING, RULES_ORDER
from availability.db.tables import blackouts, extra_hours, tstz_range, weekly_rules
from availability.domain.free_time import RoomBusy, StudioSchedule
from availability.domain.intervals import Interval
from availability.domain.schedule import Blackout, ExtraHours, RoomSchedule, WeeklyRule
from service_runtime.db import DriverStatement


def _as_json(
    where: ColumnElement[bool], order: Sequence[Any], **columns: ColumnElement[Any]
) -> ScalarSelect[Any]:
    """The rows matching `where`, in `order`, as a JSON array of objects, a key per column."""
    pairs = [part for key, column in columns.items() for part in (literal(key), column)]
    every = func.json_agg(aggregate_order_by(func.json_build_object(*pairs), *order))
    return select(func.coalesce(every, literal_column("'[]'::json"))).where(where).scalar_subquery()


def _fields_of(kind: type, table: Table) -> dict[str, ColumnElement[Any]]:
    """The table's column for each field of the domain's dataclass, by name."""
    return {field.name: table.c[field.name] for field in fields(kind)}


_STUDIO = bindparam("studio_id", type_=weekly_rules.c.studio_id.type)


def _schedule(busy: ScalarSelect[Any]) -> DriverStatement:
    """The studio's rules, its blackouts and extra hours touching the dates `first`..`last`,
    and `busy`."""
    return DriverStatement(
        select(
            _as_json(
                weekly_rules.c.studio_id == _STUDIO,
                RULES_ORDER,
                **_fields_of(WeeklyRule, weekly_rules),
            ).label("rules"),
            _as_json(
                (blackouts.c.studio_id == _STUDIO) & BLACKOUT_TOUCHING,
                [blackouts.c.created_at],
                **_fields_of(Blackout, blackouts),
            ).label("blackouts"),
            _as_json(
                (extra_hours.c.studio_id == _STUDIO) & EXTRA_HOURS_TOUCHING,
                EXTRA_HOURS_ORDER,
                **_fields_of(ExtraHours, extra_hours),
            ).label("extras"),
            busy.label("busy"),
        )
    )


_START, _END = func.lower(external_busy.c.during), func.upper(external_busy.c.during)
_OF_ROOM = _schedule(_as_json(BUSY_IN_ROOM, [external_busy.c.during], start=_START, end=_END))
_OF_STUDIO = _schedule(
    _as_json(
        (external_calendars.c.id == external_busy.c.calendar_id)
        & (external_calendars.c.studio_id == _STUDIO)
        & external_busy.c.during.overlaps(bindparam("window")),
        [external_busy.c.room_id, external_busy.c.during],
        room_id=external_busy.c.room_id,
        interval=func.json_build_object(literal("start"), _START, literal("end"), _END),
    )
)
_RULES = TypeAdapter(list[WeeklyRule])
_BLACKOUTS = TypeAdapter(list[Blackout])
_EXTRAS = TypeAdapter(list[ExtraHours])
_BUSY = TypeAdapter(list[Interval])
_ROOMS_BUSY = TypeAdapter(list[RoomBusy])


class SqlRoomSchedules:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def of_room(
        self,
        studio_id: uuid.UUID,
        room_id: uuid.UUID,
        *,
        touching: tuple[date, date],
        window: Interval,
    ) -> RoomSchedule:
        first, last = touching
        (row,) = await _OF_ROOM.rows(
            self._session,
            {
                "studio_id": studio_id,
                "first": first,
                "last": last,
                "room_id": room_id,
                "window": tstz_range(window),
            },
        )
        return RoomSchedule(
            rules=_RULES.validate_python(row.rules),
            blackouts=_BLACKOUTS.validate_python(row.blackouts),
            extras=_EXTRAS.validate_python(row.extras),
            busy=_BUSY.validate_python(row.busy),
        )

    async def of_studio(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date], window: Interval
    ) -> StudioSchedule:
        first, last = touching
        (row,) = await _OF_STUDIO.rows(
            self._session,
            {"studio_id": studio_id, "first": first, "last": last, "window": tstz_range(window)},
        )
        return StudioSchedule(
            rules=_RULES.validate_python(row.rules),
            blackouts=_BLACKOUTS.validate_python(row.blackouts),
            extras=_EXTRAS.validate_python(row.extras),
            busy=_ROOMS_BUSY.validate_python(row.busy),
        )
