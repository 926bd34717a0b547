"""A studio as served: its details, rooms, add-ons, photos and rating, for owners and the public."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from catalog.domain.amenities import Amenity
from catalog.domain.studios import AddOn, Studio
from contracts.catalog import AddOnPricing, BookingMode, StudioStatus
from contracts.values import CancellationPolicy


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


class AddOnOut(BaseModel):
    id: uuid.UUID
    name: str
    pricing: AddOnPricing
    price_minor: int
    max_quantity: int
    required: bool

    @classmethod
    def of(cls, add_on: AddOn) -> AddOnOut:
        return cls(
            id=add_on.id,
            name=add_on.name,
            pricing=add_on.pricing,
            price_minor=add_on.price_minor,
            max_quantity=add_on.max_quantity,
            required=add_on.required,
        )


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
    booking_mode: BookingMode
    request_window_hours: int
    status: StudioStatus
    suspension_reason: str | None
    rooms: list[RoomOut]
    add_ons: list[AddOnOut]
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
            booking_mode=studio.booking_mode,
            request_window_hours=studio.request_window_hours,
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
            add_ons=[AddOnOut.of(add_on) for add_on in studio.add_ons],
            rating=RatingOut(average=studio.rating.average, count=studio.rating.count),
            version=studio.version,
        )
