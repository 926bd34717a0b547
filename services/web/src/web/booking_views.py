"""View logic of the booker's pages: the times form, statuses and refunds in words.

Booking decides every rule; this only reads its answers to a person, in the studio's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from web import formatting

MAX_HOURS_OFFERED = 12
"""The duration choices stop here even when a studio allows longer (booking's cap is 24)."""

STATUS_WORDS = {
    "requested": "Holding your time",
    "preparing_payment": "Preparing the card form",
    "pending_payment": "Waiting for your payment",
    "awaiting_owner": "Waiting for the studio to accept",
    "confirming": "Payment accepted, confirming your time",
    "confirmed": "Confirmed",
    "completed": "Completed",
    "no_show": "Missed (marked as a no-show)",
    "cancelled": "Cancelled",
    "failed": "Not booked",
    "disputed": "Payment disputed",
}
LIVE = frozenset({"requested", "preparing_payment", "pending_payment", "confirming"})
"""Statuses the saga is still moving on its own: the booking page follows them."""

VIEWS = {"upcoming": "Upcoming", "past": "Past", "cancelled": "Cancelled"}

FAILURE_WORDS = {
    "slots_unavailable": "Someone else booked that time first.",
    "slots_lost": "That time was taken before your booking could be confirmed.",
    "hold_expired": "The time we held for you ran out before the payment came through.",
}
REQUEST_WORDS = {
    "declined": "The studio declined your request.",
    "not_answered": "The studio did not answer your request in time.",
}


def stage(booking: dict[str, Any]) -> str:
    """The status as the pages follow it: a held time whose card form payments has not yet
    prepared (no client secret) is a stage of its own, so the page moves on when it is ready."""
    status: str = booking["status"]
    if status == "pending_payment" and not booking.get("client_secret"):
        return "preparing_payment"
    return status


def awaits_card(booking: dict[str, Any]) -> bool:
    """Whether a payment of the booking waits for the booker's card: the booking's own, or
    that of the difference of a dearer move."""
    move = booking.get("move") or {}
    return stage(booking) == "pending_payment" or bool(move.get("client_secret"))


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def why_not_booked(booking: dict[str, Any]) -> str:
    """A failed or lapsed booking's reason as a person reads it (booking's words first)."""
    reason = booking.get("failure_reason") or booking.get("cancellation_reason") or ""
    return (
        REQUEST_WORDS.get(booking.get("request_answer") or "")
        or FAILURE_WORDS.get(reason)
        or booking.get("failure_detail")
        or "The booking could not be completed."
    )


def lapsed(booking: dict[str, Any]) -> bool:
    """Whether the booking ended without the person meaning to: offer other times."""
    return (
        booking["status"] == "failed"
        or booking.get("cancellation_reason") == "hold_expired"
        or booking.get("request_answer") == "declined"
    )


@dataclass
class TimesForm:
    """The studio page's "when" form: a room, a day in the studio's zone, whole hours, and how
    many people come (at most the room holds)."""

    room_id: str
    day: date | None
    hours: int
    people: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, query: dict[str, str], studio: dict[str, Any], today: date) -> TimesForm:
        rooms = [room["id"] for room in studio["rooms"]]
        room_id = query.get("room_id") or (rooms[0] if rooms else "")
        form = cls(room_id=room_id, day=None, hours=studio["minimum_hours"])
        if room_id not in rooms:
            form.errors["room_id"] = "Choose one of the studio's rooms."
        text = query.get("day", "")
        try:
            form.day = date.fromisoformat(text) if text else today + timedelta(days=1)
        except ValueError:
            form.errors["day"] = "Enter a day such as 2026-03-14."
        if form.day is not None and form.day < today:
            form.errors["day"] = "Choose today or a later day."
        try:
            form.hours = int(query.get("hours") or studio["minimum_hours"])
        except ValueError:
            form.errors["hours"] = "Choose how many hours."
        if form.hours not in hour_choices(studio):
            form.errors["hours"] = (
                f"Choose between {studio['minimum_hours']} and {max_hours(studio)} hours."
            )
            form.hours = studio["minimum_hours"]
        room = next((room for room in studio["rooms"] if room["id"] == room_id), None)
        form.people = people_of(query.get("people"))
        if room is not None and not 1 <= form.people <= room["capacity"]:
            form.errors["people"] = f"{room['name']} holds 1 to {room['capacity']} people."
        return form

    def window(self, timezone: str) -> tuple[datetime, datetime]:
        """The chosen day, local midnight to local midnight, as UTC instants."""
        assert self.day is not None
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.day, time(0), zone)
        end = datetime.combine(self.day + timedelta(days=1), time(0), zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def people_of(text: str | None) -> int:
    """How many people a form or link asks for: 1 when it does not say, 0 (refused) for
    anything but a small whole number."""
    if not text:
        return 1
    return int(text) if text.isdigit() and len(text) <= 4 else 0


EXTRA_FIELD = "extra-"
MAX_EXTRAS = 30


def extras_of(fields: Iterable[tuple[str, str]]) -> dict[str, int]:
    """The add-ons a quote or booking form chose, `extra-<id>` to a quantity: 0 for none and for
    anything but a small whole number (the booking API checks the ids and the bounds)."""
    chosen: dict[str, int] = {}
    for name, value in fields:
        if name.startswith(EXTRA_FIELD) and len(chosen) < MAX_EXTRAS:
            quantity = int(value) if value.isdigit() and len(value) <= 3 else 0
            chosen[name.removeprefix(EXTRA_FIELD)[:64]] = quantity
    return chosen


def max_hours(studio: dict[str, Any]) -> int:
    return max(int(studio["minimum_hours"]), min(int(studio["maximum_hours"]), MAX_HOURS_OFFERED))


def hour_choices(studio: dict[str, Any]) -> list[int]:
    return list(range(studio["minimum_hours"], max_hours(studio) + 1))


def room_options(studio: dict[str, Any]) -> list[tuple[str, str]]:
    """Each room with its hourly price, for the room picker."""
    currency = studio["currency"]
    return [
        (room["id"], f"{room['name']} · {formatting.money(price, currency)} an hour")
        for room in studio["rooms"]
        for price in [room["hourly_price_minor"]]
    ]


def hour_options(studio: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(n), f"{n} hour{'s' if n != 1 else ''}") for n in hour_choices(studio)]


def today_in(timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class FreeTime:
    starts_at: str
    label: str


def free_times(slots: list[dict[str, Any]]) -> list[FreeTime]:
    """Availability's free starts as the studio's clock shows them ("14:30")."""
    return [
        FreeTime(slot["starts_at"], f"{datetime.fromisoformat(slot['local_starts_at']):%H:%M}")
        for slot in slots
    ]


def parse_instant(text: str) -> datetime | None:
    """An instant with its zone from a link or form; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def zone_of(booking: dict[str, Any]) -> str:
    """The studio's zone; UTC for a booking of a studio booking's read model lost."""
    zone: str = booking.get("studio_timezone") or "UTC"
    return zone


def when(booking: dict[str, Any]) -> str:
    """A booking's local day and hours: "Tue 3 Mar 2026, 14:00 to 16:00 CET"."""
    zone = zone_of(booking)
    starts = datetime.fromisoformat(booking["starts_at"]).astimezone(ZoneInfo(zone))
    ends = datetime.fromisoformat(booking["ends_at"]).astimezone(ZoneInfo(zone))
    day = f"{starts:%a} {starts.day} {starts:%b %Y}"
    return f"{day}, {starts:%H:%M} to {ends:%H:%M} {ends.tzname()}"


def local_text(moment: str | None, timezone: str) -> str:
    """An API's instant (ISO text) on the studio's clock; empty for none."""
    return formatting.local_time(datetime.fromisoformat(moment), timezone) if moment else ""


def refund_words(preview: dict[str, Any]) -> str:
    """What cancelling now gives back, and by which rule."""
    currency = preview["currency"]
    refund = formatting.money(preview["refund_minor"], currency)
    charged = formatting.money(preview["charged_minor"], currency)
    if preview["charged_minor"] == 0:
        return "Nothing has been charged yet: cancelling costs you nothing."
    rule = preview.get("rule") or {}
    why = {
        "grace_period": "you booked less than an hour ago",
        "notice": f"you cancel at least {rule.get('min_notice_hours')} hours before the start",
        "after_start": "the session has already started",
        "by_owner_or_admin": "the studio cancels",
    }.get(rule.get("kind", ""), "")
    if rule.get("kind") == "notice" and not rule.get("min_notice_hours"):
        why = f"the {preview['policy']} policy gives {rule.get('percent')}% this close to the start"
    words = f"You get back {refund} of the {charged} you paid"
    return f"{words}, because {why}." if why else f"{words}."


def seconds_left(expires_at: str | None, now: datetime) -> int:
    if not expires_at:
        return 0
    return max(0, int((datetime.fromisoformat(expires_at) - now).total_seconds()))


@dataclass(frozen=True)
class CardPayment:
    """What the card form (booker/_card_form.html) pays: how much, with which client secret,
    until when the time is held, where the booker lands after, and what to say once the hold
    has run out (markup of ours)."""

    amount_minor: int
    currency: str
    client_secret: str
    expires_at: str
    held_until: str
    seconds_left: int
    return_url: str
    lapsed: str

    @classmethod
    def of(
        cls,
        booking: dict[str, Any],
        amount_minor: int,
        client_secret: str,
        expires_at: str,
        *,
        return_url: str,
        lapsed: str,
        now: datetime,
    ) -> CardPayment:
        return cls(
            amount_minor=amount_minor,
            currency=booking["price"]["currency"],
            client_secret=client_secret,
            expires_at=expires_at,
            held_until=local_text(expires_at, zone_of(booking)),
            seconds_left=seconds_left(expires_at, now),
            return_url=return_url,
            lapsed=lapsed,
        )
