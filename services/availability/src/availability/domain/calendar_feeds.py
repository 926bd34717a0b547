"""Owners' secret calendar feeds: which reservations a feed shows and how, as iCalendar.

A feed is found by the SHA-256 of its secret, so the secret itself is never stored and a
lookup compares hashes in the database's index, not the secret byte by byte.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from availability.domain.intervals import Interval
from availability.domain.reservations import Reservation, ReservationStatus
from availability.domain.studios import AvailabilityError

# What a feed shows around now: calendar apps look back a little and plan far ahead.
FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=365)
PRODID = "-//OneTime Studios//Calendar feed//EN"
MAX_FIRST_NAME = 60


class FeedNotFound(AvailabilityError):
    def __init__(self) -> None:
        super().__init__("No such calendar feed.")


class TooManyFeeds(AvailabilityError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"A studio has at most {limit} calendar feeds; revoke one first.")


class UnknownRoom(AvailabilityError):
    def __init__(self, room_id: uuid.UUID) -> None:
        super().__init__(f"The studio has no room {room_id}.")


@dataclass(frozen=True)
class CalendarFeed:
    """A feed of a whole studio (room_id None) or of one of its rooms."""

    id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID | None
    created_at: datetime
    rotated_at: datetime


def first_name(name: str) -> str:
    """What a feed shows of a person: the first word of their name, bounded."""
    words = name.split()
    return words[0][:MAX_FIRST_NAME] if words else ""


def secret_hash(secret: str) -> bytes:
    """What is stored and looked up in place of a feed's secret."""
    return hashlib.sha256(secret.encode()).digest()


def feed_window(now: datetime) -> Interval:
    return Interval(now - FEED_PAST, now + FEED_FUTURE)


@dataclass(frozen=True)
class FeedLabels:
    """The names a feed shows: the studio's, its rooms', the bookers' first names."""

    studio_name: str
    room_names: dict[uuid.UUID, str]
    first_names: dict[uuid.UUID, str]

    def room(self, room_id: uuid.UUID) -> str:
        return self.room_names.get(room_id, "Room")

    def booker(self, booker_id: uuid.UUID | None) -> str:
        # A deleted account's name is forgotten; the booking still shows.
        return (self.first_names.get(booker_id) if booker_id else None) or "Guest"


@dataclass(frozen=True)
class FeedEntry:
    reservation: Reservation
    booker_id: uuid.UUID | None


def calendar_name(labels: FeedLabels, feed: CalendarFeed) -> str:
    if feed.room_id is None:
        return labels.studio_name
    return f"{labels.studio_name} — {labels.room(feed.room_id)}"


def feed_calendar(
    feed: CalendarFeed, labels: FeedLabels, entries: list[FeedEntry], now: datetime
) -> bytes:
    """The feed as an iCalendar document: one event per booking or live hold, in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name(labels, feed))
    for entry in entries:
        calendar.add_component(_event(entry, labels, now))
    document: bytes = calendar.to_ical()
    return document


def _event(entry: FeedEntry, labels: FeedLabels, now: datetime) -> Event:
    reservation = entry.reservation
    held = reservation.status is ReservationStatus.HELD
    event = Event()
    # The reservation's id stays the same from hold to booking, so calendars update in place.
    event.add("uid", f"{reservation.id}@onetime-studios")
    event.add("dtstamp", now)
    event.add("dtstart", reservation.during.start)
    event.add("dtend", reservation.during.end)
    event.add("summary", f"{labels.room(reservation.room_id)} — {labels.booker(entry.booker_id)}")
    event.add("status", "TENTATIVE" if held else "CONFIRMED")
    if held:
        event.add("description", "Held, not yet booked: the hold lapses unless it is paid.")
    return event
