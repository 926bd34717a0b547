"""How numbers, money, times and policies read on a page: one place for every page's words.

Money arrives as integer minor units with an ISO 4217 currency; each currency has its own
number of decimals (JPY none, EUR two, KWD three), so an amount is never divided by 100 blindly.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

# ISO 4217 minor-unit exponents that are not 2; every other currency has two decimals.
_EXPONENTS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩"}
MAX_PRICE_DIGITS = 12


class InvalidAmount(ValueError):
    """An amount a person typed that is not a price in that currency."""


def exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has."""
    return _EXPONENTS.get(currency.upper(), 2)


def money(amount_minor: int, currency: str) -> str:
    """`4500, "EUR"` -> "€45.00"; currencies without a symbol here lead with their code."""
    places = exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    major = Decimal(abs(amount_minor)).scaleb(-places)
    number = f"{major:,.{places}f}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency.upper()} {number}"


_ADD_ON_UNITS = {"per_hour": "an hour", "per_booking": "a booking", "per_item": "each"}


def add_on_price(add_on: dict[str, Any], currency: str) -> str:
    """An add-on's price with what it counts by: "€25.00 an hour", "€3.00 each"."""
    return f"{money(add_on['price_minor'], currency)} {_ADD_ON_UNITS[add_on['pricing']]}"


def minor_units(text: str, currency: str) -> int:
    """What a person typed as a price ("45", "45.5") in the currency's minor units."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        raise InvalidAmount("enter an amount")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidAmount("enter a number, such as 45 or 45.50") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidAmount("enter an amount of zero or more")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{currency.upper()} has {exponent(currency)} decimals at most")
    if len(str(int(scaled))) > MAX_PRICE_DIGITS:
        raise InvalidAmount("that amount is too large")
    return int(scaled)


def local_time(moment: datetime, timezone: str) -> str:
    """A moment as the studio's clock shows it, with its zone: "Tue 3 Mar 2026, 14:00 CET"."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no moment; give it a time zone")
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def zone_label(timezone: str, moment: datetime) -> str:
    """The zone's name as a person reads it, with its offset at that moment."""
    local = moment.astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")
    return f"{timezone.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"


def rating(average: float | None, count: int) -> str:
    if average is None or count == 0:
        return "No reviews yet"
    return f"{average:.1f} out of 5 ({count} review{'s' if count != 1 else ''})"


def amenity(name: str) -> str:
    """`air_conditioning` -> "Air conditioning"; a few read better spelled out."""
    return _AMENITY_WORDS.get(name, name.replace("_", " ").capitalize())


_AMENITY_WORDS = {
    "wifi": "Wi-Fi",
    "pa_system": "PA system",
    "engineer_available": "Sound engineer available",
}

# The refund table of services/booking/src/booking/domain/policies.py, in words (a unit test
# checks the two agree); booking decides every refund, this only tells a booker beforehand.
POLICY_WORDS = {
    "flexible": (
        "Flexible: full refund if you cancel at least 24 hours before the start, 50% after that."
    ),
    "moderate": (
        "Moderate: full refund if you cancel at least 5 days before the start, "
        "50% at least 24 hours before, none after that."
    ),
    "strict": (
        "Strict: full refund if you cancel at least 14 days before the start, "
        "50% at least 7 days before, none after that."
    ),
}
GRACE_WORDS = (
    "Cancelling within an hour of booking refunds in full when the session is more than "
    "24 hours away."
)


def policy(name: str) -> str:
    return POLICY_WORDS.get(name, name.capitalize())
