"""Calendar invitations (.ics, RFC 5546) for a booking: one stable UID per booking, a REQUEST
when it is confirmed, and a REQUEST (when it moves) or a CANCEL with a higher SEQUENCE, so a
calendar updates the one event it holds."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from enum import StrEnum
from functools import lru_cache

from icalendar import Calendar, Event, Timezone, vCalAddress

from notifications.emails import BookingFacts

PRODUCT_ID = "-//OneTime Studios//Bookings//EN"


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


_STATUS = {Method.REQUEST: "CONFIRMED", Method.CANCEL: "CANCELLED"}
_FIRST_CHANGE = datetime(2020, 1, 1, tzinfo=UTC)


def _sequence(*, changed: bool, now: datetime) -> int:
    """0 for the first invitation; every later one (a move, a cancellation) the minutes since
    2020: always higher than the ones before without counting them, and within iCalendar's
    32-bit integer for millennia."""
    return int((now - _FIRST_CHANGE).total_seconds() // 60) if changed else 0


def uid_of(facts: BookingFacts) -> str:
    return f"booking-{facts.booking.id}@onetime.studio"


def invitation(
    facts: BookingFacts, method: Method, *, organizer: str, now: datetime, changed: bool = False
) -> str:
    """The booking as an iCalendar object, its times in the studio's zone (with its VTIMEZONE);
    `changed` for every invitation after the first (a move, a cancellation)."""
    zone = facts.studio.zone
    event = Event()
    event.add("uid", uid_of(facts))
    event.add("sequence", _sequence(changed=changed, now=now))
    event.add("status", _STATUS[method])
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", facts.booking.starts_at.astimezone(zone))
    event.add("dtend", facts.booking.ends_at.astimezone(zone))
    room = facts.studio.rooms.get(facts.booking.room_id)
    event.add("summary", f"{facts.studio.name}, {room}" if room else facts.studio.name)
    event.add("location", facts.studio.location)
    event.add("organizer", _address(organizer))
    attendee = _address(facts.booker.email)
    attendee.params["CN"] = facts.booker.name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    event.add("attendee", attendee)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method.value)
    calendar.add_component(event)
    # The VTIMEZONE goes before the event that names it, as `add_missing_timezones` puts it.
    timezones = "".join(_vtimezone(tzid) for tzid in sorted(calendar.get_missing_tzids()))
    head, _, rest = calendar.to_ical().decode().partition(_EVENT_BEGINS)
    return f"{head}{timezones}{_EVENT_BEGINS}{rest}"


_EVENT_BEGINS = "BEGIN:VEVENT\r\n"


@lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> str:
    """The zone's VTIMEZONE as `Calendar.add_missing_timezones` writes it (every transition of
    its default years), built and serialized once per process: that is most of an
    invitation's cost otherwise. Empty for a zone icalendar does not know (the times still
    carry its TZID)."""
    try:
        text: bytes = Timezone.from_tzid(tzid).to_ical()
    except ValueError:
        return ""
    return text.decode()


def _address(mailbox: str) -> vCalAddress:
    name, address = parseaddr(mailbox)
    calendar_address = vCalAddress(f"mailto:{address}")
    if name:
        calendar_address.params["CN"] = name
    return calendar_address
