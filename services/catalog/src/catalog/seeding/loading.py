"""Loading seeded studios in batches, each one unit of work that copies them and records their
announcements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from opentelemetry import trace
from opentelemetry.trace import TracerProvider

from catalog.db.base import outbox
from catalog.db.studio_copy import analyze_studios, copy_studios
from catalog.domain.studios import Studio
from catalog.seeding.random_studios import random_studios
from catalog.service.studio_events import studio_event
from contracts.envelope import Message
from service_runtime.db import Database
from service_runtime.unit_of_work import UnitsOfWork


async def seed(
    database: Database,
    count: int,
    owner_ids: Sequence[uuid.UUID] = (),
    *,
    events: bool = True,
    batch_size: int = 10_000,
    random_seed: int | None = None,
    tracer_provider: TracerProvider | None = None,
) -> int:
    """Bulk-load `count` published studios (one unit of work per batch); returns how many.

    The whole load is one span, so its events carry its trace context like any other message.
    """
    units = UnitsOfWork(database, outbox)
    tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("catalog.seeding")
    batch: list[Studio] = []
    loaded = 0
    with tracer.start_as_current_span("catalog seed"):
        for studio in random_studios(count, owner_ids, seed=random_seed):
            batch.append(studio)
            if len(batch) == batch_size:
                loaded += await _load(units, batch, events=events)
                batch = []
        if batch:
            loaded += await _load(units, batch, events=events)
        async with units.begin() as uow:
            await analyze_studios(uow.session)
    return loaded


async def _load(units: UnitsOfWork, studios: list[Studio], *, events: bool) -> int:
    """Copy the studios and, if asked, announce each with StudioPublished as if just published."""
    async with units.begin() as uow:
        await copy_studios(uow.session, studios)
        if events:
            await uow.publish_all([_announcement(studio, uow.now) for studio in studios])
    return len(studios)


def _announcement(studio: Studio, now: datetime) -> tuple[Message, str]:
    message = studio_event(None, studio, changed_at=now)
    assert message is not None  # a published studio is always announced
    return message, str(studio.id)
