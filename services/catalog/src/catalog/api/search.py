"""Search over published studios, and a studio's public page."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Query, Response

from catalog.api.deps import CatalogUnitsDep, SettingsDep, ViewerDep
from catalog.api.schemas.search import SearchPageOut, StudioSummary
from catalog.api.schemas.studio_views import StudioOut
from catalog.domain.amenities import Amenity
from catalog.domain.free_time import SLOT_MINUTES
from catalog.domain.search import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    MINUTES_IN_DAY,
    Cursor,
    FreeAt,
    InvalidSearch,
    Near,
    SearchSort,
    StudioSearch,
)
from catalog.domain.studios import MAX_STUDIO_CAPACITY, coordinate
from catalog.service import studio_reads
from contracts.values import MAX_MINOR_UNITS, PlainText

router = APIRouter(tags=["search"])


@router.get("/api/studios")
async def search_studios(
    units: CatalogUnitsDep,
    settings: SettingsDep,
    q: Annotated[PlainText | None, Query(max_length=200, description="Words to find")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float | None, Query(ge=MIN_RADIUS_KM, le=MAX_RADIUS_KM)] = None,
    city: Annotated[PlainText | None, Query(max_length=100)] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    min_price_minor: Annotated[int | None, Query(ge=0, le=MAX_MINOR_UNITS)] = None,
    max_price_minor: Annotated[int | None, Query(ge=0, le=MAX_MINOR_UNITS)] = None,
    min_capacity: Annotated[int | None, Query(ge=1, le=MAX_STUDIO_CAPACITY)] = None,
    amenities: Annotated[
        list[Amenity] | None, Query(max_length=len(Amenity), description="All of these")
    ] = None,
    min_rating: Annotated[float | None, Query(ge=1, le=5)] = None,
    date: Annotated[
        date | None, Query(description="Only studios with a room free on this local date")
    ] = None,
    start_from: Annotated[
        time | None,
        Query(description="Earliest start (local, default 00:00; starts are on the half hour)"),
    ] = None,
    start_until: Annotated[
        time | None, Query(description="Latest start of the session (local, default 23:59)")
    ] = None,
    duration_minutes: Annotated[
        int | None,
        Query(
            ge=SLOT_MINUTES,
            le=MINUTES_IN_DAY,
            multiple_of=SLOT_MINUTES,
            description="How long, in half hours (default 60)",
        ),
    ] = None,
    sort: SearchSort | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> SearchPageOut:
    if (lat is None) != (lng is None):
        raise InvalidSearch("lat, lng: give both or neither")
    if date is None and any(v is not None for v in (start_from, start_until, duration_minutes)):
        raise InvalidSearch("date: needed with start_from, start_until and duration_minutes")
    near = (
        Near(coordinate(lat), coordinate(lng), radius_km or settings.default_radius_km)
        if lat is not None and lng is not None
        else None
    )
    page = await studio_reads.search(
        units,
        StudioSearch(
            text=q.strip() if q and q.strip() else None,
            near=near,
            city=city,
            currency=currency,
            min_price_minor=min_price_minor,
            max_price_minor=max_price_minor,
            min_capacity=min_capacity,
            amenities=frozenset(amenities or ()),
            min_rating=min_rating,
            free_at=_free_at(date, start_from, start_until, duration_minutes),
            sort=sort,
            limit=limit,
            cursor=Cursor.decode(cursor) if cursor else None,
        ),
    )
    return SearchPageOut(
        items=[StudioSummary.of(hit) for hit in page.hits], next_cursor=page.next_cursor
    )


def _free_at(
    day: date | None, start_from: time | None, start_until: time | None, minutes: int | None
) -> FreeAt | None:
    if day is None:
        return None

    def minute_of(wall: time | None, default: int) -> int:
        return default if wall is None else wall.hour * 60 + wall.minute

    return FreeAt(
        day=day,
        earliest=minute_of(start_from, 0),
        latest=minute_of(start_until, MINUTES_IN_DAY - 1),
        minutes=minutes or 60,
    )


@router.get("/api/studios/{id_or_slug}")
async def studio_detail(
    id_or_slug: str, units: CatalogUnitsDep, viewer: ViewerDep, response: Response
) -> StudioOut:
    """A published studio for anyone; drafts, unlisted and suspended ones for owner and admins."""
    studio = await studio_reads.studio_detail(units, id_or_slug, viewer)
    response.headers["ETag"] = f'"{studio.version}"'
    return StudioOut.of(studio)
