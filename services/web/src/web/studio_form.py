"""The owner's studio form: what they typed, checked, and turned into catalog's bodies.

Rooms and photos are numbered rows (`room-0-name`, `photo-1-url`) so the form works without
JavaScript: the page shows every existing row and a few blank ones to fill. Errors are kept by
the form's field names, so each shows beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import FormData

from web.formatting import InvalidAmount, exponent, minor_units
from web.search_form import AMENITIES, CURRENCIES

POLICIES = ("flexible", "moderate", "strict")
BLANK_ROOMS = 2
BLANK_PHOTOS = 2
MAX_ROWS = 100  # catalog's most rooms; photos have 50
MAX_TEXT = 5000
TEXT_FIELDS = (
    "name", "description", "address", "city", "country", "latitude", "longitude", "timezone",
    "currency", "price", "minimum_hours", "maximum_hours", "capacity", "cancellation_policy",
    "booking_mode", "request_window_hours",
)  # fmt: skip
BOOKING_MODES = ("instant", "request")
MAX_REQUEST_WINDOW_HOURS = 72  # catalog's bound
# catalog's field -> this form's field, for the problems catalog names
API_FIELDS = {"hourly_price_minor": "price"}


@dataclass
class RoomRow:
    id: str = ""
    name: str = ""
    capacity: str = ""
    price: str = ""
    remove: bool = False

    @property
    def blank(self) -> bool:
        return not (self.id or self.name or self.capacity or self.price)


@dataclass
class PhotoRow:
    url: str = ""
    caption: str = ""


@dataclass
class StudioForm:
    values: dict[str, str] = field(default_factory=dict)
    amenities: list[str] = field(default_factory=list)
    rooms: list[RoomRow] = field(default_factory=list)
    photos: list[PhotoRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> StudioForm:
        values = {"currency": "EUR", "cancellation_policy": "moderate", "minimum_hours": "1",
                  "maximum_hours": "24", "booking_mode": "instant",
                  "request_window_hours": "24"}  # fmt: skip
        return cls(values=values).with_blank_rows()

    @classmethod
    def of_studio(cls, studio: dict[str, Any]) -> StudioForm:
        """The form filled with a studio as catalog answers it."""
        currency = studio["currency"]
        values = {name: str(studio.get(name, "")) for name in TEXT_FIELDS}
        values["price"] = _major(studio["hourly_price_minor"], currency)
        values["cancellation_policy"] = str(studio["cancellation_policy"])
        rooms = [
            RoomRow(
                id=str(room["id"]),
                name=room["name"],
                capacity=str(room["capacity"]),
                price=_major(room["hourly_price_minor"], currency)
                if room.get("price_overridden")
                else "",
            )
            for room in studio["rooms"]
        ]
        photos = [PhotoRow(url=p["url"], caption=p.get("caption", "")) for p in studio["photos"]]
        form = cls(values=values, amenities=list(studio["amenities"]), rooms=rooms, photos=photos)
        return form.with_blank_rows()

    @classmethod
    def of_form(cls, form: FormData) -> StudioForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""

        rooms = [
            RoomRow(
                id=text(f"room-{n}-id"),
                name=text(f"room-{n}-name"),
                capacity=text(f"room-{n}-capacity"),
                price=text(f"room-{n}-price"),
                remove=bool(text(f"room-{n}-remove")),
            )
            for n in range(MAX_ROWS)
            if f"room-{n}-name" in form or f"room-{n}-id" in form
        ]
        photos = [
            PhotoRow(url=text(f"photo-{n}-url"), caption=text(f"photo-{n}-caption"))
            for n in range(MAX_ROWS)
            if f"photo-{n}-url" in form
        ]
        chosen = [name for name in form.getlist("amenities") if name in AMENITIES]
        return cls(
            values={name: text(name) for name in TEXT_FIELDS},
            amenities=list(dict.fromkeys(chosen)),
            rooms=[room for room in rooms if not room.blank],
            photos=[photo for photo in photos if photo.url or photo.caption],
        )

    def with_blank_rows(self) -> StudioForm:
        self.rooms += [RoomRow() for _ in range(BLANK_ROOMS)]
        self.photos += [PhotoRow() for _ in range(BLANK_PHOTOS)]
        return self

    def studio_body(self) -> dict[str, Any] | None:
        """Catalog's studio fields (no rooms), or None with `errors` filled in."""
        v, errors = self.values, self.errors
        body: dict[str, Any] = {}
        for name, words in (("name", "a name"), ("address", "the street address"),
                            ("city", "the city")):  # fmt: skip
            if not v.get(name):
                errors[name] = f"Enter {words}."
            body[name] = v.get(name, "")
        body["description"] = v.get("description", "")
        country = v.get("country", "").upper()
        if len(country) != 2 or not country.isalpha():
            errors["country"] = "Enter the two-letter country code, such as PT or DE."
        body["country"] = country
        for name, limit in (("latitude", 90), ("longitude", 180)):
            body[name] = _decimal(v.get(name, ""), errors, name, limit)
        try:
            ZoneInfo(v.get("timezone", ""))
            body["timezone"] = v["timezone"]
        except (ZoneInfoNotFoundError, ValueError, KeyError):
            errors["timezone"] = "Enter a time zone such as Europe/Lisbon."
        currency = v.get("currency", "")
        if currency not in CURRENCIES:
            errors["currency"] = "Choose one of the listed currencies."
            currency = "EUR"
        body["currency"] = currency
        body["hourly_price_minor"] = _price(v.get("price", ""), currency, errors, "price")
        body["minimum_hours"] = _whole(v.get("minimum_hours", ""), errors, "minimum_hours", 1, 24)
        body["maximum_hours"] = _whole(v.get("maximum_hours", ""), errors, "maximum_hours", 1, 168)
        body["capacity"] = (
            _whole(v["capacity"], errors, "capacity", 1, 10_000)
            if v.get("capacity")
            else max(1, sum(int(r.capacity) for r in self.rooms if r.capacity.isdigit()))
        )
        if v.get("cancellation_policy") not in POLICIES:
            errors["cancellation_policy"] = "Choose a cancellation policy."
        body["cancellation_policy"] = v.get("cancellation_policy")
        mode = v.get("booking_mode") or "instant"
        if mode not in BOOKING_MODES:
            errors["booking_mode"] = "Choose how bookings are confirmed."
        body["booking_mode"] = mode
        body["request_window_hours"] = _whole(
            v.get("request_window_hours", "") or "24",
            errors,
            "request_window_hours",
            1,
            MAX_REQUEST_WINDOW_HOURS,
        )
        body["amenities"] = list(self.amenities)
        body["photos"] = self._photos()
        return None if errors else body

    def room_bodies(self) -> list[tuple[str, dict[str, Any] | None]]:
        """Each room row as (its id or "", catalog's room body, or None to remove it)."""
        currency = self.values.get("currency", "")
        currency = currency if currency in CURRENCIES else "EUR"
        rooms: list[tuple[str, dict[str, Any] | None]] = []
        for n, room in enumerate(self.rooms):
            if room.remove:
                rooms.append((room.id, None))
                continue
            if not room.name:
                self.errors[f"room-{n}-name"] = "Enter the room's name."
            body: dict[str, Any] = {
                "name": room.name,
                "capacity": _whole(room.capacity, self.errors, f"room-{n}-capacity", 1, 1000),
            }
            if room.price:
                body["hourly_price_minor"] = _price(
                    room.price, currency, self.errors, f"room-{n}-price"
                )
            rooms.append((room.id, body))
        return rooms

    def take_api_errors(self, api_errors: dict[str, str]) -> None:
        """Catalog's field errors on this form's fields; one it names that we lack, on the form."""
        for name, message in api_errors.items():
            mine = API_FIELDS.get(name, name)
            if mine in TEXT_FIELDS:
                self.errors.setdefault(mine, sentence(message))
            else:
                self.errors.setdefault("form", sentence(f"{name}: {message}"))

    def _photos(self) -> list[dict[str, str]]:
        photos = []
        for n, photo in enumerate(self.photos):
            parts = urlsplit(photo.url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.errors[f"photo-{n}-url"] = "Enter a web address starting with https://."
            photos.append({"url": photo.url, "caption": photo.caption})
        return photos


def _major(amount_minor: int, currency: str) -> str:
    places = exponent(currency)
    return f"{Decimal(amount_minor).scaleb(-places):.{places}f}"


def _price(text: str, currency: str, errors: dict[str, str], name: str) -> int:
    try:
        return minor_units(text, currency)
    except InvalidAmount as invalid:
        errors[name] = sentence(str(invalid))
        return 0


def _whole(text: str, errors: dict[str, str], name: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        errors[name] = f"Enter a whole number from {low} to {high}."
        return low
    return int(text)


def _decimal(text: str, errors: dict[str, str], name: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -limit <= value <= limit:  # NaN fails this too
        errors[name] = f"Enter a number from -{limit} to {limit}, such as 38.72."
        return 0.0
    return value


def sentence(message: str) -> str:
    """An API's validation message as a sentence ("Value error, x" -> "X.")."""
    message = message.removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
