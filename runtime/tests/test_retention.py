"""Published outbox rows, handled inbox ids and processed webhook event ids past the retention
are deleted; nothing else."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, insert, select, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.ext.asyncio import AsyncConnection

from service_runtime.db import Database
from service_runtime.retention import MessageRetention, Pruned, handled_before, outbox_walk

from .conftest import inbox, outbox, webhook_events


async def _outbox_row(database: Database, *, published_days_ago: float | None) -> uuid.UUID:
    message_id = uuid.uuid4()
    published = (
        None
        if published_days_ago is None
        else text(f"now() - interval '{published_days_ago} days'")
    )
    async with database.transaction() as session:
        await session.execute(
            insert(outbox).values(
                message_id=message_id,
                message_type="test.thing",
                routing_key="test.thing",
                correlation_id="c",
                envelope={},
                created_at=text("now() - interval '30 days'"),
                published_at=published,
            )
        )
    return message_id


async def _inbox_id(database: Database, *, handled_days_ago: float) -> uuid.UUID:
    message_id = uuid.uuid4()
    async with database.transaction() as session:
        await session.execute(
            insert(inbox).values(
                message_id=message_id,
                consumer="test",
                message_type="test.thing",
                handled_at=text(f"now() - interval '{handled_days_ago} days'"),
            )
        )
    return message_id


async def test_only_what_is_past_the_retention_goes(database: Database) -> None:
    old_published = [await _outbox_row(database, published_days_ago=8) for _ in range(5)]
    recent = await _outbox_row(database, published_days_ago=1)
    never_published = await _outbox_row(database, published_days_ago=None)
    old_handled = [await _inbox_id(database, handled_days_ago=9) for _ in range(3)]
    recently_handled = await _inbox_id(database, handled_days_ago=6)
    retention = MessageRetention(
        database, outbox, inbox, retention=timedelta(days=7), every_seconds=60, batch_size=2
    )

    deleted = await retention.prune()
    again = await retention.prune()

    async with database.transaction() as session:
        left_outbox = set((await session.execute(select(outbox.c.message_id))).scalars())
        left_inbox = set((await session.execute(select(inbox.c.message_id))).scalars())
    assert deleted == Pruned(outbox_rows=len(old_published), inbox_ids=len(old_handled))
    assert again.total == 0
    assert left_outbox == {recent, never_published}  # an unpublished row waits however old
    assert left_inbox == {recently_handled}


async def test_processed_webhook_events_age_out_with_the_messages(database: Database) -> None:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        await session.execute(
            insert(webhook_events),
            [
                {"event_id": "evt_old", "processed_at": now - timedelta(days=8)},
                {"event_id": "evt_recent", "processed_at": now - timedelta(days=1)},
                {"event_id": "evt_waiting", "processed_at": None},
            ],
        )
    retention = MessageRetention(
        database,
        outbox,
        inbox,
        retention=timedelta(days=7),
        every_seconds=60,
        aged_by=(webhook_events.c.processed_at,),
    )

    deleted = await retention.prune()

    async with database.transaction() as session:
        left = set((await session.execute(select(webhook_events.c.event_id))).scalars())
    assert deleted == Pruned(outbox_rows=0, inbox_ids=0, aged={"webhook_events": 1})
    assert left == {"evt_recent", "evt_waiting"}  # an event not processed yet stays however old


async def _scans(session: AsyncConnection, statement: Select[Any], **params: Any) -> list[Any]:
    """(node type, table, rows it read) of each scan of the statement's plan, as run."""
    compiled = statement.compile(dialect=PGDialect_psycopg())  # type: ignore[no-untyped-call]
    explained = await session.exec_driver_sql(
        f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}", compiled.construct_params(params)
    )
    scans, nodes = [], [explained.scalar_one()[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if "Relation Name" in node:
            read = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
            scans.append((node["Node Type"], node["Relation Name"], read))
    return scans


async def test_a_prune_with_nothing_past_the_retention_reads_a_batch_not_the_tables(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO outbox (message_id, message_type, routing_key, correlation_id,"
                " envelope, published_at) SELECT gen_random_uuid(), 't', 't', 'c', '{}', now()"
                " FROM generate_series(1, 20000)"
            )
        )
        await session.execute(
            text(
                "INSERT INTO inbox (message_id, consumer, message_type)"
                " SELECT gen_random_uuid(), 'test', 't' FROM generate_series(1, 20000)"
            )
        )
    async with database.transaction() as session:
        await session.execute(text("ANALYZE outbox"))
        await session.execute(text("ANALYZE inbox"))
    week = timedelta(days=7)

    async with database.transaction() as session:
        walked = await _scans(session, outbox_walk(outbox, week, 100), after=0)
        looked_up = await _scans(session, handled_before(inbox, week, 100))

    assert {table for _, table, _ in walked} == {"outbox"}
    assert all(node != "Seq Scan" and read <= 100 for node, _, read in walked), walked
    assert [(node.startswith("Index"), read) for node, _, read in looked_up] == [(True, 0)]
