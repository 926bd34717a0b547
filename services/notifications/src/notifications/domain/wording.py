"""How money and times read in an email: in the currency's own units, in the studio's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# ISO 4217 currencies whose minor unit is not a hundredth (Stripe's list of those it handles).
_DECIMALS = {
    **dict.fromkeys(
        ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
         "VUV", "XAF", "XOF", "XPF"],
        0,
    ),
    **dict.fromkeys(["BHD", "JOD", "KWD", "OMR", "TND"], 3),
}  # fmt: skip


def money(amount_minor: int, currency: str) -> str:
    """`45.00 EUR`, `4500 JPY`: the amount in major units with its currency code."""
    decimals = _DECIMALS.get(currency, 2)
    if decimals == 0:
        return f"{amount_minor} {currency}"
    major, minor = divmod(amount_minor, 10**decimals)
    return f"{major:,}.{minor:0{decimals}d} {currency}"


_FAILURES = {
    "card_declined": "your card was declined",
    "authentication_failed": "your bank's check of the payment was not completed",
    "processing_error": "the card could not be charged because of a processing error",
    "owner_cannot_receive_payouts": "the studio cannot take payments at the moment",
    "invalid_request": "the payment could not be made",
}


def payment_failure(reason: str) -> str:
    """Why a payment failed, in words a booker understands (lower case, no full stop)."""
    return _FAILURES.get(reason, "the payment could not be made")


def local_span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """`Tuesday 8 December 2026, 10:00 to 12:00 CET (Europe/Berlin)` in the studio's own time."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    until = f"{end:%H:%M}" if start.date() == end.date() else f"{_day(end)}, {end:%H:%M}"
    return f"{_day(start)}, {start:%H:%M} to {until} {end:%Z} ({zone.key})"


def local_moment(moment: datetime, zone: ZoneInfo) -> str:
    """`Friday 4 December 2026, 11:35 CET`: a deadline in the studio's own time."""
    moment = moment.astimezone(zone)
    return f"{_day(moment)}, {moment:%H:%M %Z}"


def utc_moment(moment: datetime) -> str:
    """`Thursday 3 December 2026, 07:45 UTC`: a deadline for someone whose zone we do not know."""
    moment = moment.astimezone(UTC)
    return f"{_day(moment)}, {moment:%H:%M} UTC"


def _day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y}"
