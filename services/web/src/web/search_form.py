"""The search form: what a booker typed, checked, and turned into catalog's query.

Errors are kept by the form's own field names, so the page shows each beside its field; the
API's own refusals (named by its parameters) are mapped back to those names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from web.formatting import InvalidAmount, minor_units
from web.places import PLACES

AMENITIES = (
    "wifi", "parking", "air_conditioning", "soundproofing", "vocal_booth", "mixing_console",
    "piano", "drum_kit", "guitar_amps", "pa_system", "lighting_kit", "cyclorama",
    "green_screen", "backdrops", "makeup_room", "changing_room", "kitchen", "lounge",
    "wheelchair_access", "loading_dock", "natural_light", "engineer_available",
)  # fmt: skip
"""Catalog's amenities (catalog/domain/amenities.py), in the order the form lists them."""
CURRENCIES = ("EUR", "USD", "GBP")
SORTS = {
    "": "Best match",
    "rating": "Rating",
    "price": "Price: low to high",
    "price_desc": "Price: high to low",
    "distance": "Distance",
    "relevance": "Relevance to your words",
}
HOURS = {
    "": "Any length",
    **{str(h): f"{h} hour{'s' if h > 1 else ''}" for h in (1, 2, 3, 4, 6, 8)},
}
"""How long a session the booker wants free (with a date), by the form's value."""
DEFAULT_RADIUS_KM = 25.0
PAGE_SIZE = 12
MAX_TEXT = 500  # catalog bounds each parameter itself (a cursor is the longest)

# catalog's query parameter -> this form's field
API_FIELDS = {
    "q": "q",
    "city": "city",
    "lat": "near",
    "lng": "near",
    "radius_km": "radius",
    "currency": "currency",
    "min_price_minor": "min_price",
    "max_price_minor": "max_price",
    "min_capacity": "capacity",
    "amenities": "amenities",
    "min_rating": "min_rating",
    "date": "date",
    "start_from": "start_from",
    "start_until": "start_until",
    "duration_minutes": "hours",
    "sort": "sort",
    "cursor": "cursor",
    "limit": "cursor",
}


@dataclass
class SearchForm:
    q: str = ""
    city: str = ""
    near: str = ""
    radius: str = ""
    currency: str = ""
    min_price: str = ""
    max_price: str = ""
    capacity: str = ""
    amenities: list[str] = field(default_factory=list)
    min_rating: str = ""
    date: str = ""
    start_from: str = ""
    start_until: str = ""
    hours: str = ""
    sort: str = ""
    cursor: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, query: Mapping[str, str], amenities: list[str]) -> SearchForm:
        text = {name: query.get(name, "").strip()[:MAX_TEXT] for name in _TEXT_FIELDS}
        chosen = [name for name in dict.fromkeys(amenities) if name in AMENITIES]
        return cls(**text, amenities=chosen)  # type: ignore[arg-type]

    def api_params(self) -> dict[str, str | int | float | list[str]] | None:
        """Catalog's query for this form, or None with `errors` filled in."""
        params: dict[str, str | int | float | list[str]] = {"limit": PAGE_SIZE}
        self._text(params)
        self._place(params)
        self._prices(params)
        self._numbers(params)
        self._free_time(params)
        if self.sort:
            if self.sort not in SORTS:
                self.errors["sort"] = "choose one of the listed orders"
            elif self.sort == "relevance" and not self.q:
                self.errors["sort"] = "sorting by relevance needs words to search for"
            elif self.sort == "distance" and not self.near:
                self.errors["sort"] = "sorting by distance needs a place to search around"
            else:
                params["sort"] = self.sort
        if self.amenities:
            params["amenities"] = list(self.amenities)
        if self.cursor:
            params["cursor"] = self.cursor
        return None if self.errors else params

    def take_api_errors(self, api_errors: Mapping[str, str]) -> bool:
        """Put the API's field errors on this form's fields; False if it named none we have."""
        for name, message in api_errors.items():
            self.errors.setdefault(API_FIELDS.get(name, name), message)
        return any(name in API_FIELDS for name in api_errors)

    def query_without_cursor(self) -> list[tuple[str, str]]:
        """The form as a query string's pairs, for links to the next page."""
        pairs = [(name, getattr(self, name)) for name in _TEXT_FIELDS if name != "cursor"]
        pairs += [("amenities", name) for name in self.amenities]
        return [(name, value) for name, value in pairs if value]

    def times_query(self) -> dict[str, str] | None:
        """The studio's free-times page for the day (and length) searched, if a day was."""
        if not self.date or "date" in self.errors:
            return None
        hours = {"hours": self.hours} if self.hours and self.hours in HOURS else {}
        return {"day": self.date, **hours}

    @property
    def filtered(self) -> bool:
        return bool(self.query_without_cursor())

    def _text(self, params: dict[str, str | int | float | list[str]]) -> None:
        if self.q:
            params["q"] = self.q
        if self.city:
            params["city"] = self.city

    def _place(self, params: dict[str, str | int | float | list[str]]) -> None:
        if self.near:
            place = PLACES.get(self.near)
            if place is None:
                self.errors["near"] = "choose one of the listed places"
                return
            params["lat"], params["lng"] = place.latitude, place.longitude
        radius = _number(self.radius, self.errors, "radius", low=0.01, high=500)
        if radius is not None:
            if not self.near:
                self.errors["radius"] = "choose a place to search around"
            else:
                params["radius_km"] = radius
        elif self.near and "radius" not in self.errors:
            params["radius_km"] = DEFAULT_RADIUS_KM

    def _prices(self, params: dict[str, str | int | float | list[str]]) -> None:
        if self.currency and self.currency not in CURRENCIES:
            self.errors["currency"] = "choose one of the listed currencies"
            return
        for name, param in (("min_price", "min_price_minor"), ("max_price", "max_price_minor")):
            typed = getattr(self, name)
            if not typed:
                continue
            if not self.currency:
                self.errors[name] = "choose a currency to filter by price"
                continue
            try:
                params[param] = minor_units(typed, self.currency)
            except InvalidAmount as invalid:
                self.errors[name] = str(invalid)
        low, high = params.get("min_price_minor"), params.get("max_price_minor")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            self.errors["max_price"] = "the highest price is below the lowest"
        if self.currency:
            params["currency"] = self.currency

    def _numbers(self, params: dict[str, str | int | float | list[str]]) -> None:
        capacity = _number(self.capacity, self.errors, "capacity", low=1, high=10_000)
        if capacity is not None:
            if capacity != int(capacity):
                self.errors["capacity"] = "enter a whole number of people"
            else:
                params["min_capacity"] = int(capacity)
        rating = _number(self.min_rating, self.errors, "min_rating", low=1, high=5)
        if rating is not None:
            params["min_rating"] = rating

    def _free_time(self, params: dict[str, str | int | float | list[str]]) -> None:
        """Catalog checks the date's range and that the session ends by midnight; the form
        checks what a browser without date and time inputs could send."""
        if not self.date:
            for name in ("start_from", "start_until", "hours"):
                if getattr(self, name):
                    self.errors["date"] = "choose a date to find studios free then"
            return
        try:
            params["date"] = date.fromisoformat(self.date).isoformat()
        except ValueError:
            self.errors["date"] = "enter a date as YYYY-MM-DD"
        for name in ("start_from", "start_until"):
            typed = getattr(self, name)
            if not typed:
                continue
            try:
                params[name] = time.fromisoformat(typed).strftime("%H:%M")
            except ValueError:
                self.errors[name] = "enter a time as HH:MM"
        if self.hours:
            if self.hours not in HOURS:
                self.errors["hours"] = "choose one of the listed lengths"
            else:
                params["duration_minutes"] = int(self.hours) * 60


_TEXT_FIELDS = (
    "q", "city", "near", "radius", "currency", "min_price", "max_price", "capacity",
    "min_rating", "date", "start_from", "start_until", "hours", "sort", "cursor",
)  # fmt: skip


def _number(
    text: str, errors: dict[str, str], name: str, *, low: float, high: float
) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[name] = "enter a number"
        return None
    if not low <= value <= high:
        errors[name] = f"enter a number from {low:g} to {high:g}"
        return None
    return value
