"""The keys' index never loses a studio the exact test of free time finds, migration 0010 gives
rows from before it the keys `replace_free_time` writes, and a newer picture replaces the
studio's dates while an older one changes nothing."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Select, literal_column, select, update

from catalog.db.free_time import (
    free_at,
    free_time_dates,
    free_time_weeks,
    may_be_free,
    replace_free_time,
    with_weeks,
)
from catalog.db.studios import studios
from catalog.domain.free_time import date_number, longest_sessions, picture_keys
from catalog.domain.search import FreeAt
from catalog.seeding.loading import seed
from contracts.availability import FreeSpan, FreeTimeChanged, RoomDay, RoomWeekday
from service_runtime.cli import migrations_dir_of
from service_runtime.db import Database
from service_runtime.migrations import alembic_config


def random_spans(rng: random.Random) -> list[FreeSpan]:
    spans = []
    for _ in range(rng.randrange(3)):
        start = rng.randrange(0, 1410, 10)
        spans.append(FreeSpan(start_minute=start, end_minute=rng.randrange(start + 10, 1441)))
    return spans


def random_free_time(rng: random.Random, studio_id: uuid.UUID, today: date) -> FreeTimeChanged:
    room = uuid.uuid4()
    return FreeTimeChanged(
        studio_id=studio_id,
        computed_at=datetime.now(UTC),
        max_advance_days=rng.randrange(1, 30),
        weekly=[RoomWeekday(room_id=room, weekday=w, spans=random_spans(rng)) for w in range(7)],
        days=[
            RoomDay(room_id=room, day=today + timedelta(days=offset), spans=random_spans(rng))
            for offset in rng.sample(range(-1, 40), rng.randrange(8))
        ],
    )


def random_search(rng: random.Random, now: datetime, days: int = 40) -> FreeAt:
    earliest = rng.randrange(0, 1410, 30)
    latest = rng.randrange(earliest, 1440)
    minutes = rng.randrange(30, 1440 - earliest + 1, 30)
    day = now.date() + timedelta(days=rng.randrange(-1, days))
    return FreeAt(day, earliest, latest, minutes).checked(now)


async def test_every_studio_free_then_has_a_key_the_search_asks_for(
    make_database: Callable[[str, Path | None], str],
) -> None:
    url = make_database("catalog", migrations_dir_of("catalog"))
    database = Database(url)
    rng = random.Random(17)
    today = datetime.now(UTC).date()
    try:
        await seed(database, 60, events=False, random_seed=4)
        async with database.transaction() as session:
            ids = list((await session.execute(select(studios.c.id))).scalars())
            for studio_id in ids[:50]:  # ten never described
                await replace_free_time(session, random_free_time(rng, studio_id, today))
        exact_found = 0
        async with database.transaction() as session:
            for _ in range(300):
                wanted = random_search(rng, datetime.now(UTC))
                rows = await session.execute(
                    select(may_be_free(wanted), free_at(wanted)).select_from(with_weeks(studios))
                )
                for may_be, is_free in rows:
                    assert may_be or not is_free, wanted
                    exact_found += bool(is_free)
    finally:
        await database.dispose()
    assert exact_found > 100  # the windows found studios, so the test tested something


async def test_the_migration_gives_existing_rows_the_keys_replace_free_time_writes(
    make_database: Callable[[str, Path | None], str],
) -> None:
    url = make_database("catalog", migrations_dir_of("catalog"))
    database = Database(url)
    rng = random.Random(3)
    today = datetime.now(UTC).date()
    try:
        async with database.transaction() as session:
            for _ in range(20):
                await replace_free_time(session, random_free_time(rng, uuid.uuid4(), today))
            written = dict((await session.execute(_keys())).all())
        config = alembic_config(migrations_dir_of("catalog"), url)
        command.downgrade(config, "catalog_0009_rating_order")
        command.upgrade(config, "head")
        async with database.transaction() as session:
            backfilled = dict((await session.execute(_keys())).all())
    finally:
        await database.dispose()
    assert backfilled == written
    assert any(written.values())


def _keys() -> Select[Any]:
    return select(free_time_weeks.c.studio_id, free_time_weeks.c.time_keys)


async def test_the_zones_a_search_for_today_reads_are_all_where_a_studio_may_be_free(
    make_database: Callable[[str, Path | None], str],
) -> None:
    """Searches around today, by studios all around the world: reading only the zones where a
    start is still to come finds exactly what testing every studio finds."""
    url = make_database("catalog", migrations_dir_of("catalog"))
    database = Database(url)
    rng = random.Random(29)
    today = datetime.now(UTC).date()
    zones = ["Pacific/Pago_Pago", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"]
    zones.append("Pacific/Kiritimati")  # UTC+14: its today is most zones' tomorrow
    pruned = 0
    try:
        await seed(database, 60, events=False, random_seed=4)
        async with database.transaction() as session:
            ids = list((await session.execute(select(studios.c.id))).scalars())
            for index, studio_id in enumerate(ids):
                await session.execute(
                    update(studios)
                    .where(studios.c.id == studio_id)
                    .values(timezone=zones[index % len(zones)])
                )
                await replace_free_time(session, random_free_time(rng, studio_id, today))
        async with database.transaction() as session:
            for _ in range(300):
                wanted = random_search(rng, datetime.now(UTC), days=2)
                everywhere = replace(wanted, zones=None)
                rows = await session.execute(
                    select(free_at(wanted), free_at(everywhere)).select_from(with_weeks(studios))
                )
                for in_open_zones, anywhere in rows:
                    assert bool(in_open_zones) == bool(anywhere), wanted
                # Some studios' zones left out, so the test tested something.
                pruned += wanted.zones is not None and not wanted.zones.issuperset(zones)
    finally:
        await database.dispose()
    assert pruned > 0


async def test_a_newer_picture_replaces_the_dates_and_an_older_one_changes_nothing(
    make_database: Callable[[str, Path | None], str],
) -> None:
    url = make_database("catalog", migrations_dir_of("catalog"))
    database = Database(url)
    studio_id, room = uuid.uuid4(), uuid.uuid4()
    today = datetime.now(UTC).date()
    first, second, third = (today + timedelta(days=n) for n in (1, 2, 3))
    morning = [FreeSpan(start_minute=540, end_minute=720)]
    evening = [FreeSpan(start_minute=1080, end_minute=1320)]

    def picture(at: datetime, days: dict[date, list[FreeSpan]]) -> FreeTimeChanged:
        return FreeTimeChanged(
            studio_id=studio_id,
            computed_at=at,
            max_advance_days=30,
            weekly=[RoomWeekday(room_id=room, weekday=w, spans=morning) for w in range(7)],
            days=[RoomDay(room_id=room, day=d, spans=s) for d, s in days.items()],
        )

    async def kept() -> tuple[dict[date, bytes], list[int]]:
        async with database.transaction() as session:
            dates = dict(
                (await session.execute(select(free_time_dates.c.day, free_time_dates.c.longest)))
                .tuples()
                .all()
            )
            keys = await session.scalar(select(free_time_weeks.c.time_keys))
        return dates, keys

    async def writers() -> dict[date, str]:
        """The transaction that last wrote each date's row."""
        async with database.transaction() as session:
            rows = await session.execute(select(free_time_dates.c.day, literal_column("xmin")))
            return {day: str(xmin) for day, xmin in rows.tuples()}

    earlier = datetime.now(UTC)
    try:
        async with database.transaction() as session:
            assert await replace_free_time(
                session, picture(earlier, {first: [], second: morning, third: morning})
            )
        written_by = await writers()
        async with database.transaction() as session:
            # Newer: `first` is no longer listed, `second` is unchanged, `third` changed.
            assert await replace_free_time(
                session,
                picture(earlier + timedelta(seconds=1), {second: morning, third: evening}),
            )
        rewritten_by = await writers()
        newest = await kept()
        async with database.transaction() as session:
            assert not await replace_free_time(session, picture(earlier, {first: evening}))
        after_the_older = await kept()
    finally:
        await database.dispose()

    dates, keys = newest
    assert dates == {
        second: longest_sessions([(540, 720)]),
        third: longest_sessions([(1080, 1320)]),
    }
    weekly = longest_sessions([(540, 720)]) * 7
    assert keys == sorted(
        picture_keys(weekly, 0)
        + picture_keys(dates[second], date_number(second))
        + picture_keys(dates[third], date_number(third))
    )
    assert after_the_older == newest
    # Only the changed date was written again: an unchanged one costs no new row version.
    assert rewritten_by[second] == written_by[second]
    assert rewritten_by[third] != written_by[third]
