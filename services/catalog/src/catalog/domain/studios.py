"""Studios and rooms: what they hold, the bounds on it, when they are valid and complete, and
the errors of the rules over them (the changes are in `changes`)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalog.domain.amenities import Amenity
from catalog.domain.countries import is_country_code
from catalog.domain.ratings import RatingSummary
from contracts.catalog import MAX_REQUEST_WINDOW_HOURS, AddOnPricing, BookingMode, StudioStatus
from contracts.values import CancellationPolicy

# Every count and size a caller names is bounded.
MAX_MINIMUM_HOURS = 24
MAX_MAXIMUM_HOURS = 7 * 24
DEFAULT_MAXIMUM_HOURS = 24
MAX_ROOMS = 100
MAX_PHOTOS = 50
MAX_ADD_ONS = 30
MAX_ADD_ON_QUANTITY = 100
MAX_ROOM_CAPACITY = 1_000
MAX_STUDIO_CAPACITY = 10_000
MAX_VERSION = 2**31 - 1  # the version column is an INTEGER
COORDINATE_DECIMALS = 7


def coordinate(degrees: float) -> float:
    """A latitude or longitude to 7 decimals (about a centimetre): finer values, such as
    5e-324, only make PostgreSQL's earth functions underflow."""
    return round(degrees, COORDINATE_DECIMALS)


_CURRENCY = re.compile(r"^[A-Z]{3}$")
_URL = re.compile(r"^https?://\S+$")


class CatalogError(Exception):
    """Base of catalog's domain errors."""


class StudioNotFound(CatalogError):
    def __init__(self, key: object) -> None:
        super().__init__(f"No studio {key}.")


class RoomNotFound(CatalogError):
    def __init__(self, room_id: object) -> None:
        super().__init__(f"No room {room_id} in this studio.")


class AddOnNotFound(CatalogError):
    def __init__(self, add_on_id: object) -> None:
        super().__init__(f"No add-on {add_on_id} in this studio.")


class NotStudioOwner(CatalogError):
    def __init__(self) -> None:
        super().__init__("Only the studio's owner (or an admin) may do this.")


class AdminOnly(CatalogError):
    def __init__(self, action: str) -> None:
        super().__init__(f"Only an admin may {action} a studio.")


class IllegalTransition(CatalogError):
    def __init__(self, status: StudioStatus, action: str) -> None:
        super().__init__(f"A {status.value} studio cannot be {action}.")


class StudioIncomplete(CatalogError):
    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"The studio cannot be published without: {', '.join(missing)}.")


class StaleVersion(CatalogError):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"The studio changed meanwhile: you sent version {expected}, it is at {actual}. "
            "Reload it and apply your change again."
        )


class InvalidStudio(CatalogError):
    def __init__(self, field_name: str, problem: str) -> None:
        self.field = field_name
        super().__init__(f"{field_name}: {problem}")


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: a user id, and whether they act as an admin."""

    user_id: uuid.UUID
    is_admin: bool = False


@dataclass(frozen=True)
class Photo:
    url: str
    caption: str = ""


@dataclass(frozen=True)
class Room:
    id: uuid.UUID
    name: str
    capacity: int
    hourly_price_minor: int | None = None
    description: str = ""


@dataclass(frozen=True)
class AddOn:
    """An extra sold with a booking: per hour of it, once per booking, or per item."""

    id: uuid.UUID
    name: str
    pricing: AddOnPricing
    price_minor: int
    max_quantity: int = 1
    required: bool = False


@dataclass(frozen=True)
class Studio:
    """A studio as the catalog holds it; `version` grows by one with every change."""

    id: uuid.UUID
    owner_id: uuid.UUID
    slug: str
    name: str
    address: str
    city: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    currency: str
    hourly_price_minor: int
    description: str = ""
    minimum_hours: int = 1
    maximum_hours: int = DEFAULT_MAXIMUM_HOURS
    capacity: int = 1
    amenities: tuple[Amenity, ...] = ()
    photos: tuple[Photo, ...] = ()
    cancellation_policy: CancellationPolicy = CancellationPolicy.MODERATE
    booking_mode: BookingMode = BookingMode.INSTANT
    """Instant: a paid booking is confirmed. Request: it waits for the owner to accept."""
    request_window_hours: int = 24
    """How long the owner has to answer a request (at most MAX_REQUEST_WINDOW_HOURS)."""
    status: StudioStatus = StudioStatus.DRAFT
    rooms: tuple[Room, ...] = ()
    add_ons: tuple[AddOn, ...] = ()
    version: int = 1
    rating: RatingSummary = field(default_factory=RatingSummary)
    suspended_from: StudioStatus | None = None
    suspension_reason: str | None = None

    def room(self, room_id: uuid.UUID) -> Room:
        for room in self.rooms:
            if room.id == room_id:
                return room
        raise RoomNotFound(room_id)

    def add_on(self, add_on_id: uuid.UUID) -> AddOn:
        for add_on in self.add_ons:
            if add_on.id == add_on_id:
                return add_on
        raise AddOnNotFound(add_on_id)

    @property
    def announced(self) -> bool:
        """Whether other services know the studio (every state but a never-published draft)."""
        return self.status is not StudioStatus.DRAFT


def validate(studio: Studio) -> Studio:
    """The studio when its details are well-formed; InvalidStudio naming the first bad field."""
    checks: list[tuple[str, bool, str]] = [
        ("name", bool(studio.name.strip()), "must not be empty"),
        ("country", is_country_code(studio.country), "must be an ISO 3166 alpha-2 code"),
        ("latitude", -90 <= studio.latitude <= 90, "must be between -90 and 90"),
        ("longitude", -180 <= studio.longitude <= 180, "must be between -180 and 180"),
        ("timezone", _is_timezone(studio.timezone), "must be an IANA time zone"),
        ("currency", bool(_CURRENCY.match(studio.currency)), "must be an ISO 4217 code"),
        ("hourly_price_minor", studio.hourly_price_minor >= 0, "must not be negative"),
        (
            "minimum_hours",
            1 <= studio.minimum_hours <= MAX_MINIMUM_HOURS,
            f"must be 1 to {MAX_MINIMUM_HOURS}",
        ),
        (
            "maximum_hours",
            studio.minimum_hours <= studio.maximum_hours <= MAX_MAXIMUM_HOURS,
            f"must be minimum_hours to {MAX_MAXIMUM_HOURS}",
        ),
        ("capacity", studio.capacity >= 1, "must be at least 1"),
        (
            "request_window_hours",
            1 <= studio.request_window_hours <= MAX_REQUEST_WINDOW_HOURS,
            f"must be 1 to {MAX_REQUEST_WINDOW_HOURS}",
        ),
        (
            "photos",
            all(_URL.match(photo.url) for photo in studio.photos),
            "must be http(s) URLs",
        ),
        ("rooms", all(_room_valid(room) for room in studio.rooms), "need a name and capacity"),
        ("rooms", len(studio.rooms) <= MAX_ROOMS, f"at most {MAX_ROOMS} per studio"),
        ("photos", len(studio.photos) <= MAX_PHOTOS, f"at most {MAX_PHOTOS} per studio"),
        ("add_ons", len(studio.add_ons) <= MAX_ADD_ONS, f"at most {MAX_ADD_ONS} per studio"),
        *(_add_on_checks(add_on) for add_on in studio.add_ons),
    ]
    for name, ok, problem in checks:
        if not ok:
            raise InvalidStudio(name, problem)
    return studio


def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _room_valid(room: Room) -> bool:
    price_ok = room.hourly_price_minor is None or room.hourly_price_minor >= 0
    return bool(room.name.strip()) and room.capacity >= 1 and price_ok


def _add_on_checks(add_on: AddOn) -> tuple[str, bool, str]:
    """The first thing wrong with an add-on, named by its field, or a passing check."""
    quantity_ok = 1 <= add_on.max_quantity <= MAX_ADD_ON_QUANTITY
    once = add_on.pricing is not AddOnPricing.PER_BOOKING or add_on.max_quantity == 1
    for name, ok, problem in [
        ("name", bool(add_on.name.strip()), "must not be empty"),
        ("price_minor", add_on.price_minor >= 0, "must not be negative"),
        ("max_quantity", quantity_ok, f"must be 1 to {MAX_ADD_ON_QUANTITY}"),
        ("max_quantity", once, "must be 1 for an add-on priced per booking"),
    ]:
        if not ok:
            return name, ok, problem
    return "add_ons", True, ""


def missing_for_publication(studio: Studio) -> list[str]:
    """What a studio lacks before it may be searched and booked (empty when complete)."""
    missing = []
    if not studio.description.strip():
        missing.append("description")
    if not studio.address.strip():
        missing.append("address")
    if studio.hourly_price_minor <= 0:
        missing.append("hourly_price_minor")
    if not studio.rooms:
        missing.append("rooms")
    if not studio.photos:
        missing.append("photos")
    return missing
