"""In-memory repositories behind availability's unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: two live reservations (held or booked, even
lapsed until expired) of different bookings never overlap in a room (`RoomTaken`, as from the
exclusion constraint), a status changes only from the version read, a studio and its names
keep their highest revision, a released booking stays released. Locks are no-ops: fake units
run one at a time. The calendars' repositories are in `fake_calendars.py`,
the schedules' in `fake_schedules.py`."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from availability.domain.calendar_feeds import CalendarFeed
from availability.domain.external_calendars import ExternalCalendar
from availability.domain.holds import PersonsHolds
from availability.domain.intervals import Interval
from availability.domain.reservations import (
    LIVE_STATUSES,
    Reservation,
    ReservationStatus,
    RoomTaken,
)
from availability.domain.schedule import Blackout, ExtraHours, WeeklyRule
from availability.domain.studios import BookingPolicy, Studio
from availability.repositories import (
    AvailabilityUnit,
    CalendarFeeds,
    ExternalCalendars,
    ExtraOpeningHours,
    FreeTimeMarks,
    Reservations,
    RoomSchedules,
    Studios,
)
from contracts import Envelope, Message
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork

from .fake_calendars import FakeCalendarFeeds, FakeExternalCalendars, FakeFreeTimeMarks
from .fake_schedules import FakeExtraOpeningHours, FakeRoomSchedules, FakeStudios


@dataclass
class AvailabilityTables:
    studios: dict[uuid.UUID, Studio] = field(default_factory=dict)
    policies: dict[uuid.UUID, BookingPolicy] = field(default_factory=dict)
    rules: dict[uuid.UUID, list[WeeklyRule]] = field(default_factory=dict)
    blackouts: dict[uuid.UUID, list[Blackout]] = field(default_factory=dict)
    extra_hours: dict[uuid.UUID, list[ExtraHours]] = field(default_factory=dict)
    reservations: dict[uuid.UUID, Reservation] = field(default_factory=dict)
    # The order of the reservations' last changes: a move's replaced one is the last released.
    changed: dict[uuid.UUID, int] = field(default_factory=dict)
    released_bookings: dict[uuid.UUID, datetime] = field(default_factory=dict)
    feeds: dict[uuid.UUID, tuple[CalendarFeed, bytes]] = field(default_factory=dict)
    studio_names: dict[uuid.UUID, tuple[str, dict[uuid.UUID, str], int]] = field(
        default_factory=dict
    )
    bookers: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    first_names: dict[uuid.UUID, str] = field(default_factory=dict)
    outdated: dict[int, uuid.UUID] = field(default_factory=dict)  # free-time marks by id
    calendars: dict[uuid.UUID, ExternalCalendar] = field(default_factory=dict)
    calendars_due: dict[uuid.UUID, datetime] = field(default_factory=dict)
    busy: dict[uuid.UUID, list[Interval]] = field(default_factory=dict)  # by calendar


_changes = itertools.count()


class FakeReservations:
    def __init__(self, tables: AvailabilityTables) -> None:
        self._t = tables

    def _store(self, reservation: Reservation) -> None:
        """Write as the exclusion constraint allows: RoomTaken when it would overlap."""
        if reservation.status in LIVE_STATUSES and any(
            other.id != reservation.id
            and other.room_id == reservation.room_id
            and other.status in LIVE_STATUSES
            and (other.booking_id or other.id) != (reservation.booking_id or reservation.id)
            and other.blocks.overlaps(reservation.blocks)
            for other in self._t.reservations.values()
        ):
            raise RoomTaken()
        self._t.reservations[reservation.id] = reservation
        self._t.changed[reservation.id] = next(_changes)

    async def add_reservation(self, reservation: Reservation) -> None:
        self._store(reservation)

    async def reservations_of_move(
        self, booking_id: uuid.UUID, move_id: uuid.UUID
    ) -> list[Reservation]:
        return [
            r
            for r in self._t.reservations.values()
            if (r.booking_id, r.move_id) == (booking_id, move_id)
        ]

    async def last_released_for(
        self, booking_id: uuid.UUID, other_than: uuid.UUID
    ) -> uuid.UUID | None:
        released = [
            r.id
            for r in self._t.reservations.values()
            if r.booking_id == booking_id
            and r.id != other_than
            and r.status is ReservationStatus.RELEASED
        ]
        return max(released, key=self._t.changed.__getitem__, default=None)

    async def reservation_by_id(self, reservation_id: uuid.UUID) -> Reservation | None:
        return self._t.reservations.get(reservation_id)

    async def held_or_booked_for(self, booking_id: uuid.UUID) -> list[Reservation]:
        return [
            r
            for r in self._t.reservations.values()
            if r.booking_id == booking_id and r.status in LIVE_STATUSES
        ]

    async def mark_released(self, booking_id: uuid.UUID, now: datetime) -> None:
        self._t.released_bookings.setdefault(booking_id, now)

    async def released_and_held_or_booked(
        self, booking_id: uuid.UUID
    ) -> tuple[bool, list[Reservation]]:
        released = booking_id in self._t.released_bookings
        return released, await self.held_or_booked_for(booking_id)

    async def released_and_reservation(
        self, booking_id: uuid.UUID, reservation_id: uuid.UUID
    ) -> tuple[bool, Reservation | None]:
        released = booking_id in self._t.released_bookings
        return released, await self.reservation_by_id(reservation_id)

    async def holds_of_person(self, person: str, now: datetime, window: timedelta) -> PersonsHolds:
        mine = [r for r in self._t.reservations.values() if r.held_by == person]
        live = [r.expires_at for r in mine if r.is_live(now) and r.expires_at is not None]
        recent = [r.created_at for r in mine if r.created_at and r.created_at > now - window]
        return PersonsHolds(
            len(live), min(live, default=None), len(recent), min(recent, default=None)
        )

    async def live_in_room(
        self, room_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]:
        return [
            r
            for r in self._t.reservations.values()
            if r.room_id == room_id and r.blocks.overlaps(window) and r.is_live(now)
        ]

    async def live_in_studio(
        self, studio_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]:
        found = [
            r
            for r in self._t.reservations.values()
            if r.studio_id == studio_id and r.during.overlaps(window) and r.is_live(now)
        ]
        return sorted(found, key=lambda r: (r.during.start, r.room_id))

    async def expire_lapsed_overlapping(
        self, room_id: uuid.UUID, blocks: Interval, now: datetime
    ) -> list[Reservation]:
        lapsed = [
            r
            for r in self._t.reservations.values()
            if r.room_id == room_id and r.hold_expired(now) and r.blocks.overlaps(blocks)
        ]
        for reservation in lapsed:
            await self.change_status(reservation, ReservationStatus.EXPIRED)
        return [self._t.reservations[r.id] for r in lapsed]

    async def claim_lapsed_holds(self, now: datetime, limit: int) -> list[Reservation]:
        lapsed = [r for r in self._t.reservations.values() if r.hold_expired(now)]
        return sorted(lapsed, key=lambda r: r.expires_at or now)[:limit]

    async def change_status(
        self,
        reservation: Reservation,
        status: ReservationStatus,
        *,
        confirmed_at: datetime | None = None,
        may_overlap: bool = False,
    ) -> bool:
        stored = self._t.reservations.get(reservation.id)
        if stored is None or stored.version != reservation.version:
            return False
        changed = replace(stored, status=status, version=stored.version + 1)
        if status is ReservationStatus.BOOKED:
            changed = replace(changed, expires_at=None, confirmed_at=confirmed_at)
        try:
            self._store(changed)
        except RoomTaken as taken:
            if may_overlap:
                raise
            raise AssertionError("the SQL repository would fail on this change") from taken
        return True


class FakeAvailabilityUnit:
    def __init__(self, uow: FakeUnitOfWork[AvailabilityTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.reservations: Reservations = FakeReservations(uow.state)
        self.studios: Studios = FakeStudios(uow.state)
        self.extra_hours: ExtraOpeningHours = FakeExtraOpeningHours(uow.state)
        self.schedules: RoomSchedules = FakeRoomSchedules(uow.state)
        self.calendar_feeds: CalendarFeeds = FakeCalendarFeeds(uow.state)
        self.free_time: FreeTimeMarks = FakeFreeTimeMarks(uow.state)
        self.external_calendars: ExternalCalendars = FakeExternalCalendars(uow.state)

    async def lock(self, key: str) -> None:
        """Nothing to wait for: fake units run one at a time."""

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope:
        return await self._uow.publish(message, correlation_id=correlation_id)


class FakeAvailabilityUnits:
    """Availability's units of work over in-memory tables: `tables` is what committed,
    `outbox` what committed units published."""

    def __init__(self, *, clock: Clock = utc_now) -> None:
        self.outbox = FakeUnitsOfWork(AvailabilityTables(), clock=clock)

    @property
    def clock(self) -> Clock:
        return self.outbox.clock

    @property
    def tables(self) -> AvailabilityTables:
        return self.outbox.state

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AvailabilityUnit]:
        async with self.outbox.begin() as uow:
            yield FakeAvailabilityUnit(uow)
