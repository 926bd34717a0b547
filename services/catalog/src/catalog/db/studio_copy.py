"""Bulk loading of studios with COPY, for demo and benchmark data (`catalog.seeding`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from catalog.domain.studios import Studio

STUDIO_COLUMNS = (
    "id, owner_id, slug, name, description, address, city, country, latitude, longitude, "
    "timezone, currency, hourly_price_minor, minimum_hours, capacity, amenities, "
    "cancellation_policy, status, version"
)


def _studio_row(studio: Studio) -> tuple[Any, ...]:
    return (
        studio.id, studio.owner_id, studio.slug, studio.name, studio.description, studio.address,
        studio.city, studio.country, studio.latitude, studio.longitude, studio.timezone,
        studio.currency, studio.hourly_price_minor, studio.minimum_hours, studio.capacity,
        [amenity.value for amenity in studio.amenities], studio.cancellation_policy.value,
        studio.status.value, studio.version,
    )  # fmt: skip


async def copy_studios(session: AsyncConnection, studios: list[Studio]) -> None:
    """Add the studios with their rooms and photos, in the caller's transaction."""
    raw = (await session.get_raw_connection()).driver_connection
    assert raw is not None
    async with raw.cursor() as cursor:
        async with cursor.copy(f"COPY studios ({STUDIO_COLUMNS}) FROM STDIN") as copy:
            for studio in studios:
                await copy.write_row(_studio_row(studio))
        columns = "id, studio_id, position, name, description, capacity, hourly_price_minor"
        async with cursor.copy(f"COPY rooms ({columns}) FROM STDIN") as copy:
            for studio in studios:
                for position, room in enumerate(studio.rooms):
                    await copy.write_row(
                        (room.id, studio.id, position, room.name, room.description,
                         room.capacity, room.hourly_price_minor)
                    )  # fmt: skip
        columns = "studio_id, position, url, caption"
        async with cursor.copy(f"COPY studio_photos ({columns}) FROM STDIN") as copy:
            for studio in studios:
                for position, photo in enumerate(studio.photos):
                    await copy.write_row((studio.id, position, photo.url, photo.caption))


async def analyze_studios(session: AsyncConnection) -> None:
    """Refresh the planner's statistics after a bulk load, so searches use the indexes."""
    await session.execute(text("ANALYZE studios"))
