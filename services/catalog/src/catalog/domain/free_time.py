"""When a studio's rooms are free, as search reads it: for each half-hour start of a day, the
longest session some room could hold from then.

Availability publishes free spans per room in minutes; search asks "a room free for d from a
start between e and l". Kept per start as "the longest session from here", the answer is one
byte read per start in the window, whatever the number of rooms: spans of different rooms are
never joined (each start takes the longest of any one room's spans).

For an index to find the studios free at a time, each picture also becomes keys: one integer
per start with a session, packing (day, start, longest) as `day << 12 | start << 6 | longest`,
the day a weekday (0-6, Monday first) in a week's picture, the days since `KEY_EPOCH` in a
date's. A search asks for the keys of every start in its window with every length it accepts
(`wanted_keys`): a picture has one of them exactly when some start in the window holds the
session, so an array-overlap test on the keys answers what reading the window's bytes does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

SLOT_MINUTES = 30
SLOTS = 24 * 60 // SLOT_MINUTES
"""Starts a day has on the half-hour grid: byte i of a day's picture is the start at i * 30."""
KEY_EPOCH = date(2000, 1, 1)
"""A date's keys count its days from here: far past every weekday's 0-6, within an int."""
_START_SHIFT = 6  # a session holds at most 48 half hours: below 64
_DAY_SHIFT = 12  # start << 6 | longest stays below 48 << 6


def longest_sessions(spans: Iterable[tuple[int, int]]) -> bytes:
    """For each half-hour start, the longest session (in half hours) a room is free for from
    then, given every room's free spans [start, end) in minutes after local midnight."""
    # The session from a start is as long as the furthest end of the spans begun by then: one
    # begun earlier that ended before it is shorter than none. A span counts from its first
    # start on the grid.
    furthest_from = [0] * SLOTS
    for start, end in spans:
        first = -(-start // SLOT_MINUTES)
        if first < SLOTS:
            furthest_from[first] = max(furthest_from[first], end)
    longest = []
    furthest = 0
    for slot, end in enumerate(furthest_from):
        furthest = max(furthest, end)
        longest.append(max(0, (furthest - slot * SLOT_MINUTES) // SLOT_MINUTES))
    return bytes(longest)


def date_number(day: date) -> int:
    """A date as its keys carry it."""
    return (day - KEY_EPOCH).days


def picture_keys(picture: bytes, first_day: int) -> list[int]:
    """The keys of consecutive days' pictures (a week's from weekday 0, or one date's from its
    `date_number`): one per start with a session."""
    return [
        (first_day + index // SLOTS) << _DAY_SHIFT | index % SLOTS << _START_SHIFT | longest
        for index, longest in enumerate(picture)
        if longest
    ]


def wanted_keys(day: int, starts: Iterable[int], halves: int) -> list[int]:
    """The keys of a session of at least `halves` half hours from one of `starts` on `day` (a
    weekday or a `date_number`): a picture holding such a session has one of them."""
    return [
        day << _DAY_SHIFT | start << _START_SHIFT | longest
        for start in starts
        for longest in range(max(halves, 1), SLOTS - start + 1)
    ]
