"""What availability's use cases need from storage, as Protocols: `db/` implements them on
PostgreSQL, the fast tests with in-memory fakes. A use case sees one `AvailabilityUnit`: the
repositories of one transaction, its clock reading, its locks and its outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta
from typing import Protocol

from availability.domain.calendar_feeds import CalendarFeed, FeedEntry
from availability.domain.external_calendars import ExternalCalendar
from availability.domain.free_time import RoomBusy, StudioSchedule
from availability.domain.holds import PersonsHolds
from availability.domain.intervals import Interval
from availability.domain.reservations import Reservation, ReservationStatus
from availability.domain.schedule import Blackout, ExtraHours, RoomSchedule, WeeklyRule
from availability.domain.studios import BookingPolicy, Studio
from contracts import Envelope, Message
from service_runtime.clock import Clock


class Reservations(Protocol):
    """Holds and bookings. Two live reservations (booked, or held unexpired) of different
    bookings never overlap in a room: the change that would make them is refused with
    `RoomTaken`, and the transaction goes on."""

    async def add_reservation(self, reservation: Reservation) -> None:
        """Insert; `RoomTaken` when a live one overlaps (committed or being committed)."""
        ...

    async def reservations_of_move(
        self, booking_id: uuid.UUID, move_id: uuid.UUID
    ) -> list[Reservation]:
        """Every reservation a move of the booking ever had, whatever became of it."""
        ...

    async def last_released_for(
        self, booking_id: uuid.UUID, other_than: uuid.UUID
    ) -> uuid.UUID | None:
        """The booking's reservation released last, other than one: what a move replaced."""
        ...

    async def reservation_by_id(self, reservation_id: uuid.UUID) -> Reservation | None: ...

    async def held_or_booked_for(self, booking_id: uuid.UUID) -> list[Reservation]:
        """A booking's reservations that still count (held, lapsed or not, and booked)."""
        ...

    async def mark_released(self, booking_id: uuid.UUID, now: datetime) -> None: ...

    async def released_and_held_or_booked(
        self, booking_id: uuid.UUID
    ) -> tuple[bool, list[Reservation]]:
        """Whether the booking was released (`mark_released`), and its reservations that still
        count (`held_or_booked_for`), read together."""
        ...

    async def released_and_reservation(
        self, booking_id: uuid.UUID, reservation_id: uuid.UUID
    ) -> tuple[bool, Reservation | None]:
        """Whether the booking was released, and the reservation by id, read together."""
        ...

    async def holds_of_person(self, person: str, now: datetime, window: timedelta) -> PersonsHolds:
        """A person's live holds, and the holds they placed in the `window` before now."""
        ...

    async def live_in_room(
        self, room_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]:
        """The room's live reservations whose blocked time touches the window."""
        ...

    async def live_in_studio(
        self, studio_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[Reservation]: ...

    async def expire_lapsed_overlapping(
        self, room_id: uuid.UUID, blocks: Interval, now: datetime
    ) -> list[Reservation]:
        """Turn lapsed holds in the way of `blocks` EXPIRED, so the constraint stops seeing them."""
        ...

    async def claim_lapsed_holds(self, now: datetime, limit: int) -> list[Reservation]:
        """Lapsed holds locked for this transaction; rows another replica holds are skipped."""
        ...

    async def change_status(
        self,
        reservation: Reservation,
        status: ReservationStatus,
        *,
        confirmed_at: datetime | None = None,
        may_overlap: bool = False,
    ) -> bool:
        """Compare-and-set on the version: False when someone changed the reservation first.

        `may_overlap` for a change that makes the reservation live again (a lapsed hold booked):
        `RoomTaken` when another now holds the room."""
        ...


class Studios(Protocol):
    async def studio_by_id(self, studio_id: uuid.UUID) -> Studio | None: ...

    async def upsert_studio(self, studio: Studio) -> bool:
        """Store the studio unless a newer revision is there already; False when it was older."""
        ...

    async def policy_of(self, studio_id: uuid.UUID) -> BookingPolicy:
        """The studio's policy; the defaults until its owner sets one."""
        ...

    async def studio_with_policy(self, studio_id: uuid.UUID) -> tuple[Studio, BookingPolicy] | None:
        """The studio and its policy (`policy_of`), read together; None for no such studio."""
        ...

    async def save_policy(self, studio_id: uuid.UUID, policy: BookingPolicy) -> None: ...

    async def rules_of(self, studio_id: uuid.UUID) -> list[WeeklyRule]: ...

    async def replace_rules(self, studio_id: uuid.UUID, rules: Sequence[WeeklyRule]) -> None: ...

    async def blackouts_of(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date] | None = None
    ) -> list[Blackout]:
        """The studio's blackouts; with `touching`, only those that may touch those local dates."""
        ...

    async def add_blackout(self, studio_id: uuid.UUID, blackout: Blackout) -> None: ...

    async def remove_blackout(self, studio_id: uuid.UUID, blackout_id: uuid.UUID) -> bool: ...

    async def blackout_count(self, studio_id: uuid.UUID) -> int: ...


class ExtraOpeningHours(Protocol):
    async def extra_hours_of(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date] | None = None
    ) -> list[ExtraHours]:
        """The studio's extra hours, by date; with `touching`, only those on those local dates."""
        ...

    async def add_extra_hours(self, studio_id: uuid.UUID, extra: ExtraHours) -> None: ...

    async def remove_extra_hours(self, studio_id: uuid.UUID, extra_id: uuid.UUID) -> bool: ...

    async def extra_hours_count(self, studio_id: uuid.UUID) -> int: ...


class CalendarFeeds(Protocol):
    async def feeds_of(self, studio_id: uuid.UUID) -> list[CalendarFeed]: ...

    async def add_feed(self, feed: CalendarFeed, secret_sha256: bytes) -> None: ...

    async def rotate_feed(
        self, studio_id: uuid.UUID, feed_id: uuid.UUID, secret_sha256: bytes, now: datetime
    ) -> CalendarFeed | None: ...

    async def remove_feed(self, studio_id: uuid.UUID, feed_id: uuid.UUID) -> bool: ...

    async def feed_by_secret(self, secret_sha256: bytes) -> CalendarFeed | None: ...

    async def feed_entries(
        self, feed: CalendarFeed, window: Interval, now: datetime, limit: int
    ) -> list[FeedEntry]:
        """The feed's bookings and live holds in the window, earliest first, at most `limit`."""
        ...

    async def first_names(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]: ...

    async def save_studio_names(
        self, studio_id: uuid.UUID, name: str, room_names: dict[uuid.UUID, str], revision: int
    ) -> None: ...

    async def names_of_studio(self, studio_id: uuid.UUID) -> tuple[str, dict[uuid.UUID, str]]: ...

    async def record_booker(self, booking_id: uuid.UUID, booker_id: uuid.UUID) -> None: ...


class FreeTimeMarks(Protocol):
    async def claim_outdated(self, limit: int) -> dict[uuid.UUID, list[int]]:
        """Up to `limit` committed marks no other publisher holds, by studio: locked until the
        transaction ends, so each studio's marks are published by one publisher at a time."""
        ...

    async def forget_marks(self, mark_ids: Sequence[int]) -> None: ...

    async def reserved_in_studio(
        self, studio_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[RoomBusy]:
        """The blocked time (buffers included) of the studio's reservations live at `now` whose
        time touches the window: what `live_in_studio` gives, without the rest of each row."""
        ...


class ExternalCalendars(Protocol):
    async def calendars_of_room(self, room_id: uuid.UUID) -> list[ExternalCalendar]: ...

    async def calendar_by_id(
        self, room_id: uuid.UUID, calendar_id: uuid.UUID, *, lock: bool = False
    ) -> ExternalCalendar | None: ...

    async def add_calendar(self, calendar: ExternalCalendar) -> None: ...

    async def remove_calendar(self, room_id: uuid.UUID, calendar_id: uuid.UUID) -> bool:
        """Remove the calendar; its busy intervals go with it (ON DELETE CASCADE)."""
        ...

    async def claim_due_calendars(self, now: datetime, limit: int) -> list[ExternalCalendar]:
        """Calendars due a fetch, locked so that other replicas skip them."""
        ...

    async def postpone_calendar(self, calendar_id: uuid.UUID, due_at: datetime) -> None: ...

    async def replace_busy(
        self,
        calendar: ExternalCalendar,
        busy: Sequence[Interval],
        *,
        now: datetime,
        next_due: datetime,
    ) -> None:
        """A good fetch: the calendar's busy intervals become exactly `busy`."""
        ...

    async def record_failure(
        self, calendar_id: uuid.UUID, error: str, *, now: datetime, next_due: datetime
    ) -> None:
        """A failed fetch: the last good busy intervals stay; the error is kept for the owner."""
        ...


class RoomSchedules(Protocol):
    async def of_room(
        self,
        studio_id: uuid.UUID,
        room_id: uuid.UUID,
        *,
        touching: tuple[date, date],
        window: Interval,
    ) -> RoomSchedule:
        """At once: the studio's weekly rules (`rules_of`), its blackouts and extra hours that
        may touch the local dates `touching` (`blackouts_of`, `extra_hours_of`), and the
        room's busy times from its external calendars that overlap `window`."""
        ...

    async def of_studio(
        self, studio_id: uuid.UUID, *, touching: tuple[date, date], window: Interval
    ) -> StudioSchedule:
        """At once: what `of_room` reads, with the busy times of every room of the studio."""
        ...


class AvailabilityUnit(Protocol):
    """One transaction of availability: its repositories, its clock reading, its outbox."""

    reservations: Reservations
    studios: Studios
    extra_hours: ExtraOpeningHours
    schedules: RoomSchedules
    calendar_feeds: CalendarFeeds
    free_time: FreeTimeMarks
    external_calendars: ExternalCalendars
    now: datetime

    async def lock(self, key: str) -> None:
        """Hold a lock on `key` until the transaction ends, across every replica."""
        ...

    async def publish(self, message: Message, *, correlation_id: str) -> Envelope: ...


class AvailabilityUnits(Protocol):
    @property
    def clock(self) -> Clock: ...

    def begin(self) -> AbstractAsyncContextManager[AvailabilityUnit]: ...
