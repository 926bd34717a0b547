"""The read model of catalog's studios and what owners set on them: the booking policy, weekly
opening hours and blackouts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from availability.db.tables import blackouts, booking_policies, studios, weekly_rules
from availability.domain.schedule import Blackout, WeeklyRule
from availability.domain.studios import BookingPolicy, Studio
from contracts.catalog import StudioStatus
from service_runtime.db import DriverStatement

# Every hold reads these (and the free time published after it): compiled once and run on the
# driver (`DriverStatement`), with named parameters.
_STUDIO_BY_ID = DriverStatement(select(studios).where(studios.c.id == bindparam("id")))

_POLICY = select(booking_policies).where(booking_policies.c.studio_id == bindparam("studio_id"))
_POLICY_PREFIX = "policy__"
_STUDIO_WITH_POLICY = DriverStatement(
    select(
        studios,
        *(column.label(_POLICY_PREFIX + column.name) for column in booking_policies.c),
    )
    .select_from(studios.outerjoin(booking_policies, booking_policies.c.studio_id == studios.c.id))
    .where(studios.c.id == bindparam("id"))
)

RULES_ORDER = (weekly_rules.c.room_id.nulls_first(), weekly_rules.c.weekday, weekly_rules.c.opens)
_RULES = DriverStatement(
    select(weekly_rules)
    .where(weekly_rules.c.studio_id == bindparam("studio_id"))
    .order_by(*RULES_ORDER)
)

_ALL_BLACKOUTS = (
    select(blackouts)
    .where(blackouts.c.studio_id == bindparam("studio_id"))
    .order_by(blackouts.c.created_at)
)
_BLACKOUTS = DriverStatement(_ALL_BLACKOUTS)
_FIRST = bindparam("first", type_=Date)
_LAST = bindparam("last", type_=Date)
BLACKOUT_TOUCHING = or_(
    and_(blackouts.c.last_day >= _FIRST, blackouts.c.first_day <= _LAST),
    and_(func.date(blackouts.c.ends_at) >= _FIRST, func.date(blackouts.c.starts_at) <= _LAST),
)
"""A blackout that may touch the local dates `first` to `last` (bound parameters)."""
_BLACKOUTS_TOUCHING = DriverStatement(_ALL_BLACKOUTS.where(BLACKOUT_TOUCHING))


def _studio(row: Any) -> Studio:
    return Studio(
        id=row.id,
        owner_id=row.owner_id,
        timezone=row.timezone,
        room_ids=frozenset(row.room_ids),
        status=StudioStatus(row.status),
        revision=row.revision,
    )


_POLICY_FIELDS = (
    "slot_minutes",
    "min_notice_minutes",
    "max_advance_days",
    "buffer_minutes",
    "buffer_before_minutes",
)


def _blackout(row: Any) -> Blackout:
    return Blackout(
        id=row.id,
        room_id=row.room_id,
        first_day=row.first_day,
        last_day=row.last_day,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        reason=row.reason,
    )


class SqlStudios:
    """Studios as catalog last told of them, and their owners' policies, rules and blackouts."""

    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def studio_by_id(self, studio_id: uuid.UUID) -> Studio | None:
        row = await _STUDIO_BY_ID.first(self._session, {"id": studio_id})
        return _studio(row) if row else None

    async def upsert_studio(self, studio: Studio) -> bool:
        """Store the studio unless a newer revision is there already; False when it was older."""
        values = {
            "owner_id": studio.owner_id,
            "timezone": studio.timezone,
            "room_ids": sorted(studio.room_ids),
            "status": studio.status.value,
            "revision": studio.revision,
        }
        inserting = pg_insert(studios).values(id=studio.id, **values)
        upsert = inserting.on_conflict_do_update(
            index_elements=[studios.c.id],
            set_={**values, "updated_at": func.now()},
            where=studios.c.revision < inserting.excluded.revision,
        )
        return (await self._session.execute(upsert.returning(studios.c.id))).first() is not None

    async def studio_with_policy(self, studio_id: uuid.UUID) -> tuple[Studio, BookingPolicy] | None:
        row = await _STUDIO_WITH_POLICY.first(self._session, {"id": studio_id})
        if row is None:
            return None
        values = row._asdict()
        policy = (
            BookingPolicy()
            if values[_POLICY_PREFIX + "studio_id"] is None
            else BookingPolicy(**{name: values[_POLICY_PREFIX + name] for name in _POLICY_FIELDS})
        )
        return _studio(row), policy

    async def policy_of(self, studio_id: uuid.UUID) -> BookingPolicy:
        """The studio's policy; the defaults until its owner sets one."""
        row = (await self._session.execute(_POLICY, {"studio_id": studio_id})).first()
        if row is None:
            return BookingPolicy()
        return BookingPolicy(**{name: getattr(row, name) for name in _POLICY_FIELDS})

    async def save_policy(self, studio_id: uuid.UUID, policy: BookingPolicy) -> None:
        values = {
            "slot_minutes": policy.slot_minutes,
            "min_notice_minutes": policy.min_notice_minutes,
            "max_advance_days": policy.max_advance_days,
            "buffer_minutes": policy.buffer_minutes,
            "buffer_before_minutes": policy.buffer_before_minutes,
        }
        statement = pg_insert(booking_policies).values(studio_id=studio_id, **values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[booking_policies.c.studio_id],
                set_={
                    **values,
                    "version": booking_policies.c.version + 1,
                    "updated_at": func.now(),
                },
            )
        )

    async def rules_of(self, studio_id: uuid.UUID) -> list[WeeklyRule]:
        rows = await _RULES.rows(self._session, {"studio_id": studio_id})
        return [
            WeeklyRule(weekday=row.weekday, opens=row.opens, closes=row.closes, room_id=row.room_id)
            for row in rows
        ]

    async def replace_rules(self, studio_id: uuid.UUID, rules: Sequence[WeeklyRule]) -> None:
        await self._session.execute(
            delete(weekly_rules).where(weekly_rules.c.studio_id == studio_id)
        )
        if rules:
            await self._session.execute(
                insert(weekly_rules),
                [
                    {
                        "id": uuid.uuid4(),
                        "studio_id": studio_id,
                        "room_id": rule.room_id,
                        "weekday": rule.weekday,
                        "opens": rule.opens,
                        "closes": rule.closes,
                    }
                    for rule in rules
                ],
            )

    async def blackouts_of(
        self,
        studio_id: uuid.UUID,
        *,
        touching: tuple[date, date] | None = None,
    ) -> list[Blackout]:
        """The studio's blackouts; with `touching`, only those that may touch those local dates."""
        if touching is None:
            rows = await _BLACKOUTS.rows(self._session, {"studio_id": studio_id})
        else:
            first, last = touching
            rows = await _BLACKOUTS_TOUCHING.rows(
                self._session, {"studio_id": studio_id, "first": first, "last": last}
            )
        return [_blackout(row) for row in rows]

    async def add_blackout(self, studio_id: uuid.UUID, blackout: Blackout) -> None:
        await self._session.execute(
            insert(blackouts).values(
                id=blackout.id,
                studio_id=studio_id,
                room_id=blackout.room_id,
                first_day=blackout.first_day,
                last_day=blackout.last_day,
                starts_at=blackout.starts_at,
                ends_at=blackout.ends_at,
                reason=blackout.reason,
            )
        )

    async def remove_blackout(self, studio_id: uuid.UUID, blackout_id: uuid.UUID) -> bool:
        result = await self._session.execute(
            delete(blackouts)
            .where(blackouts.c.studio_id == studio_id, blackouts.c.id == blackout_id)
            .returning(blackouts.c.id)
        )
        return result.first() is not None

    async def blackout_count(self, studio_id: uuid.UUID) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(blackouts).where(blackouts.c.studio_id == studio_id)
        )
        return int(count or 0)
