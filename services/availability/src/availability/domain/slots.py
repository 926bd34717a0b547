"""Free start times of a room, and whether a requested range can be held."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from availability.domain.intervals import Interval, subtract
from availability.domain.studios import BookingPolicy
from contracts.availability import UnavailableReason


@dataclass(frozen=True)
class Refusal:
    """Why a range cannot be held."""

    reason: UnavailableReason
    detail: str


def bookable_window(policy: BookingPolicy, now: datetime) -> Interval:
    """Starts allowed by minimum notice and maximum advance (the end is inclusive)."""
    return Interval(
        now + timedelta(minutes=policy.min_notice_minutes),
        now + timedelta(days=policy.max_advance_days),
    )


def free_starts(
    *,
    opening: Sequence[Interval],
    blackouts: Sequence[Interval],
    taken: Sequence[Interval],
    policy: BookingPolicy,
    duration: timedelta,
    window: Interval,
    now: datetime,
) -> list[Interval]:
    """Slots of `duration` starting in `window` on the grid, inside opening hours.

    The grid is anchored at the start of each opening interval (09:00, 09:30, ...). `taken`
    are what live reservations block (their time with their own buffers); a new slot keeps
    this policy's buffers too: its buffer after ends before them, its buffer before starts
    after them.
    """
    grid = timedelta(minutes=policy.slot_minutes)
    after = timedelta(minutes=policy.buffer_minutes)
    before = timedelta(minutes=policy.buffer_before_minutes)
    allowed = bookable_window(policy, now)
    earliest = max(window.start, allowed.start)
    blocked = [*blackouts, *(Interval(t.start - after, t.end + before) for t in taken)]
    free = subtract(opening, blocked)
    slots: list[Interval] = []
    anchors = iter(sorted(opening))
    anchor = next(anchors, None)
    for interval in free:
        while anchor is not None and anchor.end < interval.end:
            anchor = next(anchors, None)
        if anchor is None:
            break
        steps = max(0, -((anchor.start - max(interval.start, earliest)) // grid))
        start = anchor.start + steps * grid
        while start + duration <= interval.end and start < window.end and start <= allowed.end:
            slots.append(Interval(start, start + duration))
            start += grid
    return slots


def refusal(
    requested: Interval,
    *,
    opening: Sequence[Interval],
    blackouts: Sequence[Interval],
    policy: BookingPolicy,
    now: datetime,
) -> Refusal | None:
    """Why the range cannot be held by the studio's hours and policy; None when it can.

    Other reservations are not consulted: the database's exclusion constraint decides those.
    """
    if any(requested.overlaps(blackout) for blackout in blackouts):
        return Refusal(UnavailableReason.BLACKED_OUT, "The studio is closed then.")
    if not any(interval.contains(requested) for interval in opening):
        return Refusal(
            UnavailableReason.OUTSIDE_OPENING_HOURS, "The range is outside the opening hours."
        )
    allowed = bookable_window(policy, now)
    if requested.start < allowed.start:
        return Refusal(
            UnavailableReason.OUTSIDE_OPENING_HOURS,
            f"Holds need {policy.min_notice_minutes} minutes notice.",
        )
    if requested.start > allowed.end:
        return Refusal(
            UnavailableReason.OUTSIDE_OPENING_HOURS,
            f"Holds go at most {policy.max_advance_days} days ahead.",
        )
    return None
