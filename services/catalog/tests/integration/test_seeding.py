"""Seeded studios are loaded and announced through the unit of work, in the seed's trace."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import func, select

from catalog.db.base import outbox
from catalog.db.studios import studios
from catalog.seeding.loading import seed

from ..conftest import Catalog


async def test_seeded_studios_are_announced_with_the_seeds_trace_context(
    catalog: Catalog,
) -> None:
    database = catalog.runtime.database
    loaded = await seed(database, 5, batch_size=2, random_seed=3, tracer_provider=TracerProvider())

    async with database.transaction() as session:
        count = (await session.execute(select(func.count()).select_from(studios))).scalar_one()
        rows = (
            await session.execute(
                select(outbox.c.message_type, outbox.c.traceparent, outbox.c.envelope)
            )
        ).all()
    assert loaded == count == 5
    assert {row.message_type for row in rows} == {"catalog.studio_published"}
    assert len(rows) == 5
    traceparents = {row.traceparent for row in rows}
    assert len(traceparents) == 1  # one span for the whole seed
    assert None not in traceparents
    assert all(row.envelope["traceparent"] == row.traceparent for row in rows)
