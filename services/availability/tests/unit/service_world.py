"""What availability's fast service tests share: a stopped clock, a published New York studio
open 09:00-17:00 every day, and the booking saga's commands as the handlers run them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from availability.domain.holds import HoldLimits
from availability.domain.reservations import Reservation
from availability.domain.schedule import WeeklyRule
from availability.service import saga_commands, saga_holds, schedules
from availability.service.schedules import Actor
from contracts.availability import (
    ConfirmSlots,
    DropMoveHold,
    HoldSlots,
    ReleaseReason,
    ReleaseSlots,
)
from contracts.values import TimeRange

from ..conftest import studio_event
from .fakes import FakeAvailabilityUnits

NOW = datetime(2030, 1, 7, 15, tzinfo=UTC)  # a Monday, 10:00 in New York
NEW_YORK = ZoneInfo("America/New_York")
DAY = date(2030, 1, 9)  # a Wednesday, two days ahead
HOLD_FOR = timedelta(minutes=15)
LIMITS = HoldLimits(max_length=timedelta(hours=12), live_per_person=3, per_person_per_window=5)


@dataclass
class StoppedClock:
    """Time as a test sets it: it moves only when told to."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class StudioAt:
    id: uuid.UUID
    owner: Actor
    rooms: list[uuid.UUID]

    @property
    def room(self) -> uuid.UUID:
        return self.rooms[0]


def at(hour: int, day: date = DAY) -> datetime:
    """An hour of a local New York date, in UTC."""
    return datetime.combine(day, time(hour), NEW_YORK).astimezone(UTC)


def hours(start: int, end: int, day: date = DAY) -> TimeRange:
    return TimeRange(starts_at=at(start, day), ends_at=at(end, day))


async def published_studio(units: FakeAvailabilityUnits, rooms: int = 2) -> StudioAt:
    """A studio as catalog announces it, open 09:00-17:00 every day by its owner's rules."""
    studio = StudioAt(uuid.uuid4(), Actor(uuid.uuid4()), [uuid.uuid4() for _ in range(rooms)])
    event = studio_event(studio_id=studio.id, owner_id=studio.owner.user_id, room_ids=studio.rooms)
    async with units.begin() as uow:
        await schedules.apply_studio_event(uow, event)
    daily = [WeeklyRule(weekday, time(9), time(17)) for weekday in range(7)]
    await schedules.replace_weekly_rules(units, studio.id, studio.owner, daily)
    return studio


async def hold(
    units: FakeAvailabilityUnits,
    studio: StudioAt,
    time_range: TimeRange,
    *,
    booking_id: uuid.UUID | None = None,
    room_id: uuid.UUID | None = None,
    move_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """The saga's HoldSlots, handled; the booking's id."""
    command = HoldSlots(
        booking_id=booking_id or uuid.uuid4(),
        studio_id=studio.id,
        room_id=room_id or studio.room,
        time_range=time_range,
        move_id=move_id,
    )
    async with units.begin() as uow:
        await saga_holds.hold_for_booking(
            uow, command, hold_for=HOLD_FOR, limits=LIMITS, now=uow.now
        )
    return command.booking_id


async def confirm(
    units: FakeAvailabilityUnits, booking_id: uuid.UUID, reservation_id: uuid.UUID
) -> None:
    command = ConfirmSlots(booking_id=booking_id, reservation_id=reservation_id)
    async with units.begin() as uow:
        await saga_commands.confirm(uow, command, now=uow.now)


async def release(
    units: FakeAvailabilityUnits, booking_id: uuid.UUID, reservation_id: uuid.UUID | None = None
) -> None:
    command = ReleaseSlots(
        booking_id=booking_id,
        reservation_id=reservation_id,
        reason=ReleaseReason.CANCELLED_BY_BOOKER,
    )
    async with units.begin() as uow:
        await saga_commands.release(uow, command, now=uow.now)


async def drop_move(
    units: FakeAvailabilityUnits, booking_id: uuid.UUID, move_id: uuid.UUID
) -> None:
    async with units.begin() as uow:
        await saga_commands.drop_move(uow, DropMoveHold(booking_id=booking_id, move_id=move_id))


def live(units: FakeAvailabilityUnits) -> list[Reservation]:
    """The reservations left blocking rooms now."""
    now = units.clock()
    return [r for r in units.tables.reservations.values() if r.is_live(now)]
