"""Bookings confirmed per second end to end, with POST /api/bookings and pay-to-confirmed latency.

Not a test. Starts the whole system (five services, the Stripe stand-in, the gateway) on
scratch databases and a bus namespace of its own, then at 1, 8 and 32 concurrent bookers each
books a room of its own (no collisions), confirms the card at the stand-in and polls until the
booking is confirmed. Ratios are against the single-booker run measured in the same process.
Every 5xx any call answered is counted and printed: there should be none.

    make bench, or: PYTHONPATH=. uv run python bench/booking_throughput.py
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5499/postgres  another server (e.g. one
    with max_connections = 100, as in CI)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from scripts.client import Account, Studio, StudiosClient, whole_hour
from scripts.scratch_system import scratch_system
from scripts.system import SystemLayout

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
LEVELS = ((1, 20), (8, 80), (32, 160))  # concurrent bookers, bookings at that level


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def book_and_confirm(
    client: StudiosClient, booker: Account, studio: Studio, room: int, day: int, hour: int
) -> tuple[float, float]:
    """(POST latency, pay-to-confirmed latency) in milliseconds, for one booking."""
    started = time.perf_counter()
    answer = await client.request_booking(booker, studio, whole_hour(days=day, hour=hour), 1, room)
    posted = time.perf_counter()
    assert answer.status_code == 201, answer.text
    booking = answer.json()
    await client.pay(booking)
    paid = time.perf_counter()
    while (await client.booking(booker, booking["id"]))["status"] != "confirmed":  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    return (posted - started) * 1000, (time.perf_counter() - paid) * 1000


async def run_level(
    client: StudiosClient, bookers: list[Account], studio: Studio, level: int, count: int, day: int
) -> tuple[float, list[float], list[float]]:
    per_booker = count // level
    posts: list[float] = []
    confirms: list[float] = []

    async def booker_loop(index: int) -> None:
        for hour in range(per_booker):
            post, confirm = await book_and_confirm(
                client, bookers[index], studio, room=index, day=day, hour=hour
            )
            posts.append(post)
            confirms.append(confirm)

    started = time.perf_counter()
    await asyncio.gather(*(booker_loop(index) for index in range(level)))
    return level * per_booker / (time.perf_counter() - started), posts, confirms


class ServerErrors:
    """Every 5xx answered to the bench, by method, route and status."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[str, str, int]] = Counter()

    async def __call__(self, response: httpx.Response) -> None:
        if response.status_code >= 500:
            path = response.request.url.path.split("/")[:4]  # /api/bookings/{id} as one route
            self.seen[(response.request.method, "/".join(path), response.status_code)] += 1


async def measure(layout: SystemLayout) -> None:
    limits = httpx.Limits(max_connections=64)
    errors = ServerErrors()
    hooks: dict[str, list[Callable[..., Any]]] = {"response": [errors]}
    async with httpx.AsyncClient(timeout=60, limits=limits, event_hooks=hooks) as http:
        client = StudiosClient(http, layout.gateway_url, layout.standin_url)
        owner = await client.account("owner")
        rooms = max(level for level, _ in LEVELS)
        studio = await client.published_studio(owner, rooms=rooms)
        bookers = list(await asyncio.gather(*(client.account("booker") for _ in range(rooms))))
        await book_and_confirm(client, bookers[0], studio, room=0, day=40, hour=0)  # warm-up
        rows = []
        for number, (level, count) in enumerate(LEVELS):
            rows.append((level, count, *await run_level(client, bookers, studio, level, count,
                                                        day=2 + number)))  # fmt: skip
    baseline = rows[0][2]
    print(f"{'bookers':>8}{'bookings':>10}{'confirmed/s':>13}{'x base':>8}"
          f"{'POST p50':>10}{'p99':>8}{'pay->confirmed p50':>20}{'p99':>8}  (ms)")  # fmt: skip
    for level, count, rate, posts, confirms in rows:
        print(
            f"{level:>8}{count:>10}{rate:>13.1f}{rate / baseline:>8.2f}"
            f"{statistics.median(posts):>10.0f}{percentile(posts, 0.99):>8.0f}"
            f"{statistics.median(confirms):>20.0f}{percentile(confirms, 0.99):>8.0f}"
        )
    print(f"5xx responses: {sum(errors.seen.values())}")
    for (method, route, status), count in sorted(errors.seen.items()):
        print(f"  {count:>5} {status} {method} {route}")


def main() -> None:
    with scratch_system(ADMIN_URL) as (layout, work):
        asyncio.run(measure(layout))
        print(f"(logs in {work / 'logs'})")


if __name__ == "__main__":
    main()
