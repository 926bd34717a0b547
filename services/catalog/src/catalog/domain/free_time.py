"""When a studio's rooms are free, as search reads it: for each half-hour start of a day, the
longest session some room could hold from then.

Availability publishes free spans per room in minutes; search asks "a room free for d from a
start between e and l". Kept per start as "the longest session from here", the answer is one
byte read per start in the window, whatever the number of rooms: spans of different rooms are
never joined (each start takes the longest of any one room's spans).
"""

from __future__ import annotations

from collections.abc import Iterable

SLOT_MINUTES = 30
SLOTS = 24 * 60 // SLOT_MINUTES
"""Starts a day has on the half-hour grid: byte i of a day's picture is the start at i * 30."""


def longest_sessions(spans: Iterable[tuple[int, int]]) -> bytes:
    """For each half-hour start, the longest session (in half hours) a room is free for from
    then, given every room's free spans [start, end) in minutes after local midnight."""
    longest = [0] * SLOTS
    for start, end in spans:
        for slot in range(-(-start // SLOT_MINUTES), SLOTS):
            halves = (end - slot * SLOT_MINUTES) // SLOT_MINUTES
            if halves <= 0:
                break
            longest[slot] = max(longest[slot], halves)
    return bytes(longest)
