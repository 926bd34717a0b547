"""In-memory repositories of calendars: owners' feeds (with the names they show), external
calendars and their busy times, and the marks of studios whose free time is outdated. The SQL
marks come from triggers; here a test marks a studio itself (`AvailabilityTables.outdated`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from availability.domain.calendar_feeds import CalendarFeed, FeedEntry
from availability.domain.external_calendars import ExternalCalendar
from availability.domain.free_time import RoomBusy
from availability.domain.intervals import Interval

if TYPE_CHECKING:
    from .fakes import AvailabilityTables


class FakeCalendarFeeds:
    def __init__(self, tables: AvailabilityTables) -> None:
        self._t = tables

    async def feeds_of(self, studio_id: uuid.UUID) -> list[CalendarFeed]:
        found = [feed for feed, _ in self._t.feeds.values() if feed.studio_id == studio_id]
        return sorted(found, key=lambda feed: (feed.created_at, str(feed.id)))

    async def add_feed(self, feed: CalendarFeed, secret_sha256: bytes) -> None:
        self._t.feeds[feed.id] = (feed, secret_sha256)

    async def rotate_feed(
        self, studio_id: uuid.UUID, feed_id: uuid.UUID, secret_sha256: bytes, now: datetime
    ) -> CalendarFeed | None:
        feed, _ = self._t.feeds.get(feed_id, (None, b""))
        if feed is None or feed.studio_id != studio_id:
            return None
        rotated = replace(feed, rotated_at=now)
        self._t.feeds[feed_id] = (rotated, secret_sha256)
        return rotated

    async def remove_feed(self, studio_id: uuid.UUID, feed_id: uuid.UUID) -> bool:
        feed, _ = self._t.feeds.get(feed_id, (None, b""))
        if feed is None or feed.studio_id != studio_id:
            return False
        del self._t.feeds[feed_id]
        return True

    async def feed_by_secret(self, secret_sha256: bytes) -> CalendarFeed | None:
        return next((f for f, secret in self._t.feeds.values() if secret == secret_sha256), None)

    async def feed_entries(
        self, feed: CalendarFeed, window: Interval, now: datetime, limit: int
    ) -> list[FeedEntry]:
        found = sorted(
            (
                r
                for r in self._t.reservations.values()
                if r.studio_id == feed.studio_id
                and feed.room_id in (None, r.room_id)
                and r.during.overlaps(window)
                and r.is_live(now)
            ),
            key=lambda r: (r.during.start, str(r.id)),
        )
        return [FeedEntry(r, self._booker(r.booking_id, r.held_by)) for r in found[:limit]]

    def _booker(self, booking_id: uuid.UUID | None, held_by: str | None) -> uuid.UUID | None:
        if booking_id is not None and booking_id in self._t.bookers:
            return self._t.bookers[booking_id]
        try:  # a hold placed over HTTP names its person by their user id
            return uuid.UUID(held_by) if held_by else None
        except ValueError:
            return None

    async def first_names(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        return {i: name for i, name in self._t.first_names.items() if i in user_ids}

    async def save_studio_names(
        self, studio_id: uuid.UUID, name: str, room_names: dict[uuid.UUID, str], revision: int
    ) -> None:
        stored = self._t.studio_names.get(studio_id)
        if stored is None or stored[2] < revision:
            self._t.studio_names[studio_id] = (name, room_names, revision)

    async def names_of_studio(self, studio_id: uuid.UUID) -> tuple[str, dict[uuid.UUID, str]]:
        name, rooms, _ = self._t.studio_names.get(studio_id, ("Studio", {}, 0))
        return name, rooms

    async def record_booker(self, booking_id: uuid.UUID, booker_id: uuid.UUID) -> None:
        self._t.bookers.setdefault(booking_id, booker_id)


class FakeFreeTimeMarks:
    def __init__(self, tables: AvailabilityTables) -> None:
        self._t = tables

    async def claim_outdated(self, limit: int) -> dict[uuid.UUID, list[int]]:
        marks: dict[uuid.UUID, list[int]] = {}
        for mark_id in sorted(self._t.outdated)[:limit]:
            marks.setdefault(self._t.outdated[mark_id], []).append(mark_id)
        return marks

    async def forget_marks(self, mark_ids: Sequence[int]) -> None:
        for mark_id in mark_ids:
            self._t.outdated.pop(mark_id, None)

    async def reserved_in_studio(
        self, studio_id: uuid.UUID, window: Interval, now: datetime
    ) -> list[RoomBusy]:
        return [
            RoomBusy(r.room_id, r.blocks)
            for r in self._t.reservations.values()
            if r.studio_id == studio_id and r.during.overlaps(window) and r.is_live(now)
        ]


class FakeExternalCalendars:
    def __init__(self, tables: AvailabilityTables) -> None:
        self._t = tables

    async def calendars_of_room(self, room_id: uuid.UUID) -> list[ExternalCalendar]:
        found = [c for c in self._t.calendars.values() if c.room_id == room_id]
        return sorted(found, key=lambda c: (c.created_at, str(c.id)))

    async def calendar_by_id(
        self, room_id: uuid.UUID, calendar_id: uuid.UUID, *, lock: bool = False
    ) -> ExternalCalendar | None:
        calendar = self._t.calendars.get(calendar_id)
        return calendar if calendar is not None and calendar.room_id == room_id else None

    async def add_calendar(self, calendar: ExternalCalendar) -> None:
        self._t.calendars[calendar.id] = calendar
        self._t.calendars_due[calendar.id] = calendar.created_at

    async def remove_calendar(self, room_id: uuid.UUID, calendar_id: uuid.UUID) -> bool:
        if await self.calendar_by_id(room_id, calendar_id) is None:
            return False
        del self._t.calendars[calendar_id], self._t.calendars_due[calendar_id]
        self._t.busy.pop(calendar_id, None)  # its busy times go with it, as ON DELETE CASCADE
        return True

    async def claim_due_calendars(self, now: datetime, limit: int) -> list[ExternalCalendar]:
        due = sorted((at, str(i), i) for i, at in self._t.calendars_due.items() if at <= now)
        return [self._t.calendars[i] for _, _, i in due[:limit]]

    async def postpone_calendar(self, calendar_id: uuid.UUID, due_at: datetime) -> None:
        self._t.calendars_due[calendar_id] = due_at

    async def replace_busy(
        self,
        calendar: ExternalCalendar,
        busy: Sequence[Interval],
        *,
        now: datetime,
        next_due: datetime,
    ) -> None:
        self._t.busy[calendar.id] = list(busy)
        stored = self._t.calendars[calendar.id]
        self._t.calendars[calendar.id] = replace(
            stored, fetched_at=now, last_error=None, busy_count=len(busy)
        )
        self._t.calendars_due[calendar.id] = next_due

    async def record_failure(
        self, calendar_id: uuid.UUID, error: str, *, now: datetime, next_due: datetime
    ) -> None:
        stored = self._t.calendars[calendar_id]
        self._t.calendars[calendar_id] = replace(stored, failed_at=now, last_error=error)
        self._t.calendars_due[calendar_id] = next_due
