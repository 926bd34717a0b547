"""A studio's free time for search: weekly hours on untouched dates, exact spans on touched ones."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from availability.domain.free_time import FreeTime, RoomBusy, free_time
from availability.domain.intervals import Interval
from availability.domain.schedule import Blackout, ExtraHours, WeeklyRule
from availability.domain.studios import BookingPolicy, Studio
from contracts.catalog import StudioStatus

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 12, 7)  # a Monday
ROOM_A, ROOM_B = sorted([uuid.uuid4(), uuid.uuid4()])


def studio(status: StudioStatus = StudioStatus.PUBLISHED) -> Studio:
    return Studio(
        uuid.uuid4(), uuid.uuid4(), "Europe/Berlin", frozenset({ROOM_A, ROOM_B}), status, 1
    )


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def picture(
    *,
    policy: BookingPolicy | None = None,
    rules: list[WeeklyRule] | None = None,
    blackouts: list[Blackout] | None = None,
    extras: list[ExtraHours] | None = None,
    reserved: list[RoomBusy] | None = None,
    busy: list[RoomBusy] | None = None,
    status: StudioStatus = StudioStatus.PUBLISHED,
) -> FreeTime:
    return free_time(
        studio(status),
        policy or BookingPolicy(),
        rules=rules if rules is not None else [WeeklyRule(d, time(9), time(17)) for d in range(7)],
        blackouts=blackouts or [],
        extras=extras or [],
        reserved=reserved or [],
        busy=busy or [],
        today=TODAY,
    )


def test_untouched_dates_are_the_weekly_hours_of_each_room() -> None:
    rules = [
        WeeklyRule(0, time(9), time(12)),
        WeeklyRule(0, time(12), time(14)),  # touching rules read as one span
        WeeklyRule(4, time(18), time(0)),  # closing at midnight
        WeeklyRule(2, time(10), time(11), room_id=ROOM_B),  # room B has its own hours
    ]

    free = picture(rules=rules)

    assert free.weekly == {
        (ROOM_A, 0): [(540, 840)],
        (ROOM_A, 4): [(1080, 1440)],
        (ROOM_B, 2): [(600, 660)],
    }
    assert free.days == {}


def test_a_reservation_makes_its_date_exact_for_every_room_with_the_buffers_kept_clear() -> None:
    day = TODAY + timedelta(days=2)
    policy = BookingPolicy(buffer_minutes=30, buffer_before_minutes=15)
    booked = RoomBusy(ROOM_A, Interval(local(day, 11), local(day, 13)))

    free = picture(policy=policy, reserved=[booked])

    # A new session's 30 minutes after must end before 11:00; its 15 before start after 13:00.
    assert free.days == {(day, ROOM_A): [(540, 630), (795, 1020)], (day, ROOM_B): [(540, 1020)]}


def test_on_a_touched_date_each_room_is_free_by_its_own_rules_and_reservations() -> None:
    day = TODAY + timedelta(days=2)
    booked, untouched, also_untouched, own_hours = sorted(uuid.uuid4() for _ in range(4))
    rooms = frozenset({booked, untouched, also_untouched, own_hours})
    many = Studio(uuid.uuid4(), uuid.uuid4(), "Europe/Berlin", rooms, StudioStatus.PUBLISHED, 1)
    rules = [WeeklyRule(d, time(9), time(17)) for d in range(7)]
    rules += [WeeklyRule(d, time(12), time(20), room_id=own_hours) for d in range(7)]
    reserved = [
        RoomBusy(booked, Interval(local(day, 10), local(day, 11))),
        RoomBusy(booked, Interval(local(day, 15), local(day, 16))),
    ]

    free = free_time(
        many,
        BookingPolicy(),
        rules=rules,
        blackouts=[],
        extras=[],
        reserved=reserved,
        busy=[],
        today=TODAY,
    )

    assert free.days == {
        (day, booked): [(540, 600), (660, 900), (960, 1020)],
        (day, untouched): [(540, 1020)],
        (day, also_untouched): [(540, 1020)],
        (day, own_hours): [(720, 1200)],
    }


def test_blackouts_close_their_rooms_and_extra_hours_open_more() -> None:
    closed, holiday = TODAY + timedelta(days=1), TODAY + timedelta(days=3)
    blackout = Blackout(uuid.uuid4(), room_id=ROOM_B, first_day=closed, last_day=closed)
    evening = ExtraHours(uuid.uuid4(), holiday, time(18), time(22))

    free = picture(blackouts=[blackout], extras=[evening])

    assert free.days == {
        (closed, ROOM_A): [(540, 1020)],
        (closed, ROOM_B): [],
        (holiday, ROOM_A): [(540, 1020), (1080, 1320)],
        (holiday, ROOM_B): [(540, 1020), (1080, 1320)],
    }


def test_an_external_calendar_s_busy_time_counts_like_a_reservation_without_buffers() -> None:
    day = TODAY + timedelta(days=5)
    policy = BookingPolicy(buffer_minutes=60)
    busy = RoomBusy(ROOM_B, Interval(local(day, 16), local(day + timedelta(days=1), 10)))

    free = picture(policy=policy, busy=[busy])

    assert free.days[(day, ROOM_B)] == [(540, 960)]
    assert free.days[(day + timedelta(days=1), ROOM_B)] == [(600, 1020)]


def test_only_dates_from_today_to_the_booking_horizon_are_listed() -> None:
    policy = BookingPolicy(max_advance_days=10)
    past = RoomBusy(ROOM_A, Interval(local(TODAY - timedelta(days=1), 10), local(TODAY, 0)))
    after = TODAY + timedelta(days=11)
    beyond = RoomBusy(ROOM_A, Interval(local(after, 10), local(after, 11)))
    horizon = TODAY + timedelta(days=10)
    last = RoomBusy(ROOM_A, Interval(local(horizon, 9), local(horizon, 10)))

    free = picture(policy=policy, reserved=[past, beyond, last])

    assert {day for day, _ in free.days} == {horizon}


def test_a_studio_that_takes_no_bookings_is_free_never() -> None:
    free = picture(status=StudioStatus.UNLISTED)

    assert free == FreeTime({}, {})


def test_minutes_are_wall_clock_on_a_daylight_saving_date() -> None:
    spring = date(2027, 3, 28)  # Berlin jumps from 02:00 to 03:00
    booked = RoomBusy(ROOM_A, Interval(local(spring, 12), local(spring, 13)))
    rules = [WeeklyRule(6, time(1), time(5)), WeeklyRule(6, time(11), time(14))]

    free = free_time(
        studio(),
        BookingPolicy(max_advance_days=400),
        rules=rules,
        blackouts=[],
        extras=[],
        reserved=[booked],
        busy=[],
        today=TODAY,
    )

    assert free.days[(spring, ROOM_A)] == [(60, 300), (660, 720), (780, 840)]
