"""What the data layer adds to each consumed message: the runtime's unit of work (a pooled
SQLAlchemy async connection; its inbox and outbox statements on the psycopg connection under it)
against psycopg alone, the floor, in one run; and a wide row (as wide as a booking's) read in it
through SQLAlchemy's execution and as a `DriverStatement`.

Not a test. Every message a service consumes costs at least a transaction with its inbox row,
and most record one message in the outbox too (a saga step). Those shapes are run here, one at
a time on one connection, under uvloop as the services run: on psycopg's own connection (the
floor), and through `UnitsOfWork` as `Consumer` does. The figure is this process's CPU per
transaction, and its ratio to the floor; PostgreSQL does the same work in both. The figures
also go to bench/results/unit_of_work.json (git-ignored).

    make bench, or: PYTHONPATH=. uv run python bench/unit_of_work.py [--transactions 3000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import uvloop
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    bindparam,
    create_engine,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

from bench.measuring import scratch_database, sqlalchemy_url, write_results
from contracts import Envelope
from contracts.identity import UserDeleted
from service_runtime.db import Database, DriverStatement
from service_runtime.inbox import first_delivery
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.unit_of_work import UnitsOfWork

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ROUNDS = 3  # each case this many times, interleaved; the median counts
WARM_UP = 200  # transactions before measuring: statements prepared, caches filled

INBOX_INSERT = (
    "INSERT INTO inbox (message_id, consumer, message_type) VALUES (%s, %s, %s)"
    " ON CONFLICT DO NOTHING RETURNING message_id"
)
OUTBOX_INSERT = (
    "INSERT INTO outbox (message_id, message_type, routing_key, correlation_id, envelope,"
    " traceparent) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
)

WIDE_COLUMNS = 70  # as many as a booking's row
_WIDE_TYPES = (Uuid, DateTime(timezone=True), Text, BigInteger, JSONB)

Transaction = Callable[[], Awaitable[None]]


def _wide_table(metadata: MetaData) -> Table:
    return Table(
        "wide",
        metadata,
        Column("id", Integer, primary_key=True),
        *(Column(f"c{n}", _WIDE_TYPES[n % len(_WIDE_TYPES)]) for n in range(WIDE_COLUMNS - 1)),
    )


def _wide_values(wide: Table) -> dict[str, Any]:
    """A value of each column's type."""
    samples = (uuid.uuid4(), datetime.now(UTC), "text", 42, {"key": [1, 2]})
    return {"id": 1} | {f"c{n}": samples[n % len(samples)] for n in range(WIDE_COLUMNS - 1)}


def _cases(
    driver: psycopg.AsyncConnection[Any], units: UnitsOfWork, inbox: Table, wide: Table
) -> dict[str, dict[str, Transaction]]:
    """Each shape's transaction on psycopg alone and through the unit of work."""
    wide_by_id = select(wide).where(wide.c.id == bindparam("id"))
    wide_on_driver = DriverStatement(wide_by_id)

    async def driver_inbox() -> None:
        async with driver.transaction():
            await driver.execute(INBOX_INSERT, (uuid.uuid4(), "bench", "bench.message"))

    async def driver_step() -> None:
        envelope = Envelope.wrap(UserDeleted(user_id=uuid.uuid4()), correlation_id="bench")
        body = json.dumps(envelope.model_dump(mode="json"))
        async with driver.transaction():
            await driver.execute(INBOX_INSERT, (uuid.uuid4(), "bench", "bench.message"))
            await driver.execute(
                OUTBOX_INSERT,
                (
                    envelope.message_id,
                    envelope.message_type,
                    UserDeleted.routing_key,
                    "bench",
                    body,
                    None,
                ),
            )

    async def unit_inbox() -> None:
        async with units.begin() as uow:
            await first_delivery(
                uow.session, inbox, message_id=uuid.uuid4(), message_type="m", consumer="bench"
            )

    async def unit_step() -> None:
        async with units.begin() as uow:
            await first_delivery(
                uow.session, inbox, message_id=uuid.uuid4(), message_type="m", consumer="bench"
            )
            await uow.publish(UserDeleted(user_id=uuid.uuid4()), correlation_id="bench")

    async def driver_wide() -> None:
        async with driver.transaction():
            await (await driver.execute(wide_on_driver.sql, {"id": 1})).fetchone()

    async def unit_wide_sqlalchemy() -> None:
        async with units.begin() as uow:
            (await uow.session.execute(wide_by_id, {"id": 1})).first()

    async def unit_wide_driver() -> None:
        async with units.begin() as uow:
            await wide_on_driver.first(uow.session, {"id": 1})

    return {
        "inbox row (BEGIN, INSERT, COMMIT)": {
            "psycopg alone (floor)": driver_inbox,
            "UnitsOfWork (as Consumer)": unit_inbox,
        },
        "step (inbox row + one outbox message)": {
            "psycopg alone (floor)": driver_step,
            "UnitsOfWork (as Consumer)": unit_step,
        },
        f"a {WIDE_COLUMNS}-column row read": {
            "psycopg alone (floor)": driver_wide,
            "UnitsOfWork, SQLAlchemy's execution": unit_wide_sqlalchemy,
            "UnitsOfWork, DriverStatement": unit_wide_driver,
        },
    }


async def _cpu_us(transaction: Transaction, count: int) -> float:
    for _ in range(WARM_UP):
        await transaction()
    started = time.process_time()
    for _ in range(count):
        await transaction()
    return (time.process_time() - started) / count * 1e6


async def measure(url: str, count: int) -> dict[str, Any]:
    metadata = MetaData()
    inbox, outbox, wide = inbox_table(metadata), outbox_table(metadata), _wide_table(metadata)
    engine = create_engine(sqlalchemy_url(url))
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(wide), _wide_values(wide))
    engine.dispose()
    database = Database(sqlalchemy_url(url), pool_size=1)
    driver = await psycopg.AsyncConnection.connect(url)
    try:
        units = UnitsOfWork(database, outbox)
        cases = _cases(driver, units, inbox, wide)
        samples: dict[str, dict[str, list[float]]] = {
            shape: {path: [] for path in paths} for shape, paths in cases.items()
        }
        for _ in range(ROUNDS):
            for shape, paths in cases.items():
                for path, transaction in paths.items():
                    samples[shape][path].append(await _cpu_us(transaction, count))
    finally:
        await driver.close()
        await database.dispose()
    figures: dict[str, Any] = {"transactions": count, "rounds": ROUNDS, "shapes": {}}
    for shape, runs_by_path in samples.items():
        floor = statistics.median(runs_by_path["psycopg alone (floor)"])
        figures["shapes"][shape] = {
            path: {"cpu_us": statistics.median(runs), "over_floor": statistics.median(runs) / floor}
            for path, runs in runs_by_path.items()
        }
    return figures


def report(figures: dict[str, Any]) -> None:
    print(f"{figures['transactions']} transactions per case, median of {figures['rounds']} rounds")
    print(f"{'shape':<40}{'path':<38}{'CPU us':>9}{'x floor':>9}")
    for shape, paths in figures["shapes"].items():
        for path, figure in paths.items():
            print(f"{shape:<40}{path:<38}{figure['cpu_us']:>9.0f}{figure['over_floor']:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=3000)
    arguments = parser.parse_args()
    with scratch_database(ADMIN_URL, "bench_uow") as url:
        figures = uvloop.run(measure(url, arguments.transactions))
    report(figures)
    print(f"(figures in {write_results('unit_of_work', figures)})")


if __name__ == "__main__":
    main()
