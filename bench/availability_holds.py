"""Availability: free-time computation latency, hold throughput under contention, and what
publishing a studio's free time for search costs.

Not a test: on the local PostgreSQL, in a scratch database dropped at the end, through the
service layer (units of work, outbox, the exclusion constraint), no HTTP.
- latency of the free start times of one room over 31 days (p50/p99), with reservations in it;
- holds/s with N concurrent tasks all racing for the same time on one room (nearly all
  refused by the exclusion constraint) versus N tasks holding on distinct rooms;
- a FreeTimeChanged publication (`publish_outdated`: the reads, the picture, the outbox row)
  of a studio of 4 rooms and of 32, each with a reservation in every room on most of its
  next 20 days: ms per publication (p50) and the CPU ms of the thread that runs it, against
  the same studio with nothing reserved (the floor: the reads and the weekly picture).
The figures also go to bench/results/availability_holds.json (git-ignored).

    make bench, or: PYTHONPATH=. uv run python bench/availability_holds.py [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time

import psycopg

from availability import db
from availability.db.free_time import free_time_outdated
from availability.domain.holds import HoldLimits
from availability.domain.intervals import Interval
from availability.domain.reservations import SlotUnavailable
from availability.domain.schedule import WeeklyRule
from availability.repositories import AvailabilityUnits
from availability.service import free_time, holds, schedules
from bench.measuring import percentile, write_results
from contracts.catalog import RoomSnapshot, StudioPublished, StudioStatus
from contracts.values import CancellationPolicy
from service_runtime.cli import migrations_dir_of
from service_runtime.db import Database
from service_runtime.migrations import upgrade_to_head
from service_runtime.unit_of_work import UnitsOfWork

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LIMITS = HoldLimits(max_length=timedelta(hours=24), live_per_person=1, per_person_per_window=1)
HOLD_FOR = timedelta(minutes=10)


async def seed(units: AvailabilityUnits, rooms: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A Berlin studio open 08:00-22:00 on weekdays and 10:00-00:00 at weekends."""
    studio_id, owner_id = uuid.uuid4(), uuid.uuid4()
    room_ids = [uuid.uuid4() for _ in range(rooms)]
    event = StudioPublished(
        studio_id=studio_id,
        revision=1,
        slug="bench",
        owner_id=owner_id,
        name="Bench",
        timezone="Europe/Berlin",
        currency="EUR",
        hourly_price_minor=4000,
        minimum_hours=1,
        cancellation_policy=CancellationPolicy.FLEXIBLE,
        rooms=[
            RoomSnapshot(room_id=r, name=f"Room {i}", capacity=4) for i, r in enumerate(room_ids)
        ],
        status=StudioStatus.PUBLISHED,
        changed_at=datetime.now(UTC),
    )
    async with units.begin() as uow:
        await schedules.apply_studio_event(uow, event)
    rules = [WeeklyRule(weekday=d, opens=wall_time(8), closes=wall_time(22)) for d in range(5)]
    rules += [WeeklyRule(weekday=d, opens=wall_time(10), closes=wall_time(0)) for d in (5, 6)]
    async with units.begin() as uow:
        await uow.studios.replace_rules(studio_id, rules)
    return studio_id, room_ids


async def attempt(
    units: AvailabilityUnits, studio_id: uuid.UUID, room_id: uuid.UUID, during: Interval
) -> bool:
    request = holds.HoldRequest(
        studio_id=studio_id, room_id=room_id, during=during, held_by=str(uuid.uuid4())
    )
    try:
        await holds.hold_for_person(
            units, request, hold_for=HOLD_FOR, limits=LIMITS, now=units.clock()
        )
    except SlotUnavailable:
        return False
    return True


def open_hour(base: datetime, index: int) -> Interval:
    """The index-th of the hours 10:00-18:00 UTC (open in Berlin every day) from base on."""
    start = base + timedelta(days=index // 8, hours=10 + index % 8)
    return Interval(start, start + timedelta(hours=1))


async def fill_month(
    units: AvailabilityUnits, studio_id: uuid.UUID, room_id: uuid.UUID, base: datetime
) -> int:
    """Hold about a third of the room's daytime hours next month, so the query has work."""
    random.seed(7)
    placed = 0
    for index in random.sample(range(31 * 8), 80):
        ok = await attempt(units, studio_id, room_id, open_hour(base, index))
        placed += ok
    return placed


async def query_latency(
    units: AvailabilityUnits, studio_id: uuid.UUID, room_id: uuid.UUID, base: datetime, runs: int
) -> tuple[list[float], int]:
    samples: list[float] = []
    slots = 0
    window = Interval(base, base + timedelta(days=31))
    for _ in range(runs):
        started = time.perf_counter()
        found = await schedules.free_slots(
            units,
            studio_id=studio_id,
            room_id=room_id,
            window=window,
            duration=timedelta(hours=1),
            now=units.clock(),
        )
        samples.append((time.perf_counter() - started) * 1000)
        slots = len(found.slots)
    return samples, slots


async def hold_rate(
    units: AvailabilityUnits, studio_id: uuid.UUID, attempts: int, concurrency: int, target: object
) -> tuple[float, int]:
    """Hold attempts per second (held or refused) with `concurrency` tasks; and how many held."""
    per_task = attempts // concurrency
    held = 0

    async def worker(task: int) -> None:
        nonlocal held
        for k in range(per_task):
            room_id, during = target(task, k)  # type: ignore[operator]
            placed = await attempt(units, studio_id, room_id, during)
            held += placed

    started = time.perf_counter()
    await asyncio.gather(*(worker(task) for task in range(concurrency)))
    return per_task * concurrency / (time.perf_counter() - started), held


async def publication_cost(
    units: AvailabilityUnits, rooms: int, base: datetime, runs: int, *, reserved: bool
) -> tuple[float, float, int]:
    """(ms p50, CPU ms, reservations) per publication of a new studio of `rooms` rooms, with a
    reservation in every room on 18 of its next 20 days when `reserved`."""
    studio_id, room_ids = await seed(units, rooms)
    placed = 0
    if reserved:
        for day in range(20):
            for index, room_id in enumerate(room_ids):
                if (day + index) % 10:  # a day in ten free in each room
                    hour = open_hour(base, day * 8 + index % 8)
                    placed += await attempt(units, studio_id, room_id, hour)
    await free_time.publish_outdated(units, limit=100)  # what the holds marked, all studios'
    samples = []
    cpu = time.thread_time()
    for _ in range(runs):
        async with units.units.begin() as marking:  # as a change of its schedule would
            await marking.session.execute(free_time_outdated.insert().values(studio_id=studio_id))
        started = time.perf_counter()
        await free_time.publish_outdated(units, limit=100)
        samples.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.thread_time() - cpu) * 1000 / runs
    return statistics.median(samples), cpu_ms, placed


async def main(concurrency: int, attempts: int, runs: int) -> None:
    name = f"bench_availability_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    database = Database(url, pool_size=concurrency)
    try:
        await asyncio.to_thread(upgrade_to_head, migrations_dir_of("availability"), url)
        units = db.SqlAvailabilityUnits(UnitsOfWork(database, db.outbox))
        studio_id, room_ids = await seed(units, rooms=concurrency + 2)
        base = (datetime.now(UTC) + timedelta(days=2)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        filled = await fill_month(units, studio_id, room_ids[0], base)
        latencies, slots = await query_latency(units, studio_id, room_ids[0], base, runs)

        contended_room = room_ids[1]
        rng = random.Random(11)

        def contended(_task: int, _k: int) -> tuple[uuid.UUID, Interval]:
            # Everyone wants one of a few overlapping hours on the same afternoon.
            start = base + timedelta(days=3, hours=12, minutes=30 * rng.randrange(6))
            return contended_room, Interval(start, start + timedelta(hours=1))

        def distinct(task: int, k: int) -> tuple[uuid.UUID, Interval]:
            return room_ids[2 + task], open_hour(base, k)

        contended_rate, contended_held = await hold_rate(
            units, studio_id, attempts, concurrency, contended
        )
        distinct_rate, distinct_held = await hold_rate(
            units, studio_id, attempts, concurrency, distinct
        )
        publications = {
            (rooms, reserved): await publication_cost(
                units, rooms, base, runs // 4, reserved=reserved
            )
            for rooms in (4, 32)
            for reserved in (False, True)
        }
    finally:
        await database.dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    print(f"free times, one room, 31 days ({filled} holds in it, {slots} free 1-hour starts):")
    print(
        f"  p50 {statistics.median(latencies):.2f} ms   p99 {percentile(latencies, 0.99):.2f} ms"
        f"   ({runs} queries)"
    )
    print(f"holds through the service layer, {concurrency} concurrent tasks, {attempts} attempts:")
    print(f"  one contended room : {contended_rate:8.0f} holds/s  ({contended_held} held)")
    print(f"  distinct rooms     : {distinct_rate:8.0f} holds/s  ({distinct_held} held)")
    print(f"  contended/distinct : {contended_rate / distinct_rate:.2f}")
    print(f"a studio's free time published (FreeTimeChanged), {runs // 4} times each:")
    figures: dict[str, object] = {
        "free_starts_p50_ms": statistics.median(latencies),
        "free_starts_p99_ms": percentile(latencies, 0.99),
        "holds_per_s_contended": contended_rate,
        "holds_per_s_distinct": distinct_rate,
        "publications": [],
    }
    for rooms in (4, 32):
        empty_ms, empty_cpu, _ = publications[(rooms, False)]
        busy_ms, busy_cpu, placed = publications[(rooms, True)]
        print(
            f"  {rooms:2d} rooms, {placed:3d} reservations:"
            f" {busy_ms:6.2f} ms, {busy_cpu:6.2f} CPU ms"
            f"   nothing reserved: {empty_ms:5.2f} ms, {empty_cpu:5.2f} CPU ms"
            f"   (CPU x{busy_cpu / empty_cpu:.1f})"
        )
        figures["publications"].append(  # type: ignore[attr-defined]
            {
                "rooms": rooms,
                "reservations": placed,
                "p50_ms": busy_ms,
                "cpu_ms": busy_cpu,
                "floor_p50_ms": empty_ms,
                "floor_cpu_ms": empty_cpu,
                "cpu_ratio_to_floor": busy_cpu / empty_cpu,
            }
        )
    print(f"(figures in {write_results('availability_holds', figures)})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--attempts", type=int, default=3200)
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.concurrency, arguments.attempts, arguments.runs))
