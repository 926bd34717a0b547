"""Catalog search latency on 100,000 published studios: text + radius, against text alone.

Not a test: creates a scratch database, seeds it with catalog's own seeding code (COPY), runs
the same searches many times through catalog's service layer, prints p50/p99 and the plan of
the radius query, and drops the database.

    make bench, or: uv run python bench/catalog_search.py [--studios 100000] [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Callable

import psycopg
from sqlalchemy import text

from bench.measuring import percentile
from catalog.db.base import outbox
from catalog.db.unit import SqlCatalogUnits
from catalog.domain.search import Near, SearchSort, StudioSearch
from catalog.seeding.loading import seed
from catalog.seeding.sample_data import CITIES
from catalog.service import studio_reads
from service_runtime.cli import migrations_dir_of
from service_runtime.db import Database
from service_runtime.migrations import upgrade_to_head
from service_runtime.unit_of_work import UnitsOfWork

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WORDS = ("rehearsal", "photo", "podcast", "vocal", "dance", "daylight")
RADIUS_KM = 10.0


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


async def main(studios: int, runs: int) -> None:
    name = f"bench_catalog_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    database = Database(url, pool_size=2)
    try:
        upgrade_to_head(migrations_dir_of("catalog"), url)
        started = time.perf_counter()
        await seed(database, studios, random_seed=7)
        seeded_in = time.perf_counter() - started
        units = SqlCatalogUnits(UnitsOfWork(database, outbox))
        results = {
            "text + radius (distance)": await measure(units, text_and_radius, runs),
            "text only (relevance)": await measure(units, text_only, runs),
            "radius only (distance)": await measure(units, radius_only, runs),
        }
        async with database.transaction() as session:
            city = CITIES[0]
            plan = await session.execute(
                text(
                    "EXPLAIN SELECT id FROM studios WHERE status = 'published' "
                    "AND search_vector @@ websearch_to_tsquery('english', 'rehearsal') "
                    "AND earth_box(ll_to_earth(:lat, :lng), :r) "
                    "@> ll_to_earth(latitude, longitude) "
                    "AND earth_distance(ll_to_earth(:lat, :lng), ll_to_earth(latitude, longitude))"
                    " <= :r"
                ),
                {"lat": city.latitude, "lng": city.longitude, "r": RADIUS_KM * 1000},
            )
            plan_lines = [row[0] for row in plan]
    finally:
        await database.dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    print(f"seeded {studios} studios (rooms, photos, outbox events) in {seeded_in:.1f}s")
    print(
        f"{runs} searches each, page of 20, radius {RADIUS_KM:.0f} km, through studio_reads.search"
    )
    print(f"{'query':<28}{'p50 ms':>10}{'p99 ms':>10}{'hits/page':>11}")
    for label, (samples, hits) in results.items():
        print(
            f"{label:<28}{statistics.median(samples):>10.2f}"
            f"{percentile(samples, 0.99):>10.2f}{hits:>11.1f}"
        )
    combined, _ = results["text + radius (distance)"]
    baseline, _ = results["text only (relevance)"]
    p50_ratio = statistics.median(combined) / statistics.median(baseline)
    p99_ratio = percentile(combined, 0.99) / percentile(baseline, 0.99)
    print(f"text+radius / text only: p50 x{p50_ratio:.2f}, p99 x{p99_ratio:.2f}")
    print("plan of the text + radius query:")
    for line in plan_lines:
        print(f"  {line}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--studios", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.studios, arguments.runs))
