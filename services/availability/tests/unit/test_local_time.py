"""Weekly rules in local time become the right UTC instants across DST transitions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from availability.domain.intervals import Interval
from availability.domain.local_time import Edge, to_utc
from availability.domain.schedule import InvalidSchedule, WeeklyRule, opening

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SUNDAY = 6


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def nine_to_five_on(day: date, zone: ZoneInfo) -> Interval | None:
    return WeeklyRule(weekday=day.weekday(), opens=time(9), closes=time(17)).on(day, zone)


@pytest.mark.parametrize(
    ("zone", "day", "opens_utc", "closes_utc"),
    [
        # New York: EST (UTC-5) until 8 March 2026, EDT (UTC-4) until 1 November 2026.
        (NEW_YORK, date(2026, 3, 1), utc(2026, 3, 1, 14), utc(2026, 3, 1, 22)),
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 13), utc(2026, 3, 8, 21)),
        (NEW_YORK, date(2026, 10, 25), utc(2026, 10, 25, 13), utc(2026, 10, 25, 21)),
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 14), utc(2026, 11, 1, 22)),
        # Berlin: CET (UTC+1) until 29 March 2026, CEST (UTC+2) until 25 October 2026.
        (BERLIN, date(2026, 3, 22), utc(2026, 3, 22, 8), utc(2026, 3, 22, 16)),
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 29, 7), utc(2026, 3, 29, 15)),
        (BERLIN, date(2026, 10, 18), utc(2026, 10, 18, 7), utc(2026, 10, 18, 15)),
        (BERLIN, date(2026, 10, 25), utc(2026, 10, 25, 8), utc(2026, 10, 25, 16)),
        (BERLIN, date(2026, 11, 1), utc(2026, 11, 1, 8), utc(2026, 11, 1, 16)),
    ],
)
def test_weekly_rule_keeps_its_wall_clock_hours_across_dst(
    zone: ZoneInfo, day: date, opens_utc: datetime, closes_utc: datetime
) -> None:
    assert nine_to_five_on(day, zone) == Interval(opens_utc, closes_utc)


def test_rule_on_another_weekday_opens_nothing() -> None:
    rule = WeeklyRule(weekday=0, opens=time(9), closes=time(17))
    assert rule.on(date(2026, 3, 8), NEW_YORK) is None


def test_opening_over_a_month_follows_the_transition_day_by_day() -> None:
    rules = [WeeklyRule(weekday=SUNDAY, opens=time(9), closes=time(17))]
    intervals = opening(rules, NEW_YORK, utc(2026, 3, 1), utc(2026, 3, 16))
    assert [i.start for i in intervals] == [
        utc(2026, 3, 1, 14),
        utc(2026, 3, 8, 13),
        utc(2026, 3, 15, 13),
    ]
    assert all(i.duration.total_seconds() == 8 * 3600 for i in intervals)


def test_nonexistent_start_moves_to_the_first_instant_after_the_gap() -> None:
    # 02:30 does not exist in New York on 8 March 2026: clocks jump from 02:00 to 03:00 EDT.
    assert to_utc(date(2026, 3, 8), time(2, 30), NEW_YORK, Edge.START) == utc(2026, 3, 8, 7)
    assert to_utc(date(2026, 3, 29), time(2, 15), BERLIN, Edge.START) == utc(2026, 3, 29, 1)


def test_nonexistent_end_also_moves_to_the_end_of_the_gap() -> None:
    rule = WeeklyRule(weekday=SUNDAY, opens=time(1), closes=time(2, 30))
    # 01:00 EST is 06:00Z; 02:30 becomes 03:00 EDT = 07:00Z: one real hour of opening.
    assert rule.on(date(2026, 3, 8), NEW_YORK) == Interval(utc(2026, 3, 8, 6), utc(2026, 3, 8, 7))


def test_rule_starting_in_the_gap_opens_at_three() -> None:
    rule = WeeklyRule(weekday=SUNDAY, opens=time(2, 30), closes=time(4))
    assert rule.on(date(2026, 3, 8), NEW_YORK) == Interval(utc(2026, 3, 8, 7), utc(2026, 3, 8, 8))


def test_ambiguous_start_is_the_first_occurrence_and_end_the_second() -> None:
    # 01:00-01:30 happens twice in New York on 1 November 2026 (EDT, then EST).
    rule = WeeklyRule(weekday=SUNDAY, opens=time(1), closes=time(1, 30))
    assert rule.on(date(2026, 11, 1), NEW_YORK) == Interval(
        utc(2026, 11, 1, 5), utc(2026, 11, 1, 6, 30)
    )
    # Berlin repeats 02:00-03:00 on 25 October 2026 (CEST, then CET).
    rule = WeeklyRule(weekday=SUNDAY, opens=time(2), closes=time(2, 30))
    assert rule.on(date(2026, 10, 25), BERLIN) == Interval(
        utc(2026, 10, 25, 0), utc(2026, 10, 25, 1, 30)
    )


def test_night_rule_over_fall_back_lasts_an_hour_longer() -> None:
    rule = WeeklyRule(weekday=SUNDAY, opens=time(0), closes=time(3))
    opened = rule.on(date(2026, 11, 1), NEW_YORK)
    assert opened is not None
    assert opened.duration.total_seconds() == 4 * 3600


def test_closing_at_midnight_means_the_end_of_the_day() -> None:
    rule = WeeklyRule(weekday=SUNDAY, opens=time(18), closes=time(0))
    assert rule.on(date(2026, 3, 8), NEW_YORK) == Interval(utc(2026, 3, 8, 22), utc(2026, 3, 9, 4))


def test_a_rule_must_close_after_it_opens() -> None:
    with pytest.raises(InvalidSchedule):
        WeeklyRule(weekday=1, opens=time(17), closes=time(9))
    with pytest.raises(InvalidSchedule):
        WeeklyRule(weekday=7, opens=time(9), closes=time(17))
