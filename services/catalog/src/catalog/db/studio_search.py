"""The search over published studios: full text, distance, filters, keyset pagination.

Every part is index-backed: the text match by the GIN index on the generated tsvector, the
radius by the GiST index on ll_to_earth(latitude, longitude) through `earth_box @>` (a cube
around the point, then the exact great-circle distance, `metres_from`), amenities by the GIN
index on the array. Each order ends with the studio id, so a page boundary is one (key, id) pair.

Nearest first walks the location index in distance order (a GiST k-nearest-neighbour scan on the
`<->` distance between the points, which orders as the great-circle distance does) and stops
after a page and some more, instead of measuring and sorting every studio in the radius. Only
the (distance, id) order of what it read is then exact: when studios at the very distance where
the page ends continue past what was read, the page is read again with the full sort.

Most relevant first ranks only the best rated matches (`RELEVANCE_CANDIDATES`, read from the
rating index, or from the text index and sorted when the words are rare) and reads the page
from those: a common word matches a fifth of all studios, and ranking each of them read and
scored the whole table for every page. With a free time, the candidates are free ones.

A free time joins each studio to its week (catalog.db.free_time): its keys' overlap with the
time asked, from their GIN index or per studio walked, then the exact test on the pictures.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from catalog.db.free_time import free_at, may_be_free, with_weeks
from catalog.db.studios import studio_photos, studios
from catalog.domain.search import RELEVANCE_CANDIDATES, SearchSort, StudioSearch
from catalog.repositories import StudioHit
from contracts.catalog import StudioStatus

_DESCENDING = frozenset({SearchSort.RELEVANCE, SearchSort.PRICE_DESC, SearchSort.RATING})
NEAREST_MARGIN = 20
"""How many studios past a page the nearest-first scan reads, so that studios at the same
distance as the page's last (one address, several studios) still come in id order."""


def _earth_point(latitude: float, longitude: float) -> ColumnElement[Any]:
    return func.ll_to_earth(literal(latitude, Float), literal(longitude, Float))


def _studio_point() -> ColumnElement[Any]:
    return func.ll_to_earth(studios.c.latitude, studios.c.longitude)


def metres_from(latitude: float, longitude: float) -> ColumnElement[float]:
    """Each studio's great-circle distance from the point, in metres: what
    `earth_distance(ll_to_earth(...), ll_to_earth(...))` measures, on the same sphere (`earth()`,
    as `earth_box` uses), by the haversine in plain float arithmetic.

    `earth_distance` and `ll_to_earth` are SQL functions over cube's, which PostgreSQL runs
    through its SQL-function executor for every row: ~7 us a studio, 21 of the 41 ms of a
    radius search with a free time few studios have (every studio in the radius tested). The
    haversine costs ~0.6 us and agrees to within a micrometre.
    """

    def sine_squared(degrees: ColumnElement[float]) -> ColumnElement[float]:
        return func.power(func.sin(func.radians(degrees, type_=Float) * 0.5, type_=Float), 2)

    haversine = sine_squared(studios.c.latitude - latitude) + literal(
        math.cos(math.radians(latitude)), Float
    ) * func.cos(func.radians(studios.c.latitude, type_=Float)) * sine_squared(
        studios.c.longitude - longitude
    )
    return 2 * func.earth() * func.asin(func.least(literal(1.0, Float), func.sqrt(haversine)))


async def search_studios(
    session: AsyncConnection, search: StudioSearch, *, candidates: int = RELEVANCE_CANDIDATES
) -> list[StudioHit]:
    """Up to `search.limit + 1` published studios after the cursor (one more shows a next page);
    by relevance, from the `candidates` best rated matches only."""
    conditions: list[ColumnElement[bool]] = [studios.c.status == StudioStatus.PUBLISHED.value]
    distance: ColumnElement[Any] | None = None
    rank: ColumnElement[Any] | None = None
    if search.text:
        query = func.websearch_to_tsquery("english", search.text)
        conditions.append(studios.c.search_vector.op("@@")(query))
        rank = func.ts_rank_cd(studios.c.search_vector, query).cast(Float)
    if search.near:
        centre = _earth_point(search.near.latitude, search.near.longitude)
        radius_m = search.near.radius_km * 1000.0
        conditions.append(func.earth_box(centre, radius_m).op("@>")(_studio_point()))
        distance = metres_from(search.near.latitude, search.near.longitude)
        conditions.append(distance <= radius_m)
    conditions.extend(_filters(search))

    key = _sort_key(search.order, rank=rank, distance=distance)
    source: FromClause = studios
    if search.free_at is not None:
        source = with_weeks(studios)
        conditions += [may_be_free(search.free_at), free_at(search.free_at)]
    if search.order is SearchSort.RELEVANCE:
        # The same candidates on every page. They are free at the time asked, so no free
        # match is lost; a time few studios have free is found from the keys' index.
        conditions = [studios.c.id.in_(_best_rated(source, conditions, candidates))]
        source = studios
    if search.cursor is not None:
        after = key < search.cursor.key if search.order in _DESCENDING else key > search.cursor.key
        conditions.append(
            or_(after, and_(key == search.cursor.key, studios.c.id > search.cursor.last_id))
        )
    columns: list[Any] = [studios, key.label("sort_key"), _first_photo().label("photo_url")]
    if distance is not None:
        columns.append(distance.label("distance_m"))
    wanted = search.limit + 1
    await _plan_for(session, search)
    rows: list[Any] | None = None
    if search.order is SearchSort.DISTANCE and search.near is not None:
        centre = _earth_point(search.near.latitude, search.near.longitude)
        statement = select(*columns).select_from(source).where(*conditions)
        rows = await _nearest_first(session, statement, centre, wanted)
    if rows is None:
        statement = (
            select(*columns)
            .select_from(source)
            .where(*conditions)
            .order_by(key.desc() if search.order in _DESCENDING else key.asc(), studios.c.id)
            .limit(wanted)
        )
        rows = list((await session.execute(statement)).all())
    return [
        StudioHit(
            row=row,
            distance_km=row.distance_m / 1000.0 if distance is not None else None,
            key=row.sort_key,
        )
        for row in rows
    ]


async def _nearest_first(
    session: AsyncConnection, statement: Select[Any], centre: ColumnElement[Any], wanted: int
) -> list[Any] | None:
    """The first `wanted` rows by (distance, id) from an index scan in distance order, or None
    when studios at the last one's distance may go on past what was read."""
    read = wanted + NEAREST_MARGIN
    nearest = statement.order_by(_studio_point().op("<->")(centre)).limit(read)
    rows = sorted((await session.execute(nearest)).all(), key=lambda r: (r.sort_key, r.id))
    if len(rows) < read or len(rows) <= wanted or rows[-1].sort_key > rows[wanted - 1].sort_key:
        return rows[:wanted]
    return None


# The planner settings of a search's transaction, in one round trip:
# - plan_cache_mode: a plan for these very words and this very point. psycopg prepares a
#   statement run five times, and PostgreSQL's generic plan for it, blind to how common the
#   words are, read every match of a common word to pick the candidates (x3 the time).
# - max_parallel_workers_per_gather: one process per search. Concurrent searches already use
#   the cores, and a gather's workers cost more than they save here: the relevance search with
#   a free time read its candidates in parallel at 53 ms, in one process at 28 ms.
# - enable_seqscan, with a free time: the planner prices the keys' overlap like any operator,
#   so it would read every week row to test it (~0.5 s) where the keys' index or the studios'
#   order costs a few ms.
# - enable_hashjoin and enable_mergejoin, for a relevance search's candidates with a free time:
#   it hash-joined every match of a common word with every week row whose keys overlap, ~60,000
#   wide rows read for a rare evening; probing the matches' weeks instead took its p99 from 246
#   to 100 ms. A merge join read and sorted every match of the word (20,000 rows, 33-45 ms) even
#   when the keys' index found no week free then; a nested loop from those weeks takes 0.7 ms.
# (bench/catalog_search.py, 100,000 studios.)
_PLAN_SETTINGS = text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
    " set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('enable_seqscan', :seqscan, true),"
    " set_config('enable_hashjoin', :joins, true),"
    " set_config('enable_mergejoin', :joins, true)"
)


async def _plan_for(session: AsyncConnection, search: StudioSearch) -> None:
    free = search.free_at is not None
    relevance = search.order is SearchSort.RELEVANCE
    await session.execute(
        _PLAN_SETTINGS,
        {
            "seqscan": "off" if free else "on",
            "joins": "off" if free and relevance else "on",
        },
    )


def _best_rated(
    source: FromClause, conditions: list[ColumnElement[bool]], candidates: int
) -> Select[Any]:
    """The ids of the `candidates` best rated studios (of `source`) that meet the conditions."""
    rating = _sort_key(SearchSort.RATING, rank=None, distance=None)
    return (
        select(studios.c.id)
        .select_from(source)
        .where(*conditions)
        .order_by(rating.desc(), studios.c.id)
        .limit(candidates)
        .correlate(None)  # its own studios, not the ranking query's
    )


def _first_photo() -> ColumnElement[Any]:
    """The url of the studio's first photo (by the photos' primary key: one index probe)."""
    return (
        select(studio_photos.c.url)
        .where(studio_photos.c.studio_id == studios.c.id)
        .order_by(studio_photos.c.position)
        .limit(1)
        .scalar_subquery()
    )


def _filters(search: StudioSearch) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if search.city:
        conditions.append(func.lower(studios.c.city) == search.city.strip().lower())
    if search.currency:
        conditions.append(studios.c.currency == search.currency)
    if search.min_price_minor is not None:
        conditions.append(studios.c.hourly_price_minor >= search.min_price_minor)
    if search.max_price_minor is not None:
        conditions.append(studios.c.hourly_price_minor <= search.max_price_minor)
    if search.min_capacity is not None:
        conditions.append(studios.c.capacity >= search.min_capacity)
    if search.amenities:
        wanted = sorted(amenity.value for amenity in search.amenities)
        conditions.append(studios.c.amenities.contains(wanted))
    if search.min_rating is not None:
        conditions.append(studios.c.rating_average >= search.min_rating)
    return conditions


def _sort_key(
    order: SearchSort, *, rank: ColumnElement[Any] | None, distance: ColumnElement[Any] | None
) -> ColumnElement[Any]:
    if order is SearchSort.RELEVANCE:
        assert rank is not None
        return rank
    if order is SearchSort.DISTANCE:
        assert distance is not None
        return distance
    if order is SearchSort.RATING:
        # As the index studios_published_rating reads it: a bound 0 would not match it.
        return func.coalesce(studios.c.rating_average, literal_column("0")).cast(Float)
    return studios.c.hourly_price_minor
