"""Busy times read from an owner's external calendar, and the fetcher's address guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from availability.domain.external_calendars import FeedUnusable, busy_intervals
from availability.domain.intervals import Interval
from availability.ics_fetcher import check_host, is_public

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = Interval(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 15, tzinfo=UTC))


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n"
    ).encode()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


WEEKLY = """
UID:weekly@test
DTSTART;TZID=Europe/Berlin:20270301T100000
DTEND;TZID=Europe/Berlin:20270301T120000
RRULE:FREQ=WEEKLY;COUNT=6
"""


def test_a_weekly_event_in_berlin_keeps_its_local_time_across_the_dst_change() -> None:
    busy = busy_intervals(ics(WEEKLY), BERLIN, WINDOW, limit=100)
    # Berlin moves to summer time on 28 March 2027: 10:00 local is 09:00 UTC before, 08:00 after.
    assert [b.start for b in busy] == [
        utc(2027, 3, 1, 9),
        utc(2027, 3, 8, 9),
        utc(2027, 3, 15, 9),
        utc(2027, 3, 22, 9),
        utc(2027, 3, 29, 8),
        utc(2027, 4, 5, 8),
    ]
    assert all(b.duration == timedelta(hours=2) for b in busy)


def test_transparent_and_cancelled_events_are_not_busy() -> None:
    document = ics(
        "UID:a@test\nDTSTART:20270302T100000Z\nDTEND:20270302T110000Z\nTRANSP:TRANSPARENT",
        "UID:b@test\nDTSTART:20270303T100000Z\nDTEND:20270303T110000Z\nSTATUS:CANCELLED",
        "UID:c@test\nDTSTART:20270304T100000Z\nDTEND:20270304T110000Z\nTRANSP:OPAQUE",
    )
    assert busy_intervals(document, BERLIN, WINDOW, limit=100) == [
        Interval(utc(2027, 3, 4, 10), utc(2027, 3, 4, 11))
    ]


def test_an_all_day_event_covers_the_day_in_the_rooms_zone() -> None:
    document = ics("UID:d@test\nDTSTART;VALUE=DATE:20270310\nDTEND;VALUE=DATE:20270311")
    assert busy_intervals(document, BERLIN, WINDOW, limit=100) == [
        Interval(utc(2027, 3, 9, 23), utc(2027, 3, 10, 23))
    ]


def test_busy_times_are_cut_to_the_horizon_and_bounded_in_number() -> None:
    daily = "UID:e@test\nDTSTART:20260101T100000Z\nDTEND:20260101T110000Z\nRRULE:FREQ=DAILY"
    busy = busy_intervals(ics(daily), BERLIN, WINDOW, limit=10)
    assert len(busy) == 10
    assert busy[0].start == utc(2027, 3, 1, 10)


def test_a_document_that_is_not_icalendar_is_unusable() -> None:
    with pytest.raises(FeedUnusable):
        busy_intervals(b"<html>hello</html>", BERLIN, WINDOW, limit=10)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ],
)
def test_inward_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x.ics", "http://localhost:8080/x.ics", "https://[::1]/x.ics"]
)
async def test_the_guard_refuses_loopback_hosts_unless_allowed(url: str) -> None:
    with pytest.raises(FeedUnusable, match="not a public address"):
        await check_host(url, allow_private=False)
    await check_host(url, allow_private=True)


async def test_the_guard_refuses_other_schemes_even_when_private_is_allowed() -> None:
    with pytest.raises(FeedUnusable, match="http and https"):
        await check_host("file:///etc/passwd", allow_private=True)


def test_a_rule_with_millions_of_occurrences_costs_only_the_kept_ones() -> None:
    every_second = (
        "UID:f@test\nDTSTART:20270301T000000Z\nDTEND:20270301T000001Z\nRRULE:FREQ=SECONDLY"
    )
    busy = busy_intervals(ics(every_second), BERLIN, WINDOW, limit=50)
    assert len(busy) == 50
    assert busy[-1].start == utc(2027, 3, 1, 0, 0, 49)
