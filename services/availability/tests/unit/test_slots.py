"""Free start times from rules, blackouts, reservations, buffer, notice and advance window."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from availability.domain.intervals import Interval, merge, subtract
from availability.domain.schedule import (
    Blackout,
    ExtraHours,
    InvalidSchedule,
    WeeklyRule,
    for_room,
    opening,
    rules_for_room,
)
from availability.domain.slots import free_starts, refusal
from availability.domain.studios import BookingPolicy, InvalidPolicy
from contracts.availability import UnavailableReason

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def every_day(opens: time = time(9), closes: time = time(17)) -> list[WeeklyRule]:
    return [WeeklyRule(weekday=day, opens=opens, closes=closes) for day in range(7)]


def starts(
    window: Interval,
    *,
    zone: ZoneInfo = NEW_YORK,
    rules: list[WeeklyRule] | None = None,
    blackouts: list[Interval] | None = None,
    taken: list[Interval] | None = None,
    policy: BookingPolicy | None = None,
    duration: timedelta = HOUR,
    now: datetime = NOW,
) -> list[datetime]:
    hours = opening(rules or every_day(), zone, window.start, window.end)
    slots = free_starts(
        opening=hours,
        blackouts=blackouts or [],
        taken=taken or [],
        policy=policy or BookingPolicy(),
        duration=duration,
        window=window,
        now=now,
    )
    return [slot.start for slot in slots]


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def test_free_starts_follow_the_grid_from_opening_to_the_last_fitting_start() -> None:
    day = date(2026, 3, 3)
    found = starts(Interval(local(day, 0), local(day + timedelta(days=1), 0)))
    assert found[0] == local(day, 9)
    assert found[-1] == local(day, 16)
    assert len(found) == 15  # 09:00 .. 16:00 every 30 minutes


def test_free_starts_keep_local_hours_on_both_sides_of_spring_forward() -> None:
    window = Interval(utc(2026, 3, 7, 5), utc(2026, 3, 9, 5))
    found = starts(window, duration=8 * HOUR)
    assert found == [utc(2026, 3, 7, 14), utc(2026, 3, 8, 13)]  # 09:00 EST, then 09:00 EDT


def test_free_starts_keep_local_hours_on_both_sides_of_fall_back_in_berlin() -> None:
    window = Interval(utc(2026, 10, 24), utc(2026, 10, 26))
    found = starts(window, zone=BERLIN, duration=8 * HOUR, now=utc(2026, 10, 1))
    assert found == [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8)]


def test_a_reservation_removes_its_time_and_the_buffer_around_it() -> None:
    day = date(2026, 3, 3)
    taken = Interval(local(day, 11), local(day, 12))
    policy = BookingPolicy(buffer_minutes=30)
    found = starts(
        Interval(local(day, 0), local(day, 23)),
        taken=[Interval(taken.start, taken.end + timedelta(minutes=30))],
        policy=policy,
    )
    assert local(day, 9, 30) in found  # ends 10:30, a buffer before 11:00
    assert local(day, 10) not in found
    assert local(day, 12) not in found
    assert local(day, 12, 30) in found


def test_minimum_notice_and_maximum_advance_bound_the_starts() -> None:
    now = local(date(2026, 3, 3), 10, 7)
    policy = BookingPolicy(min_notice_minutes=120, max_advance_days=1)
    found = starts(
        Interval(local(date(2026, 3, 3), 0), local(date(2026, 3, 6), 0)), policy=policy, now=now
    )
    assert found[0] == local(date(2026, 3, 3), 12, 30)  # 12:07 rounded up to the grid
    assert found[-1] == local(date(2026, 3, 4), 10)  # at most a day after 10:07


def test_slot_granularity_sets_the_grid() -> None:
    day = date(2026, 3, 3)
    found = starts(Interval(local(day, 0), local(day, 23)), policy=BookingPolicy(slot_minutes=60))
    assert found == [local(day, hour) for hour in range(9, 17)]


def test_whole_day_blackout_removes_exactly_that_local_date() -> None:
    blackout = Blackout(id=uuid.uuid4(), first_day=date(2026, 3, 8), last_day=date(2026, 3, 8))
    closed = blackout.interval(NEW_YORK)
    assert closed == Interval(utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))  # a 23-hour day
    found = starts(
        Interval(utc(2026, 3, 7, 5), utc(2026, 3, 10, 4)), blackouts=[closed], duration=8 * HOUR
    )
    assert found == [utc(2026, 3, 7, 14), utc(2026, 3, 9, 13)]


def test_range_blackout_removes_exactly_its_range() -> None:
    day = date(2026, 3, 3)
    closed = Interval(local(day, 12), local(day, 13, 30))
    found = starts(Interval(local(day, 0), local(day, 23)), blackouts=[closed])
    assert local(day, 11) in found  # ends at 12:00, touching is fine
    assert local(day, 11, 30) not in found
    assert local(day, 13) not in found
    assert local(day, 13, 30) in found


def test_room_rules_replace_studio_rules_and_blackouts_add_up() -> None:
    room, other = uuid.uuid4(), uuid.uuid4()
    studio_rule = WeeklyRule(weekday=0, opens=time(9), closes=time(17))
    room_rule = WeeklyRule(weekday=0, opens=time(12), closes=time(20), room_id=room)
    assert rules_for_room([studio_rule, room_rule], room) == [room_rule]
    assert rules_for_room([studio_rule, room_rule], other) == [studio_rule]
    everywhere = Blackout(id=uuid.uuid4(), first_day=date(2026, 3, 3), last_day=date(2026, 3, 3))
    only_other = Blackout(
        id=uuid.uuid4(), room_id=other, starts_at=utc(2026, 3, 4), ends_at=utc(2026, 3, 5)
    )
    assert for_room([everywhere, only_other], room) == [everywhere]


def test_refusal_names_the_reason() -> None:
    day = date(2026, 3, 3)
    hours = opening(every_day(), NEW_YORK, local(day, 0), local(day, 23))
    policy = BookingPolicy()
    inside = Interval(local(day, 10), local(day, 11))
    assert refusal(inside, opening=hours, blackouts=[], policy=policy, now=NOW) is None
    late = Interval(local(day, 16, 30), local(day, 17, 30))
    refused = refusal(late, opening=hours, blackouts=[], policy=policy, now=NOW)
    assert refused is not None
    assert refused.reason is UnavailableReason.OUTSIDE_OPENING_HOURS
    closed = [Interval(local(day, 10, 30), local(day, 10, 45))]
    refused = refusal(inside, opening=hours, blackouts=closed, policy=policy, now=NOW)
    assert refused is not None
    assert refused.reason is UnavailableReason.BLACKED_OUT
    too_soon = refusal(inside, opening=hours, blackouts=[], policy=policy, now=local(day, 9, 30))
    assert too_soon is not None
    assert too_soon.reason is UnavailableReason.OUTSIDE_OPENING_HOURS


def test_intervals_merge_and_subtract() -> None:
    a = Interval(utc(2026, 1, 1, 9), utc(2026, 1, 1, 12))
    b = Interval(utc(2026, 1, 1, 12), utc(2026, 1, 1, 14))
    assert merge([b, a]) == [Interval(a.start, b.end)]
    hole = Interval(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))
    assert subtract([a], [hole]) == [
        Interval(a.start, hole.start),
        Interval(hole.end, a.end),
    ]
    assert subtract([a], [a]) == []


def test_invalid_blackouts_and_policies_are_refused() -> None:
    with pytest.raises(InvalidSchedule):
        Blackout(id=uuid.uuid4())
    with pytest.raises(InvalidSchedule):
        Blackout(id=uuid.uuid4(), first_day=date(2026, 3, 3), last_day=date(2026, 3, 2))
    with pytest.raises(InvalidPolicy):
        BookingPolicy(slot_minutes=0)


def test_a_buffer_before_keeps_a_new_slot_off_the_end_of_a_reservation() -> None:
    day = date(2026, 3, 3)
    taken = Interval(local(day, 11), local(day, 12))
    policy = BookingPolicy(buffer_before_minutes=30)
    found = starts(
        Interval(local(day, 0), local(day, 23)),
        taken=[Interval(taken.start - timedelta(minutes=30), taken.end)],
        policy=policy,
    )
    assert local(day, 9, 30) in found  # ends at 10:30, as the 11:00 session's set-up starts
    assert local(day, 10) not in found
    assert local(day, 12) not in found  # its own set-up would overlap the 11:00-12:00 session
    assert local(day, 12, 30) in found


def test_a_buffer_before_needs_no_opening_hours_of_its_own() -> None:
    day = date(2026, 3, 3)
    found = starts(
        Interval(local(day, 0), local(day, 23)), policy=BookingPolicy(buffer_before_minutes=60)
    )
    assert found[0] == local(day, 9)  # setting up before opening is the owner's call


def test_a_buffer_before_is_bounded_like_the_buffer_after() -> None:
    with pytest.raises(InvalidPolicy):
        BookingPolicy(buffer_before_minutes=24 * 60 + 1)


def test_extra_hours_open_their_local_date_like_a_weekly_rule_would() -> None:
    day = date(2026, 12, 24)
    evening = ExtraHours(uuid.uuid4(), day, time(18), time(0))
    assert evening.interval(BERLIN) == Interval(utc(2026, 12, 24, 17), utc(2026, 12, 24, 23))


def test_extra_hours_must_close_after_they_open() -> None:
    with pytest.raises(InvalidSchedule):
        ExtraHours(uuid.uuid4(), date(2026, 12, 24), time(20), time(18))


def test_a_room_gets_the_studios_extra_hours_and_its_own() -> None:
    room = uuid.uuid4()
    everywhere = ExtraHours(uuid.uuid4(), date(2026, 12, 24), time(18), time(20))
    mine = replace(everywhere, id=uuid.uuid4(), room_id=room)
    other = replace(everywhere, id=uuid.uuid4(), room_id=uuid.uuid4())
    assert for_room([everywhere, mine, other], room) == [everywhere, mine]
