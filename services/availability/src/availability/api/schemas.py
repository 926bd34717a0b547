"""Request and response bodies of availability's API."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from availability.domain.intervals import Interval
from availability.domain.reservations import Reservation
from availability.domain.schedule import Blackout, ExtraHours, WeeklyRule
from availability.domain.studios import (
    BUFFER_MINUTES,
    MAX_ADVANCE_DAYS,
    MIN_NOTICE_MINUTES,
    SLOT_MINUTES,
    BookingPolicy,
)
from contracts.values import EARLIEST_YEAR, LATEST_YEAR, PlainText, UtcDatetime, WholeNumber
from service_runtime.openapi import LOCAL_TIME_PATTERN


class Slot(BaseModel):
    """A time range in UTC, with the studio's wall-clock reading alongside."""

    starts_at: datetime
    ends_at: datetime
    local_starts_at: datetime
    local_ends_at: datetime

    @classmethod
    def of(cls, interval: Interval, zone: ZoneInfo) -> Slot:
        return cls(
            starts_at=interval.start,
            ends_at=interval.end,
            local_starts_at=interval.start.astimezone(zone),
            local_ends_at=interval.end.astimezone(zone),
        )


class AvailabilityOut(BaseModel):
    studio_id: uuid.UUID
    room_id: uuid.UUID
    timezone: str
    bookable: bool
    duration_minutes: int
    slots: list[Slot]
    next_from: datetime | None = Field(
        default=None,
        description="More free starts follow from here (ask again with this as `from`); "
        "None when `slots` holds them all.",
    )


class HoldIn(BaseModel):
    """A hold for the caller alone; bookings get theirs from the booking service's saga."""

    # Unknown fields are refused, not ignored: a `booking_id` here must not look accepted.
    model_config = ConfigDict(extra="forbid")

    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: UtcDatetime
    ends_at: UtcDatetime


class HoldOut(BaseModel):
    hold_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    status: str
    expires_at: datetime | None
    time: Slot

    @classmethod
    def of(cls, reservation: Reservation, zone: ZoneInfo) -> HoldOut:
        return cls(
            hold_id=reservation.id,
            studio_id=reservation.studio_id,
            room_id=reservation.room_id,
            status=reservation.status.value,
            expires_at=reservation.expires_at,
            time=Slot.of(reservation.during, zone),
        )


def _wall_clock(value: object) -> object:
    # Exactly what the document's pattern says, so nothing it refuses is taken (pydantic alone
    # would also take seconds since midnight as a number, and a seventh fractional digit).
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and re.fullmatch(LOCAL_TIME_PATTERN, value):
        return value
    raise ValueError(
        "must be a local wall-clock time of the studio, HH:MM or HH:MM:SS, without a UTC offset"
    )


WallClockTime = Annotated[time, BeforeValidator(_wall_clock)]
"""A time of day as the studio's clocks show it: `09:00`, never `09:00Z` or `09:00+05:00`."""

BoundedDate = Annotated[date, Field(ge=date(EARLIEST_YEAR, 1, 1), le=date(LATEST_YEAR, 12, 31))]


class Rule(BaseModel):
    weekday: Annotated[WholeNumber, Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")]
    opens: WallClockTime = Field(examples=["09:00"])
    closes: WallClockTime = Field(
        examples=["17:00"], description="00:00 means midnight at day's end"
    )
    room_id: uuid.UUID | None = Field(default=None, description="None: the whole studio")

    def to_domain(self) -> WeeklyRule:
        return WeeklyRule(
            weekday=self.weekday, opens=self.opens, closes=self.closes, room_id=self.room_id
        )

    @classmethod
    def of(cls, rule: WeeklyRule) -> Rule:
        return cls(weekday=rule.weekday, opens=rule.opens, closes=rule.closes, room_id=rule.room_id)


class Rules(BaseModel):
    """A studio's whole weekly schedule: a room's own rules replace the studio's for it."""

    rules: list[Rule] = Field(max_length=500)


class BlackoutIn(BaseModel):
    """Either whole local dates (first_day..last_day) or an exact range (starts_at..ends_at)."""

    room_id: uuid.UUID | None = None
    first_day: BoundedDate | None = None
    last_day: BoundedDate | None = None
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None
    reason: Annotated[PlainText, Field(max_length=500)] | None = None

    def to_domain(self) -> Blackout:
        return Blackout(
            id=uuid.uuid4(),
            room_id=self.room_id,
            first_day=self.first_day,
            last_day=self.last_day if self.last_day is not None else self.first_day,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            reason=self.reason,
        )


class ExtraHoursIn(BaseModel):
    """Open on one local date beyond the weekly rules, e.g. a holiday evening."""

    day: BoundedDate = Field(description="The studio's local date")
    opens: WallClockTime = Field(examples=["18:00"])
    closes: WallClockTime = Field(
        examples=["23:00"], description="00:00 means midnight at day's end"
    )
    room_id: uuid.UUID | None = Field(default=None, description="None: the whole studio")
    reason: Annotated[PlainText, Field(max_length=500)] | None = None

    def to_domain(self) -> ExtraHours:
        return ExtraHours(
            id=uuid.uuid4(),
            day=self.day,
            opens=self.opens,
            closes=self.closes,
            room_id=self.room_id,
            reason=self.reason,
        )


class ExtraHoursOut(ExtraHoursIn):
    id: uuid.UUID

    @classmethod
    def of(cls, extra: ExtraHours) -> ExtraHoursOut:
        return cls(
            id=extra.id,
            day=extra.day,
            opens=extra.opens,
            closes=extra.closes,
            room_id=extra.room_id,
            reason=extra.reason,
        )


class BlackoutOut(BlackoutIn):
    id: uuid.UUID

    @classmethod
    def of(cls, blackout: Blackout) -> BlackoutOut:
        return cls(
            id=blackout.id,
            room_id=blackout.room_id,
            first_day=blackout.first_day,
            last_day=blackout.last_day,
            starts_at=blackout.starts_at,
            ends_at=blackout.ends_at,
            reason=blackout.reason,
        )


class Policy(BaseModel):
    slot_minutes: Annotated[WholeNumber, Field(ge=SLOT_MINUTES[0], le=SLOT_MINUTES[1])] = 30
    min_notice_minutes: Annotated[
        WholeNumber, Field(ge=MIN_NOTICE_MINUTES[0], le=MIN_NOTICE_MINUTES[1])
    ] = 60
    max_advance_days: Annotated[
        WholeNumber, Field(ge=MAX_ADVANCE_DAYS[0], le=MAX_ADVANCE_DAYS[1])
    ] = 180
    buffer_minutes: Annotated[
        WholeNumber,
        Field(
            ge=BUFFER_MINUTES[0],
            le=BUFFER_MINUTES[1],
            description="Minutes kept free after each reservation (packing down).",
        ),
    ] = 0
    buffer_before_minutes: Annotated[
        WholeNumber,
        Field(
            ge=BUFFER_MINUTES[0],
            le=BUFFER_MINUTES[1],
            description="Minutes kept free before each reservation (setting up).",
        ),
    ] = 0

    def to_domain(self) -> BookingPolicy:
        return BookingPolicy(**self.model_dump())

    @classmethod
    def of(cls, policy: BookingPolicy) -> Policy:
        return cls(
            slot_minutes=policy.slot_minutes,
            min_notice_minutes=policy.min_notice_minutes,
            max_advance_days=policy.max_advance_days,
            buffer_minutes=policy.buffer_minutes,
            buffer_before_minutes=policy.buffer_before_minutes,
        )


class CalendarEntry(BaseModel):
    reservation_id: uuid.UUID
    booking_id: uuid.UUID | None
    room_id: uuid.UUID
    status: str
    expires_at: datetime | None
    time: Slot


class CalendarOut(BaseModel):
    studio_id: uuid.UUID
    timezone: str
    reservations: list[CalendarEntry]
