"""Invitations carry their zone's VTIMEZONE exactly as icalendar itself would add it, although
it is built once per zone and process."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from notifications.domain.notices import BookingStatus
from notifications.domain.read_models import Booking, Person, Studio
from notifications.emails import BookingFacts
from notifications.invitations import Method, invitation


def facts(timezone: str) -> BookingFacts:
    booker = Person(uuid.uuid4(), "bea@example.com", "Bea")
    owner = Person(uuid.uuid4(), "olga@example.com", "Olga")
    studio = Studio(uuid.uuid4(), 1, owner.id, "Lab", timezone, address="Oranienstraße 1")
    booking = Booking(
        id=uuid.uuid4(),
        booker_id=booker.id,
        owner_id=owner.id,
        studio_id=studio.id,
        room_id=uuid.uuid4(),
        starts_at=datetime(2030, 3, 1, 9, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 1, 11, 0, tzinfo=UTC),
        status=BookingStatus.CONFIRMED,
    )
    return BookingFacts(booking, studio, booker, owner)


@pytest.mark.parametrize("timezone", ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"])
@pytest.mark.parametrize("method", list(Method))
def test_the_invitation_is_what_icalendar_writes_with_its_missing_timezones_added(
    timezone: str, method: Method
) -> None:
    now, booking = datetime(2030, 1, 1, tzinfo=UTC), facts(timezone)
    first = invitation(booking, method, organizer="OneTime <b@example.com>", now=now)
    again = invitation(booking, method, organizer="OneTime <b@example.com>", now=now)

    rebuilt = Calendar.from_ical(first)
    for zone in rebuilt.timezones:
        rebuilt.subcomponents.remove(zone)
    rebuilt.add_missing_timezones()

    assert rebuilt.to_ical().decode() == first
    assert [zone.tz_name for zone in rebuilt.timezones] == ([] if timezone == "UTC" else [timezone])
    assert again == first  # the zone from the cache, unchanged by the first calendar
