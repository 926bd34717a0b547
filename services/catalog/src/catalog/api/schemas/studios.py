"""Bodies owners send to create and change studios, rooms and add-ons; a studio as served is
in `studio_views`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, HttpUrl, model_validator

from catalog.domain.amenities import Amenity
from catalog.domain.countries import is_country_code
from catalog.domain.studios import (
    DEFAULT_MAXIMUM_HOURS,
    MAX_ADD_ON_QUANTITY,
    MAX_MAXIMUM_HOURS,
    MAX_MINIMUM_HOURS,
    MAX_PHOTOS,
    MAX_ROOM_CAPACITY,
    MAX_ROOMS,
    MAX_STUDIO_CAPACITY,
    MAX_VERSION,
    AddOn,
    Photo,
    Room,
    coordinate,
)
from contracts.catalog import (
    MAX_REQUEST_WINDOW_HOURS,
    AddOnPricing,
    BookingMode,
)
from contracts.values import (
    BoundedMinorUnits,
    CancellationPolicy,
    CurrencyCode,
    IanaTimezone,
    PlainText,
    WholeNumber,
)


def _country(code: str) -> str:
    if not is_country_code(code):
        raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 country code")
    return code


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _unique(values: list[Amenity]) -> list[Amenity]:
    return list(dict.fromkeys(values))


CountryCode = Annotated[
    str, BeforeValidator(_upper), Field(min_length=2, max_length=2), AfterValidator(_country)
]
Name = Annotated[PlainText, Field(min_length=1, max_length=200)]
Description = Annotated[PlainText, Field(max_length=5000)]
Address = Annotated[PlainText, Field(min_length=1, max_length=300)]
City = Annotated[PlainText, Field(min_length=1, max_length=100)]
# Strict: a JSON number only (pydantic's lax mode would take `true` as 1.0 and "45.5").
Latitude = Annotated[float, Field(ge=-90, le=90, strict=True), AfterValidator(coordinate)]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True), AfterValidator(coordinate)]
StudioCapacity = Annotated[WholeNumber, Field(ge=1, le=MAX_STUDIO_CAPACITY)]
MinimumHours = Annotated[WholeNumber, Field(ge=1, le=MAX_MINIMUM_HOURS)]
RequestWindowHours = Annotated[
    WholeNumber,
    Field(
        ge=1,
        le=MAX_REQUEST_WINDOW_HOURS,
        description="For booking_mode request: the hours the owner has to accept or decline.",
    ),
]
MaximumHours = Annotated[
    WholeNumber,
    Field(ge=1, le=MAX_MAXIMUM_HOURS, description="The longest booking taken, in hours."),
]
Amenities = Annotated[list[Amenity], Field(max_length=len(Amenity)), AfterValidator(_unique)]


class PhotoIn(BaseModel):
    url: HttpUrl
    caption: Annotated[PlainText, Field(max_length=300)] = ""

    def to_domain(self) -> Photo:
        return Photo(url=str(self.url), caption=self.caption)


Photos = Annotated[list[PhotoIn], Field(max_length=MAX_PHOTOS)]


class RoomIn(BaseModel):
    name: Name
    description: Annotated[PlainText, Field(max_length=2000)] = ""
    capacity: Annotated[WholeNumber, Field(ge=1, le=MAX_ROOM_CAPACITY)]
    hourly_price_minor: BoundedMinorUnits | None = Field(
        default=None, description="Overrides the studio's hourly price for this room."
    )

    def to_domain(self, room_id: uuid.UUID | None = None) -> Room:
        return Room(
            id=room_id or uuid.uuid4(),
            name=self.name,
            description=self.description,
            capacity=self.capacity,
            hourly_price_minor=self.hourly_price_minor,
        )


class AddOnIn(BaseModel):
    """An extra sold with a booking; its price counts per hour, once per booking, or per item."""

    name: Name
    pricing: AddOnPricing
    price_minor: BoundedMinorUnits
    max_quantity: Annotated[WholeNumber, Field(ge=1, le=MAX_ADD_ON_QUANTITY)] = 1
    required: bool = Field(default=False, description="Part of every booking (a cleaning fee).")

    @model_validator(mode="after")
    def _once_per_booking(self) -> Self:
        if self.pricing is AddOnPricing.PER_BOOKING and self.max_quantity != 1:
            raise ValueError("max_quantity must be 1 for an add-on priced per_booking")
        return self

    def to_domain(self, add_on_id: uuid.UUID | None = None) -> AddOn:
        return AddOn(
            id=add_on_id or uuid.uuid4(),
            name=self.name,
            pricing=self.pricing,
            price_minor=self.price_minor,
            max_quantity=self.max_quantity,
            required=self.required,
        )


class StudioIn(BaseModel):
    """A new studio; it starts as a draft. The slug is made from the name, once."""

    name: Name
    description: Description = ""
    address: Address
    city: City
    country: CountryCode
    latitude: Latitude
    longitude: Longitude
    timezone: IanaTimezone
    currency: CurrencyCode
    hourly_price_minor: BoundedMinorUnits
    minimum_hours: MinimumHours = 1
    maximum_hours: MaximumHours = DEFAULT_MAXIMUM_HOURS
    capacity: StudioCapacity = 1
    amenities: Amenities = []
    photos: Photos = []
    cancellation_policy: CancellationPolicy = CancellationPolicy.MODERATE
    booking_mode: BookingMode = BookingMode.INSTANT
    request_window_hours: RequestWindowHours = 24
    rooms: list[RoomIn] = Field(default=[], max_length=MAX_ROOMS)

    def details(self) -> dict[str, Any]:
        """The studio's own fields, as the domain takes them."""
        return _details(self.model_dump(exclude={"rooms", "photos", "amenities"})) | {
            "amenities": tuple(self.amenities),
            "photos": tuple(photo.to_domain() for photo in self.photos),
        }


class StudioPatch(BaseModel):
    """Changes to a studio; fields left out (or null) stay as they are.

    The version comes in this body or in If-Match; a stale one is answered with 409.
    """

    version: Annotated[WholeNumber, Field(ge=1, le=MAX_VERSION)] | None = None
    name: Name | None = None
    description: Description | None = None
    address: Address | None = None
    city: City | None = None
    country: CountryCode | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    timezone: IanaTimezone | None = None
    currency: CurrencyCode | None = None
    hourly_price_minor: BoundedMinorUnits | None = None
    minimum_hours: MinimumHours | None = None
    maximum_hours: MaximumHours | None = None
    capacity: StudioCapacity | None = None
    amenities: Amenities | None = None
    photos: Photos | None = None
    cancellation_policy: CancellationPolicy | None = None
    booking_mode: BookingMode | None = None
    request_window_hours: RequestWindowHours | None = None

    def changes(self) -> dict[str, Any]:
        given = {
            name: value
            for name, value in self.model_dump(exclude={"version", "photos", "amenities"}).items()
            if value is not None
        }
        changes = _details(given)
        if self.amenities is not None:
            changes["amenities"] = tuple(self.amenities)
        if self.photos is not None:
            changes["photos"] = tuple(photo.to_domain() for photo in self.photos)
        return changes


def _details(values: dict[str, Any]) -> dict[str, Any]:
    if "cancellation_policy" in values:
        values["cancellation_policy"] = CancellationPolicy(values["cancellation_policy"])
    if "booking_mode" in values:
        values["booking_mode"] = BookingMode(values["booking_mode"])
    return values


class Suspension(BaseModel):
    reason: Annotated[PlainText, Field(min_length=1, max_length=1000)]
