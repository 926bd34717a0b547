"""In-memory repositories behind availability's unit of work, for service-layer tests without
servers. They keep the SQL repositories' promises: two live reservations (held or booked, even
lapsed until expired) of different bookings never overlap in a room (`RoomTaken`, as from the
exclusion constraint), a status changes only from the version read, a studio and its names
keep their highest revision, a released booking stays released. Locks are no-ops: fake units
run one at a time. The calendars' repositories are in `fake_calendars.py`."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

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
    Studios,
)
from contracts import Envelope, Message
from service_runtime.clock import Clock, utc_now
from service_runtime.fakes import FakeUnitOfWork, FakeUnitsOfWork

from .fake_calendars import FakeCalendarFeeds, FakeExternalCalendars, FakeFreeTimeMarks


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

    async def was_released(self, booking_id: uuid.UUID) -> bool:
        return booking_id in self._t.released_bookings

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


class FakeAvailabilityUnit:
    def __init__(self, uow: FakeUnitOfWork[AvailabilityTables]) -> None:
        self._uow = uow
        self.now = uow.now
        self.reservations: Reservations = FakeReservations(uow.state)
        self.studios: Studios = FakeStudios(uow.state)
        self.extra_hours: ExtraOpeningHours = FakeExtraOpeningHours(uow.state)
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
