"""Clerk webhook deliveries processed, by svix id: each is applied once."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Table, Text, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from identity.db.base import metadata

clerk_webhook_deliveries = Table(
    "clerk_webhook_deliveries",
    metadata,
    Column("svix_id", Text, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


async def record_clerk_delivery(session: AsyncConnection, svix_id: str, event_type: str) -> bool:
    """False when this svix message id was processed before."""
    result = await session.execute(
        pg_insert(clerk_webhook_deliveries)
        .values(svix_id=svix_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(clerk_webhook_deliveries.c.svix_id)
    )
    return result.first() is not None
