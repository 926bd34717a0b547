"""In-memory repositories of studios' schedules: the studio, its policy and weekly rules,
blackouts and extra opening hours, and a room's schedule around a time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from availability.domain.free_time import RoomBusy, StudioSchedule
from availability.domain.intervals import Interval
from availability.domain.schedule import Blackout, ExtraHours, RoomSchedule, WeeklyRule
from availability.domain.studios import BookingPolicy, Studio

if TYPE_CHECKING:
    from .fakes import AvailabilityTables


def _touches(first: date, last: date, touching: tuple[date, date] | None) -> bool:
    return touching is None or (last >= touching[0] and first <= touching[1])


class FakeStudios:
    def __init__(self, tables: AvailabilityTables) -> None:
        self._t = tables

    async def studio_by_id(self, studio_id: uuid.UUID) -> Studio | None:
        return self._t.studios.get(studio_id)

    async def upsert_studio(self, studio: Studio) -> bool:
        stored = self._t.studios.get(studio.id)
        if stored is not None and stored.revision >= studio.revision:
            return False
        self._t.studios[studio.id] = studio
        return True

    async def policy_of(self, studio_id: uuid.UUID) -> BookingPolicy:
        return self._t.policies.get(studio_id, BookingPolicy())

    async def studio_with_policy(self, studio_id: uuid.UUID) -> tuple[Studio, BookingPolicy] | None:
        studio = self._t.studios.get(studio_id)
        return None if studio is None else (studio, await self.policy_of(studio_id))

    async def save_policy(self, studio_id: uuid.UUID, policy: BookingPolicy) -> None:
        self._t.policies[studio_id] = policy

    async def rules_of(self, studio_id: uuid.UUID) -> list[WeeklyRule]:
        rules = self._t.rules.get(studio_id, [])
        return sorted(
            rules, key=lambda r: (r.room_id is not None, str(r.room_id), r.weekday, r.opens)
        )

    async def replace_rules(self, studio_id: uuid.UUID, rules: Sequence[WeeklyRule]) -> None:
        self._t.rules[studio_id] = list(rules)

    async def blackouts_of(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date] | None = None
    ) -> list[Blackout]:
        def dates(b: Blackout) -> tuple[date, date]:
            if b.first_day is not None and b.last_day is not None:
                return b.first_day, b.last_day
            assert b.starts_at is not None
            assert b.ends_at is not None
            return b.starts_at.date(), b.ends_at.date()

        found = self._t.blackouts.get(studio_id, [])
        return [b for b in found if _touches(*dates(b), touching)]

    async def add_blackout(self, studio_id: uuid.UUID, blackout: Blackout) -> None:
        self._t.blackouts.setdefault(studio_id, []).append(blackout)

    async def remove_blackout(self, studio_id: uuid.UUID, blackout_id: uuid.UUID) -> bool:
        found = self._t.blackouts.get(studio_id, [])
        kept = [b for b in found if b.id != blackout_id]
        self._t.blackouts[studio_id] = kept
        return len(kept) < len(found)

    async def blackout_count(self, studio_id: uuid.UUID) -> int:
        return len(self._t.blackouts.get(studio_id, []))


class FakeExtraOpeningHours:
    def __init__(self, tables: AvailabilityTables) -> None:
        self._t = tables

    async def extra_hours_of(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date] | None = None
    ) -> list[ExtraHours]:
        found = [
            e for e in self._t.extra_hours.get(studio_id, []) if _touches(e.day, e.day, touching)
        ]
        return sorted(found, key=lambda e: (e.day, e.opens))

    async def add_extra_hours(self, studio_id: uuid.UUID, extra: ExtraHours) -> None:
        self._t.extra_hours.setdefault(studio_id, []).append(extra)

    async def remove_extra_hours(self, studio_id: uuid.UUID, extra_id: uuid.UUID) -> bool:
        found = self._t.extra_hours.get(studio_id, [])
        self._t.extra_hours[studio_id] = [e for e in found if e.id != extra_id]
        return len(self._t.extra_hours[studio_id]) < len(found)

    async def extra_hours_count(self, studio_id: uuid.UUID) -> int:
        return len(self._t.extra_hours.get(studio_id, []))


class FakeRoomSchedules:
    def __init__(self, tables: AvailabilityTables) -> None:
        self._t = tables

    async def of_room(
        self,
        studio_id: uuid.UUID,
        room_id: uuid.UUID,
        *,
        touching: tuple[date, date],
        window: Interval,
    ) -> RoomSchedule:
        studio = await self.of_studio(studio_id, touching=touching, window=window)
        return RoomSchedule(
            rules=studio.rules,
            blackouts=studio.blackouts,
            extras=studio.extras,
            busy=[busy.interval for busy in studio.busy if busy.room_id == room_id],
        )

    async def of_studio(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date], window: Interval
    ) -> StudioSchedule:
        return StudioSchedule(
            rules=await FakeStudios(self._t).rules_of(studio_id),
            blackouts=await FakeStudios(self._t).blackouts_of(studio_id, touching=touching),
            extras=await FakeExtraOpeningHours(self._t).extra_hours_of(
                studio_id, touching=touching
            ),
            busy=[
                RoomBusy(calendar.room_id, busy)
                for calendar in self._t.calendars.values()
                if calendar.studio_id == studio_id
                for busy in self._t.busy.get(calendar.id, [])
                if busy.overlaps(window)
            ],
        )
