"""Availability: free-time computation latency, and hold throughput under contention.

Not a test: on the local PostgreSQL, in a scratch database dropped at the end, through the
service layer (units of work, outbox, the exclusion constraint), no HTTP.
- latency of the free start times of one room over 31 days (p50/p99), with reservations in it;
- holds/s with N concurrent tasks all racing for the same time on one room (nearly all
  refused by the exclusion constraint) versus N tasks holding on distinct rooms.

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
from availability.domain.holds import HoldLimits
from availability.domain.intervals import Interval
from availability.domain.reservations import SlotUnavailable
from availability.domain.schedule import WeeklyRule
from availability.repositories import AvailabilityUnits
from availability.service import holds, schedules
from bench.measuring import percentile
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--attempts", type=int, default=3200)
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.concurrency, arguments.attempts, arguments.runs))
