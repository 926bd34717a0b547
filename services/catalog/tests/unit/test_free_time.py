"""Free spans of rooms become, per half-hour start, the longest session some room holds."""

from __future__ import annotations

from catalog.domain.free_time import SLOTS, longest_sessions


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
