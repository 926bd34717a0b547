"""Reading studios: one by id or slug, an owner's, and pages of search results."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from catalog.db import studios as studio_db
from catalog.db.studio_search import StudioHit, search_studios
from catalog.domain import changes as rules
from catalog.domain.search import Cursor, StudioSearch
from catalog.domain.slugs import could_be_slug
from catalog.domain.studios import Actor, Studio, StudioNotFound
from service_runtime.unit_of_work import UnitsOfWork


async def studio_detail(units: UnitsOfWork, key: str, viewer: Actor | None) -> Studio:
    """A studio by id or slug: anyone sees it published; its owner and admins always."""
    try:
        lookup: dict[str, Any] = {"studio_id": uuid.UUID(key)}
    except ValueError:
        if not could_be_slug(key):
            raise StudioNotFound(key) from None
        lookup = {"slug": key}
    async with units.begin() as uow:
        studio = await studio_db.studio_by(uow.session, **lookup)
    if studio is None or not rules.visible_to(studio, viewer):
        raise StudioNotFound(key)
    return studio


async def owner_studios(units: UnitsOfWork, owner_id: uuid.UUID) -> list[Studio]:
    async with units.begin() as uow:
        return await studio_db.studios_of_owner(uow.session, owner_id)


@dataclass(frozen=True)
class SearchPage:
    hits: list[StudioHit]
    next_cursor: str | None


async def search(units: UnitsOfWork, query: StudioSearch) -> SearchPage:
    """One page of published studios matching the search, and the cursor of the next."""
    query = query.checked()
    async with units.begin() as uow:
        hits = await search_studios(uow.session, query)
    if len(hits) <= query.limit:
        return SearchPage(hits, None)
    hits = hits[: query.limit]
    last = hits[-1]
    cursor = Cursor(query.order.value, last.key, last.row.id)
    return SearchPage(hits, cursor.encode())
