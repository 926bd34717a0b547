"""Wall-clock times of a studio turned into UTC instants, with deliberate DST choices.

On a transition day a wall time may not exist (spring forward) or exist twice (fall back):
- a nonexistent time moves forward to the first instant after the gap (02:30 on the New York
  spring-forward day is 03:00 EDT), for starts and ends alike;
- an ambiguous time is read as its first occurrence (fold=0, summer time) when it opens an
  interval and as its second (fold=1, standard time) when it closes one, so an opening
  covers every instant at which the wall clock shows a time inside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo


class Edge(Enum):
    """Which end of an interval a wall time marks; decides how an ambiguous time reads."""

    START = 0
    END = 1


def exists(local: datetime) -> bool:
    """Whether this naive wall time occurs at all in `local.tzinfo` (tz-aware input)."""
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def is_ambiguous(local: datetime) -> bool:
    """Whether this wall time occurs twice (its two folds are different instants)."""
    first = local.replace(fold=0)
    second = local.replace(fold=1)
    return exists(first) and first.utcoffset() != second.utcoffset()


def to_utc(day: date, wall: time, zone: ZoneInfo, edge: Edge) -> datetime:
    """The UTC instant of a studio's wall time on a local date, by the rules above."""
    local = datetime.combine(day, wall.replace(tzinfo=None), tzinfo=zone)
    if not exists(local):
        return _end_of_gap(local)
    fold = 1 if edge is Edge.END and is_ambiguous(local) else 0
    return local.replace(fold=fold).astimezone(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local date, in UTC (a few zones skip midnight itself)."""
    return to_utc(day, time(0), zone, Edge.START)


def _end_of_gap(local: datetime) -> datetime:
    # zoneinfo reads a gap time with the offset before (fold=0) or after (fold=1) the jump;
    # the transition lies between those two readings: search it to the second.
    low = local.replace(fold=1).astimezone(UTC)
    high = local.replace(fold=0).astimezone(UTC)
    if high < low:
        low, high = high, low
    after = high.astimezone(local.tzinfo).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(local.tzinfo).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)
