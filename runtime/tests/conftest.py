"""A throwaway service schema (outbox, inbox, effects) for exercising the runtime alone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine

from service_runtime.db import Database
from service_runtime.messaging_tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
effects = Table(
    "effects",
    metadata,
    Column("key", Text, primary_key=True),
    Column("count", Integer, nullable=False),
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
