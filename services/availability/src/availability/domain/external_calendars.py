"""Owners' external calendars (ICS URLs per room) and the busy intervals they hold."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from availability.domain.intervals import Interval
from availability.domain.local_time import local_midnight


class ExternalCalendarNotFound(LookupError):
    pass


class TooManyExternalCalendars(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"A room may have at most {limit} external calendars.")


class FeedUnusable(Exception):
    """A fetch or parse that failed; its message is shown to the owner as the last error."""


@dataclass(frozen=True)
class ExternalCalendar:
    id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    url: str
    created_at: datetime
    fetched_at: datetime | None = None
    last_error: str | None = None
    failed_at: datetime | None = None
    busy_count: int = 0


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """An ICS start or end in UTC terms: a date is local midnight, a floating time local."""
    if not isinstance(value, datetime):
        return local_midnight(value, zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def busy_intervals(
    document: bytes, zone: ZoneInfo, window: Interval, *, limit: int
) -> list[Interval]:
    """The busy times of an iCalendar document in the window, earliest first, at most `limit`.

    Recurrences are expanded; transparent ("free") and cancelled events are not busy; all-day
    events cover their dates in the room's zone.
    """
    busy: list[Interval] = []
    try:
        calendar = icalendar.Calendar.from_ical(document)
        # after() yields occurrences in start order, lazily: a rule with millions of them costs
        # only the `limit` kept, never the whole expansion.
        for event in recurring_ical_events.of(calendar).after(window.start):
            interval = _busy(event, zone)
            if interval is None:
                continue
            if interval.start >= window.end or len(busy) >= limit:
                break
            busy.append(Interval(max(interval.start, window.start), min(interval.end, window.end)))
    except Exception as error:  # the parsers raise many kinds on a bad document
        raise FeedUnusable(f"not a usable iCalendar document ({type(error).__name__})") from error
    return [interval for interval in busy if not interval.empty]


def _busy(event: icalendar.Event, zone: ZoneInfo) -> Interval | None:
    """The instants an event keeps busy; None for a free, cancelled or start-less one."""
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    start = event.get("DTSTART")
    if start is None:
        return None
    begins = _instant(start.dt, zone)
    end = event.get("DTEND")
    if end is not None:
        return Interval(begins, _instant(end.dt, zone))
    if not isinstance(start.dt, datetime):  # RFC 5545: an all-day event without an end
        return Interval(begins, local_midnight(start.dt + timedelta(days=1), zone))
    return Interval(begins, begins + (event.duration if "DURATION" in event else timedelta(0)))
