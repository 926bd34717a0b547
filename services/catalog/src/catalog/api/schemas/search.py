"""Bodies of the search: a page of studio summaries."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from catalog.api.schemas.studio_views import RatingOut
from catalog.domain.amenities import Amenity
from catalog.repositories import StudioHit


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
