"""What a booking costs: the room's hourly price times the hours, the add-ons chosen, plus the
platform fee on both."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from contracts.catalog import AddOnPricing

HOUR = timedelta(hours=1)


class InvalidBookingRequest(Exception):
    """The requested time range cannot be priced or booked as asked; `field` names the input."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AddOnLine:
    """An add-on on a booking's price: kept as sold, whatever the studio charges later."""

    add_on_id: uuid.UUID
    name: str
    pricing: AddOnPricing
    unit_price_minor: int
    quantity: int
    amount_minor: int


@dataclass(frozen=True)
class PriceBreakdown:
    """The price snapshot kept on a booking; amounts in integer minor units of `currency`.

    `subtotal_minor` is the room's rental alone; the fee is on the rental and the add-ons.
    """

    hourly_price_minor: int
    hours: int
    subtotal_minor: int
    platform_fee_percent: Decimal
    platform_fee_minor: int
    total_minor: int
    currency: str
    add_ons: tuple[AddOnLine, ...] = ()
    add_ons_minor: int = 0


def whole_hours(starts_at: datetime, ends_at: datetime) -> int:
    """The number of hours between two instants; bookings are sold by the whole hour."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidBookingRequest("times must carry a time zone", field="starts_at")
    if ends_at <= starts_at:
        raise InvalidBookingRequest("ends_at must be after starts_at", field="ends_at")
    if starts_at.second or starts_at.microsecond or ends_at.second or ends_at.microsecond:
        raise InvalidBookingRequest("times must be whole minutes", field="starts_at")
    duration = ends_at - starts_at
    if duration % HOUR:
        raise InvalidBookingRequest("a booking lasts a whole number of hours", field="ends_at")
    return duration // HOUR


def platform_fee_minor(subtotal_minor: int, percent: Decimal) -> int:
    """The platform's fee on a subtotal, rounded half up to the minor unit."""
    fee = (Decimal(subtotal_minor) * percent / Decimal(100)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return int(fee)


def price_booking(
    *,
    hourly_price_minor: int,
    currency: str,
    starts_at: datetime,
    ends_at: datetime,
    minimum_hours: int,
    maximum_hours: int,
    platform_fee_percent: Decimal,
    add_ons: Sequence[AddOnLine] = (),
) -> PriceBreakdown:
    """Price a range of whole hours, at least `minimum_hours` and at most `maximum_hours` long,
    with the add-ons' lines (priced for those hours)."""
    hours = whole_hours(starts_at, ends_at)
    if hours < minimum_hours:
        raise InvalidBookingRequest(
            f"this studio is booked for at least {minimum_hours} hours", field="ends_at"
        )
    if hours > maximum_hours:
        raise InvalidBookingRequest(
            f"a booking lasts at most {maximum_hours} hours: "
            f"ends_at is {hours} hours after starts_at",
            field="ends_at",
        )
    subtotal = hourly_price_minor * hours
    add_ons_minor = sum(line.amount_minor for line in add_ons)
    fee = platform_fee_minor(subtotal + add_ons_minor, platform_fee_percent)
    return PriceBreakdown(
        hourly_price_minor=hourly_price_minor,
        hours=hours,
        subtotal_minor=subtotal,
        platform_fee_percent=platform_fee_percent,
        platform_fee_minor=fee,
        total_minor=subtotal + add_ons_minor + fee,
        currency=currency,
        add_ons=tuple(add_ons),
        add_ons_minor=add_ons_minor,
    )


def moved_price(
    paid: PriceBreakdown,
    *,
    hourly_price_minor: int,
    starts_at: datetime,
    ends_at: datetime,
    minimum_hours: int,
    maximum_hours: int,
) -> PriceBreakdown:
    """The price of a booking moved to `starts_at..ends_at` at `hourly_price_minor`: the add-ons
    bought stay, at the prices they were sold for (those by the hour for the new hours), and so
    does the fee's rate."""
    hours = whole_hours(starts_at, ends_at)
    add_ons = [
        replace(
            line,
            amount_minor=line.unit_price_minor
            * line.quantity
            * (hours if line.pricing is AddOnPricing.PER_HOUR else 1),
        )
        for line in paid.add_ons
    ]
    return price_booking(
        hourly_price_minor=hourly_price_minor,
        currency=paid.currency,
        starts_at=starts_at,
        ends_at=ends_at,
        minimum_hours=minimum_hours,
        maximum_hours=maximum_hours,
        platform_fee_percent=paid.platform_fee_percent,
        add_ons=add_ons,
    )
