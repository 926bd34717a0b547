"""Request and response bodies of catalog's API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, HttpUrl

from catalog.db.studio_search import StudioHit
from catalog.domain.amenities import Amenity
from catalog.domain.countries import is_country_code
from catalog.domain.ratings import MAX_RATING, MIN_RATING
from catalog.domain.reviews import Review
from catalog.domain.studios import (
    DEFAULT_MAXIMUM_HOURS,
    MAX_MAXIMUM_HOURS,
    MAX_MINIMUM_HOURS,
    MAX_PHOTOS,
    MAX_ROOM_CAPACITY,
    MAX_ROOMS,
    MAX_STUDIO_CAPACITY,
    MAX_VERSION,
    Photo,
    Room,
    Studio,
    coordinate,
)
from contracts.catalog import StudioStatus
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
MaximumHours = Annotated[
    WholeNumber,
    Field(ge=1, le=MAX_MAXIMUM_HOURS, description="The longest booking taken, in hours."),
]
ReviewText = Annotated[PlainText, Field(max_length=5000)]
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
    return values


class Suspension(BaseModel):
    reason: Annotated[PlainText, Field(min_length=1, max_length=1000)]


class PhotoOut(BaseModel):
    url: str
    caption: str


class RoomOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    capacity: int
    hourly_price_minor: int = Field(description="The room's own price, or the studio's.")
    price_overridden: bool


class RatingOut(BaseModel):
    average: float | None
    count: int


class StudioOut(BaseModel):
    id: uuid.UUID
    slug: str
    owner_id: uuid.UUID
    name: str
    description: str
    address: str
    city: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    currency: str
    hourly_price_minor: int
    minimum_hours: int
    maximum_hours: int
    capacity: int
    amenities: list[Amenity]
    photos: list[PhotoOut]
    cancellation_policy: CancellationPolicy
    status: StudioStatus
    suspension_reason: str | None
    rooms: list[RoomOut]
    rating: RatingOut
    version: int

    @classmethod
    def of(cls, studio: Studio) -> StudioOut:
        return cls(
            id=studio.id,
            slug=studio.slug,
            owner_id=studio.owner_id,
            name=studio.name,
            description=studio.description,
            address=studio.address,
            city=studio.city,
            country=studio.country,
            latitude=studio.latitude,
            longitude=studio.longitude,
            timezone=studio.timezone,
            currency=studio.currency,
            hourly_price_minor=studio.hourly_price_minor,
            minimum_hours=studio.minimum_hours,
            maximum_hours=studio.maximum_hours,
            capacity=studio.capacity,
            amenities=list(studio.amenities),
            photos=[PhotoOut(url=p.url, caption=p.caption) for p in studio.photos],
            cancellation_policy=studio.cancellation_policy,
            status=studio.status,
            suspension_reason=studio.suspension_reason,
            rooms=[
                RoomOut(
                    id=room.id,
                    name=room.name,
                    description=room.description,
                    capacity=room.capacity,
                    hourly_price_minor=(
                        studio.hourly_price_minor
                        if room.hourly_price_minor is None
                        else room.hourly_price_minor
                    ),
                    price_overridden=room.hourly_price_minor is not None,
                )
                for room in studio.rooms
            ],
            rating=RatingOut(average=studio.rating.average, count=studio.rating.count),
            version=studio.version,
        )


class StudioSummary(BaseModel):
    """A search result: enough to list the studio and link to it."""

    id: uuid.UUID
    slug: str
    name: str
    city: str
    country: str
    latitude: float
    longitude: float
    currency: str
    hourly_price_minor: int
    capacity: int
    amenities: list[Amenity]
    rating: RatingOut
    distance_km: float | None = None
    photo_url: str | None = Field(default=None, description="The studio's first photo.")

    @classmethod
    def of(cls, hit: StudioHit) -> StudioSummary:
        row = hit.row
        average = float(row.rating_average) if row.rating_average is not None else None
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            city=row.city,
            country=row.country,
            latitude=row.latitude,
            longitude=row.longitude,
            currency=row.currency,
            hourly_price_minor=row.hourly_price_minor,
            capacity=row.capacity,
            amenities=[Amenity(value) for value in row.amenities],
            rating=RatingOut(average=average, count=row.rating_count),
            distance_km=round(hit.distance_km, 3) if hit.distance_km is not None else None,
            photo_url=row.photo_url,
        )


class SearchPageOut(BaseModel):
    items: list[StudioSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class ReviewIn(BaseModel):
    booking_id: uuid.UUID
    rating: Annotated[WholeNumber, Field(ge=MIN_RATING, le=MAX_RATING)]
    text: ReviewText = ""


class AnswerIn(BaseModel):
    text: Annotated[ReviewText, Field(min_length=1)]


class ReviewOut(BaseModel):
    id: uuid.UUID
    studio_id: uuid.UUID
    booking_id: uuid.UUID
    booker_id: uuid.UUID
    rating: int
    text: str
    created_at: datetime
    answer: str | None
    answered_at: datetime | None
    reviewer_name: str | None = Field(
        description=(
            "The booker's name as identity last announced it; null until it has; "
            '"deleted user" once the booker deleted their account.'
        )
    )

    @classmethod
    def of(cls, review: Review) -> ReviewOut:
        return cls(
            id=review.id,
            studio_id=review.studio_id,
            booking_id=review.booking_id,
            booker_id=review.booker_id,
            rating=review.rating,
            text=review.text,
            created_at=review.created_at,
            answer=review.answer,
            answered_at=review.answered_at,
            reviewer_name=review.reviewer_name,
        )


class ReviewPageOut(BaseModel):
    items: list[ReviewOut]
    next_cursor: str | None
