"""Request and response bodies of availability's API."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, Field

from availability.domain.intervals import Interval
from availability.domain.reservations import Reservation
from availability.domain.schedule import Blackout, WeeklyRule
from availability.domain.studios import BookingPolicy


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


class HoldIn(BaseModel):
    studio_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    booking_id: uuid.UUID | None = Field(
        default=None, description="The booking this hold is for, when there is one."
    )


class HoldOut(BaseModel):
    hold_id: uuid.UUID
    studio_id: uuid.UUID
    room_id: uuid.UUID
    booking_id: uuid.UUID | None
    status: str
    expires_at: datetime | None
    time: Slot

    @classmethod
    def of(cls, reservation: Reservation, zone: ZoneInfo) -> HoldOut:
        return cls(
            hold_id=reservation.id,
            studio_id=reservation.studio_id,
            room_id=reservation.room_id,
            booking_id=reservation.booking_id,
            status=reservation.status.value,
            expires_at=reservation.expires_at,
            time=Slot.of(reservation.during, zone),
        )


class Rule(BaseModel):
    weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")]
    opens: time = Field(examples=["09:00"])
    closes: time = Field(examples=["17:00"], description="00:00 means midnight at day's end")
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
    first_day: date | None = None
    last_day: date | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    reason: str | None = Field(default=None, max_length=500)

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
    slot_minutes: int = 30
    min_notice_minutes: int = 60
    max_advance_days: int = 180
    buffer_minutes: int = 0

    def to_domain(self) -> BookingPolicy:
        return BookingPolicy(**self.model_dump())

    @classmethod
    def of(cls, policy: BookingPolicy) -> Policy:
        return cls(
            slot_minutes=policy.slot_minutes,
            min_notice_minutes=policy.min_notice_minutes,
            max_advance_days=policy.max_advance_days,
            buffer_minutes=policy.buffer_minutes,
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
