"""Who hears of what, when reminders fall, and how long a failed send waits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from notifications.domain import notices
from notifications.domain.notices import (
    BookingStatus,
    Kind,
    Notice,
    RetryPolicy,
    on_cancelled,
    reminder_times,
)

BOOKER, OWNER = uuid.uuid4(), uuid.uuid4()
START = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def test_both_sides_hear_of_a_confirmed_bookings_cancellation() -> None:
    assert on_cancelled(BookingStatus.CONFIRMED, BOOKER, OWNER) == [
        Notice(Kind.BOOKING_CANCELLED, BOOKER),
        Notice(Kind.OWNER_BOOKING_CANCELLED, OWNER),
    ]


def test_nobody_hears_of_a_booking_cancelled_before_it_was_confirmed() -> None:
    assert on_cancelled(None, BOOKER, OWNER) == []
    assert on_cancelled(BookingStatus.CANCELLED, BOOKER, OWNER) == []


def test_reminders_fall_before_the_start_and_past_ones_are_dropped() -> None:
    offsets = [timedelta(hours=24), timedelta(hours=1)]

    assert reminder_times(START, offsets, START - timedelta(days=3)) == [
        START - timedelta(hours=24),
        START - timedelta(hours=1),
    ]
    assert reminder_times(START, offsets, START - timedelta(hours=5)) == [
        START - timedelta(hours=1)
    ]
    assert reminder_times(START, offsets, START - timedelta(minutes=30)) == []


def test_a_failed_send_waits_twice_as_long_each_time_up_to_a_ceiling_then_gives_up() -> None:
    policy = RetryPolicy(
        max_attempts=5, first_wait=timedelta(seconds=30), longest_wait=timedelta(minutes=1)
    )

    waits = [policy.wait_after(attempts) for attempts in range(1, 6)]

    assert waits == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=1),
        timedelta(minutes=1),
        None,
    ]


def test_only_reminders_and_messages_can_be_turned_off() -> None:
    nothing_optional = notices.Preferences(reminders=False, messages=False)

    wanted = {kind for kind in notices.Kind if nothing_optional.wants(kind)}

    assert wanted == set(notices.Kind) - {notices.Kind.REMINDER, notices.Kind.NEW_MESSAGE}
    assert notices.Preferences().wants(notices.Kind.REMINDER)


def test_preferences_are_asked_about_exactly_the_kinds_that_can_be_turned_off() -> None:
    nothing_optional = notices.Preferences(reminders=False, messages=False)

    asked = {kind for kind in notices.Kind if notices.Preferences.ask_about(kind)}

    assert asked == {kind for kind in notices.Kind if not nothing_optional.wants(kind)}
