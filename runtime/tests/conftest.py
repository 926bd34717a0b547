"""A throwaway service schema (outbox, inbox, user access changes, effects) for the runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine

from service_runtime.db import Database
from service_runtime.messaging_tables import inbox_table, outbox_table
from service_runtime.trust import user_access_table

from .signing import Keys

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
user_access = user_access_table(metadata)
effects = Table(
    "effects",
    metadata,
    Column("key", Text, primary_key=True),
    Column("count", Integer, nullable=False),
)
webhook_events = Table(  # a deduplication record of the kind `MessageRetention(aged_by=...)` ages
    "webhook_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("processed_at", DateTime(timezone=True)),
)


@pytest.fixture
def database_url(make_database: Callable[[str, Path | None], str]) -> str:
    url = make_database("runtime", None)
    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def keys() -> Keys:
    keys = Keys()
    keys.add("key-1")
    return keys
