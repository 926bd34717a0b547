"""Idempotent inbox: a message's effect is applied once, however often it is delivered."""

from __future__ import annotations

import uuid

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def first_delivery(
    session: AsyncSession,
    inbox: Table,
    *,
    message_id: uuid.UUID,
    message_type: str,
    consumer: str,
) -> bool:
    """Record the message id in the caller's transaction; False when it was handled before.

    A concurrent duplicate waits on the primary key until the first commits or rolls back.
    """
    result = await session.execute(
        insert(inbox)
        .values(message_id=message_id, consumer=consumer, message_type=message_type)
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    return result.first() is not None
