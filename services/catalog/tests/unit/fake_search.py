"""Search over the in-memory studios, by price only: enough to page through results as the
SQL search does (published studios, `limit + 1` rows after the cursor's (key, id)). Words,
places, filters, free time and the other orders are PostgreSQL's: tests/integration runs them."""

from __future__ import annotations

import uuid
from dataclasses import replace

from catalog.domain.search import SearchSort, StudioSearch
from catalog.domain.studios import Studio
from catalog.repositories import StudioHit
from contracts.catalog import StudioStatus

_BY_PRICE = (SearchSort.PRICE, SearchSort.PRICE_DESC)


class FakeSearch:
    def __init__(self, studios: dict[uuid.UUID, Studio]) -> None:
        self._studios = studios

    async def __call__(self, search: StudioSearch) -> list[StudioHit]:
        paging = replace(StudioSearch(), sort=search.sort, limit=search.limit, cursor=search.cursor)
        if search != paging or search.order not in _BY_PRICE:
            raise NotImplementedError("only paging by price is faked; the rest is SQL's")
        sign = -1 if search.order is SearchSort.PRICE_DESC else 1
        published = [s for s in self._studios.values() if s.status is StudioStatus.PUBLISHED]
        ordered = sorted(published, key=lambda s: (sign * s.hourly_price_minor, s.id))
        if search.cursor is not None:
            after = (sign * search.cursor.key, search.cursor.last_id)
            ordered = [s for s in ordered if (sign * s.hourly_price_minor, s.id) > after]
        return [StudioHit(row=s, distance_km=None, key=s.hourly_price_minor) for s in ordered][
            : search.limit + 1
        ]
