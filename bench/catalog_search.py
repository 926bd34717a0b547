"""Catalog search latency on 100,000 published studios: each query shape, and each again with
a free-time filter (a date, a window for the start, a duration) against the same shape without.

Not a test: creates a scratch database, seeds it with catalog's own seeding code (COPY) and a
free-time read model as availability's FreeTimeChanged would leave it (every room's weekly
hours, and their own picture on FREE_TIME_TOUCHED of the dates of the next FREE_TIME_DAYS), runs
the same searches many times through catalog's service layer, prints p50/p99 and the plan of
the radius query, writes bench/results/catalog_search.json, and drops the database.

Then what keeping a publication costs: FreeTimeChanged messages for seeded studios (4 rooms,
20 dated days, one of them changed since the last), each kept by `replace_free_time` in its
own transaction; the CPU ms per message of this thread and of the PostgreSQL backend, against
messages with the weekly hours alone (the floor).

    make bench, or: uv run python bench/catalog_search.py [--studios 100000] [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import psycopg
from sqlalchemy import func, literal_column, select, text

from bench.measuring import percentile, process_cpu_seconds, write_results
from catalog.db.base import outbox
from catalog.db.free_time import replace_free_time
from catalog.db.studio_search import metres_from
from catalog.db.studios import studios as studios_table
from catalog.db.unit import SqlCatalogUnits
from catalog.domain.free_time import date_number, longest_sessions, picture_keys
from catalog.domain.search import FreeAt, Near, SearchSort, StudioSearch
from catalog.seeding.loading import seed
from catalog.seeding.sample_data import CITIES
from catalog.service import studio_reads
from contracts.availability import FreeTimeChanged
from service_runtime.cli import migrations_dir_of
from service_runtime.db import Database
from service_runtime.migrations import upgrade_to_head
from service_runtime.unit_of_work import UnitsOfWork

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WORDS = ("rehearsal", "photo", "podcast", "vocal", "dance", "daylight")
RADIUS_KM = 10.0
FREE_TIME_DAYS = 30
FREE_TIME_TOUCHED = 0.3
"""Share of (studio, date) pairs with a reservation or closure, so exact spans of their own."""


def seed_free_time(url: str, days: int, touched: float) -> int:
    """Every studio's free time as catalog keeps it from availability: each room open from
    08:00-11:00 to 17:00-23:00 (one studio in three closed on Sundays) and, on `touched` of
    the next `days` dates, each room booked for 1-4 hours from noon (one date in ten fully
    booked). Seeded random, so the same in every run; returns how many dates were written."""
    rng = random.Random(11)
    today = date.today()
    now = datetime.now(UTC)
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        rooms: dict[uuid.UUID, list[int]] = {}
        for studio_id, _ in connection.execute("SELECT studio_id, id FROM rooms"):
            rooms.setdefault(studio_id, []).append(rng.randrange(4))
        weeks: dict[uuid.UUID, bytes] = {}
        hours = {}
        for studio_id, openings in rooms.items():
            hours[studio_id] = [
                ((8 + opens) * 60, (17 + rng.randrange(7)) * 60) for opens in openings
            ]
            sundays = rng.randrange(3) > 0
            weeks[studio_id] = b"".join(
                longest_sessions(hours[studio_id] if weekday < 6 or sundays else [])
                for weekday in range(7)
            )
        keys = {studio_id: picture_keys(weekly, 0) for studio_id, weekly in weeks.items()}
        dated = 0
        with connection.cursor() as cursor:
            with cursor.copy("COPY free_time_dates (studio_id, day, longest) FROM STDIN") as copy:
                for studio_id, spans in hours.items():
                    for offset in range(days):
                        if rng.random() >= touched:
                            continue
                        booked = [] if rng.random() < 0.1 else spans
                        free = [
                            part
                            for opens, closes in booked
                            for part in ((opens, 720), (780 + rng.randrange(4) * 60, closes))
                        ]
                        day, longest = today + timedelta(days=offset), longest_sessions(free)
                        copy.write_row((studio_id, day, longest))
                        keys[studio_id] += picture_keys(longest, date_number(day))
                        dated += 1
            columns = "studio_id, computed_at, days_ahead, weekly, time_keys"
            with cursor.copy(f"COPY free_time_weeks ({columns}) FROM STDIN") as copy:
                for studio_id, weekly in weeks.items():
                    copy.write_row((studio_id, now, 180, weekly, sorted(keys[studio_id])))
        connection.execute("ANALYZE free_time_weeks, free_time_dates")
    return dated


def text_and_radius(index: int) -> StudioSearch:
    city = CITIES[index % len(CITIES)]
    return StudioSearch(
        text=WORDS[index % len(WORDS)],
        near=Near(city.latitude, city.longitude, RADIUS_KM),
        sort=SearchSort.DISTANCE,
    )


def text_only(index: int) -> StudioSearch:
    return StudioSearch(text=WORDS[index % len(WORDS)], sort=SearchSort.RELEVANCE)


def radius_only(index: int) -> StudioSearch:
    city = CITIES[index % len(CITIES)]
    return StudioSearch(near=Near(city.latitude, city.longitude, RADIUS_KM))


def no_filter(index: int) -> StudioSearch:
    return StudioSearch()


def free_then(index: int) -> FreeAt:
    """A date of the next two weeks, a two-hour window for the start from 10:00 to 20:00, and
    one to four hours: evenings find fewer studios than mornings."""
    day = date.today() + timedelta(days=index % 14)
    earliest = (10 + index % 6 * 2) * 60
    return FreeAt(day, earliest, earliest + 120, 60 * (1 + index % 4))


def with_free_time(make: Callable[[int], StudioSearch]) -> Callable[[int], StudioSearch]:
    return lambda index: replace(make(index), free_at=free_then(index))


SHAPES: dict[str, Callable[[int], StudioSearch]] = {
    "text + radius (distance)": text_and_radius,
    "text only (relevance)": text_only,
    "radius only (distance)": radius_only,
    "no filter (rating)": no_filter,
}


async def measure(
    units: SqlCatalogUnits, make: Callable[[int], StudioSearch], runs: int
) -> tuple[list[float], float]:
    for index in range(20):  # warm the pool and the caches
        await studio_reads.search(units, make(index))
    samples = []
    found = 0
    for index in range(runs):
        started = time.perf_counter()
        page = await studio_reads.search(units, make(index))
        samples.append((time.perf_counter() - started) * 1000)
        found += len(page.hits)
    return samples, found / runs


def publication(
    studio_id: uuid.UUID, rooms: list[uuid.UUID], n: int, dated: int
) -> FreeTimeChanged:
    """The n-th picture of a studio: each room open 09:00-22:00, and `dated` dates from today
    booked from noon for 1-4 hours; the date `n % dated` booked an hour longer than in the
    picture before."""

    def free_on(offset: int) -> list[dict[str, int]]:
        hours = 1 + (offset + (n if offset == n % dated else 0)) % 4
        return [
            {"start_minute": 540, "end_minute": 720},
            {"start_minute": 720 + 60 * hours, "end_minute": 1320},
        ]

    return FreeTimeChanged.model_validate(
        {
            "studio_id": studio_id,
            "computed_at": datetime.now(UTC),
            "max_advance_days": 180,
            "weekly": [
                {
                    "room_id": room,
                    "weekday": weekday,
                    "spans": [{"start_minute": 540, "end_minute": 1320}],
                }
                for room in rooms
                for weekday in range(7)
            ],
            "days": [
                {
                    "room_id": room,
                    "day": date.today() + timedelta(days=offset),
                    "spans": free_on(offset),
                }
                for room in rooms
                for offset in range(dated)
            ],
        }
    )


async def keeping_cost(database: Database, count: int, dated: int) -> tuple[float, float]:
    """(CPU ms of this thread, of the PostgreSQL backend) per message kept."""
    rooms = [uuid.uuid4() for _ in range(4)]
    async with database.transaction() as session:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
        studio_ids = list(
            (
                await session.execute(text(f"SELECT studio_id FROM free_time_weeks LIMIT {count}"))
            ).scalars()
        )
    for studio_id in studio_ids:  # their first picture of this shape
        async with database.transaction() as session:
            await replace_free_time(session, publication(studio_id, rooms, 0, dated))
    thread, backend = time.thread_time(), process_cpu_seconds(pid)
    for n, studio_id in enumerate(studio_ids, start=1):
        async with database.transaction() as session:
            await replace_free_time(session, publication(studio_id, rooms, n, dated))
    return (
        (time.thread_time() - thread) * 1000 / count,
        (process_cpu_seconds(pid) - backend) * 1000 / count,
    )


async def main(studios: int, runs: int, *, keep: bool = False) -> None:
    name = f"bench_catalog_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    database = Database(url, pool_size=1)  # one backend, whose CPU the keeping measures
    try:
        upgrade_to_head(migrations_dir_of("catalog"), url)
        started = time.perf_counter()
        await seed(database, studios, random_seed=7)
        seeded_in = time.perf_counter() - started
        started = time.perf_counter()
        free_rows = seed_free_time(url, FREE_TIME_DAYS, FREE_TIME_TOUCHED)
        free_time_in = time.perf_counter() - started
        units = SqlCatalogUnits(UnitsOfWork(database, outbox))
        results = {}
        for label, make in SHAPES.items():
            results[label] = await measure(units, make, runs)
            results[f"{label} + free time"] = await measure(units, with_free_time(make), runs)
        async with database.transaction() as session:
            city = CITIES[0]
            # The radius as search_studios tests it, with one word.
            query = select(studios_table.c.id).where(
                studios_table.c.status == "published",
                studios_table.c.search_vector.op("@@")(
                    func.websearch_to_tsquery(literal_column("'english'"), "rehearsal")
                ),
                func.earth_box(
                    func.ll_to_earth(city.latitude, city.longitude), RADIUS_KM * 1000
                ).op("@>")(func.ll_to_earth(studios_table.c.latitude, studios_table.c.longitude)),
                metres_from(city.latitude, city.longitude) <= RADIUS_KM * 1000,
            )
            sql = query.compile(dialect=session.dialect, compile_kwargs={"literal_binds": True})
            plan_lines = [row[0] for row in await session.execute(text(f"EXPLAIN {sql}"))]
        kept = {dated: await keeping_cost(database, runs, dated) for dated in (0, 20)}
    finally:
        await database.dispose()
        if keep:
            print(f"kept the database {name}")
        else:
            with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    print(f"seeded {studios} studios (rooms, photos, outbox events) in {seeded_in:.1f}s")
    print(
        f"and their free time ({FREE_TIME_TOUCHED:.0%} of the next {FREE_TIME_DAYS} days "
        f"touched: {free_rows} dates) in {free_time_in:.1f}s"
    )
    print(
        f"{runs} searches each, page of 20, radius {RADIUS_KM:.0f} km, through studio_reads.search"
    )
    print(f"{'query':<40}{'p50 ms':>10}{'p99 ms':>10}{'hits/page':>11}")
    figures: dict[str, dict[str, float]] = {}
    for label, (samples, hits) in results.items():
        figures[label] = {
            "p50_ms": statistics.median(samples),
            "p99_ms": percentile(samples, 0.99),
            "hits_per_page": hits,
        }
        print(
            f"{label:<40}{figures[label]['p50_ms']:>10.2f}"
            f"{figures[label]['p99_ms']:>10.2f}{hits:>11.1f}"
        )
    print("with free time / without, same shape:")
    for label in SHAPES:
        timed, plain = figures[f"{label} + free time"], figures[label]
        ratios = {f"{p}_ratio": timed[f"{p}_ms"] / plain[f"{p}_ms"] for p in ("p50", "p99")}
        timed.update(ratios)
        print(f"  {label:<38}p50 x{ratios['p50_ratio']:.2f}, p99 x{ratios['p99_ratio']:.2f}")
    combined, _ = results["text + radius (distance)"]
    baseline, _ = results["text only (relevance)"]
    p50_ratio = statistics.median(combined) / statistics.median(baseline)
    p99_ratio = percentile(combined, 0.99) / percentile(baseline, 0.99)
    print(f"text+radius / text only: p50 x{p50_ratio:.2f}, p99 x{p99_ratio:.2f}")
    print("plan of the text + radius query:")
    for line in plan_lines:
        print(f"  {line}")
    (floor_cpu, floor_pg), (kept_cpu, kept_pg) = kept[0], kept[20]

    def times(cost: float, floor: float) -> str:  # a few runs may take less than a clock tick
        return f"x{cost / floor:.1f}" if floor else "x?"

    print(
        f"a FreeTimeChanged kept (4 rooms, 20 dated days, one changed), {runs} times:"
        f" {kept_cpu:.2f} CPU ms here, {kept_pg:.2f} in PostgreSQL; weekly hours alone:"
        f" {floor_cpu:.2f} and {floor_pg:.2f}"
        f" ({times(kept_cpu, floor_cpu)}, {times(kept_pg, floor_pg)})"
    )
    write_results(
        "catalog_search",
        {
            "studios": studios,
            "runs": runs,
            "free_time_dates": free_rows,
            "queries": figures,
            "free_time_kept": {
                "cpu_ms": kept_cpu,
                "postgres_cpu_ms": kept_pg,
                "floor_cpu_ms": floor_cpu,
                "floor_postgres_cpu_ms": floor_pg,
            },
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studios", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database, to EXPLAIN its queries"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.studios, arguments.runs, keep=arguments.keep))
