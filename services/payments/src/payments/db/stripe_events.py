"""Stripe events applied, and the reconciliation's cursor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from payments.db.base import metadata

stripe_events = Table(
    "stripe_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False, comment="when Stripe created it"),
    Column("source", Text, nullable=False, comment="webhook or reconciliation"),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

reconciliation_cursors = Table(
    "reconciliation_cursors",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False, comment="unix time of Stripe's newest event"),
)


async def record_event(
    session: AsyncSession, event_id: str, event_type: str, created: datetime, source: str
) -> bool:
    """False when this Stripe event was processed before (its effect is already committed)."""
    result = await session.execute(
        pg_insert(stripe_events)
        .values(event_id=event_id, event_type=event_type, created=created, source=source)
        .on_conflict_do_nothing()
        .returning(stripe_events.c.event_id)
    )
    return result.first() is not None


async def event_seen(session: AsyncSession, event_id: str) -> bool:
    found = await session.scalar(
        select(stripe_events.c.event_id).where(stripe_events.c.event_id == event_id)
    )
    return found is not None


async def cursor_position(session: AsyncSession, name: str) -> int | None:
    return await session.scalar(
        select(reconciliation_cursors.c.position).where(reconciliation_cursors.c.name == name)
    )


async def move_cursor(session: AsyncSession, name: str, position: int) -> None:
    statement = pg_insert(reconciliation_cursors).values(name=name, position=position)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "position": func.greatest(
                    reconciliation_cursors.c.position, statement.excluded.position
                )
            },
        )
    )
