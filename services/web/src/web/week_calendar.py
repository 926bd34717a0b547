"""An owner's week of bookings and holds, per room and day, in the studio's time zone.

A week runs from Monday's local midnight to the next Monday's (167 or 169 hours across a DST
change); a reservation over midnight shows on each day it touches, marked as going on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

STATUS_WORDS = {"booked": "Booked", "held": "Held (awaiting payment)"}


@dataclass(frozen=True)
class Entry:
    starts: str
    ends: str
    status: str
    booking_id: str | None
    from_day_before: bool = False
    into_next_day: bool = False

    @property
    def words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status.capitalize())


@dataclass
class RoomWeek:
    name: str
    days: list[list[Entry]] = field(default_factory=lambda: [[] for _ in range(7)])


@dataclass(frozen=True)
class WeekCalendar:
    monday: date
    days: list[date]
    rooms: list[RoomWeek]

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def empty(self) -> bool:
        return not any(entries for room in self.rooms for entries in room.days)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_asked(text: str | None, timezone: str, now: datetime) -> date:
    """The Monday of the week asked for (`2026-12-09` -> that week), else of this week there."""
    try:
        day = date.fromisoformat(text) if text else now.astimezone(ZoneInfo(timezone)).date()
    except ValueError:
        day = now.astimezone(ZoneInfo(timezone)).date()
    return monday_of(day)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def week_window(monday: date, timezone: str) -> tuple[datetime, datetime]:
    """The week's first and last instants in UTC: local midnight to local midnight."""
    zone = ZoneInfo(timezone)
    return local_midnight(monday, zone), local_midnight(monday + timedelta(days=7), zone)


def lay_out(
    calendar: dict[str, Any], rooms: Sequence[tuple[str, str]], monday: date
) -> WeekCalendar:
    """Availability's calendar answer as a grid: each room (id, name) by each day of the week.

    A reservation of a room the studio no longer lists gets a row of its own.
    """
    zone = ZoneInfo(calendar["timezone"])
    days = [monday + timedelta(days=n) for n in range(7)]
    weeks = {room_id: RoomWeek(name) for room_id, name in rooms}
    ordered = sorted(calendar["reservations"], key=lambda r: r["time"]["starts_at"])
    for reservation in ordered:
        room = weeks.setdefault(str(reservation["room_id"]), RoomWeek("A removed room"))
        # Compared in UTC: aware times of one zone compare by wall clock, wrong across DST.
        starts = _instant(reservation["time"]["starts_at"])
        ends = _instant(reservation["time"]["ends_at"])
        for n, day in enumerate(days):
            day_starts = local_midnight(day, zone)
            day_ends = local_midnight(day + timedelta(days=1), zone)
            if starts >= day_ends or ends <= day_starts:
                continue
            room.days[n].append(
                Entry(
                    starts=f"{max(starts, day_starts).astimezone(zone):%H:%M}",
                    ends="24:00" if ends >= day_ends else f"{ends.astimezone(zone):%H:%M}",
                    status=str(reservation["status"]),
                    booking_id=reservation.get("booking_id"),
                    from_day_before=starts < day_starts,
                    into_next_day=ends > day_ends,
                )
            )
    return WeekCalendar(monday=monday, days=days, rooms=list(weeks.values()))


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
