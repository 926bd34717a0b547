"""Publishing studios' free time for search: after any change, each studio's whole picture.

The triggers of migration 0009 mark a studio in the transaction that changes it; a background
loop (`publish_outdated`) claims the marks, computes each studio's free time once however many
marks it has, and records a FreeTimeChanged in the same transaction as it forgets the marks. A
crash before the commit leaves the marks for the next round; a mark committed after the claim
stays for the next round too.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from availability.domain.free_time import FreeTime, free_time
from availability.domain.intervals import Interval
from availability.domain.local_time import local_midnight
from availability.repositories import AvailabilityUnit, AvailabilityUnits
from contracts.availability import FreeSpan, FreeTimeChanged, RoomDay, RoomWeekday


async def publish_outdated(units: AvailabilityUnits, *, limit: int) -> int:
    """Publish the free time of every marked studio, `limit` marks per transaction; returns
    how many messages were recorded."""
    published = 0
    while True:
        async with units.begin() as uow:
            marks = await uow.free_time.claim_outdated(limit)
            for studio_id, mark_ids in marks.items():
                await _publish(uow, studio_id, units.clock())
                await uow.free_time.forget_marks(mark_ids)
        published += len(marks)
        if sum(len(ids) for ids in marks.values()) < limit:
            return published


async def _publish(uow: AvailabilityUnit, studio_id: uuid.UUID, now: datetime) -> None:
    found = await uow.studios.studio_with_policy(studio_id)
    if found is None:
        return
    studio, policy = found
    zone = studio.zone
    today = now.astimezone(zone).date()
    last = today + timedelta(days=policy.max_advance_days)
    horizon = Interval(local_midnight(today, zone), local_midnight(last + timedelta(days=2), zone))
    schedule = await uow.schedules.of_studio(studio_id, touching=(today, last), window=horizon)
    picture = free_time(
        studio,
        policy,
        rules=schedule.rules,
        blackouts=schedule.blackouts,
        extras=schedule.extras,
        reserved=await uow.free_time.reserved_in_studio(studio_id, horizon, now),
        busy=schedule.busy,
        today=today,
    )
    await uow.publish(
        _message(studio_id, picture, now, policy.max_advance_days),
        correlation_id=str(studio_id),
    )


def _message(
    studio_id: uuid.UUID, picture: FreeTime, now: datetime, max_advance_days: int
) -> FreeTimeChanged:
    def spans(pairs: list[tuple[int, int]]) -> list[FreeSpan]:
        return [FreeSpan(start_minute=start, end_minute=end) for start, end in pairs]

    return FreeTimeChanged(
        studio_id=studio_id,
        computed_at=now,
        max_advance_days=max_advance_days,
        weekly=[
            RoomWeekday(room_id=room_id, weekday=weekday, spans=spans(pairs))
            for (room_id, weekday), pairs in picture.weekly.items()
        ],
        days=[
            RoomDay(room_id=room_id, day=day, spans=spans(pairs))
            for (day, room_id), pairs in picture.days.items()
        ],
    )
