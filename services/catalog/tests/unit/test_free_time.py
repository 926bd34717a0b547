"""Free spans of rooms become, per half-hour start, the longest session some room holds; and
the keys an index finds them by."""

from __future__ import annotations

import random
from datetime import date, timedelta

from catalog.domain.free_time import (
    SLOTS,
    date_number,
    longest_sessions,
    picture_keys,
    wanted_keys,
)


def test_each_start_gets_the_longest_session_of_any_one_room() -> None:
    # Room A 09:00-12:00, room B 11:00-13:15: touching rooms never add up to 09:00-13:15.
    longest = longest_sessions([(540, 720), (660, 795)])

    assert len(longest) == SLOTS
    assert list(longest[17:27]) == [0, 6, 5, 4, 3, 4, 3, 2, 1, 0]


def test_a_span_off_the_half_hour_starts_at_the_next_one_and_midnight_ends_the_day() -> None:
    longest = longest_sessions([(1090, 1440), (0, 29)])

    assert longest[0] == 0  # 29 minutes hold no half hour
    assert longest[36] == 0  # 18:00 is before the span's 18:10
    assert longest[37] == 11  # 18:30 to midnight
    assert longest[47] == 1


def test_no_span_is_never_free() -> None:
    assert longest_sessions([]) == bytes(SLOTS)


def test_a_pictures_keys_meet_the_wanted_ones_exactly_when_a_start_holds_the_session() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        spans = [(rng.randrange(0, 1440), rng.randrange(1, 1441)) for _ in range(rng.randrange(4))]
        picture = longest_sessions([(start, end) for start, end in spans if start < end])
        day = rng.choice(
            [rng.randrange(7), date_number(date(2027, 1, 1) + timedelta(rng.randrange(999)))]
        )
        earliest = rng.randrange(SLOTS)
        starts = range(earliest, rng.randrange(earliest, SLOTS) + 1)
        halves = rng.randrange(1, SLOTS - earliest + 1)

        met = set(picture_keys(picture, day)) & set(wanted_keys(day, starts, halves))

        assert bool(met) == any(picture[start] >= halves for start in starts)


def test_keys_of_one_day_never_meet_another_days() -> None:
    picture = bytes([SLOTS - slot for slot in range(SLOTS)])  # free all day
    monday, a_date = picture_keys(picture, 0), picture_keys(picture, date_number(date(2027, 3, 1)))

    assert not set(monday) & set(wanted_keys(1, range(SLOTS), 1))  # Tuesday's
    assert not set(a_date) & set(wanted_keys(date_number(date(2027, 3, 2)), range(SLOTS), 1))
    assert set(a_date) & set(wanted_keys(date_number(date(2027, 3, 1)), range(SLOTS), SLOTS))
