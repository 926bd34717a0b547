"""A studio as rows of the studios, rooms and studio_photos tables (its add-ons a JSON list in
its row), and back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from catalog.domain.amenities import Amenity
from catalog.domain.ratings import RatingSummary
from catalog.domain.studios import AddOn, Photo, Room, Studio
from contracts.catalog import AddOnPricing, BookingMode, StudioStatus
from contracts.values import CancellationPolicy


def studio_values(studio: Studio) -> dict[str, Any]:
    """The studios row of a studio (without its rooms and photos)."""
    return {
        "id": studio.id,
        "owner_id": studio.owner_id,
        "slug": studio.slug,
        "name": studio.name,
        "description": studio.description,
        "address": studio.address,
        "city": studio.city,
        "country": studio.country,
        "latitude": studio.latitude,
        "longitude": studio.longitude,
        "timezone": studio.timezone,
        "currency": studio.currency,
        "hourly_price_minor": studio.hourly_price_minor,
        "minimum_hours": studio.minimum_hours,
        "maximum_hours": studio.maximum_hours,
        "capacity": studio.capacity,
        "amenities": [amenity.value for amenity in studio.amenities],
        "add_ons": [add_on_json(add_on) for add_on in studio.add_ons],
        "cancellation_policy": studio.cancellation_policy.value,
        "booking_mode": studio.booking_mode.value,
        "request_window_hours": studio.request_window_hours,
        "status": studio.status.value,
        "suspended_from": studio.suspended_from.value if studio.suspended_from else None,
        "suspension_reason": studio.suspension_reason,
        "version": studio.version,
        "rating_total": studio.rating.total,
        "rating_count": studio.rating.count,
        "rating_average": studio.rating.average,
    }


def add_on_json(add_on: AddOn) -> dict[str, Any]:
    return {
        "id": str(add_on.id),
        "name": add_on.name,
        "pricing": add_on.pricing.value,
        "price_minor": add_on.price_minor,
        "max_quantity": add_on.max_quantity,
        "required": add_on.required,
    }


def add_on_of(data: dict[str, Any]) -> AddOn:
    return AddOn(
        id=uuid.UUID(data["id"]),
        name=data["name"],
        pricing=AddOnPricing(data["pricing"]),
        price_minor=data["price_minor"],
        max_quantity=data["max_quantity"],
        required=data["required"],
    )


def room_values(studio_id: uuid.UUID, position: int, room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "studio_id": studio_id,
        "position": position,
        "name": room.name,
        "description": room.description,
        "capacity": room.capacity,
        "hourly_price_minor": room.hourly_price_minor,
    }


def photo_values(studio_id: uuid.UUID, position: int, photo: Photo) -> dict[str, Any]:
    return {
        "studio_id": studio_id,
        "position": position,
        "url": photo.url,
        "caption": photo.caption,
    }


def studio_of(row: Any, room_rows: Sequence[Any] = (), photo_rows: Sequence[Any] = ()) -> Studio:
    return Studio(
        id=row.id,
        owner_id=row.owner_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        address=row.address,
        city=row.city,
        country=row.country,
        latitude=row.latitude,
        longitude=row.longitude,
        timezone=row.timezone,
        currency=row.currency,
        hourly_price_minor=row.hourly_price_minor,
        minimum_hours=row.minimum_hours,
        maximum_hours=row.maximum_hours,
        capacity=row.capacity,
        amenities=tuple(Amenity(value) for value in row.amenities),
        photos=tuple(Photo(url=p.url, caption=p.caption) for p in photo_rows),
        cancellation_policy=CancellationPolicy(row.cancellation_policy),
        booking_mode=BookingMode(row.booking_mode),
        request_window_hours=row.request_window_hours,
        status=StudioStatus(row.status),
        rooms=tuple(
            Room(
                id=r.id,
                name=r.name,
                capacity=r.capacity,
                hourly_price_minor=r.hourly_price_minor,
                description=r.description,
            )
            for r in room_rows
        ),
        add_ons=tuple(add_on_of(data) for data in row.add_ons),
        version=row.version,
        rating=RatingSummary(total=row.rating_total, count=row.rating_count),
        suspended_from=StudioStatus(row.suspended_from) if row.suspended_from else None,
        suspension_reason=row.suspension_reason,
    )
