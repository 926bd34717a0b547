"""What a calendar feed shows, as a calendar app parses it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from availability.domain.calendar_feeds import (
    CalendarFeed,
    FeedEntry,
    FeedLabels,
    feed_calendar,
    first_name,
    secret_hash,
)
from availability.domain.intervals import Interval
from availability.domain.reservations import Reservation, ReservationStatus

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
STUDIO, ROOM, BOOKER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def reservation(status: ReservationStatus, hours_ahead: int) -> Reservation:
    start = NOW + timedelta(hours=hours_ahead)
    return Reservation(
        id=uuid.uuid4(),
        studio_id=STUDIO,
        room_id=ROOM,
        booking_id=None,
        during=Interval(start, start + timedelta(hours=2)),
        buffer=timedelta(0),
        status=status,
        expires_at=None,
    )


def parsed(entries: list[FeedEntry], room_id: uuid.UUID | None = None) -> Calendar:
    feed = CalendarFeed(uuid.uuid4(), STUDIO, room_id, created_at=NOW, rotated_at=NOW)
    labels = FeedLabels("Tide Sound", {ROOM: "Live room"}, {BOOKER: "Ada"})
    return Calendar.from_ical(feed_calendar(feed, labels, entries, NOW))


def test_first_name_is_the_first_word_and_bounded() -> None:
    assert first_name("  Grace Brewster Hopper ") == "Grace"
    assert first_name("x" * 100) == "x" * 60
    assert first_name("   ") == ""


def test_bookings_are_confirmed_and_holds_tentative_in_utc_with_room_and_first_name() -> None:
    booked = reservation(ReservationStatus.BOOKED, 24)
    held = reservation(ReservationStatus.HELD, 48)

    calendar = parsed([FeedEntry(booked, BOOKER), FeedEntry(held, None)])

    first, second = calendar.walk("VEVENT")
    assert str(calendar["X-WR-CALNAME"]) == "Tide Sound"
    assert (str(first["SUMMARY"]), str(first["STATUS"])) == ("Live room — Ada", "CONFIRMED")
    assert (str(second["SUMMARY"]), str(second["STATUS"])) == ("Live room — Guest", "TENTATIVE")
    assert str(first["UID"]) == f"{booked.id}@onetime-studios"
    assert first["DTSTART"].to_ical() == b"20260302T120000Z"
    assert first["DTEND"].to_ical() == b"20260302T140000Z"


def test_a_room_feed_is_named_for_its_room_and_secrets_hash_apart() -> None:
    calendar = parsed([], room_id=ROOM)

    assert str(calendar["X-WR-CALNAME"]) == "Tide Sound — Live room"
    assert calendar.walk("VEVENT") == []
    assert secret_hash("a") != secret_hash("b")
    assert len(secret_hash("a")) == 32
