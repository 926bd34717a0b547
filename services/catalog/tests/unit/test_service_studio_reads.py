"""Reading studios on in-memory fakes: by id or slug as the viewer may see them, an owner's own,
and search pages that follow each other by cursor."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from catalog.domain.search import Cursor, FreeAt, InvalidSearch, SearchSort, StudioSearch
from catalog.domain.studios import StudioNotFound
from catalog.service import studio_changes, studio_reads

from .fakes import FakeCatalogUnits
from .service_world import NOW, admin, draft, owner, published


async def test_a_published_studio_is_seen_by_anyone_by_id_or_slug(
    units: FakeCatalogUnits,
) -> None:
    studio = await published(units, owner())

    by_id = await studio_reads.studio_detail(units, str(studio.id), None)
    by_slug = await studio_reads.studio_detail(units, studio.slug, None)

    assert by_id == by_slug == units.tables.studios[studio.id]


async def test_a_draft_is_seen_only_by_its_owner_and_admins(units: FakeCatalogUnits) -> None:
    me = owner()
    studio = await draft(units, me)

    for stranger in (None, owner()):
        with pytest.raises(StudioNotFound):
            await studio_reads.studio_detail(units, studio.slug, stranger)
    seen = [await studio_reads.studio_detail(units, str(studio.id), v) for v in (me, admin())]

    assert [s.id for s in seen] == [studio.id, studio.id]


async def test_a_key_neither_id_nor_slug_shaped_is_not_found(units: FakeCatalogUnits) -> None:
    await published(units, owner())

    for key in ("Echo Room", "echo-room-", "../studios", str(uuid.uuid4())):
        with pytest.raises(StudioNotFound):
            await studio_reads.studio_detail(units, key, None)


async def test_an_owner_lists_their_own_studios_newest_first_in_any_status(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    first = await published(units, me)
    await published(units, owner())
    second = await draft(units, me, name="Second Room")
    await studio_changes.unlist(units, me, first.id, expected_version=None)

    mine = await studio_reads.owner_studios(units, me.user_id)

    assert [(s.id, s.status.value) for s in mine] == [
        (second.id, "draft"),
        (first.id, "unlisted"),
    ]


async def test_search_pages_follow_each_other_and_show_only_published_studios(
    units: FakeCatalogUnits,
) -> None:
    me = owner()
    prices = [6000, 3000, 4500, 3000]
    shown = [await published(units, me, hourly_price_minor=price) for price in prices]
    await draft(units, me, hourly_price_minor=1000)

    page = await studio_reads.search(units, StudioSearch(sort=SearchSort.PRICE, limit=3))
    rest = await studio_reads.search(
        units,
        StudioSearch(sort=SearchSort.PRICE, limit=3, cursor=Cursor.decode(page.next_cursor or "")),
    )

    found = [hit.row.id for hit in page.hits + rest.hits]
    cheap_ones = sorted(s.id for s in shown if s.hourly_price_minor == 3000)
    assert found == [*cheap_ones, shown[2].id, shown[0].id]
    assert [hit.key for hit in page.hits] == [3000, 3000, 4500]
    assert rest.next_cursor is None


async def test_a_search_that_cannot_run_is_refused_before_reading(
    units: FakeCatalogUnits,
) -> None:
    yesterday_but_one = (NOW - timedelta(days=2)).date()
    past = FreeAt(day=yesterday_but_one, earliest=600, latest=720, minutes=60)
    price_cursor = Cursor(SearchSort.PRICE.value, 3000, uuid.uuid4())

    for search, parameter in (
        (StudioSearch(free_at=past), "date"),
        (StudioSearch(sort=SearchSort.RELEVANCE), "sort"),
        (StudioSearch(sort=SearchSort.RATING, cursor=price_cursor), "cursor"),
        (StudioSearch(limit=0), "limit"),
    ):
        with pytest.raises(InvalidSearch, match=parameter):
            await studio_reads.search(units, search)

    assert units.outbox.commits == 0
