"""When a studio's rooms are free, in local minutes of each day: what search needs to know.

The picture has two parts. Each room's weekly hours say when it is free on a date nothing
touches. Dates that a reservation, a blackout, extra hours or an external calendar's busy time
touch get their own free spans, computed exactly as a hold would be refused: opening hours and
extra hours, less closures and busy times, less what reservations block widened by the
studio's buffers (a new session keeps its own buffers clear of them).

Minutes count wall-clock time from local midnight, so 18:00 is 1080 on every date, DST or not;
a span is clipped at midnight (a session past midnight is not searched for).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from availability.domain.intervals import Interval, merge, subtract
from availability.domain.local_time import local_midnight
from availability.domain.schedule import (
    Blackout,
    ExtraHours,
    WeeklyRule,
    for_room,
    opening,
    rules_for_room,
)
from availability.domain.studios import BookingPolicy, Studio

MINUTES_IN_DAY = 24 * 60

Span = tuple[int, int]
"""[start, end) in minutes after local midnight."""


@dataclass(frozen=True)
class RoomBusy:
    """Time a room cannot be booked: a live reservation's blocks, or an external busy time."""

    room_id: uuid.UUID
    interval: Interval


@dataclass(frozen=True)
class StudioSchedule:
    """What a studio's free time is computed from besides its reservations: its weekly rules,
    its blackouts and extra hours on the dates of its horizon, and every room's busy times from
    its external calendars there."""

    rules: list[WeeklyRule]
    blackouts: list[Blackout]
    extras: list[ExtraHours]
    busy: list[RoomBusy]


@dataclass(frozen=True)
class FreeTime:
    """Per room and weekday its free spans; per (date, room) those of dates that differ."""

    weekly: dict[tuple[uuid.UUID, int], list[Span]]
    days: dict[tuple[date, uuid.UUID], list[Span]]


def free_time(
    studio: Studio,
    policy: BookingPolicy,
    *,
    rules: Sequence[WeeklyRule],
    blackouts: Sequence[Blackout],
    extras: Sequence[ExtraHours],
    reserved: Sequence[RoomBusy],
    busy: Sequence[RoomBusy],
    today: date,
) -> FreeTime:
    """The studio's free time from `today` (its local date) to its booking horizon; nothing
    for a studio that takes no bookings."""
    if not studio.bookable:
        return FreeTime({}, {})
    zone = studio.zone
    rooms = sorted(studio.room_ids)
    weekly = {
        (room_id, weekday): spans
        for room_id in rooms
        for weekday, spans in _weekly_spans(rules_for_room(rules, room_id)).items()
    }
    after = timedelta(minutes=policy.buffer_minutes)
    before = timedelta(minutes=policy.buffer_before_minutes)
    # A reservation keeps a new session's buffers clear of it: its blocks widen by them.
    blocked = [
        RoomBusy(r.room_id, Interval(r.interval.start - after, r.interval.end + before))
        for r in reserved
    ]
    closed_rooms = [closed for b in blackouts for closed in _blackout_busy(b, rooms, zone)]
    # A busy studio has hundreds of reservations and dozens of rooms, most of them under the
    # studio's rules: each closure is filed once under its room and the dates it touches, and
    # each set of rules opens once per date, not for every room on every date.
    closed_on: dict[tuple[uuid.UUID, date], list[Interval]] = defaultdict(list)
    for closure in (*blocked, *busy, *closed_rooms):
        for day in _local_dates(closure.interval, zone):
            closed_on[(closure.room_id, day)].append(closure.interval)
    touched = {day for _, day in closed_on} | {extra.day for extra in extras}
    last = today + timedelta(days=policy.max_advance_days)
    rules_by_room = {room_id: tuple(rules_for_room(rules, room_id)) for room_id in rooms}
    days: dict[tuple[date, uuid.UUID], list[Span]] = {}
    for day in sorted(d for d in touched if today <= d <= last):
        whole = Interval(local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone))
        opens = {
            room_rules: opening(room_rules, zone, whole.start, whole.end)
            for room_rules in set(rules_by_room.values())
        }
        # Rooms with nothing of their own on the date: free as their rules open.
        as_opened: dict[tuple[WeeklyRule, ...], list[Span]] = {}
        for room_id in rooms:
            room_rules = rules_by_room[room_id]
            added = [e.interval(zone) for e in for_room(extras, room_id) if e.day == day]
            closed = closed_on.get((room_id, day), [])
            if not added and not closed and room_rules in as_opened:
                days[(day, room_id)] = list(as_opened[room_rules])
                continue
            hours = merge([*opens[room_rules], *added])
            free = subtract([_clip(h, whole) for h in hours], closed)
            days[(day, room_id)] = [_minutes(i, day, zone) for i in free if not i.empty]
            if not added and not closed:
                as_opened[room_rules] = days[(day, room_id)]
    return FreeTime(weekly, days)


def _weekly_spans(rules: Iterable[WeeklyRule]) -> dict[int, list[Span]]:
    by_weekday: dict[int, list[Span]] = {}
    for rule in rules:
        closes = MINUTES_IN_DAY if rule.closes == time(0) else _minute_of(rule.closes)
        by_weekday.setdefault(rule.weekday, []).append((_minute_of(rule.opens), closes))
    return {weekday: _merged(spans) for weekday, spans in by_weekday.items()}


def _merged(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _blackout_busy(
    blackout: Blackout, rooms: Sequence[uuid.UUID], zone: ZoneInfo
) -> list[RoomBusy]:
    """A blackout closes its own room, or every room when it is studio-wide."""
    closed = rooms if blackout.room_id is None else [blackout.room_id]
    return [RoomBusy(room_id, blackout.interval(zone)) for room_id in closed]


def _local_dates(interval: Interval, zone: ZoneInfo) -> list[date]:
    """The local dates the interval has an instant on."""
    if interval.empty:
        return []
    day = interval.start.astimezone(zone).date()
    last = (interval.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [day + timedelta(days=n) for n in range((last - day).days + 1)]


def _clip(interval: Interval, within: Interval) -> Interval:
    return Interval(max(interval.start, within.start), min(interval.end, within.end))


def _minute_of(wall: time) -> int:
    return wall.hour * 60 + wall.minute


def _minutes(interval: Interval, day: date, zone: ZoneInfo) -> Span:
    return (_wall_minute(interval.start, day, zone), _wall_minute(interval.end, day, zone))


def _wall_minute(instant: datetime, day: date, zone: ZoneInfo) -> int:
    local = instant.astimezone(zone)
    if local.date() > day:
        return MINUTES_IN_DAY
    return _minute_of(local.time())
