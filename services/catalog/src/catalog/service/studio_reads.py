"""Reading studios: one by id or slug, an owner's, and pages of search results."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from catalog.domain import changes as rules
from catalog.domain.search import Cursor, StudioSearch
from catalog.domain.slugs import could_be_slug
from catalog.domain.studios import Actor, Studio, StudioNotFound
from catalog.repositories import CatalogUnits, StudioHit


async def studio_detail(units: CatalogUnits, key: str, viewer: Actor | None) -> Studio:
    """A studio by id or slug: anyone sees it published; its owner and admins always."""
    try:
        lookup: dict[str, Any] = {"studio_id": uuid.UUID(key)}
    except ValueError:
        if not could_be_slug(key):
            raise StudioNotFound(key) from None
        lookup = {"slug": key}
    async with units.begin() as unit:
        studio = await unit.studios.studio_by(**lookup)
    if studio is None or not rules.visible_to(studio, viewer):
        raise StudioNotFound(key)
    return studio


async def owner_studios(units: CatalogUnits, owner_id: uuid.UUID) -> list[Studio]:
    async with units.begin() as unit:
        return await unit.studios.studios_of_owner(owner_id)


@dataclass(frozen=True)
class SearchPage:
    hits: list[StudioHit]
    next_cursor: str | None


async def search(units: CatalogUnits, query: StudioSearch) -> SearchPage:
    """One page of published studios matching the search, and the cursor of the next."""
    query = query.checked()
    if query.free_at is not None:
        query = replace(query, free_at=query.free_at.checked(units.clock()))
    async with units.begin() as unit:
        hits = await unit.search(query)
    if len(hits) <= query.limit:
        return SearchPage(hits, None)
    hits = hits[: query.limit]
    last = hits[-1]
    cursor = Cursor(query.order.value, last.key, last.row.id)
    return SearchPage(hits, cursor.encode())
