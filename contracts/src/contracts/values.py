"""Value types shared by several messages: money, time ranges, time zones, policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

EARLIEST_YEAR = 2000
LATEST_YEAR = 2200
"""Instants outside these years are mistakes or attacks: refused before they reach a database."""

MAX_MINOR_UNITS = 10**12
"""The largest amount anyone may name (10 billion in a two-decimal currency); fits a BIGINT."""


def _to_utc(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.astimezone(UTC)


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown IANA time zone {name!r}") from error
    return name


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware instant between EARLIEST_YEAR and LATEST_YEAR, normalized to UTC."""

PlainText = Annotated[str, AfterValidator(_refuse_nul)]
"""Text from outside: no NUL characters (PostgreSQL cannot store them). Bound its length where
it is used: `Annotated[PlainText, Field(max_length=200)]`."""

WholeNumber = Annotated[int, Field(strict=True)]
"""An integer a caller names over HTTP: a JSON integer only. Pydantic's lax mode would take `true`
as 1, `false` as 0, `"5"` and `5.0`, none of which the document's `type: integer` allows. Bound it
where it is used: `Annotated[WholeNumber, Field(ge=0, le=1440)]`."""

BoundedMinorUnits = Annotated[int, Field(ge=0, le=MAX_MINOR_UNITS, strict=True)]
"""An amount a caller names over HTTP: non-negative minor units up to MAX_MINOR_UNITS."""

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR", "USD"])]
"""An ISO 4217 currency code, three uppercase letters."""

MinorUnits = Annotated[int, Field(ge=0, strict=True)]
"""A non-negative amount in the currency's minor unit (cents); floats are rejected."""

IanaTimezone = Annotated[
    str,
    Field(min_length=1, max_length=64, examples=["Europe/Berlin"]),
    AfterValidator(_known_timezone),
]
"""An IANA time zone name such as "Europe/Berlin"."""


class Money(BaseModel):
    """An amount of money in integer minor units of one currency; never a float."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    amount_minor: MinorUnits
    currency: CurrencyCode

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in the given currency."""
        return cls(amount_minor=0, currency=currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(amount_minor=self.amount_minor + other.amount_minor, currency=self.currency)


class TimeRange(BaseModel):
    """A half-open interval [starts_at, ends_at) of UTC instants; ends after it starts."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    starts_at: UtcDatetime
    ends_at: UtcDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    @property
    def duration(self) -> timedelta:
        """How long the range lasts."""
        return self.ends_at - self.starts_at

    def overlaps(self, other: TimeRange) -> bool:
        """Whether the two ranges share any instant (touching ends do not overlap)."""
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class CancellationPolicy(StrEnum):
    """How much of the price a booker gets back when cancelling; set per studio in catalog."""

    FLEXIBLE = "flexible"
    MODERATE = "moderate"
    STRICT = "strict"
