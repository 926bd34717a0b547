"""Publishing free time on in-memory fakes: each marked studio's whole picture once, however
many marks it has, and the marks gone with it."""

from __future__ import annotations

from availability.service import free_time
from contracts.availability import FreeSpan, FreeTimeChanged

from .fakes import FakeAvailabilityUnits
from .service_world import DAY, NOW, StudioAt, hold, hours


def spans(*pairs: tuple[int, int]) -> list[FreeSpan]:
    return [FreeSpan(start_minute=start, end_minute=end) for start, end in pairs]


async def test_a_marked_studio_is_published_once_with_its_hours_less_its_reservations(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    await hold(units, studio, hours(10, 12))
    units.tables.outdated.update({1: studio.id, 2: studio.id})

    assert await free_time.publish_outdated(units, limit=10) == 1

    [changed] = units.outbox.messages(FreeTimeChanged)
    assert (changed.studio_id, changed.computed_at) == (studio.id, NOW)
    weekly = {(w.room_id, w.weekday): w.spans for w in changed.weekly}
    assert weekly[(studio.rooms[1], DAY.weekday())] == spans((540, 1020))
    days = {(d.room_id, d.day): d.spans for d in changed.days}
    assert days[(studio.room, DAY)] == spans((540, 600), (720, 1020))
    assert units.tables.outdated == {}


async def test_marks_beyond_the_batch_are_published_in_the_next_transaction(
    units: FakeAvailabilityUnits, studio: StudioAt
) -> None:
    units.tables.outdated.update({1: studio.id, 2: studio.id, 3: studio.id})

    assert await free_time.publish_outdated(units, limit=2) == 2
    assert await free_time.publish_outdated(units, limit=2) == 0

    assert len(units.outbox.messages(FreeTimeChanged)) == 2
    assert units.tables.outdated == {}
