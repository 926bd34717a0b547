"""Weekly opening hours, extra hours on given dates and blackouts of a studio or room, in the
studio's local time."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from availability.domain.intervals import Interval, merge
from availability.domain.local_time import Edge, local_midnight, to_utc
from availability.domain.studios import AvailabilityError


class InvalidSchedule(ValueError):
    """A weekly rule or blackout that cannot mean anything (ends before it starts, ...)."""


class TooManyDateChanges(AvailabilityError):
    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"A studio keeps at most {limit} {what}; remove some first.")


def check_room_for(what: str, stored: int, limit: int) -> None:
    """Raise TooManyDateChanges when a studio with `stored` blackouts (or extra hours) may add
    no more."""
    if stored >= limit:
        raise TooManyDateChanges(what, limit)


@dataclass(frozen=True)
class WeeklyRule:
    """Open on `weekday` (0 = Monday) from `opens` to `closes`, local wall time.

    `closes` of 00:00 means midnight at the end of that day. `room_id` None is studio-wide.
    """

    weekday: int
    opens: time
    closes: time
    room_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise InvalidSchedule(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.closes != time(0) and self.closes <= self.opens:
            raise InvalidSchedule(f"a rule must close after it opens ({self.opens}-{self.closes})")

    def on(self, day: date, zone: ZoneInfo) -> Interval | None:
        """The UTC interval this rule opens on a local date, or None on other weekdays."""
        if day.weekday() != self.weekday:
            return None
        start = to_utc(day, self.opens, zone, Edge.START)
        if self.closes == time(0):
            end = local_midnight(day + timedelta(days=1), zone)
        else:
            end = to_utc(day, self.closes, zone, Edge.END)
        return Interval(start, end)


@dataclass(frozen=True)
class Blackout:
    """A closure: whole local dates (`first_day`..`last_day`, inclusive) or an exact range."""

    id: uuid.UUID
    room_id: uuid.UUID | None = None
    first_day: date | None = None
    last_day: date | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        dates = self.first_day is not None and self.last_day is not None
        instants = self.starts_at is not None and self.ends_at is not None
        if dates == instants:
            raise InvalidSchedule("a blackout has either whole dates or a start and an end")
        if dates and self.last_day < self.first_day:  # type: ignore[operator]
            raise InvalidSchedule("a blackout's last day cannot precede its first")
        if instants and self.ends_at <= self.starts_at:  # type: ignore[operator]
            raise InvalidSchedule("a blackout must end after it starts")

    def interval(self, zone: ZoneInfo) -> Interval:
        """The UTC instants this blackout closes: whole dates run local midnight to midnight."""
        if self.starts_at is not None and self.ends_at is not None:
            return Interval(self.starts_at, self.ends_at)
        assert self.first_day is not None
        assert self.last_day is not None
        return Interval(
            local_midnight(self.first_day, zone),
            local_midnight(self.last_day + timedelta(days=1), zone),
        )


@dataclass(frozen=True)
class ExtraHours:
    """Open on one local date beyond the weekly rules (a holiday evening): `opens` to `closes`,
    local wall time, `closes` of 00:00 meaning midnight. `room_id` None is studio-wide.
    Blackouts still close what they cover."""

    id: uuid.UUID
    day: date
    opens: time
    closes: time
    room_id: uuid.UUID | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        self.as_rule()  # the same checks as a weekly rule's hours

    def as_rule(self) -> WeeklyRule:
        return WeeklyRule(self.day.weekday(), self.opens, self.closes, self.room_id)

    def interval(self, zone: ZoneInfo) -> Interval:
        """The UTC instants these hours open, by the weekly rules' own local-time arithmetic."""
        interval = self.as_rule().on(self.day, zone)
        assert interval is not None  # the rule's weekday is the day's
        return interval


DateChange = TypeVar("DateChange", Blackout, ExtraHours)


@dataclass(frozen=True)
class RoomSchedule:
    """What a time in a room is checked against: the studio's weekly rules, its blackouts and
    extra hours on the local dates around that time (studio-wide and every room's), and the
    room's busy times from its external calendars."""

    rules: list[WeeklyRule]
    blackouts: list[Blackout]
    extras: list[ExtraHours]
    busy: list[Interval]


def rules_for_room(rules: Sequence[WeeklyRule], room_id: uuid.UUID) -> list[WeeklyRule]:
    """A room's own rules replace the studio-wide ones; without any, the studio's apply."""
    own = [rule for rule in rules if rule.room_id == room_id]
    return own or [rule for rule in rules if rule.room_id is None]


def for_room(changes: Iterable[DateChange], room_id: uuid.UUID) -> list[DateChange]:
    """Studio-wide blackouts (or extra hours) and the room's own."""
    return [change for change in changes if change.room_id is None or change.room_id == room_id]


def opening(
    rules: Iterable[WeeklyRule], zone: ZoneInfo, window_start: datetime, window_end: datetime
) -> list[Interval]:
    """Merged UTC intervals the rules open that touch [window_start, window_end)."""
    first = window_start.astimezone(zone).date() - timedelta(days=1)
    last = window_end.astimezone(zone).date() + timedelta(days=1)
    rules = list(rules)
    intervals: list[Interval] = []
    day = first
    while day <= last:
        for rule in rules:
            interval = rule.on(day, zone)
            if interval is not None and interval.start < window_end and interval.end > window_start:
                intervals.append(interval)
        day += timedelta(days=1)
    return merge(intervals)
